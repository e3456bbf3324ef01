import Decimal from 'decimal.js';
import { isAdmin, orgId } from '../../common/auth';
import { paginate, type ConnectionArgs, type ConnectionResult, type SortKey } from '../../common/connection';
import type { Context } from '../../common/context';
import { AppError, ErrorCode, badInput, forbidden, notFound } from '../../common/errors';
import { emitAfterCommit } from '../../common/events';
import { fromGlobalId } from '../../common/ids';
import { requireByGlobalId } from '../../common/loaders';
import { withTransaction } from '../../db/transaction';
import { updateWithVersion } from '../../db/versioned-update';
import { recordAudit, recordChange } from '../audit';
import { requireOrgUser } from '../identity';
import { assertManagesSquad, leadsSquad, requireSquad, squadById, type Squad } from '../squads';
import { CheckIn, Cycle, KeyResult, Objective } from './okr.entity';
import {
  KeyResultKind,
  RuleViolation,
  assertSomeWeight,
  createsAlignmentCycle,
  keyResultProgress,
  scoreOf,
  validateMeasure,
  validateValue,
} from './okr-rules';
import type {
  CheckInKeyResultInput,
  CloseCycleInput,
  CreateCycleInput,
  CreateKeyResultInput,
  CreateObjectiveInput,
  CyclesFilter,
  ObjectivesFilter,
  UpdateKeyResultInput,
  UpdateObjectiveInput,
} from './okrs.inputs';
import { cycleById, keyResultById, objectiveById } from './okrs.loaders';
import { statusCondition, storeKeyResultProgress, storeKeyResultValues, storeObjectiveProgress, sqlOf } from './okr-progress-store';
import { isoToday } from '../../common/dates';

/** Good OKRs have 3–5 key results; the list is returned whole, so it is bounded. */
export const MAX_KEY_RESULTS = 20;


/** Turns a pure-rule violation into BAD_USER_INPUT. */
function rule<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RuleViolation) throw badInput(err.message, err.field);
    throw err;
  }
}

const cycleClosed = (cycle: Cycle) =>
  new AppError(ErrorCode.CYCLE_CLOSED, `Cycle ${cycle.name} is closed: its objectives and key results are scored and frozen`);

// ------------------------------------------------------------------ lookups and permissions

export function requireCycle(ctx: Context, globalId: string, field = 'cycleId'): Promise<Cycle> {
  return requireByGlobalId(cycleById(ctx), globalId, 'Cycle', field);
}

export function requireObjective(ctx: Context, globalId: string, field = 'objectiveId'): Promise<Objective> {
  return requireByGlobalId(objectiveById(ctx), globalId, 'Objective', field);
}

export function requireKeyResult(ctx: Context, globalId: string, field = 'keyResultId'): Promise<KeyResult> {
  return requireByGlobalId(keyResultById(ctx), globalId, 'KeyResult', field);
}

async function squadOf(ctx: Context, objective: Objective): Promise<Squad | null> {
  return objective.squadId ? squadById(ctx).load(objective.squadId) : null;
}

/** OWNER/ADMIN manage every objective; a SQUAD_LEAD those of the squads they lead. */
async function assertManagesObjective(ctx: Context, objective: Objective, action: string): Promise<void> {
  if (isAdmin(ctx)) return;
  if (leadsSquad(ctx, await squadOf(ctx, objective))) return;
  throw forbidden(`Only OWNER/ADMIN or the lead of the objective's squad may ${action}`);
}

/** Reads the cycle with a lock: shared for writes inside it, exclusive for closing it. */
async function lockCycle(tx: Context, cycleId: string, mode: 'pessimistic_read' | 'pessimistic_write'): Promise<Cycle> {
  const cycle = await tx.manager
    .createQueryBuilder(Cycle, 'c')
    .setLock(mode)
    .where('c.id = :id AND c.organization_id = :org', { id: cycleId, org: orgId(tx) })
    .getOne();
  if (!cycle) throw notFound('Cycle');
  return cycle;
}

async function openCycle(tx: Context, cycleId: string): Promise<Cycle> {
  const cycle = await lockCycle(tx, cycleId, 'pessimistic_read');
  if (cycle.closedAt) throw cycleClosed(cycle);
  return cycle;
}

/** The objective and its ancestors (nearest first), following parent links. */
async function alignmentChain(tx: Context, objectiveId: string): Promise<Array<{ id: string; cycleId: string }>> {
  const rows: Array<{ id: string; cycle_id: string }> = await tx.manager.query(
    `WITH RECURSIVE up(id, parent_id, cycle_id, depth) AS (
       SELECT id, parent_id, cycle_id, 0 FROM objectives WHERE id = $1 AND organization_id = $2
       UNION ALL
       SELECT o.id, o.parent_id, o.cycle_id, up.depth + 1
         FROM objectives o JOIN up ON o.id = up.parent_id
        WHERE o.organization_id = $2 AND up.depth < 100
     )
     SELECT id, cycle_id FROM up ORDER BY depth`,
    [objectiveId, orgId(tx)],
  );
  return rows.map((r) => ({ id: r.id, cycleId: r.cycle_id }));
}

/** Progress of these objectives and everything they roll up into may have changed. */
async function emitProgressChanged(tx: Context, objectiveIds: Array<string | null>): Promise<void> {
  const seen = new Set<string>();
  for (const start of objectiveIds) {
    if (!start) continue;
    for (const o of await alignmentChain(tx, start)) {
      if (seen.has(o.id)) continue;
      seen.add(o.id);
      emitAfterCommit(tx, { type: 'OBJECTIVE_PROGRESS_CHANGED', entityType: 'Objective', entityId: o.id, meta: { cycleId: o.cycleId } });
    }
  }
}

/** Refuses weights that would leave `objectiveId`'s roll-up with only zero weights. */
async function assertRollupWeights(
  tx: Context,
  objectiveId: string,
  change: { keyResultId?: string; childId?: string; weight: Decimal | null },
): Promise<void> {
  const krs = await tx.manager.find(KeyResult, { where: { objectiveId, organizationId: orgId(tx) } });
  const children = await tx.manager.find(Objective, { where: { parentId: objectiveId, organizationId: orgId(tx) } });
  const weights = [
    ...krs.filter((k) => k.id !== change.keyResultId).map((k) => k.weight),
    ...children.filter((c) => c.id !== change.childId).map((c) => c.weight),
    ...(change.weight ? [change.weight] : []),
  ];
  rule(() => assertSomeWeight(weights));
}

const checkWeight = (w: Decimal | undefined) => {
  if (w && (w.isNegative() || !w.isFinite())) throw badInput('weight must be 0 or more', 'weight');
  return w;
};

// ------------------------------------------------------------------ cycles

export async function listCycles(ctx: Context, filter: CyclesFilter, page: ConnectionArgs) {
  const qb = ctx.manager.createQueryBuilder(Cycle, 'c').where('c.organization_id = :org', { org: orgId(ctx) });
  if (filter.open === true) qb.andWhere('c.closed_at IS NULL');
  if (filter.open === false) qb.andWhere('c.closed_at IS NOT NULL');
  const result = await paginate(qb, page, [
    { column: 'c.starts_on', direction: 'DESC', value: (c) => c.startsOn },
    { column: 'c.id', direction: 'DESC', value: (c) => c.id },
  ]);
  for (const c of result.nodes) cycleById(ctx).prime(c.id, c);
  return result;
}

export async function createCycle(ctx: Context, input: CreateCycleInput) {
  if (input.endsOn < input.startsOn) throw badInput('endsOn must be on or after startsOn', 'endsOn');
  return withTransaction(ctx, async (tx) => {
    const name = input.name.trim();
    if (await tx.manager.existsBy(Cycle, { organizationId: orgId(tx), name })) {
      throw badInput(`A cycle named ${name} already exists`, 'name');
    }
    const cycle = await tx.manager.save(
      tx.manager.create(Cycle, { organizationId: orgId(tx), name, startsOn: input.startsOn, endsOn: input.endsOn, closedAt: null }),
    );
    await recordChange(tx, {
      action: 'cycle.created',
      entityType: 'Cycle',
      entityId: cycle.id,
      after: cycle,
      meta: { cycleId: cycle.id },
    });
    return { cycle };
  });
}

/**
 * Scores every key result of the cycle (progress rounded to 0.1) and freezes the cycle. The
 * exclusive lock on the cycle waits for check-ins in flight (they hold a shared lock) and
 * makes later ones see the cycle closed.
 */
export async function closeCycle(ctx: Context, input: CloseCycleInput) {
  const id = fromGlobalId(input.cycleId, 'Cycle', 'cycleId');
  return withTransaction(ctx, async (tx) => {
    const cycle = await lockCycle(tx, id, 'pessimistic_write').catch(() => {
      throw notFound('Cycle', input.cycleId);
    });
    if (cycle.closedAt) throw cycleClosed(cycle);
    const krs = await tx.manager.find(KeyResult, { where: { cycleId: cycle.id, organizationId: cycle.organizationId } });
    const scores = krs.map((kr) => scoreOf(keyResultProgress(kr, kr.currentValue)));
    if (krs.length > 0) {
      await tx.manager.query(
        `UPDATE key_results k SET score = s.score, version = k.version + 1, updated_at = now()
           FROM unnest($1::uuid[], $2::numeric[]) AS s(id, score)
          WHERE k.id = s.id AND k.organization_id = $3`,
        [krs.map((k) => k.id), scores.map(String), cycle.organizationId],
      );
    }
    const before = { ...cycle };
    cycle.closedAt = new Date();
    await tx.manager.save(cycle);
    await recordChange(tx, {
      action: 'cycle.closed',
      entityType: 'Cycle',
      entityId: cycle.id,
      before,
      after: { ...cycle, scores: Object.fromEntries(krs.map((k, i) => [k.id, scores[i]])) },
      meta: { cycleId: cycle.id },
    });
    const objectives = await tx.manager.find(Objective, { where: { cycleId: cycle.id, organizationId: cycle.organizationId } });
    for (const o of objectives) {
      emitAfterCommit(tx, { type: 'OBJECTIVE_PROGRESS_CHANGED', entityType: 'Objective', entityId: o.id, meta: { cycleId: cycle.id } });
    }
    return { cycle };
  });
}

// ------------------------------------------------------------------ objectives

const OBJECTIVE_SORT: SortKey<Objective>[] = [
  { column: 'o.created_at', direction: 'ASC', value: (o) => o.createdAt },
  { column: 'o.id', direction: 'ASC', value: (o) => o.id },
];

/**
 * Objectives, oldest first, filtered by cycle, squad, owner and status. Status is stored as the
 * days it turns AT_RISK and OFF_TRACK (okr-progress-store.ts), so the filter and its totalCount
 * are SQL on today's date.
 */
export async function listObjectives(ctx: Context, filter: ObjectivesFilter, page: ConnectionArgs): Promise<ConnectionResult<Objective>> {
  const qb = ctx.manager.createQueryBuilder(Objective, 'o').where('o.organization_id = :org', { org: orgId(ctx) });
  if (filter.cycleId) qb.andWhere('o.cycle_id = :cycle', { cycle: fromGlobalId(filter.cycleId, 'Cycle', 'filter.cycleId') });
  if (filter.squadId) qb.andWhere('o.squad_id = :squad', { squad: fromGlobalId(filter.squadId, 'Squad', 'filter.squadId') });
  if (filter.ownerId) qb.andWhere('o.owner_id = :owner', { owner: fromGlobalId(filter.ownerId, 'User', 'filter.ownerId') });
  if (filter.status) qb.andWhere(statusCondition('o', filter.status), { today: isoToday() });
  const result = await paginate(qb, page, OBJECTIVE_SORT);
  for (const o of result.nodes) objectiveById(ctx).prime(o.id, o);
  return result;
}

export async function createObjective(ctx: Context, input: CreateObjectiveInput) {
  return withTransaction(ctx, async (tx) => {
    const cycle = await requireCycle(tx, input.cycleId);
    const squad = input.squadId ? await requireSquad(tx, input.squadId) : null;
    if (!isAdmin(tx)) {
      if (!squad) throw forbidden('A SQUAD_LEAD creates objectives for a squad they lead: pass squadId');
      assertManagesSquad(tx, squad, 'create objectives for this squad');
    }
    const ownerId = input.ownerId ? (await requireOrgUser(tx, input.ownerId, 'ownerId', { notViewer: true })).userId : tx.viewer!.userId;
    const parent = input.parentId ? await requireObjective(tx, input.parentId, 'parentId') : null;
    const weight = checkWeight(input.weight) ?? new Decimal(1);
    await openCycle(tx, cycle.id);
    if (parent) await assertRollupWeights(tx, parent.id, { weight });
    const objective = await tx.manager.save(
      tx.manager.create(Objective, {
        organizationId: orgId(tx),
        cycleId: cycle.id,
        title: input.title.trim(),
        description: input.description?.trim() || null,
        ownerId,
        squadId: squad?.id ?? null,
        parentId: parent?.id ?? null,
        weight,
        version: 1,
      }),
    );
    await recordChange(tx, {
      action: 'objective.created',
      entityType: 'Objective',
      entityId: objective.id,
      after: objective,
      meta: { cycleId: cycle.id, squadId: objective.squadId },
    });
    Object.assign(objective, (await storeObjectiveProgress(sqlOf(tx.manager), orgId(tx), [objective.id])).get(objective.id));
    await emitProgressChanged(tx, [parent?.id ?? null]);
    return { objective };
  });
}

export async function updateObjective(ctx: Context, input: UpdateObjectiveInput) {
  return withTransaction(ctx, async (tx) => {
    const objective = await requireObjective(tx, input.id, 'id');
    await assertManagesObjective(tx, objective, 'change this objective');
    const set: Partial<Objective> = {};
    if (input.title !== undefined && input.title !== null) set.title = input.title.trim();
    if (input.description !== undefined) set.description = input.description?.trim() || null;
    if (input.ownerId) set.ownerId = (await requireOrgUser(tx, input.ownerId, 'ownerId', { notViewer: true })).userId;
    if (input.squadId !== undefined) {
      const squad = input.squadId ? await requireSquad(tx, input.squadId) : null;
      if (!isAdmin(tx)) {
        if (!squad) throw forbidden('Only OWNER/ADMIN may take an objective out of its squad');
        assertManagesSquad(tx, squad, 'move objectives into this squad');
      }
      set.squadId = squad?.id ?? null;
    }
    if (input.weight !== undefined && input.weight !== null) set.weight = checkWeight(input.weight);
    if (input.parentId !== undefined) {
      const parent = input.parentId ? await requireObjective(tx, input.parentId, 'parentId') : null;
      if (parent) {
        const ancestors = (await alignmentChain(tx, parent.id)).map((o) => o.id);
        if (createsAlignmentCycle(objective.id, parent.id, ancestors)) {
          throw badInput('This alignment would make the objective roll up into itself', 'parentId');
        }
      }
      set.parentId = parent?.id ?? null;
    }
    await openCycle(tx, objective.cycleId);
    const newParentId = set.parentId !== undefined ? set.parentId : objective.parentId;
    const newWeight = set.weight ?? objective.weight;
    if (newParentId) await assertRollupWeights(tx, newParentId, { childId: objective.id, weight: newWeight });
    if (objective.parentId && objective.parentId !== newParentId) {
      await assertRollupWeights(tx, objective.parentId, { childId: objective.id, weight: null });
    }
    await updateWithVersion(tx, Objective, objective.id, input.expectedVersion, set, 'This objective');
    if (set.parentId !== undefined || set.weight !== undefined) {
      await storeObjectiveProgress(sqlOf(tx.manager), orgId(tx), [objective.parentId, newParentId]);
    }
    const updated = await tx.manager.findOneByOrFail(Objective, { id: objective.id, organizationId: orgId(tx) });
    await recordChange(tx, {
      action: 'objective.updated',
      entityType: 'Objective',
      entityId: objective.id,
      before: objective,
      after: updated,
      meta: { cycleId: objective.cycleId, squadId: updated.squadId },
    });
    if (set.parentId !== undefined || set.weight !== undefined) {
      await emitProgressChanged(tx, [objective.parentId, updated.parentId]);
    }
    return { objective: updated };
  });
}

// ------------------------------------------------------------------ key results

export async function createKeyResult(ctx: Context, input: CreateKeyResultInput) {
  return withTransaction(ctx, async (tx) => {
    const objective = await requireObjective(tx, input.objectiveId);
    await assertManagesObjective(tx, objective, 'add key results to this objective');
    const milestone = input.kind === KeyResultKind.MILESTONE;
    const startValue = input.startValue ?? (milestone ? new Decimal(0) : undefined);
    const targetValue = input.targetValue ?? (milestone ? new Decimal(1) : undefined);
    if (!startValue) throw badInput(`startValue is required for ${input.kind}`, 'startValue');
    if (!targetValue) throw badInput(`targetValue is required for ${input.kind}`, 'targetValue');
    rule(() => validateMeasure({ kind: input.kind, startValue, targetValue }));
    const weight = checkWeight(input.weight) ?? new Decimal(1);
    const ownerId = input.ownerId ? (await requireOrgUser(tx, input.ownerId, 'ownerId', { notViewer: true })).userId : objective.ownerId;
    await openCycle(tx, objective.cycleId);
    // Serialise key-result changes of one objective (bound and weights).
    await tx.manager.query(`SELECT 1 FROM objectives WHERE id = $1 FOR UPDATE`, [objective.id]);
    const count = await tx.manager.countBy(KeyResult, { objectiveId: objective.id, organizationId: orgId(tx) });
    if (count >= MAX_KEY_RESULTS) throw badInput(`An objective has at most ${MAX_KEY_RESULTS} key results`, 'objectiveId');
    await assertRollupWeights(tx, objective.id, { weight });
    const keyResult = await tx.manager.save(
      tx.manager.create(KeyResult, {
        organizationId: orgId(tx),
        objectiveId: objective.id,
        cycleId: objective.cycleId,
        title: input.title.trim(),
        kind: input.kind,
        unit: input.unit?.trim() || null,
        startValue,
        targetValue,
        currentValue: startValue,
        confidence: null,
        weight,
        ownerId,
        score: null,
        lastCheckInAt: null,
        version: 1,
      }),
    );
    await storeKeyResultProgress(sqlOf(tx.manager), orgId(tx), [keyResult.id]);
    await recordChange(tx, {
      action: 'key_result.created',
      entityType: 'KeyResult',
      entityId: keyResult.id,
      after: keyResult,
      meta: { objectiveId: objective.id, squadId: objective.squadId, cycleId: objective.cycleId },
    });
    await emitProgressChanged(tx, [objective.id]);
    return { keyResult };
  });
}

export async function updateKeyResult(ctx: Context, input: UpdateKeyResultInput) {
  return withTransaction(ctx, async (tx) => {
    const kr = await requireKeyResult(tx, input.id, 'id');
    const objective = await objectiveById(tx).load(kr.objectiveId);
    if (!objective) throw notFound('Objective');
    await assertManagesObjective(tx, objective, 'change this key result');
    const set: Partial<KeyResult> = {};
    if (input.title) set.title = input.title.trim();
    if (input.unit !== undefined) set.unit = input.unit?.trim() || null;
    if (input.kind) set.kind = input.kind;
    if (input.startValue) set.startValue = input.startValue;
    if (input.targetValue) set.targetValue = input.targetValue;
    const kind = set.kind ?? kr.kind;
    if (kind === KeyResultKind.MILESTONE && set.kind && kr.kind !== KeyResultKind.MILESTONE) {
      set.startValue ??= new Decimal(0);
      set.targetValue ??= new Decimal(1);
    }
    const measure = { kind, startValue: set.startValue ?? kr.startValue, targetValue: set.targetValue ?? kr.targetValue };
    rule(() => validateMeasure(measure));
    if (input.weight) set.weight = checkWeight(input.weight);
    if (input.ownerId) set.ownerId = (await requireOrgUser(tx, input.ownerId, 'ownerId', { notViewer: true })).userId;
    await openCycle(tx, kr.cycleId);
    if (set.weight) await assertRollupWeights(tx, objective.id, { keyResultId: kr.id, weight: set.weight });
    await updateWithVersion(tx, KeyResult, kr.id, input.expectedVersion, set, 'This key result');
    if (set.kind || set.startValue || set.targetValue || set.weight) await storeKeyResultProgress(sqlOf(tx.manager), orgId(tx), [kr.id]);
    const keyResult = await tx.manager.findOneByOrFail(KeyResult, { id: kr.id, organizationId: orgId(tx) });
    await recordChange(tx, {
      action: 'key_result.updated',
      entityType: 'KeyResult',
      entityId: kr.id,
      before: kr,
      after: keyResult,
      meta: { objectiveId: objective.id, squadId: objective.squadId, cycleId: objective.cycleId },
    });
    await emitProgressChanged(tx, [objective.id]);
    return { keyResult };
  });
}

/**
 * Records a check-in: the key result's current value and confidence change only if the caller
 * read its latest version (else CONFLICT with the current version), and never in a closed cycle.
 */
export async function checkInKeyResult(ctx: Context, input: CheckInKeyResultInput) {
  return withTransaction(ctx, async (tx) => {
    const kr = await requireKeyResult(tx, input.keyResultId);
    const objective = await objectiveById(tx).load(kr.objectiveId);
    if (!objective) throw notFound('Objective');
    const isOwner = tx.viewer?.userId === kr.ownerId;
    if (!isOwner && !isAdmin(tx) && !leadsSquad(tx, await squadOf(tx, objective))) {
      throw forbidden("Only the key result's owner, the lead of its squad or OWNER/ADMIN may check in");
    }
    rule(() => validateValue(kr.kind, input.value));
    const cycle = await openCycle(tx, kr.cycleId);
    const now = new Date();
    await updateWithVersion(
      tx,
      KeyResult,
      kr.id,
      input.expectedVersion,
      { currentValue: input.value, confidence: input.confidence, lastCheckInAt: now },
      'This key result',
    );
    // The version check passed: kr's measure is current; the new value and confidence are the input's.
    await storeKeyResultValues(sqlOf(tx.manager), orgId(tx), [
      { ...kr, currentValue: input.value, confidence: input.confidence, cycle: { startsOn: cycle.startsOn, endsOn: cycle.endsOn } },
    ]);
    const checkIn = await tx.manager.save(
      tx.manager.create(CheckIn, {
        organizationId: orgId(tx),
        keyResultId: kr.id,
        value: input.value,
        confidence: input.confidence,
        note: input.note?.trim() || null,
        authorId: tx.viewer?.userId ?? null,
      }),
    );
    const keyResult = await tx.manager.findOneByOrFail(KeyResult, { id: kr.id, organizationId: orgId(tx) });
    await recordAudit(tx, { action: 'key_result.checked_in', entityType: 'KeyResult', entityId: kr.id, before: kr, after: { ...keyResult, checkIn } });
    emitAfterCommit(tx, {
      type: 'KEY_RESULT_CHECKED_IN',
      entityType: 'CheckIn',
      entityId: checkIn.id,
      meta: { keyResultId: kr.id, objectiveId: objective.id, squadId: objective.squadId, cycleId: kr.cycleId },
    });
    await emitProgressChanged(tx, [objective.id]);
    return { checkIn, keyResult };
  });
}

export async function listCheckIns(ctx: Context, kr: KeyResult, page: ConnectionArgs) {
  const qb = ctx.manager
    .createQueryBuilder(CheckIn, 'c')
    .where('c.organization_id = :org AND c.key_result_id = :kr', { org: orgId(ctx), kr: kr.id });
  return paginate(qb, page, [
    { column: 'c.created_at', direction: 'DESC', value: (c) => c.createdAt },
    { column: 'c.id', direction: 'DESC', value: (c) => c.id },
  ]);
}
