import { defineWorkSource } from '../work';
import { KeyResult } from './okr.entity';
import { CHECK_IN_INTERVAL_DAYS } from './okr-rules';

/** The OKR module's part of `myWork`: key results the caller owns, in an open cycle, that wait for a check-in. */
export const checkInWork = defineWorkSource<KeyResult>({
  kinds: { CHECK_IN_DUE: `A key result you own, in an open cycle, with no check-in for ${CHECK_IN_INTERVAL_DAYS} days.` },
  entity: KeyResult,
  // Due (UTC) the interval's days after the last check-in (or the creation).
  items: ({ param, kind, organizationId, userId }) => `
    SELECT ${kind('CHECK_IN_DUE')} AS kind, (COALESCE(k.last_check_in_at, k.created_at) AT TIME ZONE 'UTC')::date + ${CHECK_IN_INTERVAL_DAYS} AS due_on, k.id
      FROM key_results k JOIN okr_cycles c ON c.id = k.cycle_id AND c.organization_id = k.organization_id
     WHERE k.organization_id = ${param(organizationId)} AND k.owner_id = ${param(userId)} AND c.closed_at IS NULL AND k.archived_at IS NULL
       AND COALESCE(k.last_check_in_at, k.created_at) < ${param(new Date(Date.now() - CHECK_IN_INTERVAL_DAYS * 24 * 3600 * 1000))}::timestamptz`,
  reason: (_kind, _dueOn, kr) => {
    const since = (kr.lastCheckInAt ?? kr.createdAt).toISOString().slice(0, 10);
    return kr.lastCheckInAt ? `no check-in since ${since}` : `no check-in yet (created ${since})`;
  },
});
