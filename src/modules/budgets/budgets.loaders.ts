import Decimal from 'decimal.js';
import type { SelectQueryBuilder } from 'typeorm';
import { orgId } from '../../common/auth';
import { defineNestedConnection } from '../../common/connection';
import { defineByIdLoader, defineChildLoader, defineLoader, groupByKeys, primeAll } from '../../common/loaders';
import { sumByCurrency, type Money } from '../../common/money';
import { Budget, BudgetAdjustment, BudgetLine, Expense } from './budget.entity';

export const budgetById = defineByIdLoader(Budget, 'Budget');
export const budgetLineById = defineByIdLoader(BudgetLine, 'BudgetLine');
export const expenseById = defineByIdLoader(Expense, 'Expense');

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
  loaded: (ctx, rows) => primeAll(expenseById(ctx), rows),
});

/**
 * A campaign's cost: the sum of the non-void expenses tagged with it per currency (`sumByCurrency`:
 * amounts in different currencies are never added; none without expenses), per campaign uuid,
 * one statement per batch.
 */
export const campaignCostById = defineLoader<string, Money[]>('budgets.campaignCostById', async (ctx, ids) => {
  if (!ctx.organizationId) return ids.map(() => []);
  const rows: Array<{ campaign_id: string; currency: string; cost: string }> = await ctx.manager.query(
    `SELECT e.campaign_id, b.currency, sum(e.amount)::text AS cost
       FROM expenses e JOIN budgets b ON b.id = e.budget_id AND b.organization_id = e.organization_id
      WHERE e.organization_id = $1 AND e.campaign_id = ANY($2::uuid[]) AND e.voided_at IS NULL
      GROUP BY e.campaign_id, b.currency`,
    [ctx.organizationId, ids],
  );
  return groupByKeys(ids, rows, (r) => r.campaign_id).map((found) =>
    sumByCurrency(found.map((r) => ({ amount: new Decimal(r.cost), currency: r.currency.trim() }))),
  );
});

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
  loaded: (ctx, rows) => primeAll(budgetAdjustmentById(ctx), rows),
});

/** What was drawn from each line by approved adjustments (reserve pools), one statement per batch. */
export const drawnByLineId = defineLoader<string, Decimal>('budgets.drawnByLineId', async (ctx, ids) => {
  if (!ctx.organizationId) return ids.map(() => new Decimal(0));
  const rows: Array<{ id: string; drawn: string }> = await ctx.manager.query(
    `SELECT from_line_id AS id, sum(amount)::text AS drawn FROM budget_adjustments
      WHERE organization_id = $1 AND from_line_id = ANY($2::uuid[]) AND status = 'APPROVED'
      GROUP BY from_line_id`,
    [ctx.organizationId, ids],
  );
  const byId = new Map(rows.map((r) => [r.id, new Decimal(r.drawn)]));
  return ids.map((id) => byId.get(id) ?? new Decimal(0));
});
