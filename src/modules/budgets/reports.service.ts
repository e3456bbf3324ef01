/**
 * Finance's reports: the burn curve beside the KPIs the money should move, and each line's
 * cost per KPI unit. Sums come from the stored daily spend (budget_spend_daily), so a report
 * costs the same few statements however many expenses the budget holds.
 */
import Decimal from 'decimal.js';
import type { Context } from '../../common/context';
import { orgId } from '../../common/auth';
import { roundAmount } from '../../common/money';
import { Grain, periodSql } from '../../common/periods';
import { refuse } from '../../common/rules';
import { kpiById, kpiValuesByPeriod, type Kpi, type PeriodValue } from '../kpis';
import type { BudgetLine } from './budget.entity';
import { burnCurve, MAX_BURN_KPIS, compareEfficiency, costPerUnit, kpiDelta } from './budget-rules';
import { linesByBudgetId } from './budgets.loaders';
import { requireBudget } from './budget-access';

/** The grains of the burn report: at most 106 points over a period of at most 731 days (its priced list size). */
export const BURN_GRAINS: readonly Grain[] = [Grain.WEEK, Grain.MONTH, Grain.QUARTER];

export interface KpiValueData {
  kpi: Kpi;
  value: Decimal | null;
}

export interface BurnPointResult {
  periodStart: string;
  plannedCumulative: Decimal;
  spentCumulative: Decimal;
  kpiValues: KpiValueData[];
  costPerUnit: KpiValueData[];
}

/**
 * Spend per line and bucket, from the stored daily sums: one statement. The bucket's first day is
 * `periodSql.bucketStart`, the SQL twin of the `bucketStarts` the burn curve enumerates (both
 * built from one definition in src/common/periods.ts), so the two join on the same day.
 */
async function spendByLineAndBucket(ctx: Context, budgetId: string, grain: Grain): Promise<Array<{ lineId: string; bucket: string; amount: Decimal }>> {
  const rows: Array<{ line_id: string; bucket: string; amount: string }> = await ctx.manager.query(
    `SELECT line_id, ${periodSql.dayText('bucket')} AS bucket, amount::text AS amount FROM (
       SELECT s.budget_line_id AS line_id, ${periodSql.bucketStart('s.day', grain)} AS bucket, sum(s.amount) AS amount
         FROM budget_spend_daily s
        WHERE s.organization_id = $1 AND s.budget_id = $2
        GROUP BY 1, 2) t`,
    [orgId(ctx), budgetId],
  );
  return rows.map((r) => ({ lineId: r.line_id, bucket: r.bucket, amount: new Decimal(r.amount) }));
}

/** The KPIs the lines link to (each once, in line order) and their values per bucket: two statements. */
async function lineKpis(ctx: Context, lines: BudgetLine[], from: string, to: string, grain: Grain, limit = Infinity) {
  const ids = [...new Set(lines.flatMap((l) => l.kpiIds))].slice(0, limit);
  if (ids.length === 0) return { kpis: [], values: new Map<string, PeriodValue[]>() };
  const [kpis, values] = await Promise.all([kpiById(ctx).loadMany(ids), kpiValuesByPeriod(ctx, ids, from, to, grain)]);
  const known = kpis.filter((k): k is Kpi => k != null && !(k instanceof Error));
  return { kpis: known, values: values as Map<string, PeriodValue[]> };
}

/**
 * One point per bucket of the budget's period: the plan's and the spend's running totals at the
 * bucket's end; each linked KPI's value in the bucket; and, per KPI, the cost per unit in the
 * bucket: what the lines linked to that KPI spent in the bucket ÷ the KPI's value in it (null
 * when the value is unknown, 0 or negative).
 */
export async function budgetBurn(ctx: Context, budgetId: string, grain: Grain): Promise<BurnPointResult[]> {
  if (!BURN_GRAINS.includes(grain)) throw refuse('budgetBurn is by WEEK, MONTH or QUARTER (at most 106 points)', 'grain', { allowed: BURN_GRAINS });
  // The spend is filtered by organisation: read beside the budget, which decides whether anything is shown.
  // The lines follow the budget, so that they join the batch of `budgets { lines }` in the same request.
  const [budget, spend] = await Promise.all([requireBudget(ctx, budgetId), spendByLineAndBucket(ctx, budgetId, grain)]);
  const lines = (await linesByBudgetId(ctx).load(budget.id)) ?? [];
  const { kpis, values } = await lineKpis(ctx, lines, budget.periodStart, budget.periodEnd, grain, MAX_BURN_KPIS);
  const total = new Map<string, Decimal>();
  const byLine = new Map<string, Decimal>();
  for (const s of spend) {
    total.set(s.bucket, (total.get(s.bucket) ?? new Decimal(0)).plus(s.amount));
    byLine.set(`${s.lineId}|${s.bucket}`, s.amount);
  }
  const linesOf = new Map(kpis.map((k) => [k.id, lines.filter((l) => l.kpiIds.includes(k.id))]));
  const valueAt = new Map(kpis.map((k) => [k.id, new Map((values.get(k.id) ?? []).map((v) => [v.periodStart, v.value]))]));
  return burnCurve(budget.planned, budget.periodStart, budget.periodEnd, grain, total, budget.currency).map((p) => {
    const kpiValues = kpis.map((kpi) => ({ kpi, value: valueAt.get(kpi.id)!.get(p.periodStart) ?? null }));
    return {
      ...p,
      kpiValues,
      costPerUnit: kpiValues.map(({ kpi, value }) => {
        const spent = linesOf.get(kpi.id)!.reduce((sum, l) => sum.plus(byLine.get(`${l.id}|${p.periodStart}`) ?? 0), new Decimal(0));
        return { kpi, value: costPerUnit(spent, value) };
      }),
    };
  });
}

export interface LineEfficiencyResult {
  line: BudgetLine;
  kpi: Kpi | null;
  spent: Decimal;
  kpiDelta: Decimal | null;
  costPerKpiUnit: Decimal | null;
}

/**
 * Each line against its first linked KPI, over the budget's period by month: kpiDelta = the
 * last known monthly value minus the first known one; costPerKpiUnit = spent ÷ kpiDelta (null
 * when the delta is unknown, 0 or negative). Ranked best first: cheapest unit first, then lines
 * without a measurable gain.
 */
export async function budgetEfficiency(ctx: Context, budgetId: string): Promise<LineEfficiencyResult[]> {
  const budget = await requireBudget(ctx, budgetId);
  const lines = (await linesByBudgetId(ctx).load(budget.id)) ?? [];
  const { kpis, values } = await lineKpis(ctx, lines, budget.periodStart, budget.periodEnd, Grain.MONTH);
  const byId = new Map(kpis.map((k) => [k.id, k]));
  return lines
    .map((line) => {
      const kpi = line.kpiIds.map((id) => byId.get(id)).find((k) => k) ?? null;
      const delta = kpi ? kpiDelta((values.get(kpi.id) ?? []).map((v) => v.value)) : null;
      return { line, kpi, spent: roundAmount(line.spent, budget.currency), kpiDelta: delta, costPerKpiUnit: costPerUnit(line.spent, delta) };
    })
    .sort((a, b) => compareEfficiency({ ...a, name: a.line.name }, { ...b, name: b.line.name }));
}
