/**
 * Spend by period (`Query.spend`): non-cumulative buckets of a grain (WEEK, MONTH, QUARTER),
 * grouped by budget, line, category, squad and/or campaign, always by currency (amounts in
 * different currencies are never added), each with planned, spent and the variance.
 *
 * One statement for the buckets, on the stored daily spend (`budget_daily_spend`, kept by
 * recordExpense and voidExpense), never on the expenses: the buckets (src/common/periods.ts) are
 * joined to the matching lines and their budgets for planned and to the daily spend for spent.
 * Before it: the filter's checks (as the ledger's, one statement per type of id given) and, when
 * `from` or `to` is omitted, one statement for the matching budgets' periods. A daily row whose
 * expenses were all voided stays (amount 0, count 0) and is skipped.
 *
 * planned: each line's plan for the days of the bucket inside both the budget's period and
 * from..to, by the line's kind (`plannedBetween` in budget-rules.ts): a VARIABLE line's spread
 * evenly over the period's days; a FIXED line's (people, systems: paid by the month) an equal
 * share per month of the period, a part of a month by its days, so that February's salaries are
 * planned as March's. Null when the spend is by campaign (grouped or filtered): a plan is per line.
 * variance = spent − planned (more than 0: over plan); variancePercent = variance ÷ planned × 100
 * (6 places), null when planned is 0 or null.
 */
import Decimal from 'decimal.js';
import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { badInput } from '../../common/errors';
import { ratioOf, roundAmount } from '../../common/money';
import { bucketEnd, bucketStarts, Grain, periodSql, requestedBuckets, type Day } from '../../common/periods';
import { refuse } from '../../common/rules';
import { BURN_GRAINS } from './reports.service';
import { checkFilter } from './ledger.service';
import { SpendGroup, type SpendFilter } from './budgets.inputs';
import { BudgetLineKind } from './budget-rules';

/** At most this many buckets (106 weeks, the weeks of the longest budget period). */
export const MAX_SPEND_BUCKETS = 106;
/** At most this many rows (buckets × groups × currencies); more is BAD_USER_INPUT naming groupBy. */
export const MAX_SPEND_ROWS = 2000;

export interface SpendRow {
  periodStart: Day;
  periodEnd: Day;
  currency: string;
  budgetId: string | null;
  lineId: string | null;
  category: string | null;
  squadId: string | null;
  campaignId: string | null;
  planned: Decimal | null;
  spent: Decimal;
  variance: Decimal | null;
  variancePercent: Decimal | null;
}

/**
 * budget-rules monthShare in SQL: the months lo..hi (dates, lo ≤ hi) cover, each month counted by
 * the share of its days inside lo..hi (April 1–15: 0.5; a whole quarter: 3).
 */
function monthShareSql(lo: string, hi: string): string {
  return `(SELECT sum(((least(${hi}, (g.m + interval '1 month - 1 day')::date) - greatest(${lo}, g.m::date)) + 1)::numeric
                 / ((g.m + interval '1 month')::date - g.m::date))
             FROM generate_series(date_trunc('month', ${lo}::timestamp), ${hi}::timestamp, interval '1 month') AS g(m))`;
}

const given = <T>(list: readonly T[] | null | undefined): list is readonly T[] => Array.isArray(list) && list.length > 0;

/** The SQL key of each group, on `l` (the matching lines with their budget) and `x` (the rows). */
const GROUP_SQL: Record<SpendGroup, string> = {
  [SpendGroup.BUDGET]: 'l.budget_id',
  [SpendGroup.LINE]: 'l.line_id',
  [SpendGroup.CATEGORY]: 'lower(l.category)',
  [SpendGroup.SQUAD]: 'l.squad_id',
  [SpendGroup.CAMPAIGN]: 'x.campaign_id',
};

/** The order of each group's rows: budgets and lines oldest first (as Budget.lines), categories by name, untagged spend first. */
const GROUP_ORDER: Record<SpendGroup, string> = {
  [SpendGroup.BUDGET]: 'min(l.budget_created), l.budget_id',
  [SpendGroup.LINE]: 'min(l.line_created), l.line_id',
  [SpendGroup.CATEGORY]: 'lower(l.category)',
  [SpendGroup.SQUAD]: 'l.squad_id NULLS FIRST',
  [SpendGroup.CAMPAIGN]: 'x.campaign_id NULLS FIRST',
};

/** The matching lines with their budgets, as a CTE body reading parameters from `params` (organisation first). */
function linesSql(filter: SpendFilter, params: unknown[]): string {
  const where = ['l.organization_id = $1'];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (given(filter.budgetIds)) add('b.id = ANY(?::uuid[])', filter.budgetIds);
  if (given(filter.lineIds)) add('l.id = ANY(?::uuid[])', filter.lineIds);
  if (given(filter.squadIds)) add('b.squad_id = ANY(?::uuid[])', filter.squadIds);
  if (given(filter.categories)) add('lower(l.category) = ANY(?::text[])', filter.categories.map((c) => c.trim().toLowerCase()));
  return `SELECT l.id AS line_id, l.budget_id, l.category, l.kind, l.planned, b.squad_id, b.currency, b.period_start, b.period_end,
                 b.created_at AS budget_created, l.created_at AS line_created
            FROM budget_lines l JOIN budgets b ON b.id = l.budget_id AND b.organization_id = l.organization_id
           WHERE ${where.join(' AND ')}`;
}

/** from..to: as given, or the matching budgets' periods (one statement), the last MAX_SPEND_BUCKETS buckets at most. */
async function rangeOf(ctx: Context, filter: SpendFilter, grain: Grain): Promise<{ from: Day; to: Day } | null> {
  if (filter.from && filter.to) return { from: filter.from, to: filter.to };
  const params: unknown[] = [orgId(ctx)];
  const [row]: Array<{ first: string | null; last: string | null }> = await ctx.manager.query(
    `WITH l AS (${linesSql(filter, params)})
     SELECT ${periodSql.dayText('min(l.period_start)')} AS first, ${periodSql.dayText('max(l.period_end)')} AS last FROM l`,
    params,
  );
  if (!row?.first || !row.last) return null;
  const to = filter.to ?? row.last;
  if (filter.from) return { from: filter.from, to };
  if (row.first > to) return { from: to, to };
  const starts = bucketStarts(row.first, to, grain, { max: Infinity });
  return { from: starts.length > MAX_SPEND_BUCKETS ? starts[starts.length - MAX_SPEND_BUCKETS] : row.first, to };
}

export async function spend(ctx: Context, filter: SpendFilter, grain: Grain, groupBy: readonly SpendGroup[]): Promise<SpendRow[]> {
  if (!BURN_GRAINS.includes(grain)) throw refuse('spend is by WEEK, MONTH or QUARTER', 'grain', { allowed: BURN_GRAINS });
  await checkFilter(ctx, filter);
  const groups = [...new Set(groupBy)];
  const range = await rangeOf(ctx, filter, grain);
  if (!range) return [];
  const starts = requestedBuckets(range.from, range.to, grain, MAX_SPEND_BUCKETS);
  const los = starts.map((s) => (s < range.from ? range.from : s));
  const his = starts.map((s) => {
    const end = bucketEnd(s, grain);
    return end > range.to ? range.to : end;
  });
  const byCampaign = groups.includes(SpendGroup.CAMPAIGN) || given(filter.campaignIds);

  const params: unknown[] = [orgId(ctx)];
  const lines = linesSql(filter, params);
  params.push(starts, los, his);
  const k = params.length - 2;
  let campaignWhere = '';
  if (given(filter.campaignIds)) {
    params.push(filter.campaignIds);
    campaignWhere = `AND d.campaign_id = ANY($${params.length}::uuid[])`;
  }
  // planned: budget-rules plannedBetween — a VARIABLE line's plan by the days of the bucket in the
  // period ÷ the days of the period; a FIXED line's by the months (each month of the period an equal
  // share, a part of a month by its days: monthShare).
  const lo = 'greatest(k.lo, l.period_start)';
  const hi = 'least(k.hi, l.period_end)';
  const planned = byCampaign
    ? ''
    : `SELECT k.start, l.line_id, NULL::uuid AS campaign_id,
              CASE WHEN l.kind = '${BudgetLineKind.FIXED}'
                   THEN l.planned * ${monthShareSql(lo, hi)} / ${monthShareSql('l.period_start', 'l.period_end')}
                   ELSE l.planned * ((${hi} - ${lo}) + 1) / ((l.period_end - l.period_start) + 1) END AS planned,
              0::numeric AS spent
         FROM k JOIN l ON l.period_start <= k.hi AND l.period_end >= k.lo
       UNION ALL`;
  const keys = groups.map((g) => GROUP_SQL[g]);
  const rows: Array<Record<string, string | null>> = await ctx.manager.query(
    `WITH k AS (SELECT * FROM unnest($${k}::date[], $${k + 1}::date[], $${k + 2}::date[]) AS k(start, lo, hi)),
     l AS (${lines})
     SELECT ${periodSql.dayText('x.start')} AS start, l.currency,
            ${groups.includes(SpendGroup.BUDGET) ? 'l.budget_id' : 'NULL'} AS budget_id,
            ${groups.includes(SpendGroup.LINE) ? 'l.line_id' : 'NULL'} AS line_id,
            ${groups.includes(SpendGroup.CATEGORY) ? 'min(l.category)' : 'NULL'} AS category,
            ${groups.includes(SpendGroup.SQUAD) ? 'l.squad_id' : 'NULL'} AS squad_id,
            ${groups.includes(SpendGroup.CAMPAIGN) ? 'x.campaign_id' : 'NULL'} AS campaign_id,
            sum(x.planned)::text AS planned, sum(x.spent)::text AS spent
       FROM (
         ${planned}
         SELECT k.start, d.budget_line_id, d.campaign_id, 0::numeric, d.amount
           FROM k JOIN budget_daily_spend d ON d.organization_id = $1 AND d.day BETWEEN k.lo AND k.hi AND d.expense_count > 0 ${campaignWhere}
       ) x (start, line_id, campaign_id, planned, spent)
       JOIN l ON l.line_id = x.line_id
      GROUP BY ${['x.start', 'l.currency', ...keys].join(', ')}
      ORDER BY ${['x.start', 'l.currency', ...groups.map((g) => GROUP_ORDER[g])].join(', ')}
      LIMIT ${MAX_SPEND_ROWS + 1}`,
    params,
  );
  if (rows.length > MAX_SPEND_ROWS) {
    throw badInput(`The spend has more than ${MAX_SPEND_ROWS} rows: group by fewer keys, or narrow the filter or the range`, 'groupBy', {
      max: MAX_SPEND_ROWS,
    });
  }
  return rows.map((r) => {
    const currency = r.currency!.trim();
    const spent = roundAmount(new Decimal(r.spent!), currency);
    const plan = byCampaign ? null : roundAmount(new Decimal(r.planned!), currency);
    const variance = plan ? roundAmount(spent.minus(plan), currency) : null;
    return {
      periodStart: r.start!,
      periodEnd: bucketEnd(r.start!, grain),
      currency,
      budgetId: r.budget_id,
      lineId: r.line_id,
      category: r.category,
      squadId: r.squad_id,
      campaignId: r.campaign_id,
      planned: plan,
      spent,
      variance,
      variancePercent: plan && variance ? ratioOf(variance.mul(100), plan) : null,
    };
  });
}
