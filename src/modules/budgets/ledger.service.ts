/**
 * The organisation's ledger (`Query.expenses`): every expense across budgets, newest incurred
 * first, filtered, keyset-paginated, with `totalCount` and the total per currency.
 *
 * Statements: one per type of the filter ids to check (budgets, lines, squads, campaigns; only
 * the ones given), one for the page, one for `totalCount` and one for `total` when asked: the
 * same whatever the number of expenses. The order (incurred_on DESC, created_at DESC, id DESC)
 * is served by `expenses_org_incurred_idx`, the reference prefix by `expenses_org_reference_idx`.
 */
import Decimal from 'decimal.js';
import type { SelectQueryBuilder } from 'typeorm';
import { orgId } from '../../common/auth';
import { paginate, type ConnectionArgs } from '../../common/connection';
import type { Context } from '../../common/context';
import { badInput, notFound } from '../../common/errors';
import { toGlobalId } from '../../common/ids';
import type { LoaderAccessor } from '../../common/loaders';
import { sumByCurrency } from '../../common/money';
import { sqlName } from '../../common/rows';
import { squadById } from '../squads';
import { Expense } from './budget.entity';
import type { ExpensesFilter, SpendFilter } from './budgets.inputs';
import { budgetById, budgetLineById } from './budgets.loaders';
import type { MoneyTotal } from './budgets.types';
import { expenseCampaignLink } from './expense-campaigns';

/** `text` as a LIKE pattern matching itself: `\`, `%` and `_` escaped (LIKE's default escape is `\`). */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** NOT_FOUND naming `field` unless every id is a `type` of the caller's organisation (one batched statement). */
async function requireAll(ctx: Context, loader: LoaderAccessor<string, unknown>, ids: readonly string[], type: string, field: string) {
  const found = await loader(ctx).loadMany([...ids]);
  const missing = ids.findIndex((_, i) => found[i] == null || found[i] instanceof Error);
  if (missing >= 0) throw notFound(type, toGlobalId(type, ids[missing]), field);
}

const given = <T>(list: readonly T[] | null | undefined): list is readonly T[] => Array.isArray(list) && list.length > 0;

export async function checkFilter(ctx: Context, filter: SpendFilter | ExpensesFilter): Promise<void> {
  if (filter.from && filter.to && filter.from > filter.to) throw badInput('filter.from must be on or before filter.to', 'filter.from');
  const campaigns = expenseCampaignLink();
  if (given(filter.campaignIds) && !campaigns) throw badInput('Campaigns are not available here', 'filter.campaignIds');
  await Promise.all([
    given(filter.budgetIds) && requireAll(ctx, budgetById, filter.budgetIds, 'Budget', 'filter.budgetIds'),
    given(filter.lineIds) && requireAll(ctx, budgetLineById, filter.lineIds, 'BudgetLine', 'filter.lineIds'),
    given(filter.squadIds) && requireAll(ctx, squadById, filter.squadIds, 'Squad', 'filter.squadIds'),
    given(filter.campaignIds) && campaigns!.requireCampaigns(ctx, filter.campaignIds, 'filter.campaignIds'),
  ]);
}

/** The organisation's expenses matching `filter`, on alias `e` (no order). */
function ledgerQuery(ctx: Context, filter: ExpensesFilter): SelectQueryBuilder<Expense> {
  const qb = ctx.manager.createQueryBuilder(Expense, 'e').where('e.organization_id = :org', { org: orgId(ctx) });
  if (filter.budgetIds) qb.andWhere('e.budget_id = ANY(:budgetIds)', { budgetIds: filter.budgetIds });
  if (filter.lineIds) qb.andWhere('e.budget_line_id = ANY(:lineIds)', { lineIds: filter.lineIds });
  if (filter.squadIds) {
    qb.andWhere('e.budget_id IN (SELECT sb.id FROM budgets sb WHERE sb.organization_id = :org AND sb.squad_id = ANY(:squadIds))', {
      squadIds: filter.squadIds,
    });
  }
  if (filter.categories) {
    qb.andWhere('e.budget_line_id IN (SELECT cl.id FROM budget_lines cl WHERE cl.organization_id = :org AND lower(cl.category) = ANY(:categories))', {
      categories: filter.categories.map((c) => c.trim().toLowerCase()),
    });
  }
  if (filter.campaignIds) {
    const link = expenseCampaignLink()!.table;
    qb.andWhere(
      `e.id IN (SELECT ce.${sqlName(link.expenseColumn)} FROM ${sqlName(link.table)} ce
                 WHERE ce.organization_id = :org AND ce.${sqlName(link.keyColumn)} = ANY(:campaignIds))`,
      { campaignIds: filter.campaignIds },
    );
  }
  if (filter.from) qb.andWhere('e.incurred_on >= :from', { from: filter.from });
  if (filter.to) qb.andWhere('e.incurred_on <= :to', { to: filter.to });
  if (filter.vendor != null) qb.andWhere('lower(e.vendor) LIKE :vendor', { vendor: `%${likeLiteral(filter.vendor.trim().toLowerCase())}%` });
  if (filter.reference != null) {
    qb.andWhere('lower(e.reference) LIKE :reference', { reference: `${likeLiteral(filter.reference.trim().toLowerCase())}%` });
  }
  if (filter.voided === true) qb.andWhere('e.voided_at IS NOT NULL');
  if (filter.voided === false) qb.andWhere('e.voided_at IS NULL');
  return qb;
}

/** The sum of the non-void expenses `qb` matches, per currency (one statement). */
async function totalOf(qb: SelectQueryBuilder<Expense>): Promise<MoneyTotal[]> {
  const rows: Array<{ currency: string; total: string }> = await qb
    .clone()
    .innerJoin('budgets', 'tb', 'tb.id = e.budget_id AND tb.organization_id = e.organization_id')
    .andWhere('e.voided_at IS NULL')
    .select('tb.currency', 'currency')
    .addSelect('sum(e.amount)::text', 'total')
    .groupBy('tb.currency')
    .getRawMany();
  return sumByCurrency(rows.map((r) => ({ currency: r.currency.trim(), amount: new Decimal(r.total) })));
}

export async function listExpenses(ctx: Context, filter: ExpensesFilter, page: ConnectionArgs) {
  await checkFilter(ctx, filter);
  const qb = ledgerQuery(ctx, filter);
  const result = await paginate(
    ctx,
    qb,
    page,
    [
      { column: 'e.incurred_on', direction: 'DESC', value: (e) => e.incurredOn },
      { column: 'e.created_at', direction: 'DESC', value: (e) => e.createdAt },
      { column: 'e.id', direction: 'DESC', value: (e) => e.id },
    ],
    'Query.expenses',
  );
  let total: Promise<MoneyTotal[]> | null = null;
  return Object.defineProperty(result, 'total', {
    get: () => (total ??= totalOf(qb)),
    enumerable: true,
  }) as typeof result & { total: Promise<MoneyTotal[]> };
}
