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
