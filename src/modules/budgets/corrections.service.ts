/**
 * Corrections of a budget's set-up (FINANCE/OWNER): its name, hard cap, owner and end date
 * changed; a budget archived and restored; a line removed (only a line nothing was booked or
 * requested on) or archived. Each is one transaction at the version the caller read, audited and
 * announced after commit.
 */
import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { badInput, ErrorCode, notFound } from '../../common/errors';
import { toGlobalId } from '../../common/ids';
import { periodSql } from '../../common/periods';
import { refuseTransition, RuleViolation } from '../../common/rules';
import { lockById } from '../../db/locks';
import { withTransaction } from '../../db/transaction';
import { deleteRecorded, updateRecorded } from '../audit';
import { requireSquad } from '../squads';
import { Budget, BudgetLine } from './budget.entity';
import { validatePeriod } from './budget-rules';
import { periodClosed } from './period-close-rules';
import type { UpdateBudgetInput, VersionedBudgetInput, VersionedBudgetLineInput } from './budgets.inputs';
import { budgetById, budgetLineById } from './budgets.loaders';
import {
  assertBudgetActive,
  assertFinance,
  budgetMeta,
  lockBudget,
  lockLineAndBudget,
  requireBudgetLine,
  settleThresholds,
} from './budget-access';

const isForeignKeyViolation = (err: unknown) => (err as { driverError?: { code?: string } }).driverError?.code === '23503';

/**
 * Changes a budget's name, hard cap, owner (a squad, or null for the organisation) or end date.
 * The end date stays within the period's rules, on or after the last closed day and the latest non-void expense; the
 * hard cap is turned on only while no line has spent more than planned. The budget is locked
 * first (the lock order of every budget write), so no expense lands while the rules are checked.
 */
export async function updateBudget(ctx: Context, input: UpdateBudgetInput) {
  assertFinance(ctx, 'change budgets');
  return withTransaction(ctx, async (tx) => {
    const current = await lockBudget(tx, input.id, 'id');
    assertBudgetActive(current);
    const set: Partial<Budget> = {};
    if (input.name != null) {
      const name = input.name.trim();
      if (!name) throw badInput('name must not be blank', 'name');
      set.name = name;
    }
    if (input.periodEnd != null && input.periodEnd !== current.periodEnd) {
      validatePeriod(current.periodStart, input.periodEnd);
      if (current.closedThrough && input.periodEnd < current.closedThrough) {
        throw periodClosed(current, 'periodEnd', 'the period cannot end before its last closed day (the OWNER reopens days first)');
      }
      const [{ latest }]: Array<{ latest: string | null }> = await tx.manager.query(
        `SELECT ${periodSql.dayText('max(incurred_on)')} AS latest FROM expenses WHERE organization_id = $1 AND budget_id = $2 AND voided_at IS NULL`,
        [orgId(tx), current.id],
      );
      if (latest && input.periodEnd < latest) {
        throw badInput(`periodEnd cannot be before ${latest}, the day of the budget's latest expense (void it or keep a later end)`, 'periodEnd', {
          latestExpenseOn: latest,
        });
      }
      set.periodEnd = input.periodEnd;
    }
    if (input.hardCap != null) {
      if (input.hardCap && !current.hardCap) {
        const over: Array<{ id: string; name: string }> = await tx.manager.query(
          `SELECT id, name FROM budget_lines WHERE organization_id = $1 AND budget_id = $2 AND spent > planned ORDER BY created_at, id LIMIT 1`,
          [orgId(tx), current.id],
        );
        if (over.length > 0) {
          throw new RuleViolation(
            ErrorCode.BUDGET_CAP_EXCEEDED,
            `Line ${over[0].name} has already spent more than planned: raise its plan before turning the hard cap on`,
            'hardCap',
            { budgetLineId: toGlobalId('BudgetLine', over[0].id), line: over[0].name },
          );
        }
      }
      set.hardCap = input.hardCap;
    }
    if (input.squadId !== undefined) {
      if (input.squadId === null) set.squadId = null;
      else {
        const squadId = input.squadId;
        const squad = await requireSquad(tx, squadId).catch(() => {
          throw notFound('Squad', toGlobalId('Squad', squadId), 'squadId');
        });
        set.squadId = squad.id;
      }
    }
    const budget = await updateRecorded(tx, Budget, current, input.expectedVersion, set, {
      action: 'budget.updated',
      meta: (b) => budgetMeta(b),
      prime: budgetById,
      what: 'This budget',
    });
    return { budget };
  });
}

/** Archives a budget: out of `budgets` and the overviews, no new expense, line or adjustment. */
export async function archiveBudget(ctx: Context, input: VersionedBudgetInput) {
  assertFinance(ctx, 'archive budgets');
  return withTransaction(ctx, async (tx) => {
    const current = await lockBudget(tx, input.id, 'id');
    if (current.archivedAt) throw refuseTransition(`Budget "${current.name}" is already archived`);
    const budget = await updateRecorded(tx, Budget, current, input.expectedVersion, { archivedAt: new Date() }, {
      action: 'budget.archived',
      meta: (b) => budgetMeta(b),
      prime: budgetById,
      what: 'This budget',
    });
    return { budget };
  });
}

/** Restores an archived budget: listed and open again. */
export async function restoreBudget(ctx: Context, input: VersionedBudgetInput) {
  assertFinance(ctx, 'restore budgets');
  return withTransaction(ctx, async (tx) => {
    const current = await lockBudget(tx, input.id, 'id');
    if (!current.archivedAt) throw refuseTransition(`Budget "${current.name}" is not archived`);
    const budget = await updateRecorded(tx, Budget, current, input.expectedVersion, { archivedAt: null }, {
      action: 'budget.restored',
      meta: (b) => budgetMeta(b),
      prime: budgetById,
      what: 'This budget',
    });
    return { budget };
  });
}

/**
 * Removes a line set up by mistake: only when no expense (void ones included) was ever booked on
 * it and no adjustment names it, else BUDGET_LINE_IN_USE (archive it instead). The line is locked
 * FOR UPDATE after its budget: a request or a campaign pointing at it in the meantime either
 * committed before (and is seen) or waits and then finds it gone. The budget's planned goes down
 * by the line's plan and its version goes up.
 */
export async function removeBudgetLine(ctx: Context, input: VersionedBudgetLineInput) {
  assertFinance(ctx, 'remove budget lines');
  return withTransaction(ctx, async (tx) => {
    const found = await requireBudgetLine(tx, input.id);
    const current = await lockBudget(tx, found.budgetId);
    assertBudgetActive(current);
    const line = await lockById(tx, BudgetLine, input.id, { mode: 'UPDATE', field: 'id' });
    const [use]: Array<{ expenses: boolean; adjustments: boolean }> = await tx.manager.query(
      `SELECT EXISTS (SELECT 1 FROM expenses WHERE organization_id = $1 AND budget_line_id = $2) AS expenses,
              EXISTS (SELECT 1 FROM budget_adjustments WHERE organization_id = $1 AND (from_line_id = $2 OR to_line_id = $2)) AS adjustments`,
      [orgId(tx), line.id],
    );
    if (use.expenses || use.adjustments) {
      const what = use.expenses ? 'expenses (void ones count)' : 'adjustment requests';
      throw new RuleViolation(ErrorCode.BUDGET_LINE_IN_USE, `Line ${line.name} has ${what}, which are kept as history: archive it instead (archiveBudgetLine)`, 'id');
    }
    try {
      await deleteRecorded(tx, BudgetLine, line, {
        action: 'budget_line.removed',
        expectedVersion: input.expectedVersion,
        meta: budgetMeta(current, { budgetLineId: line.id }),
        prime: budgetLineById,
        what: 'This budget line',
      });
    } catch (err) {
      if (!isForeignKeyViolation(err)) throw err;
      throw new RuleViolation(ErrorCode.BUDGET_LINE_IN_USE, `Line ${line.name} is the budget line of a campaign: archive it instead (archiveBudgetLine)`, 'id');
    }
    await tx.manager.query(
      `UPDATE budgets SET planned = planned - $3::numeric, version = version + 1, updated_at = now() WHERE id = $1 AND organization_id = $2`,
      [current.id, orgId(tx), line.planned.toFixed()],
    );
    const { budget } = await settleThresholds(tx, current.id, []);
    return { removedBudgetLineId: toGlobalId('BudgetLine', line.id), budget };
  });
}

/** Archives a line: no new expense or adjustment on it; it stays listed and counted. */
export async function archiveBudgetLine(ctx: Context, input: VersionedBudgetLineInput) {
  assertFinance(ctx, 'archive budget lines');
  return withTransaction(ctx, async (tx) => {
    const { budget, line } = await lockLineAndBudget(tx, input.id);
    if (line.archivedAt) throw refuseTransition(`Budget line "${line.name}" is already archived`);
    const budgetLine = await updateRecorded(tx, BudgetLine, line, input.expectedVersion, { archivedAt: new Date() }, {
      action: 'budget_line.archived',
      meta: budgetMeta(budget, { budgetLineId: line.id }),
      prime: budgetLineById,
      what: 'This budget line',
    });
    return { budgetLine, budget };
  });
}
