import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { periodSql } from '../../common/periods';
import { defineWorkSource } from '../work';
import { BudgetAdjustment } from './budget.entity';
import { isFinance } from './budget-access';

function pending(ctx: Context, userId: string) {
  return ctx.manager
    .createQueryBuilder(BudgetAdjustment, 'a')
    .where(`a.organization_id = :org AND a.status = 'PENDING' AND a.requested_by IS DISTINCT FROM :me`, { org: orgId(ctx), me: userId });
}

/** The budgets module's part of `myWork`: pending adjustments the caller may decide. */
export const adjustmentWork = defineWorkSource<BudgetAdjustment>({
  kinds: {
    BUDGET_ADJUSTMENT_PENDING:
      'A budget adjustment waiting for your decision (FINANCE/OWNER; not your own request), due by its decision deadline: overdue ones first.',
  },
  visible: isFinance,
  query: pending,
  /** The day (UTC) a decision is due. */
  dueOn: periodSql.dayOf('a.due_at'),
  reason: (a) =>
    `${a.fastTrack ? 'fast-track ' : ''}adjustment of ${a.amount.toFixed()}: ${
      a.dueAt.getTime() < Date.now() ? `overdue since ${a.dueAt.toISOString()}` : `decide by ${a.dueAt.toISOString()}`
    }`,
});
