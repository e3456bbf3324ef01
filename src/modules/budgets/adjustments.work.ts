import { periodSql } from '../../common/periods';
import { defineWorkSource } from '../work';
import { BudgetAdjustment } from './budget.entity';
import { isFinance } from './budget-access';

/** The budgets module's part of `myWork`: pending adjustments the caller may decide. */
export const adjustmentWork = defineWorkSource<BudgetAdjustment>({
  kinds: {
    BUDGET_ADJUSTMENT_PENDING:
      'A budget adjustment waiting for your decision (FINANCE/OWNER; not your own request), due by its decision deadline: overdue ones first.',
  },
  visible: isFinance,
  entity: BudgetAdjustment,
  // Due the day (UTC) a decision is due.
  items: ({ param, kind, organizationId, userId }) => `
    SELECT ${kind('BUDGET_ADJUSTMENT_PENDING')} AS kind, ${periodSql.dayOf('a.due_at')} AS due_on, a.id
      FROM budget_adjustments a
     WHERE a.organization_id = ${param(organizationId)} AND a.status = 'PENDING' AND a.requested_by IS DISTINCT FROM ${param(userId)}::uuid`,
  reason: (_kind, _dueOn, a) =>
    `${a.fastTrack ? 'fast-track ' : ''}adjustment of ${a.amount.toFixed()}: ${
      a.dueAt.getTime() < Date.now() ? `overdue since ${a.dueAt.toISOString()}` : `decide by ${a.dueAt.toISOString()}`
    }`,
});
