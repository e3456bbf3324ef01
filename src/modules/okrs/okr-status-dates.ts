import { addDays, dayNumber, FIRST_DAY, fromDayNumber } from '../../common/periods';
import { OkrStatus, elapsedShare, keyResultStatus, objectiveStatus } from './okr-rules';

/**
 * A stored OKR status that stays right as days pass.
 *
 * A status from confidence does not depend on the date; a status from pace (progress against
 * the share of the cycle elapsed) only gets worse as days pass, and an objective's status (the
 * weakest of its contributors, or its own pace) inherits that. So a status is stored as the
 * first day it is at least AT_RISK and the first day it is OFF_TRACK (null: never; ALWAYS: from
 * any day), computed here from the rules in okr-rules.ts, and the status on a day is read from
 * them — in JavaScript (`statusOn`) or in SQL (okr-progress-store.ts `statusCondition`). The
 * dates change only when progress, confidence, weights, alignment or cycle dates change, which
 * is when they are recomputed; no daily refresh is needed.
 */
export interface StatusDates {
  /** First day (YYYY-MM-DD) the status is AT_RISK or OFF_TRACK; ALWAYS; or null for never. */
  atRiskFrom: string | null;
  /** First day the status is OFF_TRACK; ALWAYS; or null for never. */
  offTrackFrom: string | null;
}

/** PostgreSQL's `-infinity` date: the status holds on every day. */
export const ALWAYS = '-infinity';

const SEVERITY: Record<OkrStatus, number> = { ON_TRACK: 0, AT_RISK: 1, OFF_TRACK: 2 };
const reached = (from: string | null, day: string) => from !== null && (from === ALWAYS || from <= day);

/** The status on `day` (YYYY-MM-DD) of stored status dates. */
export function statusOn(d: StatusDates, day: string): OkrStatus {
  if (reached(d.offTrackFrom, day)) return OkrStatus.OFF_TRACK;
  if (reached(d.atRiskFrom, day)) return OkrStatus.AT_RISK;
  return OkrStatus.ON_TRACK;
}

/**
 * The day before `day`. Before 0001-01-01 it is "0000-12-31", which no calendar function takes:
 * the rules only compare it as text (elapsedShare answers 0 for it).
 */
const dayBefore = (day: string) => (day > FIRST_DAY ? addDays(day, -1) : '0000-12-31');

export interface Period {
  startsOn: string;
  endsOn: string;
}

/**
 * The first day each severity is reached by `statusAt`, a status that never improves as days
 * pass and that can change only on the days in `candidates` or within `period` (inclusive).
 */
export function statusDates(statusAt: (day: string) => OkrStatus, period: Period | null, candidates: string[]): StatusDates {
  const finite = candidates.filter((c) => c !== ALWAYS).sort();
  const earliest = [period?.startsOn, finite[0]].filter((d): d is string => !!d).sort()[0];
  const before = earliest ? dayBefore(earliest) : '2000-01-01';
  const first = (severity: number): string | null => {
    const at = (day: string) => SEVERITY[statusAt(day)] >= severity;
    if (at(before)) return ALWAYS;
    let found: string | null = finite.find(at) ?? null;
    if (period && at(period.endsOn)) {
      let lo = dayNumber(period.startsOn);
      let hi = dayNumber(period.endsOn);
      while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        if (at(fromDayNumber(mid))) hi = mid;
        else lo = mid + 1;
      }
      const day = fromDayNumber(lo);
      if (found === null || day < found) found = day;
    }
    return found;
  };
  return { atRiskFrom: first(SEVERITY.AT_RISK), offTrackFrom: first(SEVERITY.OFF_TRACK) };
}

/** A key result's status dates: from its confidence, else from its pace in the cycle. */
export function keyResultStatusDates(confidence: number | null, progress: number, cycle: Period | null): StatusDates {
  return statusDates(
    (day) => keyResultStatus({ confidence, progress, elapsed: cycle ? elapsedShare(cycle.startsOn, cycle.endsOn, day) : 0 }),
    cycle,
    [],
  );
}

/** An objective's status dates: the weakest of its contributors', else its own pace in the cycle. */
export function objectiveStatusDates(contributors: StatusDates[], progress: number, cycle: Period | null): StatusDates {
  return statusDates(
    (day) =>
      objectiveStatus(
        contributors.map((c) => statusOn(c, day)),
        progress,
        cycle ? elapsedShare(cycle.startsOn, cycle.endsOn, day) : 0,
      ),
    cycle,
    contributors.flatMap((c) => [c.atRiskFrom, c.offTrackFrom]).filter((d): d is string => d !== null),
  );
}
