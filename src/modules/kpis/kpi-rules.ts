/**
 * KPI rules as plain functions (no ORM, no GraphQL): enums, aggregation of measurements per
 * period bucket (the buckets are src/common/periods.ts'), status and alert levels from thresholds. Unit-tested in tests/unit/kpis/.
 */
import Decimal from 'decimal.js';
import { addDays, bucketStart, Grain } from '../../common/periods';
import { refuse } from '../../common/rules';

export enum KpiLayer {
  STRATEGIC = 'STRATEGIC',
  TACTICAL = 'TACTICAL',
  OPERATIONAL = 'OPERATIONAL',
}

export enum KpiDirection {
  HIGHER_IS_BETTER = 'HIGHER_IS_BETTER',
  LOWER_IS_BETTER = 'LOWER_IS_BETTER',
}

export enum KpiAggregation {
  SUM = 'SUM',
  AVERAGE = 'AVERAGE',
  LAST = 'LAST',
}

export enum KpiStatus {
  NORMAL = 'NORMAL',
  WARNING = 'WARNING',
  CRITICAL = 'CRITICAL',
  NO_DATA = 'NO_DATA',
}

export enum KpiAlertLevel {
  WARNING = 'WARNING',
  CRITICAL = 'CRITICAL',
}

export enum KpiAlertStatus {
  OPEN = 'OPEN',
  ACKNOWLEDGED = 'ACKNOWLEDGED',
  /** Its period's measurement was recorded again inside the thresholds, or deleted. */
  RESOLVED = 'RESOLVED',
}

/** The grains a KPI may be measured at (the kit's Grain without QUARTER). */
export const KPI_GRAINS: readonly Grain[] = [Grain.DAY, Grain.WEEK, Grain.MONTH];

/** How often a KPI of the grain is measured, for messages ("weekly"). */
export function grainAdverb(grain: Grain): string {
  return { [Grain.DAY]: 'daily', [Grain.WEEK]: 'weekly', [Grain.MONTH]: 'monthly', [Grain.QUARTER]: 'quarterly' }[grain];
}

/** A KPI's grain is DAY, WEEK or MONTH: anything else is BAD_USER_INPUT naming `grain`. */
export function checkKpiGrain(grain: Grain): void {
  if (!KPI_GRAINS.includes(grain)) throw refuse(`grain must be one of ${KPI_GRAINS.join(', ')}: a KPI is not measured by ${grain}`, 'grain');
}

/**
 * A formula KPI is measured at its inputs' grain: every KPI its formula reads has the formula
 * KPI's grain (else BAD_USER_INPUT naming `field`), so that a period of the formula is a period
 * of each input.
 */
export function checkFormulaGrains(kpi: { key: string; grain: Grain }, inputs: ReadonlyArray<{ key: string; grain: Grain }>, field: string): void {
  const other = inputs.find((i) => i.grain !== kpi.grain);
  if (other) {
    throw refuse(
      `A formula KPI has its inputs' grain: ${kpi.key} is measured ${grainAdverb(kpi.grain)}, ${other.key} is measured ${grainAdverb(other.grain)}`,
      field,
    );
  }
}

/**
 * The period kpiWhatIf projects, for a tree of `grain`: the start of the period holding `day`
 * (2026-04-01, a Wednesday, is in the week from Monday 2026-03-30), or without a day the latest
 * complete period, the last one that ended before `today`.
 */
export function whatIfPeriod(grain: Grain, day: string | null | undefined, today: string): string {
  return day != null ? bucketStart(day, grain) : bucketStart(addDays(bucketStart(today, grain), -1), grain);
}

/** A KPI key: a stable lower-case slug (`gmv`, `conversion_rate`). */
export const KPI_KEY = /^[a-z][a-z0-9_]*$/;
export const MAX_KPI_KEY_LENGTH = 64;

/** Measurements of one bucket combined by the KPI's aggregation (null when there are none). */
export function aggregate(aggregation: KpiAggregation, sum: Decimal, count: number, last: Decimal | null): Decimal | null {
  if (count === 0) return null;
  switch (aggregation) {
    case KpiAggregation.SUM:
      return sum;
    case KpiAggregation.AVERAGE:
      return sum.div(count);
    case KpiAggregation.LAST:
      return last;
  }
}

/** A KPI's normal range and thresholds (all optional) and which way is good. */
export interface KpiLimits {
  direction: KpiDirection;
  normalMin: Decimal | null;
  normalMax: Decimal | null;
  warningBelow: Decimal | null;
  criticalBelow: Decimal | null;
  warningAbove: Decimal | null;
  criticalAbove: Decimal | null;
}

/**
 * Limits must be ordered (else a RuleViolation, BAD_USER_INPUT naming the field): normalRange.min ≤ max, criticalBelow ≤ warningBelow,
 * warningAbove ≤ criticalAbove, and every "below" threshold under every "above" one.
 */
export function validateLimits(l: KpiLimits): void {
  const le = (a: Decimal | null, b: Decimal | null) => a == null || b == null || a.lte(b);
  if (!le(l.normalMin, l.normalMax)) throw refuse('normalRange.min must not be above normalRange.max', 'normalRange');
  if (!le(l.criticalBelow, l.warningBelow)) {
    throw refuse('thresholds.criticalBelow must not be above thresholds.warningBelow', 'thresholds');
  }
  if (!le(l.warningAbove, l.criticalAbove)) {
    throw refuse('thresholds.warningAbove must not be above thresholds.criticalAbove', 'thresholds');
  }
  const below = [l.warningBelow, l.criticalBelow].filter((v): v is Decimal => v != null);
  const above = [l.warningAbove, l.criticalAbove].filter((v): v is Decimal => v != null);
  if (below.some((b) => above.some((a) => b.gte(a)))) {
    throw refuse('every "below" threshold must be under every "above" threshold', 'thresholds');
  }
}

export interface Breach {
  level: KpiAlertLevel;
  /** What was crossed, e.g. "below the critical threshold 15". */
  reason: string;
}

/**
 * The alert a value raises, if any (the most severe one): CRITICAL strictly past a critical
 * threshold; WARNING strictly past a warning threshold, or outside the normal range on the bad
 * side (below its min when higher is better, above its max when lower is better — a value
 * better than normal is no alarm). Thresholds apply on the side they name whatever the direction.
 */
export function breachOf(l: KpiLimits, value: Decimal): Breach | null {
  if (l.criticalBelow != null && value.lt(l.criticalBelow)) {
    return { level: KpiAlertLevel.CRITICAL, reason: `below the critical threshold ${l.criticalBelow.toFixed()}` };
  }
  if (l.criticalAbove != null && value.gt(l.criticalAbove)) {
    return { level: KpiAlertLevel.CRITICAL, reason: `above the critical threshold ${l.criticalAbove.toFixed()}` };
  }
  if (l.warningBelow != null && value.lt(l.warningBelow)) {
    return { level: KpiAlertLevel.WARNING, reason: `below the warning threshold ${l.warningBelow.toFixed()}` };
  }
  if (l.warningAbove != null && value.gt(l.warningAbove)) {
    return { level: KpiAlertLevel.WARNING, reason: `above the warning threshold ${l.warningAbove.toFixed()}` };
  }
  if (l.direction === KpiDirection.HIGHER_IS_BETTER && l.normalMin != null && value.lt(l.normalMin)) {
    return { level: KpiAlertLevel.WARNING, reason: `below the normal range (min ${l.normalMin.toFixed()})` };
  }
  if (l.direction === KpiDirection.LOWER_IS_BETTER && l.normalMax != null && value.gt(l.normalMax)) {
    return { level: KpiAlertLevel.WARNING, reason: `above the normal range (max ${l.normalMax.toFixed()})` };
  }
  return null;
}

/** The status a latest value gives (NO_DATA without one). */
export function statusOf(l: KpiLimits, value: Decimal | null): KpiStatus {
  if (value == null) return KpiStatus.NO_DATA;
  const breach = breachOf(l, value);
  if (!breach) return KpiStatus.NORMAL;
  return breach.level === KpiAlertLevel.CRITICAL ? KpiStatus.CRITICAL : KpiStatus.WARNING;
}

/** The alert's message: "退款率 refund_rate is 9.5 % for the period from 2026-03-02, above the critical threshold 8". */
export function alertMessage(kpi: { key: string; name: string; unit: string | null }, periodStart: string, value: Decimal, breach: Breach): string {
  const unit = kpi.unit ? ` ${kpi.unit}` : '';
  return `${kpi.name} (${kpi.key}) is ${value.toFixed()}${unit} for the period from ${periodStart}, ${breach.reason}`;
}
