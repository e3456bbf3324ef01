/**
 * Finance's reports: the burn curve beside the KPIs the money should move, and each line's
 * cost per KPI unit. Sums come from the stored daily spend (budget_spend_daily), so a report
 * costs the same few statements however many expenses the budget holds.
 */
import Decimal from 'decimal.js';
import type { Context } from '../../common/context';
import { orgId } from '../../common/auth';
import { roundAmount, roundRatio } from '../../common/money';
import { addDays, daysCovered, Grain, MAX_BUCKETS, periodSql } from '../../common/periods';
import { refuse } from '../../common/rules';
import { kpiById, kpiValuesByPeriod, type Kpi, type PeriodValue } from '../kpis';
import type { BudgetLine } from './budget.entity';
import {
  burnCurve,
  MAX_BURN_KPIS,
  compareEfficiency,
  costPerUnit,
  efficiencyWindows,
  lineEfficiencies,
  LONGEST_KPI_PERIOD_DAYS,
  type EfficiencyReason,
} from './budget-rules';
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
  share: Decimal | null;
  attributedChange: Decimal | null;
  costPerKpiUnit: Decimal | null;
  reason: EfficiencyReason | null;
  window: { start: string; end: string; baselineStart: string; baselineEnd: string; days: number };
}

/**
 * The KPIs' daily values from `from` to `to` through the kpis module (a period's value on the
 * day it starts): one call (one statement) when the days fit the kit's bucket limit, else two
 * calls split at `splitAfter` (a budget of more than about 17 months).
 */
async function kpiPoints(ctx: Context, ids: readonly string[], from: string, splitAfter: string, to: string): Promise<Map<string, PeriodValue[]>> {
  if (ids.length === 0) return new Map();
  if (daysCovered(from, to) <= MAX_BUCKETS) return kpiValuesByPeriod(ctx, ids, from, to, Grain.DAY);
  const [before, after] = await Promise.all([
    kpiValuesByPeriod(ctx, ids, from, splitAfter, Grain.DAY),
    kpiValuesByPeriod(ctx, ids, addDays(splitAfter, 1), to, Grain.DAY),
  ]);
  return new Map(ids.map((id) => [id, [...(before.get(id) ?? []), ...(after.get(id) ?? [])]]));
}

/** A ratio as shown (6 places), or null. */
const shown = (v: Decimal | null) => (v == null ? null : roundRatio(v));

/**
 * Each line against the KPI it follows (its first linked KPI), like with like: the KPI's change
 * from the baseline (the same number of days just before the budget's period) to the window
 * (the period), by its aggregation (`kpiWindowChange`); the change shared by the lines following
 * that KPI in proportion to what they spent in the window (`attributeChange`); cost per unit =
 * spent ÷ attributed change. Ranked best first: cheapest unit first, then lines without a cost
 * (`reason` says why). Expenses are dated within the period, so what a line spent in the window
 * is its spend. Five statements whatever the number of lines and KPIs (the budget, its lines,
 * their KPIs, two for the KPIs' daily values), seven for a budget longer than about 17 months.
 */
export async function budgetEfficiency(ctx: Context, budgetId: string): Promise<LineEfficiencyResult[]> {
  const budget = await requireBudget(ctx, budgetId);
  const lines = (await linesByBudgetId(ctx).load(budget.id)) ?? [];
  const windows = efficiencyWindows(budget.periodStart, budget.periodEnd);
  const linked = [...new Set(lines.flatMap((l) => l.kpiIds))];
  const loaded = linked.length === 0 ? [] : await kpiById(ctx).loadMany(linked);
  const byId = new Map(loaded.filter((k): k is Kpi => k != null && !(k instanceof Error)).map((k) => [k.id, k]));
  const followed = new Map(lines.map((l) => [l.id, l.kpiIds.map((id) => byId.get(id)).find((k) => k) ?? null]));
  const ids = [...new Set([...followed.values()].filter((k): k is Kpi => k != null).map((k) => k.id))];
  const points = await kpiPoints(ctx, ids, addDays(windows.baseline.start, -LONGEST_KPI_PERIOD_DAYS), windows.baseline.end, windows.window.end);
  const figures = lineEfficiencies(
    lines.map((l) => ({ id: l.id, kpiId: followed.get(l.id)?.id ?? null, spent: l.spent })),
    new Map(ids.map((id) => [id, { aggregation: byId.get(id)!.aggregation, grain: byId.get(id)!.grain, points: points.get(id) ?? [] }])),
    windows,
  );
  return lines
    .map((line) => {
      const f = figures.get(line.id)!;
      return {
        line,
        kpi: followed.get(line.id) ?? null,
        spent: roundAmount(line.spent, budget.currency),
        kpiDelta: shown(f.kpiDelta),
        share: shown(f.share),
        attributedChange: shown(f.attributedChange),
        costPerKpiUnit: f.costPerKpiUnit,
        reason: f.reason,
        window: { start: windows.window.start, end: windows.window.end, baselineStart: windows.baseline.start, baselineEnd: windows.baseline.end, days: windows.days },
      };
    })
    .sort((a, b) => compareEfficiency({ ...a, name: a.line.name }, { ...b, name: b.line.name }));
}
