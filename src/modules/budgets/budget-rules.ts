/**
 * Budget arithmetic as plain functions (no ORM, no GraphQL): burn, pace, run-rate forecast,
 * status, thresholds, cost per KPI unit, and the burn curve. Money is decimal.js throughout,
 * taken, rounded and shown by the kit (src/common/money.ts: amounts HALF_EVEN to the currency's
 * minor unit, ratios to 6 places); dates are YYYY-MM-DD strings (UTC calendar days) and buckets
 * come from src/common/periods.ts. A refusal is the kit's RuleViolation (src/common/rules.ts).
 */
import Decimal from 'decimal.js';
import { ratioOf, roundAmount, roundRatio, type CurrencyCode } from '../../common/money';
import { refuse } from '../../common/rules';
import { addDays, addMonths, bucketEnd, bucketStarts, checkDateRange, daysCovered, Grain } from '../../common/periods';

export enum BudgetLineKind {
  FIXED = 'FIXED',
  VARIABLE = 'VARIABLE',
}

export enum BudgetStatus {
  UNDER = 'UNDER',
  ON_TRACK = 'ON_TRACK',
  AT_RISK = 'AT_RISK',
  OVER = 'OVER',
}

export enum AdjustmentStatus {
  PENDING = 'PENDING',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
  /** Withdrawn by its requester while it was pending: nothing moved, nobody decides it. */
  WITHDRAWN = 'WITHDRAWN',
}

// ------------------------------------------------------------------ dates

/** A budget period is at most this many days, counting both ends (so the burn report has at most 106 weeks or 25 months). */
export const MAX_PERIOD_DAYS = 731;

export function validatePeriod(periodStart: string, periodEnd: string): void {
  checkDateRange(periodStart, periodEnd, { startField: 'periodStart', endField: 'periodEnd', maxDays: MAX_PERIOD_DAYS, what: 'A budget period' });
}

// ------------------------------------------------------------------ burn, pace, forecast, status

/** spent ÷ planned, a ratio (6 places); null when nothing is planned. */
export function burnRate(spent: Decimal, planned: Decimal): Decimal | null {
  return ratioOf(spent, planned);
}

/**
 * The elapsed share of the period on `today`, counting whole days and today itself:
 * 0 before the first day, (days elapsed including today) ÷ (days in the period), 1 from the last day on.
 */
export function expectedBurn(periodStart: string, periodEnd: string, today: string): Decimal {
  if (today < periodStart) return new Decimal(0);
  if (today >= periodEnd) return new Decimal(1);
  return new Decimal(daysCovered(periodStart, today)).div(daysCovered(periodStart, periodEnd));
}

/** The elapsed share as shown (`Budget.expectedBurn`): a ratio rounded to 6 places. */
export function expectedBurnShown(periodStart: string, periodEnd: string, today: string): Decimal {
  return roundRatio(expectedBurn(periodStart, periodEnd, today));
}

/**
 * Run-rate projection of spend at the period's end: spent ÷ elapsed share (the pace so far,
 * carried to the end), an amount rounded HALF_EVEN to the currency's minor unit. Before the
 * period starts nothing is projected (spent as is); from the last day on it is what was spent.
 */
export function forecastAtEnd(spent: Decimal, expected: Decimal, currency: CurrencyCode): Decimal {
  if (expected.lte(0) || expected.gte(1)) return roundAmount(spent, currency);
  return roundAmount(spent.div(expected), currency);
}

/** Burn more than this many points ahead of the elapsed share: AT_RISK. */
export const AT_RISK_MARGIN = new Decimal('0.10');
/** Burn more than this many points behind the elapsed share: UNDER (money not put to work). */
export const UNDER_MARGIN = new Decimal('0.25');

/**
 * Status from burn against the elapsed share (`expected`):
 * - OVER: spent is more than planned (burn > 1), or something is spent against a plan of 0;
 * - AT_RISK: burn > expected + 0.10 (spending ahead of pace: the run-rate overshoots the plan);
 * - UNDER: burn < expected − 0.25 (well behind pace);
 * - ON_TRACK otherwise (a plan of 0 with nothing spent is ON_TRACK).
 */
export function budgetStatus(spent: Decimal, planned: Decimal, expected: Decimal): BudgetStatus {
  if (planned.isZero()) return spent.gt(0) ? BudgetStatus.OVER : BudgetStatus.ON_TRACK;
  const burn = spent.div(planned);
  if (burn.gt(1)) return BudgetStatus.OVER;
  if (burn.gt(expected.plus(AT_RISK_MARGIN))) return BudgetStatus.AT_RISK;
  if (burn.lt(expected.minus(UNDER_MARGIN))) return BudgetStatus.UNDER;
  return BudgetStatus.ON_TRACK;
}

// ------------------------------------------------------------------ thresholds

/** The shares of plan announced once each by `budgetThresholdCrossed`. */
export const THRESHOLDS = [80, 100] as const;
export type Threshold = (typeof THRESHOLDS)[number];

/** The thresholds `spent` has reached (spent ≥ planned × t%); none when nothing is planned. */
export function thresholdsReached(spent: Decimal, planned: Decimal): Threshold[] {
  if (planned.lte(0)) return [];
  return THRESHOLDS.filter((t) => spent.gte(planned.mul(t).div(100)));
}

// ------------------------------------------------------------------ KPI arithmetic

/** Cost per unit of KPI: spent ÷ delta, a ratio (6 places); null when the delta is unknown, zero or negative. */
export function costPerUnit(spent: Decimal, delta: Decimal | null): Decimal | null {
  if (!delta || delta.lte(0)) return null;
  return ratioOf(spent, delta);
}

// ------------------------------------------------------------------ efficiency (budgetEfficiency)

/** A KPI's aggregation as budgets read it (the kpis module's KpiAggregation values). */
export type EfficiencyAggregation = 'SUM' | 'AVERAGE' | 'LAST';

/** Why a line's efficiency is null (`LineEfficiency.reason`); null when it has one. */
export enum EfficiencyReason {
  /** The line links no KPI. */
  NO_KPI_LINK = 'NO_KPI_LINK',
  /** Its KPI has no value in the window or none in the baseline, so no change can be measured. */
  NO_MEASUREMENTS = 'NO_MEASUREMENTS',
  /** Nothing was spent in the window by this line (or by any line the KPI's change is shared by). */
  NO_SPEND = 'NO_SPEND',
  /** The change attributed to the line is 0 or negative: no cost per unit of gain. */
  NO_GAIN = 'NO_GAIN',
}

/** Two equal-length runs of days: the budget's period (the window) and the same number of days just before it (the baseline). */
export interface EfficiencyWindows {
  window: { start: string; end: string };
  baseline: { start: string; end: string };
  /** Days in each (both ends counted). */
  days: number;
}

/** The window is the budget's whole period; the baseline the same number of days ending the day before it starts. */
export function efficiencyWindows(periodStart: string, periodEnd: string): EfficiencyWindows {
  const days = daysCovered(periodStart, periodEnd);
  return { window: { start: periodStart, end: periodEnd }, baseline: { start: addDays(periodStart, -days), end: addDays(periodStart, -1) }, days };
}

/** A KPI's value for the period of its grain starting on `periodStart` (null: not measured). */
export interface KpiPoint {
  periodStart: string;
  value: Decimal | null;
}

/** A KPI's periods start at most this many days before a window they overlap (its grain is DAY, WEEK or MONTH). */
export const LONGEST_KPI_PERIOD_DAYS = 31;

/** What one window holds of a KPI: each measured period overlapping it, weighted by the share of its days inside. */
interface WindowLevel {
  /** Σ value × overlap ÷ period days: the part of the values that falls in the window (a SUM KPI's units in it). */
  part: Decimal;
  /** Σ value × overlap: for the day-weighted mean. */
  weighted: Decimal;
  /** Σ overlap: the window's days covered by a measured period. */
  days: number;
  /** The value of the latest measured period overlapping the window. */
  last: Decimal;
}

function windowLevel(grain: Grain, points: readonly KpiPoint[], range: { start: string; end: string }): WindowLevel | null {
  let level: WindowLevel | null = null;
  let lastStart = '';
  for (const p of points) {
    if (p.value == null) continue;
    const end = bucketEnd(p.periodStart, grain);
    const from = p.periodStart > range.start ? p.periodStart : range.start;
    const to = end < range.end ? end : range.end;
    if (from > to) continue;
    const overlap = daysCovered(from, to);
    const part = p.value.mul(overlap).div(daysCovered(p.periodStart, end));
    if (!level) level = { part: new Decimal(0), weighted: new Decimal(0), days: 0, last: p.value };
    level.part = level.part.plus(part);
    level.weighted = level.weighted.plus(p.value.mul(overlap));
    level.days += overlap;
    if (p.periodStart > lastStart) {
      lastStart = p.periodStart;
      level.last = p.value;
    }
  }
  return level;
}

/**
 * A KPI's change from the baseline to the window, like with like whatever the windows' or the
 * months' lengths. `points` are the KPI's values for the periods of its grain (a week, a month…);
 * each period counts in a window for the share of its days that fall in it (a month of 31 days
 * with 28 of them in a window counts for 28/31 of its value there).
 * - SUM: the window's units minus what the baseline's pace per day would give over the same
 *   days: Uw − (Ub ÷ Db) × Dw, where U is the units in a window and D its days covered by a
 *   measured period. A steady daily rate gives 0, whether months have 28 or 31 days; a rate
 *   going from rb to rw per day gives (rw − rb) × Dw, the units gained over the window.
 * - AVERAGE: the mean of the window's values minus the mean of the baseline's, each weighted by
 *   the days it covers in its window (the plain mean of the values for periods of equal length).
 * - LAST: the value of the latest period overlapping the window minus that of the baseline.
 * Null when either window has no value.
 */
export function kpiWindowChange(
  aggregation: EfficiencyAggregation,
  grain: Grain,
  points: readonly KpiPoint[],
  windows: Pick<EfficiencyWindows, 'window' | 'baseline'>,
): Decimal | null {
  const b = windowLevel(grain, points, windows.baseline);
  const w = windowLevel(grain, points, windows.window);
  if (!b || !w) return null;
  switch (aggregation) {
    case 'SUM':
      return w.part.minus(b.part.mul(w.days).div(b.days));
    case 'AVERAGE':
      return w.weighted.div(w.days).minus(b.weighted.div(b.days));
    case 'LAST':
      return w.last.minus(b.last);
  }
}

/**
 * A KPI's change shared by the lines whose figures follow it, by their share of what those lines
 * spent in the window: line's share = its spend ÷ their total spend; its attributed change =
 * change × its spend ÷ total (the attributed changes add up to the change). Null when the total
 * spend is 0 (nobody funded the change: nothing is attributed).
 */
export function attributeChange(change: Decimal, spendByLine: ReadonlyMap<string, Decimal>): Map<string, { share: Decimal; attributed: Decimal }> | null {
  const total = [...spendByLine.values()].reduce((s, v) => s.plus(v), new Decimal(0));
  if (total.lte(0)) return null;
  return new Map([...spendByLine].map(([id, spent]) => [id, { share: spent.div(total), attributed: change.mul(spent).div(total) }]));
}

export interface EfficiencyLine {
  id: string;
  /** The KPI the line's figures follow (its first linked KPI that exists), or null. */
  kpiId: string | null;
  /** What the line spent in the window. */
  spent: Decimal;
}

export interface EfficiencyKpi {
  aggregation: EfficiencyAggregation;
  grain: Grain;
  /** Its values from LONGEST_KPI_PERIOD_DAYS before the baseline to the window's end. */
  points: readonly KpiPoint[];
}

export interface EfficiencyFigures {
  /** The KPI's whole change (kpiWindowChange). */
  kpiDelta: Decimal | null;
  share: Decimal | null;
  attributedChange: Decimal | null;
  /** spent ÷ attributedChange; null when it is unknown, 0 or negative. */
  costPerKpiUnit: Decimal | null;
  reason: EfficiencyReason | null;
}

/**
 * Each line's figures against the KPI it follows: the KPI's change (kpiWindowChange) attributed
 * by the spend of the lines following that KPI (attributeChange), and the cost per unit = spent ÷
 * attributed change. Unrounded: the caller shows them.
 */
export function lineEfficiencies(
  lines: readonly EfficiencyLine[],
  kpis: ReadonlyMap<string, EfficiencyKpi>,
  windows: Pick<EfficiencyWindows, 'window' | 'baseline'>,
): Map<string, EfficiencyFigures> {
  const changes = new Map<string, Decimal | null>();
  const following = new Map<string, Map<string, Decimal>>();
  for (const line of lines) {
    const kpi = line.kpiId == null ? undefined : kpis.get(line.kpiId);
    if (!kpi) continue;
    if (!changes.has(line.kpiId!)) changes.set(line.kpiId!, kpiWindowChange(kpi.aggregation, kpi.grain, kpi.points, windows));
    let spend = following.get(line.kpiId!);
    if (!spend) following.set(line.kpiId!, (spend = new Map()));
    spend.set(line.id, line.spent);
  }
  const shares = new Map<string, ReturnType<typeof attributeChange>>();
  for (const [kpiId, spend] of following) {
    const change = changes.get(kpiId);
    shares.set(kpiId, change == null ? null : attributeChange(change, spend));
  }
  const none = { kpiDelta: null, share: null, attributedChange: null, costPerKpiUnit: null };
  return new Map(
    lines.map((line): [string, EfficiencyFigures] => {
      if (line.kpiId == null || !kpis.has(line.kpiId)) return [line.id, { ...none, reason: EfficiencyReason.NO_KPI_LINK }];
      const kpiDelta = changes.get(line.kpiId) ?? null;
      if (kpiDelta == null) return [line.id, { ...none, reason: EfficiencyReason.NO_MEASUREMENTS }];
      const mine = shares.get(line.kpiId)?.get(line.id);
      if (!mine || line.spent.lte(0)) return [line.id, { ...none, kpiDelta, share: mine?.share ?? null, attributedChange: mine?.attributed ?? null, reason: EfficiencyReason.NO_SPEND }];
      const costPerKpiUnit = costPerUnit(line.spent, mine.attributed);
      return [line.id, { kpiDelta, share: mine.share, attributedChange: mine.attributed, costPerKpiUnit, reason: costPerKpiUnit ? null : EfficiencyReason.NO_GAIN }];
    }),
  );
}

/**
 * Ranks lines best first for `budgetEfficiency`: those with a cost per KPI unit, cheapest first;
 * then the rest (no measurable KPI gain) by spend, smallest first; ties by name.
 */
export function compareEfficiency(
  a: { costPerKpiUnit: Decimal | null; spent: Decimal; name: string },
  b: { costPerKpiUnit: Decimal | null; spent: Decimal; name: string },
): number {
  if (a.costPerKpiUnit && b.costPerKpiUnit) {
    const c = a.costPerKpiUnit.comparedTo(b.costPerKpiUnit);
    if (c !== 0) return c;
  } else if (a.costPerKpiUnit) return -1;
  else if (b.costPerKpiUnit) return 1;
  return a.spent.comparedTo(b.spent) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

// ------------------------------------------------------------------ burn buckets (src/common/periods.ts)

/**
 * The plan's cumulative amount at the end of a bucket: planned spread evenly over the period's
 * days, i.e. planned × (days of the period up to the bucket's last day) ÷ (days in the period)
 * (multiplied first, so a plan that divides evenly gives an exact amount).
 */
export function plannedCumulative(planned: Decimal, periodStart: string, periodEnd: string, bucketLastDay: string, currency: CurrencyCode): Decimal {
  if (bucketLastDay < periodStart) return roundAmount(new Decimal(0), currency);
  if (bucketLastDay >= periodEnd) return roundAmount(planned, currency);
  return roundAmount(planned.mul(daysCovered(periodStart, bucketLastDay)).div(daysCovered(periodStart, periodEnd)), currency);
}

/** The burn report lists at most this many KPIs (the first ones the lines link to, in line order). */
export const MAX_BURN_KPIS = 20;

export interface BurnPointData {
  periodStart: string;
  plannedCumulative: Decimal;
  spentCumulative: Decimal;
}

/**
 * The burn curve: one point per bucket, with the plan's and the spend's running totals at the
 * bucket's end. `spendByBucket` maps bucket starts to what was spent in them.
 */
export function burnCurve(
  planned: Decimal,
  periodStart: string,
  periodEnd: string,
  grain: Grain,
  spendByBucket: ReadonlyMap<string, Decimal>,
  currency: CurrencyCode,
): BurnPointData[] {
  let running = new Decimal(0);
  return bucketStarts(periodStart, periodEnd, grain, { field: 'grain' }).map((start) => {
    running = running.plus(spendByBucket.get(start) ?? 0);
    return {
      periodStart: start,
      plannedCumulative: plannedCumulative(planned, periodStart, periodEnd, bucketEnd(start, grain), currency),
      spentCumulative: roundAmount(running, currency),
    };
  });
}

// ------------------------------------------------------------------ adjustments

/** Default fast-track decision deadline, in hours, until the organisation sets its own. */
export const DEFAULT_FAST_TRACK_HOURS = 24;
/** A request that is not fast-tracked is due this many hours after it was made (7 days). */
export const STANDARD_DECISION_HOURS = 7 * 24;

/** When a decision on a request made at `requestedAt` is due. */
export function decisionDueAt(requestedAt: Date, fastTrack: boolean, fastTrackHours: number): Date {
  return new Date(requestedAt.getTime() + (fastTrack ? fastTrackHours : STANDARD_DECISION_HOURS) * 3_600_000);
}

/**
 * Whether a line can give `amount` of its plan away: what is left of it (planned − spent) must
 * cover the amount (money already spent cannot move).
 */
export function assertCanGive(line: { name: string; planned: Decimal; spent: Decimal }, amount: Decimal, currency: string): void {
  const left = line.planned.minus(line.spent);
  if (left.lt(amount)) {
    throw refuse(`Line ${line.name} has ${left.toFixed()} ${currency} left, less than ${amount.toFixed()}`, 'amount');
  }
}

/** What a reserve pool tolerates losing of what was drawn from it: drawn × toleratedLoss, rounded to the currency's minor unit. */
export function toleratedLossAmount(drawn: Decimal, toleratedLoss: Decimal | null, currency: CurrencyCode): Decimal | null {
  return toleratedLoss == null ? null : roundAmount(drawn.mul(toleratedLoss), currency);
}

/** A reserve pool may carry a tolerated loss (a share from 0 to 1); other lines none. */
export function checkReserve(reservePool: boolean, toleratedLoss: Decimal | null | undefined): void {
  if (toleratedLoss == null) return;
  if (!reservePool) throw refuse('toleratedLoss applies to reserve pools only (reservePool: true)', 'toleratedLoss');
  if (!toleratedLoss.isFinite() || toleratedLoss.lt(0) || toleratedLoss.gt(1)) {
    throw refuse('toleratedLoss must be a share between 0 and 1 (e.g. 0.3)', 'toleratedLoss');
  }
}

// ------------------------------------------------------------------ spend by period

/**
 * The months `from`..`to` cover, each month counted by the share of its days inside the range
 * (April 1–15: 0.5; February 2026 whole: 1; a whole quarter: 3). FIXED lines are planned by it.
 */
export function monthShare(from: string, to: string): Decimal {
  let share = new Decimal(0);
  for (let start = `${from.slice(0, 7)}-01`; start <= to; start = addMonths(start, 1)) {
    const monthEnd = addDays(addMonths(start, 1), -1);
    const lo = from > start ? from : start;
    const hi = to < monthEnd ? to : monthEnd;
    share = share.plus(new Decimal(daysCovered(lo, hi)).div(daysCovered(start, monthEnd)));
  }
  return share;
}

/**
 * A line's plan for the days `from`..`to` inside its budget's period, by its kind (`Query.spend`
 * computes the same in SQL): a VARIABLE line's (spent as activity demands) spread evenly over the
 * period's days, planned × (days of from..to in the period) ÷ (days of the period); a FIXED
 * line's (people, systems: paid by the month) an equal share per month of the period, planned ×
 * monthShare(from..to in the period) ÷ monthShare(the period), so that a 28-day February is
 * planned as a 31-day March. Not rounded: the caller sums, then rounds.
 */
export function plannedBetween(planned: Decimal, kind: BudgetLineKind, periodStart: string, periodEnd: string, from: string, to: string): Decimal {
  const lo = from > periodStart ? from : periodStart;
  const hi = to < periodEnd ? to : periodEnd;
  if (hi < lo) return new Decimal(0);
  if (kind === BudgetLineKind.FIXED) return planned.mul(monthShare(lo, hi)).div(monthShare(periodStart, periodEnd));
  return planned.mul(daysCovered(lo, hi)).div(daysCovered(periodStart, periodEnd));
}
