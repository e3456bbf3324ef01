/**
 * Reading KPI trees and keeping each KPI's stored latest value and status. Every function here
 * costs a fixed number of statements, whatever the size of the trees or the length of history.
 */
import Decimal from 'decimal.js';
import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { defineLoader, primeById } from '../../common/loaders';
import { rowShape } from '../../common/rows';
import { Kpi, KpiMeasurement } from './kpi.entity';
import { statusOf, type KpiStatus } from './kpi-rules';
import { storedFormulaKeys } from './kpi-formula';
import { TreeValues } from './kpi-tree';
import { kpiById, latestMeasurementOfKpi } from './kpis.loaders';

/** A tree deeper than this is refused when built (moveKpi/createKpi) and cut when read. */
export const MAX_TREE_DEPTH = 30;

/** Latest measurements read with a tree (`subtrees(…, { withLatest: true })`), served by `Kpi.latest` without another statement. */
export const preloadedLatest = new WeakMap<Kpi, KpiMeasurement | null>();

export interface TreeRow {
  kpi: Kpi;
  depth: number;
}

export type TreeRoots = readonly string[] | { key: string } | { northStar: true };

/**
 * `WITH RECURSIVE tree(id, key, depth, parent_key, path)`: the active KPIs under the roots (by
 * id, by key, or the north star, read in the same statement), `path` ordering them depth first,
 * siblings oldest first, cut at MAX_TREE_DEPTH. Parameters $1–$3 are `params`.
 */
export function treeCte(ctx: Context, roots: TreeRoots): { sql: string; params: unknown[] } {
  const [rootCondition, rootParam] = Array.isArray(roots)
    ? ['k.id = ANY($2::uuid[])', roots]
    : 'key' in roots
      ? ['k.key = $2::text', (roots as { key: string }).key]
      : ['($2::text IS NULL AND k.is_north_star)', null];
  return {
    sql: `WITH RECURSIVE tree AS (
       SELECT k.id, k.key, 0 AS depth, NULL::text AS parent_key, ARRAY[to_char(k.created_at AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISSUS') || k.id::text] AS path
         FROM kpis k WHERE k.organization_id = $1 AND ${rootCondition} AND k.archived_at IS NULL
       UNION ALL
       SELECT c.id, c.key, t.depth + 1, t.key::text, t.path || (to_char(c.created_at AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISSUS') || c.id::text)
         FROM tree t JOIN kpis c ON c.organization_id = $1 AND c.parent_id = t.id AND c.archived_at IS NULL
        WHERE t.depth < $3)`,
    params: [orgId(ctx), rootParam, MAX_TREE_DEPTH],
  };
}

/**
 * The active KPIs under each root (roots included, depth 0), in tree order: depth first,
 * siblings oldest first. One statement (recursive CTE); primes `kpiById`.
 */
export async function subtrees(
  ctx: Context,
  roots: TreeRoots,
  opts: { withLatest?: boolean } = {},
): Promise<TreeRow[]> {
  if (Array.isArray(roots) && roots.length === 0) return [];
  const tree = treeCte(ctx, roots);
  const shape = rowShape(ctx.manager.connection, Kpi);
  const measurement = rowShape(ctx.manager.connection, KpiMeasurement);
  // With the latest measurement of each measured KPI (one index probe each), for `Kpi.latest`.
  const latest = opts.withLatest
    ? { select: `, ${measurement.columns('lm', 'm_')}`, join: `LEFT JOIN LATERAL (
         SELECT ${measurement.columns('m')} FROM kpi_measurements m
          WHERE m.organization_id = k.organization_id AND m.kpi_id = k.id AND k.formula IS NULL
          ORDER BY m.period_start DESC LIMIT 1) lm ON true` }
    : { select: '', join: '' };
  const rows: Array<Record<string, unknown>> = await ctx.manager.query(
    `${tree.sql}
     SELECT ${shape.columns('k')}, t.depth${latest.select} FROM tree t JOIN kpis k ON k.id = t.id ${latest.join} ORDER BY t.path`,
    tree.params,
  );
  const out = rows.map((r) => {
    const kpi = shape.map(r);
    if (opts.withLatest && kpi.formula == null) preloadedLatest.set(kpi, r.m_id == null ? null : measurement.map(r, 'm_'));
    return { kpi, depth: Number(r.depth) };
  });
  primeById(
    ctx,
    Kpi,
    out.map((r) => r.kpi),
  );
  return out;
}

/** kpi id → period start → value, for these KPIs and periods. One statement. */
export async function valuesAt(ctx: Context, kpiIds: readonly string[], periods: readonly string[]): Promise<Map<string, Map<string, Decimal>>> {
  const out = new Map<string, Map<string, Decimal>>();
  if (kpiIds.length === 0 || periods.length === 0) return out;
  const rows: Array<{ kpi_id: string; period: string; value: string }> = await ctx.manager.query(
    `SELECT kpi_id, to_char(period_start, 'YYYY-MM-DD') AS period, value::text AS value FROM kpi_measurements
      WHERE organization_id = $1 AND kpi_id = ANY($2::uuid[]) AND period_start = ANY($3::date[])`,
    [orgId(ctx), kpiIds, periods],
  );
  for (const r of rows) {
    let m = out.get(r.kpi_id);
    if (!m) out.set(r.kpi_id, (m = new Map()));
    m.set(r.period, new Decimal(r.value));
  }
  return out;
}

export interface Evaluated {
  value: Decimal | null;
  reason: string | null;
}

/**
 * The value of each KPI (any, formula or measured) in each period, with the reason when null.
 * Three statements at most: the formula KPIs' subtrees, then the measurements of every measured
 * KPI involved in those periods.
 */
export async function evaluateAt(ctx: Context, kpis: readonly Kpi[], periods: readonly string[]): Promise<Map<string, Map<string, Evaluated>>> {
  const formulaIds = kpis.filter((k) => k.formula != null).map((k) => k.id);
  const nodes = new Map<string, Kpi>(kpis.map((k) => [k.id, k]));
  for (const r of await subtrees(ctx, formulaIds)) nodes.set(r.kpi.id, r.kpi);
  const measuredIds = [...nodes.values()].filter((k) => k.formula == null).map((k) => k.id);
  const values = await valuesAt(ctx, measuredIds, periods);
  const out = new Map<string, Map<string, Evaluated>>();
  const all = [...nodes.values()];
  for (const period of new Set(periods)) {
    const tree = new TreeValues(all, (id) => values.get(id)?.get(period) ?? null);
    for (const k of kpis) {
      let m = out.get(k.id);
      if (!m) out.set(k.id, (m = new Map()));
      m.set(period, tree.valueOf(k.id));
    }
  }
  return out;
}

export interface LatestChange {
  kpi: Kpi;
  before: { period: string | null; value: Decimal | null };
  after: { period: string | null; value: Decimal | null; status: KpiStatus };
}

/**
 * Recomputes the stored latest period, value and status of these KPIs and of every KPI above
 * them (a formula over them may change), and stores those that changed. The latest value of a
 * measured KPI is its most recent measurement; of a formula KPI, its formula at the most recent
 * period any measured KPI its formula reads (through formulas below) has a value for (null, with NO_DATA, when an input is missing
 * then). Six statements at most, whatever the size of the tree. Returns what changed.
 */
export async function refreshKpiState(tx: Context, kpiIds: readonly string[]): Promise<LatestChange[]> {
  if (kpiIds.length === 0) return [];
  const chain = await ancestorsAndSelf(tx, kpiIds);
  const formulas = chain.filter((k) => k.formula != null);
  const below = await subtrees(tx, formulas.map((k) => k.id));
  const nodes = new Map<string, Kpi>(chain.map((k) => [k.id, k]));
  for (const r of below) nodes.set(r.kpi.id, r.kpi);
  const measured = [...nodes.values()].filter((k) => k.formula == null);
  const latest = await latestMeasurementOfKpi.latestOf(tx, measured.map((k) => k.id));
  // A formula KPI's latest period: the most recent period of any measured KPI its formula reads.
  const childrenOf = new Map<string, Kpi[]>();
  for (const k of nodes.values()) {
    if (k.parentId && nodes.has(k.parentId)) childrenOf.set(k.parentId, [...(childrenOf.get(k.parentId) ?? []), k]);
  }
  const latestPeriodOf = (k: Kpi, seen = new Set<string>()): string | null => {
    if (seen.has(k.id)) return null;
    seen.add(k.id);
    if (k.formula == null) return latest.get(k.id)?.periodStart ?? null;
    // Only the children the formula reads: a child outside it has no say in the latest period.
    const inputs = inputKeys(k.formula);
    let best: string | null = null;
    for (const c of (childrenOf.get(k.id) ?? []).filter((child) => inputs.has(child.key))) {
      const p = latestPeriodOf(c, seen);
      if (p && (!best || p > best)) best = p;
    }
    return best;
  };
  const periodOf = new Map(formulas.map((k) => [k.id, latestPeriodOf(k)]));
  const periods = [...new Set([...periodOf.values()].filter((p): p is string => p != null))];
  const values = await valuesAt(tx, measured.map((k) => k.id), periods);
  const trees = new Map(periods.map((p) => [p, new TreeValues([...nodes.values()], (id) => values.get(id)?.get(p) ?? null)]));
  const changes: LatestChange[] = [];
  for (const k of chain) {
    let period: string | null;
    let value: Decimal | null;
    if (k.formula == null) {
      const m = latest.get(k.id);
      period = m?.periodStart ?? null;
      value = m?.value ?? null;
    } else {
      period = periodOf.get(k.id) ?? null;
      value = period ? trees.get(period)!.valueOf(k.id).value : null;
    }
    const status = statusOf(k, value);
    const same = k.latestPeriod === period && eq(k.latestValue, value) && k.status === status;
    if (!same) changes.push({ kpi: k, before: { period: k.latestPeriod, value: k.latestValue }, after: { period, value, status } });
  }
  if (changes.length > 0) {
    await tx.manager.query(
      `UPDATE kpis k SET latest_period = u.period, latest_value = u.value, status = u.status
         FROM unnest($2::uuid[], $3::date[], $4::numeric[], $5::text[]) AS u(id, period, value, status)
        WHERE k.organization_id = $1 AND k.id = u.id`,
      [
        orgId(tx),
        changes.map((c) => c.kpi.id),
        changes.map((c) => c.after.period),
        changes.map((c) => c.after.value?.toFixed() ?? null),
        changes.map((c) => c.after.status),
      ],
    );
    for (const c of changes) Object.assign(c.kpi, { latestPeriod: c.after.period, latestValue: c.after.value, status: c.after.status });
    primeById(tx, Kpi, changes.map((c) => c.kpi), { replace: true });
  }
  return changes;
}

/** The keys a (saved, so valid) formula reads; none if it no longer parses. */
function inputKeys(formula: string): Set<string> {
  try {
    return new Set(storedFormulaKeys(formula));
  } catch {
    return new Set();
  }
}

const eq = (a: Decimal | null, b: Decimal | null) => (a == null || b == null ? a === b : a.eq(b));

/** These active KPIs and every active KPI above them. One statement. */
export async function ancestorsAndSelf(ctx: Context, kpiIds: readonly string[]): Promise<Kpi[]> {
  const shape = rowShape(ctx.manager.connection, Kpi);
  const rows: Array<Record<string, unknown>> = await ctx.manager.query(
    `WITH RECURSIVE up AS (
       SELECT k.id, k.parent_id, 0 AS depth FROM kpis k
        WHERE k.organization_id = $1 AND k.id = ANY($2::uuid[]) AND k.archived_at IS NULL
       UNION
       SELECT p.id, p.parent_id, u.depth + 1 FROM up u JOIN kpis p ON p.organization_id = $1 AND p.id = u.parent_id AND p.archived_at IS NULL
        WHERE u.depth < $3)
     SELECT ${shape.columns('k')} FROM kpis k WHERE k.id IN (SELECT id FROM up) ORDER BY k.id`,
    [orgId(ctx), kpiIds, MAX_TREE_DEPTH],
  );
  return rows.map((r) => shape.map(r));
}

/**
 * Serialises changes of parent (moveKpi) within an organisation for the rest of the transaction:
 * two crossing moves (X under Y, Y under X) would each find no cycle in what the other has not
 * committed yet. Taken before anything else is read or locked; under it, every statement sees the
 * parent links the moves before committed (READ COMMITTED), so the second one finds the cycle.
 * A transaction-level advisory lock, released at commit or rollback; writers that do not change
 * parents (recordings) do not take it.
 */
export async function lockKpiMoves(tx: Context): Promise<void> {
  await tx.manager.query(`SELECT pg_advisory_xact_lock(hashtext('plangraph.kpi-tree-moves'), hashtext($1))`, [orgId(tx)]);
}

/**
 * `Kpi.valueAt(periodStart)` and `Kpi.valueReason(periodStart)`, batched across KPIs and
 * periods: key `<kpi uuid>|<YYYY-MM-DD>`. Four statements per batch at most (the KPIs, the
 * formula subtrees, the measurements).
 */
export const kpiValueAt = defineLoader<string, Evaluated>('kpis.valueAt', async (ctx, keys) => {
  if (!ctx.organizationId) return keys.map(() => null);
  const pairs = keys.map((k) => k.split('|') as [string, string]);
  const kpis = (await kpiById(ctx).loadMany([...new Set(pairs.map(([id]) => id))])).filter((k): k is Kpi => k instanceof Kpi);
  const values = await evaluateAt(ctx, kpis, [...new Set(pairs.map(([, p]) => p))]);
  return pairs.map(([id, p]) => values.get(id)?.get(p) ?? null);
});
