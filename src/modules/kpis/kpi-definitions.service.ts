/** KPI definitions: create, update, move, archive (OWNER/ADMIN). */
import { ADMINS, requireRole } from '../../common/access';
import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { badInput } from '../../common/errors';
import { Grain, periodSql } from '../../common/periods';
import { lockIds } from '../../db/locks';
import { withIdempotency } from '../../db/idempotency';
import { withTransaction } from '../../db/transaction';
import { createRecorded, updateRecorded } from '../audit';
import { requireOrgUser } from '../identity';
import { Kpi } from './kpi.entity';
import { kpisByKeys } from './kpi-access';
import { checkFormula, formulaKeys, parseFormula, storedFormulaKeys } from './kpi-formula';
import { announceLatestChanged } from './kpi-latest-hook';
import { northStar, requireKpi } from './kpi-reads.service';
import { checkFormulaGrains, checkKpiGrain, grainAdverb, KPI_KEY, KpiAggregation, KpiDirection, validateLimits } from './kpi-rules';
import { ancestorsAndSelf, lockKpiMoves, refreshKpiState, subtrees, MAX_TREE_DEPTH } from './kpi-state';
import type { ArchiveKpiInput, CreateKpiInput, KpiRangeInput, KpiThresholdsInput, MoveKpiInput, UpdateKpiInput } from './kpis.inputs';
import { kpiById } from './kpis.loaders';

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

/**
 * The formula checked against the KPI's own active children (BAD_USER_INPUT naming the problem),
 * and its inputs' grain against the KPI's (BAD_USER_INPUT naming `grainField`).
 */
async function checkedFormula(
  tx: Context,
  kpi: { id: string | null; key: string; grain: Grain },
  text: string | null | undefined,
  grainField = 'formula',
): Promise<string | null> {
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
  checkFormulaGrains(kpi, [...known.values()], grainField);
  return formula;
}

/**
 * A measured KPI's grain may change when every measurement starts a period of the new grain and
 * no formula reading it is of another grain; BAD_USER_INPUT naming `grain` otherwise.
 */
async function assertGrainChangeAllowed(tx: Context, kpi: Kpi, grain: Grain): Promise<void> {
  if (kpi.parentId) {
    const parent = await kpiById(tx).load(kpi.parentId);
    if (parent?.formula && !parent.archivedAt && parent.grain !== grain && storedFormulaKeys(parent.formula).includes(kpi.key)) {
      throw badInput(
        `The formula of ${parent.key} (${parent.formula}) uses ${kpi.key} and is measured ${grainAdverb(parent.grain)}: a formula KPI has its inputs' grain`,
        'grain',
      );
    }
  }
  const [off]: Array<{ count: number; first: string[] | null }> = await tx.manager.query(
    `SELECT count(*)::int AS count, (array_agg(${periodSql.dayText('m.period_start')} ORDER BY m.period_start))[1:3] AS first
       FROM kpi_measurements m
      WHERE m.organization_id = $1 AND m.kpi_id = $2 AND m.period_start <> ${periodSql.bucketStart('m.period_start', grain)}`,
    [orgId(tx), kpi.id],
  );
  if (off.count > 0) {
    throw badInput(
      `${off.count} measurement${off.count > 1 ? 's' : ''} of ${kpi.key} (${off.first!.join(', ')}${off.count > 3 ? '…' : ''}) ${off.count > 1 ? 'do' : 'does'} not start a ${grain} period: delete ${off.count > 1 ? 'them' : 'it'} (deleteMeasurements) before measuring ${kpi.key} ${grainAdverb(grain)}`,
      'grain',
      { blockingMeasurements: off.count },
    );
  }
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
    const grain = input.grain ?? Grain.WEEK;
    checkKpiGrain(grain);
    const formula = await checkedFormula(tx, { id: null, key: input.key, grain }, input.formula);
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
        grain,
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
    if (input.grain != null) {
      checkKpiGrain(input.grain);
      if (input.grain !== kpi.grain) {
        await assertGrainChangeAllowed(tx, kpi, input.grain);
        set.grain = input.grain;
      }
    }
    const grain = set.grain ?? kpi.grain;
    if (input.formula !== undefined) set.formula = await checkedFormula(tx, { ...kpi, grain }, input.formula);
    else if (set.grain && kpi.formula) await checkedFormula(tx, { ...kpi, grain }, kpi.formula, 'grain');
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

