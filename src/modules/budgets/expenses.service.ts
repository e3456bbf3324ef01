/** Expenses: booked against a line (hard cap enforced under concurrency), voided, never edited. */
import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { ErrorCode, badInput } from '../../common/errors';
import { withIdempotency } from '../../db/idempotency';
import { withTransaction } from '../../db/transaction';
import { createRecorded, updateWhere } from '../audit';
import { refuseTransition, RuleViolation } from '../../common/rules';
import { Expense } from './budget.entity';
import { checkAmount, minorUnits, roundAmount } from '../../common/money';
import type { RecordExpenseInput, VoidExpenseInput } from './budgets.inputs';
import { expenseCampaignLink } from './expense-campaigns';
import { expenseById } from './budgets.loaders';
import { assertOpenOn } from './period-close-rules';
import { assertBudgetActive, assertLineActive, assertWorksOnBudget, lockBudget, lockLine, lockLineAndBudget, requireBudget, requireExpense, settleThresholds } from './budget-access';

const expenseMeta = (e: Expense, squadId: string | null, campaignId: string | null) => ({
  budgetId: e.budgetId,
  budgetLineId: e.budgetLineId,
  squadId,
  campaignId,
});

/**
 * Adds an expense to the stored daily spend (`budget_daily_spend`, read by `Query.spend`), or
 * with `sign` -1 takes a voided one out of it: one upsert, in the caller's transaction, on the
 * row of the expense's line, day and campaign tag (the id recordExpense was handed).
 */
async function addDailySpend(tx: Context, e: Expense, campaignId: string | null, sign: 1 | -1): Promise<void> {
  await tx.manager.query(
    `INSERT INTO budget_daily_spend AS s (organization_id, budget_id, budget_line_id, day, campaign_id, amount, expense_count)
     VALUES ($1, $2, $3, $4, $5, $6::numeric * $7, $7)
     ON CONFLICT ON CONSTRAINT budget_daily_spend_key
     DO UPDATE SET amount = s.amount + EXCLUDED.amount, expense_count = s.expense_count + EXCLUDED.expense_count`,
    [e.organizationId, e.budgetId, e.budgetLineId, e.incurredOn, campaignId, e.amount.toFixed(), sign],
  );
}

/**
 * Books an expense. Its budget, then its line, are locked first (the lock order of every budget
 * write), so parallel expenses on one budget queue: each sees the spend of those before it, a
 * hard cap is never overshot, and each accepted expense is counted once (the stored sums follow
 * the inserted row in the same transaction).
 */
export async function recordExpense(ctx: Context, input: RecordExpenseInput) {
  return withIdempotency(ctx, 'recordExpense', input, async (tx) => {
    const { budget, line } = await lockLineAndBudget(tx, input.budgetLineId);
    await assertWorksOnBudget(tx, budget, 'record expenses on this budget');
    assertBudgetActive(budget, 'budgetLineId');
    assertLineActive(line, 'budgetLineId');
    const amount = checkAmount(input.amount, budget.currency, 'amount');
    if (input.incurredOn < budget.periodStart || input.incurredOn > budget.periodEnd) {
      throw badInput(`incurredOn must be within the budget's period, ${budget.periodStart} to ${budget.periodEnd}`, 'incurredOn');
    }
    // Read from the locked row: a close running at the same time has either committed (refused here) or waits for this expense.
    assertOpenOn(budget, input.incurredOn, 'incurredOn', 'no expense incurred on or before that day is booked');
    const campaigns = input.campaignId ? expenseCampaignLink() : null;
    if (input.campaignId && !campaigns) {
      throw badInput('Expenses cannot be tagged with a campaign here: campaigns are not available', 'campaignId');
    }
    if (budget.hardCap && line.spent.plus(amount).gt(line.planned)) {
      const left = roundAmount(line.planned.minus(line.spent), budget.currency);
      const shown = left.toFixed(minorUnits(budget.currency));
      throw new RuleViolation(
        ErrorCode.BUDGET_CAP_EXCEEDED,
        `This budget has a hard cap: line ${line.name} has ${shown} ${budget.currency} left, less than ${amount.toFixed()}`,
        undefined,
        { remaining: shown, currency: budget.currency },
      );
    }
    const expense = await createRecorded(
      tx,
      Expense,
      {
        organizationId: orgId(tx),
        budgetId: budget.id,
        budgetLineId: line.id,
        amount,
        incurredOn: input.incurredOn,
        description: input.description?.trim() || null,
        vendor: input.vendor?.trim() || null,
        reference: input.reference?.trim() || null,
        recordedById: tx.viewer?.userId ?? null,
        voidedAt: null,
        voidedById: null,
        voidReason: null,
      },
      { action: 'expense.recorded', meta: (e) => expenseMeta(e, budget.squadId, input.campaignId ?? null), prime: expenseById },
    );
    if (input.campaignId) await campaigns!.tag(tx, expense, input.campaignId);
    await addDailySpend(tx, expense, input.campaignId ?? null, 1);
    const settled = await settleThresholds(tx, budget.id, [line.id]);
    return { expense, budgetLine: settled.lines[0], budget: settled.budget };
  });
}

/** Voids an expense: it stays, marked void with its reason, and no longer counts. */
export async function voidExpense(ctx: Context, input: VoidExpenseInput) {
  const reason = input.reason.trim();
  if (!reason) throw badInput('reason must not be blank', 'reason');
  return withTransaction(ctx, async (tx) => {
    const current = await requireExpense(tx, input.id);
    await assertWorksOnBudget(tx, await requireBudget(tx, current.budgetId), 'void expenses of this budget');
    const budget = await lockBudget(tx, current.budgetId);
    assertOpenOn(budget, current.incurredOn, 'id', `this expense was incurred on ${current.incurredOn} and is not voided`);
    await lockLine(tx, current.budgetLineId);
    const campaignId = (await expenseCampaignLink()?.campaignOf(tx, current.id)) ?? null;
    // "Not void yet" is the update's condition: of two voids at once, the second finds none.
    const expense = await updateWhere(
      tx,
      Expense,
      current,
      'voided_at IS NULL',
      { voidedAt: () => 'now()', voidedById: tx.viewer?.userId ?? null, voidReason: reason },
      {
        action: 'expense.voided',
        meta: (e) => expenseMeta(e, budget.squadId, campaignId),
        unmet: () => refuseTransition('This expense is already void'),
      },
    );
    await addDailySpend(tx, expense, campaignId, -1);
    const settled = await settleThresholds(tx, budget.id, [current.budgetLineId]);
    return { expense, budgetLine: settled.lines[0], budget: settled.budget };
  });
}
