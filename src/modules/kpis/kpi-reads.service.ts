/** KPI reads: one KPI by id or key, lists, trees and what-if projections. */
import Decimal from 'decimal.js';
import { orgId } from '../../common/auth';
import { paginate, type ConnectionArgs, type ConnectionResult, type SortKey } from '../../common/connection';
import type { Context } from '../../common/context';
import { DECIMAL_RANGE, inDecimalRange, RangeDecimal } from '../../common/decimal-range';
import { AppError, badInput, ErrorCode, notFound } from '../../common/errors';
import { toGlobalId } from '../../common/ids';
import { today } from '../../common/periods';
import { refuseArchived } from '../../common/rules';
import { Kpi } from './kpi.entity';
import { kpisByKeys } from './kpi-access';
import { MAX_KPI_KEY_LENGTH, whatIfPeriod } from './kpi-rules';
import { subtrees, valuesAt } from './kpi-state';
import { TreeValues } from './kpi-tree';
import { leanTree, type LeanTreeSelection } from './kpi-tree-read';
import type { KpisFilter, KpiWhatIfInput } from './kpis.inputs';
import { kpiById } from './kpis.loaders';
import type { KpiProjection, KpiTreeNode } from './kpis.types';

export const KPI_SORT: SortKey<Kpi>[] = [
  { column: 'k.created_at', direction: 'ASC', value: (k) => k.createdAt },
  { column: 'k.id', direction: 'ASC', value: (k) => k.id },
];

/**
 * A KPI of the caller's organisation: NOT_FOUND otherwise; with `active`, ARCHIVED when it is
 * archived. `field` names the input that referred to it (`parentId`); without, it is the KPI the
 * mutation acts on.
 */
export async function requireKpi(ctx: Context, id: string, opts: { active?: boolean; field?: string } = {}): Promise<Kpi> {
  const kpi = await kpiById(ctx).load(id);
  if (!kpi) throw notFound('Kpi', toGlobalId('Kpi', id), opts.field);
  if (opts.active && kpi.archivedAt) {
    throw refuseArchived(opts.field ? `KPI ${kpi.key} is archived` : `KPI ${kpi.key} is archived and no longer changes`, opts.field);
  }
  return kpi;
}

/** `kpi(key)`: null when no KPI has this key here. */
export async function kpiByKey(ctx: Context, key: string): Promise<Kpi | null> {
  if (key.length > 200) return null;
  return (await kpisByKeys(ctx, [key])).get(key) ?? null;
}

export async function listKpis(ctx: Context, filter: KpisFilter, page: ConnectionArgs): Promise<ConnectionResult<Kpi>> {
  const qb = ctx.manager.createQueryBuilder(Kpi, 'k').where('k.organization_id = :org', { org: orgId(ctx) });
  qb.andWhere(filter.archived ? 'k.archived_at IS NOT NULL' : 'k.archived_at IS NULL');
  if (filter.layer) qb.andWhere('k.layer = :layer', { layer: filter.layer });
  if (filter.ownerId) qb.andWhere('k.owner_id = :owner', { owner: filter.ownerId });
  if (filter.status) qb.andWhere('k.status = :status', { status: filter.status });
  return paginate(ctx, qb, page, KPI_SORT, 'Query.kpis');
}

/** The organisation's active north star, if any. */
export async function northStar(ctx: Context): Promise<Kpi | null> {
  const [row]: Array<{ id: string }> = await ctx.manager.query(
    `SELECT id FROM kpis WHERE organization_id = $1 AND is_north_star AND archived_at IS NULL`,
    [orgId(ctx)],
  );
  return row ? kpiById(ctx).load(row.id) : null;
}

/** The root of a tree: the active KPI with `rootKey` (NOT_FOUND / ARCHIVED naming it), or the north star. */
export async function treeRoot(ctx: Context, rootKey: string | null | undefined): Promise<Kpi> {
  if (rootKey == null) {
    const root = await northStar(ctx);
    // Nothing to project without a tree: say how to get one, naming the field that would choose it.
    if (!root) throw new AppError(ErrorCode.NOT_FOUND, 'This organisation has no north-star KPI: pass rootKey, or mark a KPI as the north star', { field: 'rootKey' });
    return root;
  }
  const root = rootKey.length > MAX_KPI_KEY_LENGTH ? null : await kpiByKey(ctx, rootKey);
  if (!root) throw notFound(`KPI ${JSON.stringify(rootKey.slice(0, 64))}`, undefined, 'rootKey');
  if (root.archivedAt) throw refuseArchived(`KPI ${root.key} is archived`, 'rootKey');
  return root;
}

/**
 * `kpiTree(rootKey)`: the active KPIs under the root (the north star when omitted), root first,
 * depth first, siblings oldest first, at most MAX_TREE_DEPTH levels. One statement, the root and
 * the latest measurement of each measured KPI included; with `lean` (the operation asks only
 * for what kpi-tree-read.ts serves), only those columns, as text.
 */
export async function kpiTree(ctx: Context, rootKey: string | null | undefined, lean: LeanTreeSelection | null = null): Promise<KpiTreeNode[] | null> {
  if (rootKey != null && rootKey.length > MAX_KPI_KEY_LENGTH) await treeRoot(ctx, rootKey); // no KPI has a longer key: NOT_FOUND without a query
  const roots = rootKey == null ? { northStar: true as const } : { key: rootKey };
  // The columns the operation asks for, in their API form (kpi-tree-read.ts), or the entities.
  const rows = lean ? await leanTree(ctx, roots, lean) : await subtrees(ctx, roots, { withLatest: true });
  if (rows.length === 0) {
    // No north star is a state of the data, not an error: a dashboard reading it beside other fields keeps them.
    if (rootKey == null) return null;
    await treeRoot(ctx, rootKey); // NOT_FOUND / ARCHIVED naming rootKey, as kpiWhatIf
  }
  if (lean) return rows as KpiTreeNode[];
  const keyOf = new Map(rows.map((r) => [r.kpi.id, r.kpi.key]));
  return rows.map((r) => ({ kpi: r.kpi, depth: r.depth, parentKey: r.depth === 0 ? null : keyOf.get(r.kpi.parentId!) ?? null }));
}

/**
 * `kpiWhatIf`: every KPI of the tree with its value for the period, as measured or computed,
 * and with the changes applied (a changed KPI's own value scaled, then every formula above it
 * recomputed). The period is of the root's grain: the one holding `periodStart` (any day of it),
 * or without one the latest complete period (`whatIfPeriod`). Reads only: three statements
 * whatever the size of the tree.
 */
export async function kpiWhatIf(ctx: Context, input: KpiWhatIfInput): Promise<KpiProjection[]> {
  const root = await treeRoot(ctx, input.rootKey);
  const rows = await subtrees(ctx, [root.id]);
  const byKey = new Map(rows.map((r) => [r.kpi.key, r.kpi]));
  const percent = new Map<string, Decimal>();
  const bad: string[] = [];
  for (const c of input.changes) {
    const kpi = byKey.get(c.kpiKey);
    if (!kpi) bad.push(c.kpiKey.slice(0, 64));
    else if (c.percent.lt(-100) || c.percent.gt(10000)) throw badInput(`percent of ${c.kpiKey} must be between -100 and 10000`, 'changes');
    else if (percent.has(kpi.id)) throw badInput(`${c.kpiKey} is changed twice`, 'changes');
    else percent.set(kpi.id, c.percent);
  }
  if (bad.length > 0) throw badInput(`Not in the tree of ${root.key}: ${bad.join(', ')}`, 'changes', { keys: bad });
  const kpis = rows.map((r) => r.kpi);
  const measured = kpis.filter((k) => k.formula == null).map((k) => k.id);
  const periodStart = whatIfPeriod(root.grain, input.periodStart, today());
  const values = await valuesAt(ctx, measured, [periodStart]);
  const valueOf = (id: string) => values.get(id)?.get(periodStart) ?? null;
  const baseline = new TreeValues(kpis, valueOf);
  const projected = new TreeValues(kpis, valueOf, percent);
  return kpis.map((kpi) => {
    const b = baseline.valueOf(kpi.id);
    const p = projected.valueOf(kpi.id);
    if (!b.value || !p.value || b.value.isZero()) return { periodStart, kpi, baseline: b.value, projected: p.value, deltaPercent: null, reason: b.reason ?? p.reason };
    const delta = new RangeDecimal(p.value).minus(b.value).div(b.value.abs()).times(100);
    return inDecimalRange(delta)
      ? { periodStart, kpi, baseline: b.value, projected: p.value, deltaPercent: delta, reason: null }
      : { periodStart, kpi, baseline: b.value, projected: p.value, deltaPercent: null, reason: `Out of range: deltaPercent is out of the Decimal range ${DECIMAL_RANGE}` };
  });
}
