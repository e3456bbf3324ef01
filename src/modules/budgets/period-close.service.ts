/**
 * A budget's period close (FINANCE/OWNER) and reopen (OWNER, with a reason). Both lock the budget
 * row, the first lock of every budget write: an expense, a void or an approval checks the close
 * on the row it has locked, so a close and a booking racing on one day leave the booking either
 * committed before the close or refused, never booked after it.
 */
import { FINANCE_DESK, OWNER_ONLY, requireRole } from '../../common/access';
import type { Context } from '../../common/context';
import { today } from '../../common/periods';
import { withTransaction } from '../../db/transaction';
import { updateRecorded } from '../audit';
import { Budget } from './budget.entity';
import { budgetMeta, lockBudget } from './budget-access';
import { budgetById } from './budgets.loaders';
import type { CloseBudgetPeriodInput, ReopenBudgetPeriodInput } from './period-close.inputs';
import { checkClose, checkReopen, reopenReason } from './period-close-rules';

export async function closeBudgetPeriod(ctx: Context, input: CloseBudgetPeriodInput): Promise<{ budget: Budget }> {
  requireRole(ctx, FINANCE_DESK, 'close budget periods');
  return withTransaction(ctx, async (tx) => {
    const current = await lockBudget(tx, input.budgetId, 'budgetId');
    checkClose(current, input.through, today());
    const budget = await updateRecorded(
      tx,
      Budget,
      current,
      input.expectedVersion ?? null,
      { closedThrough: input.through, closedAt: () => 'now()', closedById: tx.viewer?.userId ?? null },
      {
        action: 'budget.period_closed',
        meta: budgetMeta(current, { closedThrough: input.through }),
        prime: budgetById,
        what: 'This budget',
      },
    );
    return { budget };
  });
}

export async function reopenBudgetPeriod(ctx: Context, input: ReopenBudgetPeriodInput): Promise<{ budget: Budget }> {
  requireRole(ctx, OWNER_ONLY, 'reopen budget periods');
  const reason = reopenReason(input.reason);
  const through = input.through ?? null;
  return withTransaction(ctx, async (tx) => {
    const current = await lockBudget(tx, input.budgetId, 'budgetId');
    checkReopen(current, through);
    const budget = await updateRecorded(
      tx,
      Budget,
      current,
      input.expectedVersion ?? null,
      through
        ? { closedThrough: through, closedAt: () => 'now()', closedById: tx.viewer?.userId ?? null }
        : { closedThrough: null, closedAt: null, closedById: null },
      {
        action: 'budget.period_reopened',
        meta: budgetMeta(current, { closedThrough: through }),
        // The reason is part of what the audit log keeps of the reopen.
        after: (row) => ({ ...row, reopenReason: reason }),
        prime: budgetById,
        what: 'This budget',
      },
    );
    return { budget };
  });
}
