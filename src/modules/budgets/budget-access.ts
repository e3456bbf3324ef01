/** Shared by the budget services: lookups, permissions, locks and the 80 % / 100 % thresholds. */
import { orgId } from '../../common/auth';
import { assertCanManage, FINANCE_DESK, hasRole, requireRole } from '../../common/access';
import type { Context } from '../../common/context';
import { emitAfterCommit } from '../../common/events';
import { requireById } from '../../common/loaders';
import { refuseArchived } from '../../common/rules';
import { lockById, lockByIds } from '../../db/locks';
import { Budget, BudgetLine, Expense } from './budget.entity';
import { thresholdsReached, type Threshold } from './budget-rules';
import { budgetById, budgetLineById, expenseById } from './budgets.loaders';
import { BUDGETS_EVENTS } from './budgets.events';


export function requireBudget(ctx: Context, id: string): Promise<Budget> {
  return requireById(budgetById(ctx), id, 'Budget');
}

/** The currency of a budget (every amount of it, its lines', expenses' and adjustments', is in it). */
export async function currencyOfBudget(ctx: Context, budgetId: string): Promise<string> {
  return (await requireBudget(ctx, budgetId)).currency;
}

export function requireBudgetLine(ctx: Context, id: string): Promise<BudgetLine> {
  return requireById(budgetLineById(ctx), id, 'BudgetLine');
}

export function requireExpense(ctx: Context, id: string): Promise<Expense> {
  return requireById(expenseById(ctx), id, 'Expense');
}

/** An archived budget takes no new expense, line or adjustment: ARCHIVED, naming `field` (the input that led to it). */
export function assertBudgetActive(budget: Budget, field?: string): void {
  if (budget.archivedAt) throw refuseArchived(`Budget "${budget.name}" is archived: restore it first (restoreBudget)`, field);
}

/** An archived line takes no new expense or adjustment: ARCHIVED, naming `field`. */
export function assertLineActive(line: BudgetLine, field?: string): void {
  if (line.archivedAt) throw refuseArchived(`Budget line "${line.name}" is archived: it takes no new expense or adjustment`, field);
}

/** The finance desk (OWNER, FINANCE) manages budgets and decides adjustments. */
export const isFinance = (ctx: Context) => hasRole(ctx, FINANCE_DESK);

/** FORBIDDEN unless the caller is on the finance desk: "Only OWNER/FINANCE may <action>". */
export function assertFinance(ctx: Context, action: string): void {
  requireRole(ctx, FINANCE_DESK, action);
}

/** The finance desk on any budget; a SQUAD_LEAD on the budgets of a squad they lead (`assertCanManage`, finance variant). */
export function assertWorksOnBudget(ctx: Context, budget: Budget, action: string): Promise<void> {
  return assertCanManage(ctx, { kind: 'budget', squadId: budget.squadId }, action, { managers: FINANCE_DESK });
}

/** The routing facts of a budget's events (subscription filters, the campaigns module). */
export const budgetMeta = (budget: Budget, extra: Record<string, string | null> = {}) => ({
  budgetId: budget.id,
  squadId: budget.squadId,
  ...extra,
});

/*
 * Locks. Every budget write takes its row locks in one order: the budgets first (in id order),
 * then their lines (in id order); expenses and adjustments are written after both. The locks are
 * FOR NO KEY UPDATE: they queue the writers of a budget among themselves but never wait for, nor
 * block, the KEY SHARE locks that foreign-key checks take (an expense or adjustment inserted,
 * a campaign pointed at a line), which the spend triggers would otherwise turn into deadlocks.
 * docs/architecture.md, "Budgets: lock order".
 */

/** The budget writes' row lock (src/db/locks.ts): queues writers, never waits for foreign-key checks. */
const LOCK = { mode: 'NO KEY UPDATE' } as const;

/** Reads lines with a row lock, in id order (`lockByIds`). Lock their budget first (`lockBudget`). */
export const lockLines = (tx: Context, ids: string[]): Promise<BudgetLine[]> => lockByIds(tx, BudgetLine, ids, LOCK);

export const lockLine = (tx: Context, id: string): Promise<BudgetLine> => lockById(tx, BudgetLine, id, LOCK);

/** Reads budgets with a row lock, in id order: the first locks of any budget write. */
export const lockBudgets = (tx: Context, ids: string[]): Promise<Budget[]> => lockByIds(tx, Budget, ids, LOCK);

/** Locks a budget (NOT_FOUND naming `field` when given) and returns it as it is now. */
export const lockBudget = (tx: Context, id: string, field?: string): Promise<Budget> => lockById(tx, Budget, id, { ...LOCK, field });

/**
 * Locks a line's budget, then the line (the lock order), and returns both as they are now. The
 * line is first read without a lock to learn its budget: a line never moves to another budget.
 */
export async function lockLineAndBudget(tx: Context, lineId: string): Promise<{ budget: Budget; line: BudgetLine }> {
  const found = await requireBudgetLine(tx, lineId);
  const budget = await lockBudget(tx, found.budgetId);
  const line = await lockLine(tx, lineId);
  return { budget, line };
}

const COLUMN: Record<Threshold, 'crossed_80_at' | 'crossed_100_at'> = { 80: 'crossed_80_at', 100: 'crossed_100_at' };
const stored = (row: Budget | BudgetLine, t: Threshold) => (t === 80 ? row.crossed80At : row.crossed100At);

/**
 * After spend or plan changed: reads the lines and their budget again (locked, current), stores
 * the thresholds newly reached (80 %, 100 % of plan, once each, never reset) and announces them
 * after commit. Primes the loaders with the fresh rows and returns them.
 */
export async function settleThresholds(tx: Context, budgetId: string, lineIds: string[]): Promise<{ lines: BudgetLine[]; budget: Budget }> {
  const budget = await lockBudget(tx, budgetId);
  const lines = await lockLines(tx, lineIds);
  const now = new Date();
  const mark = async (table: 'budgets' | 'budget_lines', row: Budget | BudgetLine, line: BudgetLine | null) => {
    const fresh = thresholdsReached(row.spent, row.planned).filter((t) => !stored(row, t));
    if (fresh.length === 0) return;
    await tx.manager.query(
      `UPDATE ${table} SET ${fresh.map((t, i) => `${COLUMN[t]} = $${i + 3}`).join(', ')} WHERE id = $1 AND organization_id = $2`,
      [row.id, orgId(tx), ...fresh.map(() => now)],
    );
    for (const t of fresh) {
      if (t === 80) row.crossed80At = now;
      else row.crossed100At = now;
      emitAfterCommit(tx, {
        type: BUDGETS_EVENTS.BUDGET_THRESHOLD_CROSSED,
        entityType: line ? 'BudgetLine' : 'Budget',
        entityId: row.id,
        meta: budgetMeta(budget, { budgetLineId: line?.id ?? null, threshold: String(t) }),
      });
    }
  };
  // The locks primed the loaders with these rows, which now carry the thresholds marked.
  for (const line of lines) await mark('budget_lines', line, line);
  await mark('budgets', budget, null);
  return { lines, budget };
}
