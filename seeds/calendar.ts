import { addDays, addMonths, bucketEnd, bucketStart, daysBetween, Grain, isDay, today as isoToday, type Day } from '../src/common/periods';

/**
 * The demo's dates, all relative to the day the demo is loaded (`today`, a UTC day; the real
 * date by default): the current quarter (the OKR cycle and the budgets), the current month (the
 * active sprint) and the month before it (the closed sprint), and the last 52 complete ISO weeks
 * (the KPI history, up to the week before this one).
 */
export interface DemoCalendar {
  today: Day;
  quarter: { start: Day; end: Day; year: number; number: number; name: string };
  /** Days elapsed in the quarter before today (0 on its first day). */
  quarterElapsed: number;
  month: { start: Day; end: Day; number: number; english: string };
  previousMonth: { start: Day; end: Day; number: number };
  /** The Mondays of the 52 complete weeks before this one, oldest first (the last one: last week). */
  weeks: Day[];
}

const ENGLISH_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export const DEMO_HISTORY_WEEKS = 52;

export function demoCalendar(today: Day = isoToday()): DemoCalendar {
  if (!isDay(today)) throw new Error(`the demo's day must be a date YYYY-MM-DD, not ${JSON.stringify(today)}`);
  const qStart = bucketStart(today, Grain.QUARTER);
  const mStart = bucketStart(today, Grain.MONTH);
  const pStart = addMonths(mStart, -1);
  const thisWeek = bucketStart(today, Grain.WEEK);
  const weeks = Array.from({ length: DEMO_HISTORY_WEEKS }, (_, i) => addDays(thisWeek, -7 * (DEMO_HISTORY_WEEKS - i)));
  const year = Number(qStart.slice(0, 4));
  const number = (Number(qStart.slice(5, 7)) + 2) / 3;
  return {
    today,
    quarter: { start: qStart, end: bucketEnd(today, Grain.QUARTER), year, number, name: `${year}-Q${number}` },
    quarterElapsed: daysBetween(qStart, today),
    month: { start: mStart, end: bucketEnd(today, Grain.MONTH), number: Number(mStart.slice(5, 7)), english: ENGLISH_MONTHS[Number(mStart.slice(5, 7)) - 1] },
    previousMonth: { start: pStart, end: addDays(mStart, -1), number: Number(pStart.slice(5, 7)) },
    weeks,
  };
}

/** `day` at `time` (UTC), as a timestamp literal. */
export const at = (day: Day, time = '09:00:00'): string => `${day}T${time}Z`;

/**
 * A deterministic pseudo-random generator in [0, 1) (mulberry32), seeded from `key`: the same day
 * and key give the same sequence, so the same `today` always loads the same data.
 */
export function seededRandom(key: string): () => number {
  let h = 1779033703 ^ key.length;
  for (let i = 0; i < key.length; i++) {
    h = Math.imul(h ^ key.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
