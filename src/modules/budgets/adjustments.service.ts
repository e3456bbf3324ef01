/**
 * Adjustment requests: money moved from one line to another (possibly out of a reserve pool of
 * another budget), or a line raised (no fromLine). FINANCE/OWNER decide, never the requester;
 * approval moves the planned amounts and the budgets' totals in one transaction.
 */
import { orgId } from '../../common/auth';
import { paginate, type ConnectionArgs } from '../../common/connection';
import type { Context } from '../../common/context';
import { badInput, forbidden } from '../../common/errors';
import { lockById } from '../../db/locks';
import { refuseTransition } from '../../common/rules';
import { withIdempotency } from '../../db/idempotency';
import { withTransaction } from '../../db/transaction';
import { createRecorded, recordChange, updateRecorded } from '../audit';
import { Budget, BudgetAdjustment, BudgetLine, BudgetSettings } from './budget.entity';
import { checkAmount } from '../../common/money';
import { AdjustmentStatus, assertCanGive, decisionDueAt, DEFAULT_FAST_TRACK_HOURS } from './budget-rules';
import type {
  AdjustmentsFilter,
  DecideBudgetAdjustmentInput,
  RequestBudgetAdjustmentInput,
  SetBudgetSettingsInput,
  WithdrawBudgetAdjustmentInput,
} from './adjustments.inputs';
import { applyAdjustmentFilter, budgetAdjustmentById } from './budgets.loaders';
import { assertTakesAdjustments } from './period-close-rules';
import { today } from '../../common/periods';
import {
  assertBudgetActive,
  assertFinance,
  assertLineActive,
  assertWorksOnBudget,
  budgetMeta,
  lockBudgets,
  lockLines,
  requireBudget,
  requireBudgetLine,
  settleThresholds,
} from './budget-access';

// ------------------------------------------------------------------ settings

export async function budgetSettings(ctx: Context): Promise<BudgetSettings> {
  const found = await ctx.manager.findOneBy(BudgetSettings, { organizationId: orgId(ctx) });
  if (found) return found;
  return Object.assign(new BudgetSettings(), {
    organizationId: orgId(ctx),
    fastTrackDecisionHours: DEFAULT_FAST_TRACK_HOURS,
    updatedById: null,
    updatedAt: null,
  });
}

export async function setBudgetSettings(ctx: Context, input: SetBudgetSettingsInput): Promise<{ settings: BudgetSettings }> {
  assertFinance(ctx, 'change budget settings');
  return withTransaction(ctx, async (tx) => {
    const before = await budgetSettings(tx);
    await tx.manager.query(
      `INSERT INTO budget_settings (organization_id, fast_track_hours, updated_by, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (organization_id) DO UPDATE SET fast_track_hours = EXCLUDED.fast_track_hours, updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [orgId(tx), input.fastTrackDecisionHours, tx.viewer?.userId ?? null],
    );
    const settings = await budgetSettings(tx);
    await recordChange(tx, {
      action: 'budget_settings.updated',
      entityType: 'BudgetSettings',
      entityId: orgId(tx),
      before,
      after: settings,
      meta: {},
    });
    return { settings };
  });
}

// ------------------------------------------------------------------ lists

export const ADJUSTMENT_SORT = [
  { column: 'a.created_at', direction: 'DESC' as const, value: (a: BudgetAdjustment) => a.createdAt },
  { column: 'a.id', direction: 'DESC' as const, value: (a: BudgetAdjustment) => a.id },
];

export async function listAdjustments(ctx: Context, filter: AdjustmentsFilter, page: ConnectionArgs) {
  const qb = ctx.manager.createQueryBuilder(BudgetAdjustment, 'a').where('a.organization_id = :org', { org: orgId(ctx) });
  if (filter.budgetId) qb.andWhere('a.budget_id = :budget', { budget: filter.budgetId });
  applyAdjustmentFilter(qb, filter);
  return paginate(ctx, qb, page, ADJUSTMENT_SORT, 'Query.budgetAdjustments');
}

// ------------------------------------------------------------------ request and decide

const adjustmentMeta = (a: BudgetAdjustment, budget: Budget) =>
  budgetMeta(budget, { adjustmentId: a.id, fromLineId: a.fromLineId, toLineId: a.toLineId, requestedBy: a.requestedById });

/** The source line: a line of the budget, or a reserve pool of another budget in the same currency. */
function checkSource(from: BudgetLine, fromBudget: Budget, budget: Budget): void {
  if (from.budgetId === budget.id) return;
  if (!from.reservePool) throw badInput('fromLineId must be a line of this budget, or a reserve pool', 'fromLineId');
  if (fromBudget.currency !== budget.currency) {
    throw badInput(`The reserve pool is in ${fromBudget.currency}, this budget in ${budget.currency}: amounts in different currencies are not moved`, 'fromLineId');
  }
}

export async function requestBudgetAdjustment(ctx: Context, input: RequestBudgetAdjustmentInput) {
  const reason = input.reason.trim();
  if (!reason) throw badInput('reason must not be blank', 'reason');
  return withIdempotency(ctx, 'requestBudgetAdjustment', input, async (tx) => {
    const budget = await requireBudget(tx, input.budgetId);
    await assertWorksOnBudget(tx, budget, 'request adjustments of this budget');
    // A request is dated today; approval checks again under the budgets' locks.
    assertTakesAdjustments(budget, today(), 'budgetId');
    assertBudgetActive(budget, 'budgetId');
    const amount = checkAmount(input.amount, budget.currency, 'amount');
    const to = await requireBudgetLine(tx, input.toLineId);
    if (to.budgetId !== budget.id) throw badInput('toLineId must be a line of this budget', 'toLineId');
    assertLineActive(to, 'toLineId');
    if (input.fromLineId) {
      if (input.fromLineId === input.toLineId) throw badInput('fromLineId and toLineId must differ', 'fromLineId');
      const from = await requireBudgetLine(tx, input.fromLineId);
      const fromBudget = await requireBudget(tx, from.budgetId);
      checkSource(from, fromBudget, budget);
      assertTakesAdjustments(fromBudget, today(), 'fromLineId');
      assertBudgetActive(fromBudget, 'fromLineId');
      assertLineActive(from, 'fromLineId');
      assertCanGive(from, amount, budget.currency);
    }
    const settings = await budgetSettings(tx);
    const fastTrack = input.fastTrack ?? false;
    const adjustment = await createRecorded(
      tx,
      BudgetAdjustment,
      {
        organizationId: orgId(tx),
        budgetId: budget.id,
        fromLineId: input.fromLineId ?? null,
        toLineId: to.id,
        amount,
        reason,
        fastTrack,
        status: AdjustmentStatus.PENDING,
        dueAt: decisionDueAt(new Date(), fastTrack, settings.fastTrackDecisionHours),
        requestedById: tx.viewer?.userId ?? null,
        decidedById: null,
        decidedAt: null,
        note: null,
        version: 1,
      },
      { action: 'budget_adjustment.requested', meta: (a) => adjustmentMeta(a, budget), prime: budgetAdjustmentById },
    );
    return { budgetAdjustment: adjustment };
  });
}

async function pendingForDecision(tx: Context, id: string, action: string): Promise<BudgetAdjustment> {
  assertFinance(tx, action);
  // The adjustment first (the lock order of an approval); a second decision waits, then finds it decided.
  const adjustment = await lockById(tx, BudgetAdjustment, id, { field: 'id' });
  if (adjustment.requestedById && adjustment.requestedById === tx.viewer?.userId) {
    throw forbidden('You requested this adjustment: another FINANCE or OWNER member must decide it');
  }
  if (adjustment.status !== AdjustmentStatus.PENDING) {
    throw refuseTransition(`This adjustment is already ${adjustment.status}: only a PENDING one is decided`);
  }
  return adjustment;
}

/**
 * Approves a pending request and moves the money: the source line's planned goes down (it must
 * still have that much left), the target line's up, and each budget's total with them; all in
 * the approval's transaction, under row locks in the lock order of every budget write (the
 * adjustment, then the budgets in id order, then the lines in id order).
 */
export async function approveBudgetAdjustment(ctx: Context, input: DecideBudgetAdjustmentInput) {
  return withTransaction(ctx, async (tx) => {
    const current = await pendingForDecision(tx, input.id, 'approve adjustments');
    const lineIds = [current.toLineId, ...(current.fromLineId ? [current.fromLineId] : [])];
    // A line never moves to another budget: its budget is known before anything is locked.
    const unlocked = await Promise.all(lineIds.map((id) => requireBudgetLine(tx, id)));
    const budgetIds = [...new Set(unlocked.map((l) => l.budgetId))];
    const budgets = new Map((await lockBudgets(tx, budgetIds)).map((b) => [b.id, b]));
    const lines = await lockLines(tx, lineIds);
    const to = lines.find((l) => l.id === current.toLineId)!;
    const from = current.fromLineId ? lines.find((l) => l.id === current.fromLineId)! : null;
    const budget = budgets.get(current.budgetId)!;
    // Dated today, checked on the locked budgets (a reserve pool's too: its plan moves as well).
    for (const b of budgets.values()) assertTakesAdjustments(b, today(), 'id');
    // Archived since the request: nothing moves into or out of it (reject or withdraw the request).
    for (const b of budgets.values()) assertBudgetActive(b);
    for (const l of lines) assertLineActive(l);
    if (from) assertCanGive(from, current.amount, budget.currency);
    const amount = current.amount.toFixed();
    await tx.manager.query(
      `UPDATE budget_lines SET planned = planned + CASE WHEN id = $3 THEN $4::numeric ELSE -$4::numeric END, version = version + 1, updated_at = now()
        WHERE organization_id = $1 AND id = ANY($2::uuid[])`,
      [orgId(tx), lineIds, to.id, amount],
    );
    await tx.manager.query(
      `UPDATE budgets SET planned = planned + CASE WHEN id = $3 THEN $4::numeric ELSE 0 END - CASE WHEN id = $5 THEN $4::numeric ELSE 0 END, updated_at = now()
        WHERE organization_id = $1 AND id = ANY($2::uuid[])`,
      [orgId(tx), budgetIds, to.budgetId, amount, from?.budgetId ?? null],
    );
    const budgetAdjustment = await updateRecorded(
      tx,
      BudgetAdjustment,
      current,
      null,
      { status: AdjustmentStatus.APPROVED, decidedById: tx.viewer?.userId ?? null, decidedAt: new Date(), note: input.note?.trim() || null },
      { action: 'budget_adjustment.approved', meta: adjustmentMeta(current, budget), prime: budgetAdjustmentById },
    );
    for (const id of budgetIds) {
      await settleThresholds(tx, id, lineIds.filter((l) => (l === to.id ? to.budgetId : from!.budgetId) === id));
    }
    return { budgetAdjustment };
  });
}

export async function rejectBudgetAdjustment(ctx: Context, input: DecideBudgetAdjustmentInput) {
  return withTransaction(ctx, async (tx) => {
    const current = await pendingForDecision(tx, input.id, 'reject adjustments');
    const budget = await requireBudget(tx, current.budgetId);
    const budgetAdjustment = await updateRecorded(
      tx,
      BudgetAdjustment,
      current,
      null,
      { status: AdjustmentStatus.REJECTED, decidedById: tx.viewer?.userId ?? null, decidedAt: new Date(), note: input.note?.trim() || null },
      { action: 'budget_adjustment.rejected', meta: adjustmentMeta(current, budget), prime: budgetAdjustmentById },
    );
    return { budgetAdjustment };
  });
}

/**
 * Withdraws a pending request: only its requester (others FORBIDDEN), only while PENDING
 * (INVALID_TRANSITION otherwise). Nothing moves; it leaves the approvers' myWork and the overdue
 * lists (they count PENDING requests only).
 */
export async function withdrawBudgetAdjustment(ctx: Context, input: WithdrawBudgetAdjustmentInput) {
  return withTransaction(ctx, async (tx) => {
    const current = await lockById(tx, BudgetAdjustment, input.id, { field: 'id' });
    if (!current.requestedById || current.requestedById !== tx.viewer?.userId) {
      throw forbidden('Only the member who requested this adjustment may withdraw it: FINANCE or OWNER reject it instead');
    }
    if (current.status !== AdjustmentStatus.PENDING) {
      throw refuseTransition(`This adjustment is already ${current.status}: only a PENDING one is withdrawn`);
    }
    const budget = await requireBudget(tx, current.budgetId);
    const budgetAdjustment = await updateRecorded(tx, BudgetAdjustment, current, input.expectedVersion ?? null, { status: AdjustmentStatus.WITHDRAWN }, {
      action: 'budget_adjustment.withdrawn',
      meta: adjustmentMeta(current, budget),
      prime: budgetAdjustmentById,
      what: 'This adjustment',
    });
    return { budgetAdjustment };
  });
}
