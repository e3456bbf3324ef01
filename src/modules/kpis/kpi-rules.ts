/**
 * KPI rules as plain functions (no ORM, no GraphQL): enums, period buckets, aggregation of
 * measurements, status and alert levels from thresholds. Unit-tested in tests/unit/kpis/.
 */
import Decimal from 'decimal.js';

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
}

export type PeriodGrain = 'WEEK' | 'MONTH';

/** A KPI key: a stable lower-case slug (`gmv`, `conversion_rate`). */
export const KPI_KEY = /^[a-z][a-z0-9_]*$/;
export const MAX_KPI_KEY_LENGTH = 64;

const DAY_MS = 86_400_000;

function parseDay(date: string): Date {
  return new Date(`${date}T00:00:00Z`);
}

/** The first day of the bucket holding `date`: the Monday of its ISO week, or the 1st of its month. */
export function bucketStart(date: string, grain: PeriodGrain): string {
  const d = parseDay(date);
  if (grain === 'MONTH') return `${date.slice(0, 7)}-01`;
  const weekday = (d.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  return new Date(d.getTime() - weekday * DAY_MS).toISOString().slice(0, 10);
}

/** The first day of the bucket after the one starting on `start`. */
export function nextBucket(start: string, grain: PeriodGrain): string {
  const d = parseDay(start);
  if (grain === 'WEEK') return new Date(d.getTime() + 7 * DAY_MS).toISOString().slice(0, 10);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return d.toISOString().slice(0, 10);
}

/** At most this many buckets per call (about 20 years of weeks). */
export const MAX_BUCKETS = 1100;

/** Every bucket start from the bucket of `from` to the bucket of `to`, inclusive. */
export function bucketStarts(from: string, to: string, grain: PeriodGrain): string[] {
  if (to < from) return [];
  const out: string[] = [];
  const last = bucketStart(to, grain);
  for (let b = bucketStart(from, grain); b <= last; b = nextBucket(b, grain)) {
    out.push(b);
    if (out.length > MAX_BUCKETS) throw new RangeError(`A range covers at most ${MAX_BUCKETS} periods`);
  }
  return out;
}

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

/** A rule the limits break, for BAD_USER_INPUT naming the field. */
export class LimitsError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

/**
 * Limits must be ordered: normalRange.min ≤ max, criticalBelow ≤ warningBelow,
 * warningAbove ≤ criticalAbove, and every "below" threshold under every "above" one.
 */
export function validateLimits(l: KpiLimits): void {
  const le = (a: Decimal | null, b: Decimal | null) => a == null || b == null || a.lte(b);
  if (!le(l.normalMin, l.normalMax)) throw new LimitsError('normalRange.min must not be above normalRange.max', 'normalRange');
  if (!le(l.criticalBelow, l.warningBelow)) {
    throw new LimitsError('thresholds.criticalBelow must not be above thresholds.warningBelow', 'thresholds');
  }
  if (!le(l.warningAbove, l.criticalAbove)) {
    throw new LimitsError('thresholds.warningAbove must not be above thresholds.criticalAbove', 'thresholds');
  }
  const below = [l.warningBelow, l.criticalBelow].filter((v): v is Decimal => v != null);
  const above = [l.warningAbove, l.criticalAbove].filter((v): v is Decimal => v != null);
  if (below.some((b) => above.some((a) => b.gte(a)))) {
    throw new LimitsError('every "below" threshold must be under every "above" threshold', 'thresholds');
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
