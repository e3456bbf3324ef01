/**
 * Calendar days and period buckets, in TypeScript and in SQL, from one definition.
 *
 * A day is a UTC calendar date written YYYY-MM-DD (the `Date` scalar), from 0001-01-01 to
 * 9999-12-31. A bucket of a `Grain` is a DAY, an ISO WEEK (Monday to Sunday), a calendar MONTH or
 * a calendar QUARTER (January, April, July, October). `GRAIN_RULES` defines each grain once; the
 * TypeScript functions and the SQL expressions of `periodSql` are both built from it, so a bucket
 * computed in SQL (`GROUP BY`) and one computed here (`bucketStarts`) are the same day and join
 * by their start. The SQL never goes through a `timestamptz` in the session's time zone
 * (tests/integration/platform/periods.test.ts checks every day of several years, every grain,
 * in several time zones).
 *
 * Pure: no ORM, no GraphQL (the enum is registered for the schema in ./graphql-enums.ts).
 */
import type { ErrorCode } from './errors';
import { RuleViolation } from './rules';

/** The size of a period bucket. */
export enum Grain {
  DAY = 'DAY',
  WEEK = 'WEEK',
  MONTH = 'MONTH',
  QUARTER = 'QUARTER',
}

/** A UTC calendar date written YYYY-MM-DD. */
export type Day = string;

const BAD_USER_INPUT: `${ErrorCode.BAD_USER_INPUT}` = 'BAD_USER_INPUT';
const DAY_MS = 86_400_000;
const DAY_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;
export const FIRST_DAY: Day = '0001-01-01';
export const LAST_DAY: Day = '9999-12-31';

// ------------------------------------------------------------------ days

/** Days since 1970-01-01 (negative before), without checking the text. */
const numberOf = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY_MS;

function format(n: number): Day | null {
  if (!Number.isInteger(n)) return null;
  const text = new Date(n * DAY_MS).toISOString();
  return /^\d{4}-/.test(text) && text >= FIRST_DAY ? text.slice(0, 10) : null;
}

/** Whether `value` is a real calendar day written YYYY-MM-DD, from 0001-01-01 to 9999-12-31. */
export function isDay(value: unknown): value is Day {
  return typeof value === 'string' && DAY_TEXT.test(value) && value >= FIRST_DAY && format(numberOf(value)) === value;
}

/** The day's number: days since 1970-01-01 (negative before). A malformed day is a programming error: RangeError. */
export function dayNumber(day: Day): number {
  if (!isDay(day)) throw new RangeError(`Not a calendar day written YYYY-MM-DD from ${FIRST_DAY} to ${LAST_DAY}: ${JSON.stringify(day)}`);
  return numberOf(day);
}

/** The day numbered `n` (see dayNumber). RangeError outside 0001-01-01…9999-12-31 or for a fraction. */
export function fromDayNumber(n: number): Day {
  const day = format(n);
  if (day === null) throw new RangeError(`Day number ${n} is not a whole day from ${FIRST_DAY} to ${LAST_DAY}`);
  return day;
}

/** `day` plus `n` whole days (n may be negative). */
export function addDays(day: Day, n: number): Day {
  if (!Number.isInteger(n)) throw new RangeError(`addDays takes a whole number of days, not ${n}`);
  return fromDayNumber(dayNumber(day) + n);
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** The first day of month number `index` (year × 12 + month − 1). */
function monthDay(index: number, dayOfMonth = 1): Day {
  const year = Math.floor(index / 12);
  if (year < 1 || year > 9999) throw new RangeError(`Month ${index} is outside ${FIRST_DAY}…${LAST_DAY}`);
  return `${pad(year, 4)}-${pad((index % 12) + 1, 2)}-${pad(dayOfMonth, 2)}`;
}
const monthIndex = (day: Day) => Number(day.slice(0, 4)) * 12 + Number(day.slice(5, 7)) - 1;
const isLeapYear = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysInMonth = (index: number) => (index % 12 === 1 && isLeapYear(Math.floor(index / 12)) ? 29 : MONTH_DAYS[index % 12]);

/**
 * `day` plus `n` calendar months (n may be negative), on the same day of the month, clamped to
 * the month's last day: 2024-01-31 + 1 month = 2024-02-29, 2023-01-31 + 1 = 2023-02-28.
 */
export function addMonths(day: Day, n: number): Day {
  dayNumber(day);
  if (!Number.isInteger(n)) throw new RangeError(`addMonths takes a whole number of months, not ${n}`);
  const target = monthIndex(day) + n;
  return monthDay(target, Math.min(Number(day.slice(8, 10)), daysInMonth(target)));
}

/** Days from `from` to `to`: 0 for the same day, 1 for the next one, negative when `to` is earlier. */
export function daysBetween(from: Day, to: Day): number {
  return dayNumber(to) - dayNumber(from);
}

/** Days a range covers counting both ends: 1 for a single day (from = to), 7 for Monday to Sunday. */
export function daysCovered(from: Day, to: Day): number {
  return daysBetween(from, to) + 1;
}

/** The UTC calendar day of an instant (the SQL twin is `periodSql.dayOf`). */
export function dayOf(instant: Date): Day {
  const day = format(Math.floor(instant.getTime() / DAY_MS));
  if (day === null) throw new RangeError(`${instant.toISOString()} is outside ${FIRST_DAY}…${LAST_DAY}`);
  return day;
}

/** Today, the UTC calendar day of `now`. */
export function today(now: Date = new Date()): Day {
  return dayOf(now);
}

// ------------------------------------------------------------------ the definition of each grain

/**
 * Each grain, once: a run of `days` days counted from `anchor` (any bucket's first day), or a
 * run of `months` calendar months counted from January. Both the TypeScript functions and the
 * SQL expressions below read this table.
 */
export const GRAIN_RULES: Readonly<Record<Grain, { readonly days: number; readonly anchor: Day } | { readonly months: number }>> = {
  [Grain.DAY]: { days: 1, anchor: '1970-01-01' },
  [Grain.WEEK]: { days: 7, anchor: '1970-01-05' }, // a Monday: ISO weeks run Monday to Sunday
  [Grain.MONTH]: { months: 1 },
  [Grain.QUARTER]: { months: 3 }, // January, April, July, October
};

function ruleOf(grain: Grain) {
  const rule = GRAIN_RULES[grain];
  if (!rule) throw new RangeError(`Unknown grain ${JSON.stringify(grain)}`);
  return rule;
}

const mod = (a: number, b: number) => ((a % b) + b) % b;

/** The first day of the bucket holding `day`: itself, its ISO week's Monday, its month's or quarter's first day. */
export function bucketStart(day: Day, grain: Grain): Day {
  const rule = ruleOf(grain);
  if ('days' in rule) {
    const n = dayNumber(day);
    return fromDayNumber(n - mod(n - dayNumber(rule.anchor), rule.days));
  }
  dayNumber(day);
  const index = monthIndex(day);
  return monthDay(index - mod(index, rule.months));
}

/** The first day of the bucket after the one holding `day`. */
export function nextBucket(day: Day, grain: Grain): Day {
  const rule = ruleOf(grain);
  const start = bucketStart(day, grain);
  return 'days' in rule ? fromDayNumber(numberOf(start) + rule.days) : monthDay(monthIndex(start) + rule.months);
}

/** The last day of the bucket holding `day` (inclusive): the Sunday of an ISO week, the 31st of March. */
export function bucketEnd(day: Day, grain: Grain): Day {
  const rule = ruleOf(grain);
  const start = bucketStart(day, grain);
  if ('days' in rule) return fromDayNumber(numberOf(start) + rule.days - 1);
  const nextIndex = monthIndex(start) + rule.months;
  return nextIndex / 12 > 9999 ? LAST_DAY : fromDayNumber(numberOf(monthDay(nextIndex)) - 1);
}

/** At most this many buckets per enumeration (about 3 years of days, 21 of weeks). */
export const MAX_BUCKETS = 1100;

/**
 * The start of every bucket from the bucket of `from` to the bucket of `to`, inclusive, oldest
 * first; none when `to` is before `from`. More than `max` buckets (MAX_BUCKETS by default) is the
 * caller's input: RuleViolation BAD_USER_INPUT naming `field` (when given), with `extensions.max`.
 */
export function bucketStarts(from: Day, to: Day, grain: Grain, opts: { max?: number; field?: string } = {}): Day[] {
  const max = opts.max ?? MAX_BUCKETS;
  const rule = ruleOf(grain);
  const first = bucketStart(from, grain);
  const last = bucketStart(to, grain);
  if (to < from) return [];
  const [a, b, step] = 'days' in rule ? [numberOf(first), numberOf(last), rule.days] : [monthIndex(first), monthIndex(last), rule.months];
  const count = (b - a) / step + 1;
  if (count > max) {
    throw new RuleViolation(
      BAD_USER_INPUT,
      `From ${from} to ${to} there are ${count} ${grain} periods, more than ${max}: ask for a shorter range or a larger grain`,
      opts.field,
      { max },
    );
  }
  const out: Day[] = [];
  for (let i = a; i <= b; i += step) out.push('days' in rule ? fromDayNumber(i) : monthDay(i));
  return out;
}

/**
 * A date range given by the caller: `end` on or after `start` and, with `maxDays`, covering at
 * most that many days **counting both ends** (`daysCovered`: 2024-01-01 to 2024-01-01 is 1 day,
 * a leap year from 1 January to 31 December is 366). A refusal is RuleViolation BAD_USER_INPUT
 * naming `endField` (`extensions.maxDays` when too long). `what` names the range in the message
 * ("A budget period").
 */
export function checkDateRange(
  start: Day,
  end: Day,
  opts: { startField: string; endField: string; maxDays?: number; what?: string },
): void {
  const covered = daysCovered(start, end);
  if (covered < 1) throw new RuleViolation(BAD_USER_INPUT, `${opts.endField} must be on or after ${opts.startField}`, opts.endField);
  if (opts.maxDays !== undefined && covered > opts.maxDays) {
    throw new RuleViolation(
      BAD_USER_INPUT,
      `${opts.what ?? 'The range'} is at most ${opts.maxDays} days long, counting both ${opts.startField} and ${opts.endField}; ${start} to ${end} is ${covered}`,
      opts.endField,
      { maxDays: opts.maxDays },
    );
  }
}

/**
 * The bucket starts of a range a client asks for (`from`, `to`: a KPI series, an OKR history), from
 * the bucket of `from` to the bucket of `to`: `to` before `from`, more than `max` buckets
 * (`extensions.max`), or a last bucket ending after the calendar's last day are BAD_USER_INPUT
 * naming `to`.
 */
export function requestedBuckets(from: Day, to: Day, grain: Grain, max = MAX_BUCKETS): Day[] {
  checkDateRange(from, to, { startField: 'from', endField: 'to' });
  const starts = bucketStarts(from, to, grain, { max, field: 'to' });
  try {
    nextBucket(to, grain);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new RuleViolation(BAD_USER_INPUT, `to must be in a ${grain} that ends before ${LAST_DAY}`, 'to');
  }
  return starts;
}

// ------------------------------------------------------------------ the same definition in SQL

const sqlDay = (day: Day) => `DATE '${fromDayNumber(dayNumber(day))}'`;
const sqlInteger = (n: number) => {
  if (!Number.isSafeInteger(n)) throw new RangeError(`Not a whole number: ${n}`);
  return String(n);
};

/**
 * SQL expressions built from `GRAIN_RULES`, the twins of the functions above. Each takes SQL
 * text: a column or a parameter of type `date` (`s.day`, `$3::date`), or for `dayOf` a
 * `timestamptz` — never a value a user wrote. They cast only `date` → `timestamp` (without time
 * zone) and read a `timestamptz` AT TIME ZONE 'UTC', so no result depends on the session's
 * TimeZone. The results are of type `date`; `dayText` writes one as YYYY-MM-DD whatever DateStyle.
 * The date expression is repeated inside the result: give a column or a parameter.
 */
export const periodSql = {
  /** The first day of the bucket holding `date` (twin of bucketStart). */
  bucketStart(date: string, grain: Grain): string {
    const rule = ruleOf(grain);
    if ('days' in rule) {
      if (rule.days === 1) return `(${date})`;
      return `((${date}) - ((((${date}) - ${sqlDay(rule.anchor)}) % ${rule.days} + ${rule.days}) % ${rule.days}))`;
    }
    const month = `date_trunc('month', (${date})::timestamp)`;
    if (rule.months === 1) return `(${month}::date)`;
    return `((${month} - make_interval(months => (extract(month FROM (${date}))::int - 1) % ${rule.months}))::date)`;
  },
  /** The first day of the bucket after the one holding `date` (twin of nextBucket). */
  nextBucket(date: string, grain: Grain): string {
    const rule = ruleOf(grain);
    const start = periodSql.bucketStart(date, grain);
    return 'days' in rule ? `(${start} + ${rule.days})` : `((${start} + make_interval(months => ${rule.months}))::date)`;
  },
  /** The last day of the bucket holding `date` (twin of bucketEnd). */
  bucketEnd(date: string, grain: Grain): string {
    return `(${periodSql.nextBucket(date, grain)} - 1)`;
  },
  /** The UTC calendar day of a `timestamptz` (twin of dayOf). */
  dayOf(timestamptz: string): string {
    return `((${timestamptz}) AT TIME ZONE 'UTC')::date`;
  },
  /** `date` plus `days` (a whole number, or an SQL integer expression such as a column). */
  addDays(date: string, days: number | string): string {
    return `((${date}) + ${typeof days === 'number' ? sqlInteger(days) : `(${days})`})`;
  },
  /** A `date` as text YYYY-MM-DD, whatever the session's DateStyle and TimeZone. */
  dayText(date: string): string {
    return `to_char((${date})::timestamp, 'YYYY-MM-DD')`;
  },
};
