/** Pure sprint rules (no ORM or GraphQL). */
import { addDays, addMonths, LAST_DAY } from '../../common/periods';

/** Last day of a sprint that starts on `startsOn` and lasts one calendar month (monthly default). */
export function monthlyEnd(startsOn: string): string {
  // The same day next month (clamped: 31 Jan → 28/29 Feb), minus one day; the last day there is
  // for a sprint starting in December 9999.
  if (startsOn >= '9999-12-01') return LAST_DAY;
  return addDays(addMonths(startsOn, 1), -1);
}

export enum SprintStatus {
  PLANNED = 'PLANNED',
  ACTIVE = 'ACTIVE',
  CLOSED = 'CLOSED',
}

/** A sprint is CLOSED once closed, ACTIVE from its first day, PLANNED before (dates inclusive, UTC). */
export function sprintStatus(s: { startsOn: string; closedAt: Date | null }, today: string): SprintStatus {
  if (s.closedAt) return SprintStatus.CLOSED;
  return today >= s.startsOn ? SprintStatus.ACTIVE : SprintStatus.PLANNED;
}
