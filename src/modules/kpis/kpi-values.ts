/** KPI values per period bucket, for this module's fields and for other modules (budgets, campaigns). */
import Decimal from 'decimal.js';
import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { badInput } from '../../common/errors';
import { bucketStarts, Grain, isDay, nextBucket, periodSql } from '../../common/periods';
import { aggregate, KpiAggregation } from './kpi-rules';
import { subtrees } from './kpi-state';
import { measuredValue, TreeValues } from './kpi-tree';

export interface PeriodValue {
  periodStart: string;
  value: Decimal | null;
  /** Why `value` is null (the reasons of `Kpi.valueReason`: no measurement, an input without a value, a division by zero, out of the Decimal range); null with a value. */
  reason: string | null;
}

/**
 * For each KPI (uuid), one entry per bucket of `grain` (src/common/periods.ts: an ISO week from
 * Monday, a calendar month…; periodStart is the bucket's first day) from the bucket of `from` to the bucket of `to` inclusive: the KPI's
 * measurements whose period starts in the bucket, combined by its aggregation (SUM, AVERAGE,
 * LAST), or null when there are none or the result is outside the Decimal range. A formula KPI's
 * value for a bucket is its formula over its children's values for that bucket (null when an
 * input has none, a divisor is 0 or a value leaves the Decimal range). A null value comes with
 * its reason (the formula evaluator's, as `Kpi.valueReason` gives it). KPIs of
 * other organisations and unknown ids get every bucket null. Two statements whatever the number
 * of KPIs, the depth of their trees and the number of measurements.
 */
export async function kpiValuesByPeriod(
  ctx: Context,
  kpiIds: readonly string[],
  from: string,
  to: string,
  grain: Grain | `${Grain}`,
): Promise<Map<string, PeriodValue[]>> {
  if (!isDay(from) || !isDay(to)) throw badInput('from and to must be dates written YYYY-MM-DD');
  if (!Object.values(Grain).includes(grain as Grain)) throw badInput(`grain must be one of ${Object.values(Grain).join(', ')}`);
  // More than MAX_BUCKETS is the caller's input: a RuleViolation (BAD_USER_INPUT, extensions.max).
  const buckets = bucketStarts(from, to, grain as Grain);
  const result = new Map<string, PeriodValue[]>();
  const ids = [...new Set(kpiIds)];
  if (ids.length === 0) return result;
  if (buckets.length === 0) {
    for (const id of ids) result.set(id, []);
    return result;
  }
  // The KPIs and, under formula KPIs, every KPI their formulas read (one statement).
  const nodes = (await subtrees(ctx, ids)).map((r) => r.kpi);
  const byId = new Map(nodes.map((k) => [k.id, k]));
  const formulaIds = new Set(ids.filter((id) => byId.get(id)?.formula != null));
  const measured = [...new Set([...ids.filter((id) => !formulaIds.has(id)), ...nodes.filter((k) => k.formula == null).map((k) => k.id)])];
  const { values, keys } = await bucketValues(ctx, measured, buckets, grain);
  // A formula KPI's value for a bucket: its formula over its children's values for the bucket.
  const trees = formulaIds.size === 0 ? null : buckets.map((b) => new TreeValues(nodes, (id) => values.get(id)?.get(b) ?? null));
  for (const id of ids) {
    const byBucket = values.get(id);
    const key = byId.get(id)?.key ?? keys.get(id) ?? id;
    result.set(
      id,
      buckets.map((periodStart, i) => ({
        periodStart,
        ...(formulaIds.has(id) ? trees![i].valueOf(id) : measuredValue(key, byBucket?.get(periodStart) ?? null)),
      })),
    );
  }
  return result;
}

interface BucketRow {
  kpi_id: string;
  key: string;
  aggregation: KpiAggregation;
  bucket: string;
  sum: string;
  count: number;
  last: string;
}

/**
 * kpi id → bucket start → aggregated value (possibly outside the Decimal range: `measuredValue`
 * and `TreeValues` make it null with the reason), and the keys of the KPIs read, from one statement.
 */
async function bucketValues(
  ctx: Context,
  ids: readonly string[],
  buckets: readonly string[],
  grain: Grain | `${Grain}`,
): Promise<{ values: Map<string, Map<string, Decimal | null>>; keys: Map<string, string> }> {
  const first = buckets[0];
  const end = nextBucket(buckets[buckets.length - 1], grain as Grain);
  const rows: BucketRow[] = await ctx.manager.query(
    `SELECT m.kpi_id, k.key, k.aggregation, ${periodSql.dayText(periodSql.bucketStart('m.period_start', grain as Grain))} AS bucket,
            sum(m.value)::text AS sum, count(*)::int AS count,
            (array_agg(m.value ORDER BY m.period_start DESC))[1]::text AS last
       FROM kpi_measurements m
       JOIN kpis k ON k.id = m.kpi_id AND k.organization_id = m.organization_id
      WHERE m.organization_id = $1 AND m.kpi_id = ANY($2::uuid[])
        AND m.period_start >= $3::date AND m.period_start < $4::date
      GROUP BY m.kpi_id, k.key, k.aggregation, 4`,
    [orgId(ctx), ids, first, end],
  );
  const values = new Map<string, Map<string, Decimal | null>>();
  const keys = new Map<string, string>();
  for (const r of rows) {
    let m = values.get(r.kpi_id);
    if (!m) values.set(r.kpi_id, (m = new Map()));
    keys.set(r.kpi_id, r.key);
    // A sum of many measurements may leave the Decimal range: kept here, so that the reader says so (no value rather than one the API could not take back).
    m.set(r.bucket, aggregate(r.aggregation, new Decimal(r.sum), r.count, new Decimal(r.last)));
  }
  return { values, keys };
}

