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
import { bucketEnd, bucketStarts, checkDateRange, daysCovered, Grain } from '../../common/periods';

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

/**
 * A KPI's change over the budget's period: the last known bucket value minus the first known
 * one (buckets in time order, nulls skipped); null with fewer than one known value.
 */
export function kpiDelta(values: Array<Decimal | null>): Decimal | null {
  const known = values.filter((v): v is Decimal => v != null);
  if (known.length === 0) return null;
  return known[known.length - 1].minus(known[0]);
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
 * The plan of a line for the days `from`..`to` of its budget's period (`Query.spend`'s planned,
 * which computes it in SQL): planned spread evenly over the period's days, i.e. planned × (days
 * of from..to inside the period) ÷ (days in the period), the difference of plannedCumulative at
 * both ends before rounding. The same for FIXED and VARIABLE lines, as plannedCumulative and
 * expectedBurn. Not rounded: the caller sums, then rounds.
 */
export function plannedBetween(planned: Decimal, periodStart: string, periodEnd: string, from: string, to: string): Decimal {
  const lo = from > periodStart ? from : periodStart;
  const hi = to < periodEnd ? to : periodEnd;
  if (hi < lo) return new Decimal(0);
  return planned.mul(daysCovered(lo, hi)).div(daysCovered(periodStart, periodEnd));
}
