/**
 * Calendar dates as YYYY-MM-DD strings (the `Date` scalar), compared as text. The definitions
 * live in ./periods.ts; these names stay for their callers until they import periods.
 */
export { addDays, today as isoToday } from './periods';
