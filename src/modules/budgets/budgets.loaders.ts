import Decimal from 'decimal.js';
import type { SelectQueryBuilder } from 'typeorm';
import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { sqlName } from '../../common/rows';
import { defineNestedConnection } from '../../common/connection';
import { defineByIdLoader, defineChildLoader, defineRowByKeyLoader, defineSumLoader, groupByKeys } from '../../common/loaders';
import { sumByCurrency, type Money } from '../../common/money';
import { Budget, BudgetAdjustment, BudgetLine, Expense } from './budget.entity';

export const budgetById = defineByIdLoader(Budget, 'Budget');
export const budgetLineById = defineByIdLoader(BudgetLine, 'BudgetLine');
export const expenseById = defineByIdLoader(Expense, 'Expense');

/** The budget of each line, in one statement per batch (through `budget_lines`); primes `budgetById`. */
export const budgetByLineId = defineRowByKeyLoader({
  name: 'budgets.budgetByLineId',
  entity: Budget,
  keyColumn: 'id',
  through: { table: 'budget_lines', rowColumn: 'budget_id' },
});

/** A budget has at most this many lines (`Budget.lines` is a plain list). */
export const MAX_BUDGET_LINES = 100;

/** A budget's lines, oldest first (at most MAX_BUDGET_LINES); primes `budgetLineById`. */
export const linesByBudgetId = defineChildLoader({
  name: 'budgets.linesByBudgetId',
  entity: BudgetLine,
  parentColumn: 'budget_id',
  parentOf: (l) => l.budgetId,
  orderBy: 'c.created_at, c.id',
  prime: budgetLineById,
});

/** A budget's expenses (void ones included), newest first: batched across budgets (`Budget.expenses`). */
export const expensesOfBudget = defineNestedConnection<Expense>({
  name: 'budgets.expensesOfBudget',
  query: (ctx) => ctx.manager.createQueryBuilder(Expense, 'e').where('e.organization_id = :org', { org: orgId(ctx) }),
  parent: 'e.budget_id',
  sort: [
    { column: 'e.created_at', direction: 'DESC', value: (e) => e.createdAt },
    { column: 'e.id', direction: 'DESC', value: (e) => e.id },
  ],
});

/** A link table of another module that tags expenses (e.g. campaigns' `campaign_expenses`). */
export interface ExpenseLink {
  table: string;
  /** Its column holding the key (`campaign_id`). */
  keyColumn: string;
  /** Its column holding the expense's id (`expense_id`). */
  expenseColumn: string;
}

/**
 * The non-void expenses tagged through `link`, summed per key and currency (`sumByCurrency`:
 * amounts in different currencies are never added; none without expenses), one statement for
 * all the keys, in the caller's organisation. For another module's loader (a campaign's cost):
 * this module keeps the expenses' SQL, the other its link table.
 */
export async function sumExpensesThrough(ctx: Context, link: ExpenseLink, keys: readonly string[]): Promise<Money[][]> {
  if (!ctx.organizationId) return keys.map(() => []);
  const rows: Array<{ key: string; currency: string; total: string }> = await ctx.manager.query(
    `SELECT l.${sqlName(link.keyColumn)} AS key, b.currency, sum(e.amount)::text AS total
       FROM ${sqlName(link.table)} l
       JOIN expenses e ON e.id = l.${sqlName(link.expenseColumn)} AND e.organization_id = l.organization_id
       JOIN budgets b ON b.id = e.budget_id AND b.organization_id = e.organization_id
      WHERE l.organization_id = $1 AND l.${sqlName(link.keyColumn)} = ANY($2::uuid[]) AND e.voided_at IS NULL
      GROUP BY 1, 2`,
    [ctx.organizationId, keys],
  );
  return groupByKeys(keys, rows, (r) => String(r.key)).map((found) =>
    sumByCurrency(found.map((r) => ({ amount: new Decimal(r.total), currency: r.currency.trim() }))),
  );
}

export const budgetAdjustmentById = defineByIdLoader(BudgetAdjustment, 'BudgetAdjustment');

/** An adjustments filter on alias `a`: by status; overdue = pending past its decision deadline. */
export function applyAdjustmentFilter(qb: SelectQueryBuilder<BudgetAdjustment>, filter: { status?: string; overdue?: boolean } | undefined) {
  if (filter?.status) qb.andWhere('a.status = :status', { status: filter.status });
  if (filter?.overdue === true) qb.andWhere(`a.status = 'PENDING' AND a.due_at < now()`);
  if (filter?.overdue === false) qb.andWhere(`NOT (a.status = 'PENDING' AND a.due_at < now())`);
  return qb;
}

/** A budget's adjustment requests, newest first, optionally by status / overdue: batched across budgets. */
export const adjustmentsOfBudget = defineNestedConnection<BudgetAdjustment, { status?: string; overdue?: boolean }>({
  name: 'budgets.adjustmentsOfBudget',
  query: (ctx, filter) => {
    const qb = ctx.manager.createQueryBuilder(BudgetAdjustment, 'a').where('a.organization_id = :org', { org: orgId(ctx) });
    return applyAdjustmentFilter(qb, filter);
  },
  parent: 'a.budget_id',
  sort: [
    { column: 'a.created_at', direction: 'DESC', value: (a) => a.createdAt },
    { column: 'a.id', direction: 'DESC', value: (a) => a.id },
  ],
});

/** What was drawn from each line by approved adjustments (reserve pools), one statement per batch. */
export const drawnByLineId = defineSumLoader({
  name: 'budgets.drawnByLineId',
  table: BudgetAdjustment,
  keyColumn: 'from_line_id',
  sum: 'c.amount',
  where: `c.status = 'APPROVED'`,
});
