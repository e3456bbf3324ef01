import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { defineWorkSource } from '../work';
import { KeyResult } from './okr.entity';
import { CHECK_IN_INTERVAL_DAYS } from './okr-rules';

/** The day a key result's next check-in is due (UTC). */
const DUE_ON = `((COALESCE(k.last_check_in_at, k.created_at) AT TIME ZONE 'UTC')::date + ${CHECK_IN_INTERVAL_DAYS})`;

function staleKeyResults(ctx: Context, userId: string) {
  const staleBefore = new Date(Date.now() - CHECK_IN_INTERVAL_DAYS * 24 * 3600 * 1000);
  return ctx.manager
    .createQueryBuilder(KeyResult, 'k')
    .innerJoin('okr_cycles', 'c', 'c.id = k.cycle_id AND c.organization_id = k.organization_id')
    .where('k.organization_id = :org AND k.owner_id = :me AND c.closed_at IS NULL AND k.archived_at IS NULL', { org: orgId(ctx), me: userId })
    .andWhere('COALESCE(k.last_check_in_at, k.created_at) < :staleBefore', { staleBefore });
}

/** The OKR module's part of `myWork`: key results the caller owns that wait for a check-in. */
export const checkInWork = defineWorkSource<KeyResult>({
  kinds: { CHECK_IN_DUE: `A key result you own, in an open cycle, with no check-in for ${CHECK_IN_INTERVAL_DAYS} days.` },
  query: staleKeyResults,
  dueOn: DUE_ON,
  reason: (kr) => {
    const since = (kr.lastCheckInAt ?? kr.createdAt).toISOString().slice(0, 10);
    return kr.lastCheckInAt ? `no check-in since ${since}` : `no check-in yet (created ${since})`;
  },
});
