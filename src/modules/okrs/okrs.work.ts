import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { addDays } from '../../common/dates';
import { afterCondition, type WorkCursor, type WorkItemData, type WorkSource } from '../work';
import { KeyResult } from './okr.entity';
import { CHECK_IN_INTERVAL_DAYS } from './okr-rules';

const CHECK_IN_DUE = {
  name: 'CHECK_IN_DUE',
  description: `A key result you own, in an open cycle, with no check-in for ${CHECK_IN_INTERVAL_DAYS} days.`,
  rank: 1,
};

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
export const checkInWork: WorkSource = {
  kinds: [CHECK_IN_DUE],
  async fetch(ctx: Context, userId: string, after: WorkCursor | null, limit: number): Promise<WorkItemData[]> {
    const qb = staleKeyResults(ctx, userId);
    const cond = afterCondition(after, () => CHECK_IN_DUE.rank, DUE_ON, 'k.id');
    if (cond) qb.andWhere(cond.sql, cond.params);
    const keyResults = await qb.orderBy(DUE_ON, 'ASC').addOrderBy('k.id', 'ASC').limit(limit).getMany();
    return keyResults.map((kr) => {
      const since = (kr.lastCheckInAt ?? kr.createdAt).toISOString().slice(0, 10);
      return {
        kind: CHECK_IN_DUE.name,
        reason: kr.lastCheckInAt ? `no check-in since ${since}` : `no check-in yet (created ${since})`,
        dueOn: addDays(since, CHECK_IN_INTERVAL_DAYS),
        subject: kr,
      };
    });
  },
  count(ctx: Context, userId: string): Promise<number> {
    return staleKeyResults(ctx, userId).getCount();
  },
};
