/** KPI definitions: create, update, move, archive, and the read side (lists, trees, what-if). */
import Decimal from 'decimal.js';
import { ADMINS, requireRole } from '../../common/access';
import { orgId } from '../../common/auth';
import { paginate, type ConnectionArgs, type ConnectionResult, type SortKey } from '../../common/connection';
import type { Context } from '../../common/context';
import { DECIMAL_RANGE, inDecimalRange, RangeDecimal } from '../../common/decimal-range';
import { badInput, notFound } from '../../common/errors';
import { toGlobalId } from '../../common/ids';
import { refuseArchived } from '../../common/rules';
import { withIdempotency } from '../../db/idempotency';
import { lockIds } from '../../db/locks';
import { withTransaction } from '../../db/transaction';
import { createRecorded, updateRecorded } from '../audit';
import { requireOrgUser } from '../identity';
import { Kpi } from './kpi.entity';
import { checkFormula, formulaKeys, parseFormula, storedFormulaKeys } from './kpi-formula';
import { KPI_KEY, KpiAggregation, KpiDirection, validateLimits } from './kpi-rules';
import { ancestorsAndSelf, lockKpiMoves, refreshKpiState, subtrees, valuesAt, MAX_TREE_DEPTH } from './kpi-state';
import { TreeValues } from './kpi-tree';
import type {
  ArchiveKpiInput,
  CreateKpiInput,
  KpiRangeInput,
  KpisFilter,
  KpiThresholdsInput,
  KpiWhatIfInput,
  MoveKpiInput,
  UpdateKpiInput,
} from './kpis.inputs';
import { kpiById } from './kpis.loaders';
import type { KpiProjection, KpiTreeNode } from './kpis.types';
import { kpisByKeys } from './kpi-access';
import { announceLatestChanged } from './kpi-latest-hook';

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
async function northStar(ctx: Context): Promise<Kpi | null> {
  const [row]: Array<{ id: string }> = await ctx.manager.query(
    `SELECT id FROM kpis WHERE organization_id = $1 AND is_north_star AND archived_at IS NULL`,
    [orgId(ctx)],
  );
  return row ? kpiById(ctx).load(row.id) : null;
}

/** The root of a tree: the active KPI with `rootKey`, or the north star. */
async function treeRoot(ctx: Context, rootKey: string | null | undefined): Promise<Kpi> {
  if (rootKey == null) {
    const root = await northStar(ctx);
    if (!root) throw notFound('North-star KPI');
    return root;
  }
  const root = await kpiByKey(ctx, rootKey);
  if (!root || root.archivedAt) throw badInput(`No active KPI has the key ${JSON.stringify(rootKey.slice(0, 64))}`, 'rootKey');
  return root;
}

/**
 * `kpiTree(rootKey)`: the active KPIs under the root (the north star when omitted), root first,
 * depth first, siblings oldest first, at most MAX_TREE_DEPTH levels. One statement, the root and
 * the latest measurement of each measured KPI included.
 */
export async function kpiTree(ctx: Context, rootKey: string | null | undefined): Promise<KpiTreeNode[]> {
  if (rootKey != null && rootKey.length > 200) throw badInput('No active KPI has this key', 'rootKey');
  const rows = await subtrees(ctx, rootKey == null ? { northStar: true } : { key: rootKey }, { withLatest: true });
  if (rows.length === 0) await treeRoot(ctx, rootKey); // NOT_FOUND / BAD_USER_INPUT, as kpiWhatIf
  const keyOf = new Map(rows.map((r) => [r.kpi.id, r.kpi.key]));
  return rows.map((r) => ({ kpi: r.kpi, depth: r.depth, parentKey: r.depth === 0 ? null : keyOf.get(r.kpi.parentId!) ?? null }));
}

/**
 * `kpiWhatIf`: every KPI of the tree with its value for the period, as measured or computed,
 * and with the changes applied (a changed KPI's own value scaled, then every formula above it
 * recomputed). Reads only: three statements whatever the size of the tree.
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
  const values = await valuesAt(ctx, measured, [input.periodStart]);
  const valueOf = (id: string) => values.get(id)?.get(input.periodStart) ?? null;
  const baseline = new TreeValues(kpis, valueOf);
  const projected = new TreeValues(kpis, valueOf, percent);
  return kpis.map((kpi) => {
    const b = baseline.valueOf(kpi.id);
    const p = projected.valueOf(kpi.id);
    if (!b.value || !p.value || b.value.isZero()) return { kpi, baseline: b.value, projected: p.value, deltaPercent: null, reason: b.reason ?? p.reason };
    const delta = new RangeDecimal(p.value).minus(b.value).div(b.value.abs()).times(100);
    return inDecimalRange(delta)
      ? { kpi, baseline: b.value, projected: p.value, deltaPercent: delta, reason: null }
      : { kpi, baseline: b.value, projected: p.value, deltaPercent: null, reason: `Out of range: deltaPercent is out of the Decimal range ${DECIMAL_RANGE}` };
  });
}

// ------------------------------------------------------------------ writes

function limitsOf(range: KpiRangeInput | null | undefined, thresholds: KpiThresholdsInput | null | undefined) {
  return {
    normalMin: range?.min ?? null,
    normalMax: range?.max ?? null,
    warningBelow: thresholds?.warningBelow ?? null,
    criticalBelow: thresholds?.criticalBelow ?? null,
    warningAbove: thresholds?.warningAbove ?? null,
    criticalAbove: thresholds?.criticalAbove ?? null,
  };
}

/** The formula checked against the KPI's own active children (BAD_USER_INPUT naming the problem). */
async function checkedFormula(tx: Context, kpi: { id: string | null; key: string }, text: string | null | undefined): Promise<string | null> {
  const formula = text?.trim() || null;
  if (formula == null) return null;
  const keys = formulaKeys(parseFormula(formula));
  const known = await kpisByKeys(tx, keys);
  const children =
    kpi.id == null
      ? []
      : ((await tx.manager.query(`SELECT key FROM kpis WHERE organization_id = $1 AND parent_id = $2 AND archived_at IS NULL`, [
          orgId(tx),
          kpi.id,
        ])) as Array<{ key: string }>).map((r) => r.key);
  checkFormula(formula, kpi.key, children, new Set([...known.values()].filter((k) => !k.archivedAt).map((k) => k.key)));
  return formula;
}

async function assertNoOtherNorthStar(tx: Context, id: string | null): Promise<void> {
  const current = await northStar(tx);
  if (current && current.id !== id) {
    throw badInput(`The organisation already has a north star (${current.key}): unset it first`, 'isNorthStar');
  }
}

/** The parent's formula must not use `kpi` when it leaves (moved or archived). */
async function assertParentFormulaDoesNotUse(tx: Context, kpi: Kpi, action: string): Promise<void> {
  if (!kpi.parentId) return;
  const parent = await kpiById(tx).load(kpi.parentId);
  if (parent?.formula && !parent.archivedAt && storedFormulaKeys(parent.formula).includes(kpi.key)) {
    throw badInput(`The formula of ${parent.key} (${parent.formula}) uses ${kpi.key}: change it before you ${action} ${kpi.key}`, 'id');
  }
}

/** Depth of the KPI in its tree (0 for a root). One statement. */
async function depthOf(tx: Context, id: string): Promise<number> {
  return (await ancestorsAndSelf(tx, [id])).length - 1;
}

export async function createKpi(ctx: Context, input: CreateKpiInput) {
  return withIdempotency(ctx, 'createKpi', input, async (tx) => {
    requireRole(tx, ADMINS, 'define KPIs');
    if (!KPI_KEY.test(input.key)) throw badInput('key must be a lower-case slug (e.g. conversion_rate)', 'key');
    const existing = (await kpisByKeys(tx, [input.key])).get(input.key);
    if (existing) throw badInput(`The key ${input.key} is already used by ${existing.name}${existing.archivedAt ? ' (archived)' : ''}`, 'key');
    const parent = input.parentId ? await requireKpi(tx, input.parentId, { active: true, field: 'parentId' }) : null;
    if (input.isNorthStar) {
      if (parent) throw badInput('A north star has no parent', 'parentId');
      await assertNoOtherNorthStar(tx, null);
    }
    if (parent && (await depthOf(tx, parent.id)) + 1 >= MAX_TREE_DEPTH) throw badInput(`A KPI tree has at most ${MAX_TREE_DEPTH} levels`, 'parentId');
    const limits = limitsOf(input.normalRange, input.thresholds);
    const direction = input.direction ?? KpiDirection.HIGHER_IS_BETTER;
    validateLimits({ direction, ...limits });
    const formula = await checkedFormula(tx, { id: null, key: input.key }, input.formula);
    const ownerId = input.ownerId ? (await requireOrgUser(tx, input.ownerId, 'ownerId')).userId : null;
    const kpi = await createRecorded(
      tx,
      Kpi,
      {
        organizationId: orgId(tx),
        key: input.key,
        name: input.name.trim(),
        definition: input.definition?.trim() ?? '',
        unit: input.unit?.trim() || null,
        layer: input.layer,
        direction,
        aggregation: input.aggregation ?? KpiAggregation.SUM,
        formula,
        parentId: parent?.id ?? null,
        ownerId,
        isNorthStar: Boolean(input.isNorthStar),
        ...limits,
        latestPeriod: null,
        latestValue: null,
        status: statusNoData,
        version: 1,
        archivedAt: null,
      },
      { action: 'kpi.created', meta: (row) => ({ kpiId: row.id }), prime: kpiById },
    );
    if (formula) await refreshKpiState(tx, [kpi.id]);
    return { kpi };
  });
}

const statusNoData = 'NO_DATA' as Kpi['status'];

export async function updateKpi(ctx: Context, input: UpdateKpiInput) {
  return withTransaction(ctx, async (tx) => {
    requireRole(tx, ADMINS, 'change KPI definitions');
    const kpi = await requireKpi(tx, input.id, { active: true });
    await lockIds(tx, Kpi, [kpi.id]);
    const set: Partial<Kpi> = {};
    if (input.name) set.name = input.name.trim();
    if (input.definition !== undefined) set.definition = input.definition?.trim() ?? '';
    if (input.unit !== undefined) set.unit = input.unit?.trim() || null;
    if (input.layer) set.layer = input.layer;
    if (input.direction) set.direction = input.direction;
    if (input.aggregation) set.aggregation = input.aggregation;
    if (input.formula !== undefined) set.formula = await checkedFormula(tx, kpi, input.formula);
    if (input.ownerId !== undefined) set.ownerId = input.ownerId === null ? null : (await requireOrgUser(tx, input.ownerId, 'ownerId')).userId;
    if (input.isNorthStar !== undefined && input.isNorthStar !== kpi.isNorthStar) {
      if (input.isNorthStar) {
        if (kpi.parentId) throw badInput('A north star has no parent: move it to the root first', 'isNorthStar');
        await assertNoOtherNorthStar(tx, kpi.id);
      }
      set.isNorthStar = input.isNorthStar;
    }
    if (input.normalRange !== undefined) Object.assign(set, { normalMin: input.normalRange?.min ?? null, normalMax: input.normalRange?.max ?? null });
    if (input.thresholds !== undefined) {
      const t = limitsOf(null, input.thresholds);
      Object.assign(set, { warningBelow: t.warningBelow, criticalBelow: t.criticalBelow, warningAbove: t.warningAbove, criticalAbove: t.criticalAbove });
    }
    validateLimits({ ...kpi, ...set });
    const updated = await updateRecorded(tx, Kpi, kpi, input.expectedVersion, set, {
      action: 'kpi.updated',
      meta: { kpiId: kpi.id },
      prime: kpiById,
      what: 'This KPI',
    });
    if ('formula' in set || 'direction' in set || 'normalMin' in set || 'warningBelow' in set) {
      // A new formula may change the latest value: key results following it check in.
      await announceLatestChanged(tx, await refreshKpiState(tx, [updated.id]));
    }
    return { kpi: (await kpiById(tx).load(updated.id))! };
  });
}

/**
 * Moves a KPI (and its subtree) under another parent, or to the root. Refused when the new
 * parent is the KPI or under it (a cycle), when its old parent's formula uses it, for the north
 * star, or beyond MAX_TREE_DEPTH levels. Moves of an organisation queue on one lock, taken before
 * the KPIs are read, so the cycle check sees every move committed before it.
 */
export async function moveKpi(ctx: Context, input: MoveKpiInput) {
  return withTransaction(ctx, async (tx) => {
    requireRole(tx, ADMINS, 'move KPIs');
    await lockKpiMoves(tx);
    kpiById(tx).clear(input.id);
    if (input.parentId) kpiById(tx).clear(input.parentId);
    const kpi = await requireKpi(tx, input.id, { active: true });
    const parent = input.parentId ? await requireKpi(tx, input.parentId, { active: true, field: 'parentId' }) : null;
    if ((parent?.id ?? null) === kpi.parentId) return { kpi };
    if (parent && kpi.isNorthStar) throw badInput('The north star has no parent', 'parentId');
    const newChain = parent ? await ancestorsAndSelf(tx, [parent.id]) : [];
    if (newChain.some((k) => k.id === kpi.id)) {
      throw badInput(`Moving ${kpi.key} under ${parent!.key} would make a cycle: ${parent!.key} is ${kpi.key} or under it`, 'parentId');
    }
    await lockIds(tx, Kpi, [kpi.id, ...(kpi.parentId ? [kpi.parentId] : []), ...newChain.map((k) => k.id)], { required: false });
    await assertParentFormulaDoesNotUse(tx, kpi, 'move');
    if (parent) {
      const below = await subtrees(tx, [kpi.id]);
      const height = Math.max(0, ...below.map((r) => r.depth));
      if (newChain.length + height >= MAX_TREE_DEPTH) throw badInput(`A KPI tree has at most ${MAX_TREE_DEPTH} levels`, 'parentId');
    }
    const oldParentId = kpi.parentId;
    const updated = await updateRecorded(tx, Kpi, kpi, input.expectedVersion ?? null, { parentId: parent?.id ?? null }, {
      action: 'kpi.moved',
      meta: { kpiId: kpi.id },
      prime: kpiById,
      what: 'This KPI',
    });
    await refreshKpiState(tx, [oldParentId, parent?.id].filter((id): id is string => Boolean(id)));
    return { kpi: updated };
  });
}

/** Archives a KPI: refused while it has active children or its parent's formula uses it. */
export async function archiveKpi(ctx: Context, input: ArchiveKpiInput) {
  return withTransaction(ctx, async (tx) => {
    requireRole(tx, ADMINS, 'archive KPIs');
    const kpi = await requireKpi(tx, input.id, { active: true });
    await lockIds(tx, Kpi, [kpi.id, ...(kpi.parentId ? [kpi.parentId] : [])], { required: false });
    const [child]: Array<{ key: string }> = await tx.manager.query(
      `SELECT key FROM kpis WHERE organization_id = $1 AND parent_id = $2 AND archived_at IS NULL LIMIT 1`,
      [orgId(tx), kpi.id],
    );
    if (child) throw badInput(`${kpi.key} still has active children (${child.key}…): move or archive them first`, 'id');
    await assertParentFormulaDoesNotUse(tx, kpi, 'archive');
    const updated = await updateRecorded(tx, Kpi, kpi, input.expectedVersion, { archivedAt: new Date(), isNorthStar: false }, {
      action: 'kpi.archived',
      meta: { kpiId: kpi.id },
      prime: kpiById,
      what: 'This KPI',
    });
    if (kpi.parentId) await refreshKpiState(tx, [kpi.parentId]);
    return { kpi: updated };
  });
}

