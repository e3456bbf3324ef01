/** KPI values per period bucket, for this module's fields and for other modules (budgets, campaigns). */
import Decimal from 'decimal.js';
import type { Context } from '../../common/context';
import { badInput } from '../../common/errors';
import { primeById } from '../../common/loaders';
import { bucketStarts, Grain, isDay, nextBucket, periodSql } from '../../common/periods';
import { rowShape } from '../../common/rows';
import { Kpi } from './kpi.entity';
import { aggregate, KpiAggregation } from './kpi-rules';
import { treeCte } from './kpi-state';
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
 * other organisations and unknown ids get every bucket null. One statement whatever the number
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
  // The KPIs, every KPI under them, and the bucket sums of the measured ones (one statement).
  const { nodes, values, keys } = await treeAndBuckets(ctx, ids, buckets, grain);
  const byId = new Map(nodes.map((k) => [k.id, k]));
  const formulaIds = new Set(ids.filter((id) => byId.get(id)?.formula != null));
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

/** A bucket of a measured KPI as the statement gives it: start day, sum, count and latest value (as text). */
type Bucket = [string, string, number, string];

/**
 * The active KPIs under `ids` (ids included) in tree order, as `subtrees` gives them (primes
 * `kpiById`), and for every measured KPI read (the ids that are not formula KPIs, whatever their
 * state, and the measured KPIs of the trees): bucket start → aggregated value (possibly outside the
 * Decimal range: `measuredValue` and `TreeValues` make it null with the reason) and its key. One
 * statement: the tree rows, each KPI's buckets on its first row, and the buckets of KPIs outside
 * the trees (archived) on rows of their own.
 */
async function treeAndBuckets(
  ctx: Context,
  ids: readonly string[],
  buckets: readonly string[],
  grain: Grain | `${Grain}`,
): Promise<{ nodes: Kpi[]; values: Map<string, Map<string, Decimal | null>>; keys: Map<string, string> }> {
  const first = buckets[0];
  const end = nextBucket(buckets[buckets.length - 1], grain as Grain);
  const tree = treeCte(ctx, ids);
  const shape = rowShape(ctx.manager.connection, Kpi);
  const rows: Array<Record<string, unknown>> = await ctx.manager.query(
    `${tree.sql},
     nodes AS (SELECT t.id, t.path, row_number() OVER (PARTITION BY t.id ORDER BY t.path) AS nth FROM tree t),
     measured AS (
       (SELECT unnest($2::uuid[]) AS id UNION SELECT id FROM tree)
       EXCEPT SELECT t.id FROM tree t JOIN kpis f ON f.id = t.id WHERE f.formula IS NOT NULL),
     sums AS (
       SELECT m.kpi_id, k.key, k.aggregation, ${periodSql.dayText(periodSql.bucketStart('m.period_start', grain as Grain))} AS bucket,
              sum(m.value)::text AS sum, count(*)::int AS count,
              (array_agg(m.value ORDER BY m.period_start DESC))[1]::text AS last
         FROM kpi_measurements m
         JOIN kpis k ON k.id = m.kpi_id AND k.organization_id = m.organization_id
        WHERE m.organization_id = $1 AND m.kpi_id = ANY(ARRAY(SELECT id FROM measured))
          AND m.period_start >= $4::date AND m.period_start < $5::date
        GROUP BY m.kpi_id, k.key, k.aggregation, 4),
     per_kpi AS (SELECT kpi_id, key, aggregation, json_agg(json_build_array(bucket, sum, count, last)) AS buckets FROM sums GROUP BY 1, 2, 3)
     SELECT ${shape.columns('k')}, s.kpi_id AS s_kpi_id, s.key AS s_key, s.aggregation AS s_aggregation, s.buckets AS s_buckets
       FROM (nodes t JOIN kpis k ON k.id = t.id)
       FULL JOIN per_kpi s ON s.kpi_id = (CASE WHEN t.nth = 1 THEN t.id END)
      ORDER BY t.path NULLS LAST`,
    [...tree.params, first, end],
  );
  const nodes: Kpi[] = [];
  const values = new Map<string, Map<string, Decimal | null>>();
  const keys = new Map<string, string>();
  for (const r of rows) {
    if (r.id != null) nodes.push(shape.map(r));
    if (r.s_kpi_id == null) continue;
    const id = r.s_kpi_id as string;
    const aggregation = r.s_aggregation as KpiAggregation;
    const m = new Map<string, Decimal | null>();
    values.set(id, m);
    keys.set(id, r.s_key as string);
    // A sum of many measurements may leave the Decimal range: kept here, so that the reader says so (no value rather than one the API could not take back).
    for (const [bucket, sum, count, last] of r.s_buckets as Bucket[]) m.set(bucket, aggregate(aggregation, new Decimal(sum), count, new Decimal(last)));
  }
  primeById(ctx, Kpi, nodes);
  return { nodes, values, keys };
}
