/**
 * The rules of a `recordMeasurements` call, as plain functions (no ORM, no GraphQL): every row
 * is checked before anything is written, and one bad row refuses the whole call. Unit-tested in
 * tests/unit/kpis/kpi-measurement-rules.test.ts.
 */
import { bucketStart, Grain } from '../../common/periods';
import { refuse, type RuleViolation } from '../../common/rules';
import { grainAdverb, KPI_KEY, MAX_KPI_KEY_LENGTH } from './kpi-rules';

/** A measurement's `source` has at most this many characters. */
export const MAX_SOURCE_LENGTH = 200;
/** Rows listed in `extensions.rows` when a call is refused (`extensions.invalidRows` counts them all). */
export const MAX_LISTED_ROW_ERRORS = 500;

export interface MeasurementRow {
  kpiKey: string;
  periodStart: string;
  value: string;
  source?: string | null;
}

/** What the rules need to know of a KPI a row names. */
export interface RecordedKpi {
  id: string;
  key: string;
  archivedAt: Date | null;
  formula: string | null;
  grain: Grain;
}

export interface RowError {
  index: number;
  kpiKey: string;
  message: string;
}

const WEEKDAY = new Intl.DateTimeFormat('en-GB', { weekday: 'long', timeZone: 'UTC' });
const ordinal = (n: number) => `${n}${n % 10 === 1 && n !== 11 ? 'st' : n % 10 === 2 && n !== 12 ? 'nd' : n % 10 === 3 && n !== 13 ? 'rd' : 'th'}`;

/**
 * Why `periodStart` cannot start a measurement of the KPI: it is not the first day of a period
 * of the KPI's grain (src/common/periods.ts `bucketStart`). The message names the expected day:
 * "aov is measured weekly: periods start on Mondays; 2026-12-09 is a Wednesday, its week starts
 * 2026-12-07". Null when it is a period start.
 */
export function periodStartError(kpi: { key: string; grain: Grain }, periodStart: string, start = bucketStart(periodStart, kpi.grain)): string | null {
  if (start === periodStart) return null;
  const how = `${kpi.key} is measured ${grainAdverb(kpi.grain)}`;
  if (kpi.grain === Grain.WEEK) {
    const weekday = WEEKDAY.format(new Date(`${periodStart}T00:00:00Z`));
    return `${how}: periods start on Mondays; ${periodStart} is a ${weekday}, its week starts ${start}`;
  }
  if (kpi.grain === Grain.MONTH) {
    return `${how}: periods start on the 1st of a month; ${periodStart} is the ${ordinal(Number(periodStart.slice(8, 10)))}, its month starts ${start}`;
  }
  return `${how}: periods start on ${start}, not ${periodStart}`;
}

/** The keys worth looking up: the rows' distinct keys that can be KPI keys at all. */
export function lookupKeys(rows: readonly MeasurementRow[]): string[] {
  return [...new Set(rows.map((r) => r.kpiKey).filter((k) => k.length <= MAX_KPI_KEY_LENGTH && KPI_KEY.test(k)))];
}

/**
 * Every row's problem, in row order: a value that is not a decimal (`valueErrors`, by index),
 * an unknown or archived key, a formula KPI (its inputs are recorded instead), a KPI the caller
 * may not record, a period start that is not the first day of a period of the KPI's grain
 * (`periodStartError`), a source too long, the same KPI and period twice.
 */
export function measurementErrors<K extends RecordedKpi>(
  rows: readonly MeasurementRow[],
  facts: { kpis: ReadonlyMap<string, K>; valueErrors: ReadonlyMap<number, string>; mayRecord: (kpi: K) => boolean },
): RowError[] {
  const errors: RowError[] = [];
  const fail = (index: number, kpiKey: string, message: string) => errors.push({ index, kpiKey: kpiKey.slice(0, MAX_KPI_KEY_LENGTH), message });
  const seen = new Map<string, number>();
  // A call's rows share few distinct days (10 KPIs × 1,000 weeks: 1,000), and a bucket start costs
  // four date conversions: each (grain, day) is worked out once per call.
  const starts = new Map<string, string>();
  const startOf = (grain: Grain, day: string) => {
    const memo = `${grain}/${day}`;
    let start = starts.get(memo);
    if (start === undefined) starts.set(memo, (start = bucketStart(day, grain)));
    return start;
  };
  rows.forEach((r, i) => {
    const valueError = facts.valueErrors.get(i);
    if (valueError) fail(i, r.kpiKey, valueError);
    const kpi = facts.kpis.get(r.kpiKey);
    if (!kpi) return fail(i, r.kpiKey, `Unknown KPI key ${JSON.stringify(r.kpiKey.slice(0, MAX_KPI_KEY_LENGTH))}`);
    if (kpi.archivedAt) return fail(i, r.kpiKey, `KPI ${kpi.key} is archived`);
    if (kpi.formula != null) return fail(i, r.kpiKey, `KPI ${kpi.key} is computed by its formula (${kpi.formula}): record its inputs instead`);
    if (!facts.mayRecord(kpi)) return fail(i, r.kpiKey, `You may not record measurements of ${kpi.key}: it needs OWNER, ADMIN, FINANCE, SQUAD_LEAD or its owner`);
    const offPeriod = periodStartError(kpi, r.periodStart, startOf(kpi.grain, r.periodStart));
    if (offPeriod) return fail(i, r.kpiKey, offPeriod);
    if (r.source != null && r.source.length > MAX_SOURCE_LENGTH) return fail(i, r.kpiKey, `source has at most ${MAX_SOURCE_LENGTH} characters`);
    const slot = `${kpi.id}/${r.periodStart}`;
    const first = seen.get(slot);
    if (first !== undefined) return fail(i, r.kpiKey, `Row ${first} already records ${kpi.key} for ${r.periodStart}`);
    seen.set(slot, i);
  });
  return errors.sort((a, b) => a.index - b.index);
}

/**
 * The refusal of a call with bad rows: BAD_USER_INPUT naming `measurements`, with
 * `extensions.invalidRows` (how many) and `extensions.rows` (the first MAX_LISTED_ROW_ERRORS).
 */
export function refuseMeasurements(errors: readonly RowError[], total: number): RuleViolation {
  return refuse(
    `${errors.length} of ${total} measurement${total > 1 ? 's are' : ' is'} invalid (first: row ${errors[0].index}, ${errors[0].message}); nothing was recorded`,
    'measurements',
    { invalidRows: errors.length, rows: errors.slice(0, MAX_LISTED_ROW_ERRORS) },
  );
}
