import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { afterCondition, type WorkCursor, type WorkItemData, type WorkSource } from '../work';
import { BudgetAdjustment } from './budget.entity';
import { isFinance } from './budget-access';

const ADJUSTMENT_PENDING = {
  name: 'BUDGET_ADJUSTMENT_PENDING',
  description: 'A budget adjustment waiting for your decision (FINANCE/OWNER; not your own request), due by its decision deadline: overdue ones first.',
  rank: 3,
};

/** The day (UTC) a decision is due. */
const DUE_ON = `((a.due_at AT TIME ZONE 'UTC')::date)`;

function pending(ctx: Context, userId: string) {
  return ctx.manager
    .createQueryBuilder(BudgetAdjustment, 'a')
    .where(`a.organization_id = :org AND a.status = 'PENDING' AND a.requested_by IS DISTINCT FROM :me`, { org: orgId(ctx), me: userId });
}

/** The budgets module's part of `myWork`: pending adjustments the caller may decide. */
export const adjustmentWork: WorkSource = {
  kinds: [ADJUSTMENT_PENDING],
  async fetch(ctx: Context, userId: string, after: WorkCursor | null, limit: number): Promise<WorkItemData[]> {
    if (!isFinance(ctx)) return [];
    const qb = pending(ctx, userId);
    const cond = afterCondition(after, () => ADJUSTMENT_PENDING.rank, DUE_ON, 'a.id');
    if (cond) qb.andWhere(cond.sql, cond.params);
    const rows = await qb.orderBy(DUE_ON, 'ASC').addOrderBy('a.id', 'ASC').limit(limit).getMany();
    const now = Date.now();
    return rows.map((a) => ({
      kind: ADJUSTMENT_PENDING.name,
      reason: `${a.fastTrack ? 'fast-track ' : ''}adjustment of ${a.amount.toFixed()}: ${
        a.dueAt.getTime() < now ? `overdue since ${a.dueAt.toISOString()}` : `decide by ${a.dueAt.toISOString()}`
      }`,
      dueOn: a.dueAt.toISOString().slice(0, 10),
      subject: a,
    }));
  },
  async count(ctx: Context, userId: string): Promise<number> {
    if (!isFinance(ctx)) return 0;
    return pending(ctx, userId).getCount();
  },
};
