/** Pure sprint rules (no ORM or GraphQL). */

/** Last day of a sprint that starts on `startsOn` and lasts one calendar month (monthly default). */
export function monthlyEnd(startsOn: string): string {
  const [y, m, d] = startsOn.split('-').map(Number);
  // The same day next month, minus one day; clamps 31 Jan → 28/29 Feb.
  const next = new Date(Date.UTC(y, m, 1));
  const lastOfNext = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  next.setUTCDate(Math.min(d, lastOfNext));
  next.setUTCDate(next.getUTCDate() - 1);
  return next.toISOString().slice(0, 10);
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
