/** Key results and their check-ins. */
import Decimal from 'decimal.js';
import { assertCanManage } from '../../common/access';
import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { ErrorCode, badInput, conflict, notFound } from '../../common/errors';
import { RuleViolation } from '../../common/rules';
import { toGlobalId } from '../../common/ids';
import { withIdempotency } from '../../db/idempotency';
import { assertBelowCap } from '../../db/caps';
import { lockById } from '../../db/locks';
import { withTransaction } from '../../db/transaction';
import { createRecorded, deleteRecorded, updateRecorded } from '../audit';
import { requireOrgUser } from '../identity';
import { CheckIn, KeyResult, Objective } from './okr.entity';
import { KeyResultKind, validateMeasure, validateValue } from './okr-rules';
import type {
  ArchiveKeyResultInput,
  CheckInKeyResultInput,
  CreateKeyResultInput,
  DeleteKeyResultInput,
  UpdateKeyResultInput,
} from './okrs.inputs';
import { keyResultById, objectiveById } from './okrs.loaders';
import {
  MAX_KEY_RESULTS,
  requireObjective,
  requireKeyResult,
  assertManagesObjective,
  openCycle,
  announceProgress,
  emitProgressChanged,
  assertRollupWeights,
  checkWeight,
  assertNotArchived,
  lockCycle,
  lockObjective,
  cycleClosed,
} from './okr-access';
import { computeKeyResult, rollUpChain, sqlOf, storeKeyResultProgress, storeKeyResultValues, storeObjectiveProgress } from './okr-progress-store';
import { readForCheckIn, storeCheckInRollUp, writeCheckIn } from './check-in-statements';
import { staleVersionError } from '../../db/versioned-update';
import { checkKeyResultKpi } from './kpi-follow';

/** The routing facts of a key result's events. */
const krMeta = (objective: Objective) => ({ objectiveId: objective.id, squadId: objective.squadId, cycleId: objective.cycleId });

export async function createKeyResult(ctx: Context, input: CreateKeyResultInput) {
  return withIdempotency(ctx, 'createKeyResult', input, async (tx) => {
    const objective = await requireObjective(tx, input.objectiveId);
    await assertManagesObjective(tx, objective, 'add key results to this objective');
    assertNotArchived(objective, 'This objective');
    const milestone = input.kind === KeyResultKind.MILESTONE;
    const startValue = input.startValue ?? (milestone ? new Decimal(0) : undefined);
    const targetValue = input.targetValue ?? (milestone ? new Decimal(1) : undefined);
    if (!startValue) throw badInput(`startValue is required for ${input.kind}`, 'startValue');
    if (!targetValue) throw badInput(`targetValue is required for ${input.kind}`, 'targetValue');
    validateMeasure({ kind: input.kind, startValue, targetValue });
    const weight = checkWeight(input.weight) ?? new Decimal(1);
    const ownerId = input.ownerId ? (await requireOrgUser(tx, input.ownerId, 'ownerId', { notViewer: true })).userId : objective.ownerId;
    await openCycle(tx, objective.cycleId);
    await lockObjective(tx, objective.id);
    await assertBelowCap(tx, {
      table: KeyResult,
      parentColumn: 'objective_id',
      parentId: objective.id,
      max: MAX_KEY_RESULTS,
      field: 'objectiveId',
      message: (max) => `An objective has at most ${max} key results`,
    });
    await assertRollupWeights(tx, objective.id, { weight });
    const keyResult = await createRecorded(tx, KeyResult, {
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
        kpiId: input.kpiId ? await checkKeyResultKpi(tx, input.kpiId) : null,
        score: null,
        lastCheckInAt: null,
        version: 1,
      },
      { action: 'key_result.created', meta: krMeta(objective), prime: keyResultById },
    );
    announceProgress(tx, await storeKeyResultProgress(sqlOf(tx.manager), orgId(tx), [keyResult.id]));
    return { keyResult };
  });
}

export async function updateKeyResult(ctx: Context, input: UpdateKeyResultInput) {
  return withTransaction(ctx, async (tx) => {
    const kr = await requireKeyResult(tx, input.id);
    const objective = await objectiveById(tx).load(kr.objectiveId);
    if (!objective) throw notFound('Objective');
    await assertManagesObjective(tx, objective, 'change this key result');
    assertNotArchived(kr, 'This key result');
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
    validateMeasure(measure);
    if (input.weight) set.weight = checkWeight(input.weight);
    if (input.ownerId) set.ownerId = (await requireOrgUser(tx, input.ownerId, 'ownerId', { notViewer: true })).userId;
    if (input.kpiId !== undefined) set.kpiId = input.kpiId === null ? null : await checkKeyResultKpi(tx, input.kpiId);
    await openCycle(tx, kr.cycleId);
    if (set.weight) await assertRollupWeights(tx, objective.id, { keyResultId: kr.id, weight: set.weight });
    const keyResult = await updateRecorded(tx, KeyResult, kr, input.expectedVersion, set, {
      action: 'key_result.updated',
      meta: krMeta(objective),
      prime: keyResultById,
      what: 'This key result',
    });
    if (set.kind || set.startValue || set.targetValue || set.weight) {
      announceProgress(tx, await storeKeyResultProgress(sqlOf(tx.manager), orgId(tx), [kr.id]));
    } else {
      await emitProgressChanged(tx, [objective.id]);
    }
    return { keyResult };
  });
}

/**
 * Records a check-in: the key result's current value and confidence change only if the caller
 * read its latest version (else CONFLICT with the current version), and never in a closed cycle.
 * Three statements in the transaction (check-in-statements.ts): read and lock, write, roll up.
 */
export async function checkInKeyResult(ctx: Context, input: CheckInKeyResultInput) {
  return withIdempotency(ctx, 'checkInKeyResult', input, async (tx) => {
    const read = await readForCheckIn(tx, input.keyResultId);
    // The loaders answer the checks below from what was read (no statement of their own).
    keyResultById(tx).clear(input.keyResultId).prime(input.keyResultId, read.keyResult);
    const kr = await requireKeyResult(tx, input.keyResultId);
    objectiveById(tx).clear(kr.objectiveId).prime(kr.objectiveId, read.objective);
    const objective = await objectiveById(tx).load(kr.objectiveId);
    if (!objective) throw notFound('Objective');
    await assertCanManage(
      tx,
      { kind: 'key result', squadId: objective.squadId, squad: objective.squadId ? read.squadLead : null, ownerId: kr.ownerId },
      'check in on it',
    );
    assertNotArchived(kr, 'This key result');
    assertNotArchived(objective, 'Its objective');
    validateValue(kr.kind, input.value);
    const cycle = read.cycle;
    if (!cycle) throw notFound('Cycle');
    if (cycle.closedAt) throw cycleClosed(cycle);
    const written = await writeCheckIn(
      tx,
      kr,
      input.expectedVersion,
      { value: input.value, confidence: input.confidence, note: input.note?.trim() || null, authorId: tx.viewer?.userId ?? null },
      read.chain.map((o) => o.id),
    );
    const { checkIn } = written;
    if (!written.keyResult) throw await staleVersionError(tx, KeyResult, kr.id, orgId(tx), input.expectedVersion, 'This key result');
    const keyResult = written.keyResult;
    keyResultById(tx).clear(kr.id).prime(kr.id, keyResult);
    // The version check passed: kr's measure is current; the new value and confidence are the input's.
    const stored = computeKeyResult({ ...kr, currentValue: input.value, confidence: input.confidence, cycle: { startsOn: cycle.startsOn, endsOn: cycle.endsOn } });
    const rolledUp = rollUpChain(read.chain, written.contributors, new Map([[kr.id, stored]]));
    // Audited on the key result, announced as the check-in (KEY_RESULT_CHECKED_IN).
    await storeCheckInRollUp(tx, { id: kr.id, stored }, [...rolledUp].map(([id, r]) => [id, r.stored]), {
      action: 'key_result.checked_in',
      entityType: 'KeyResult',
      entityId: kr.id,
      before: kr,
      after: { ...keyResult, checkIn },
      meta: { keyResultId: kr.id, ...krMeta(objective) },
      event: { entityType: 'CheckIn', entityId: checkIn.id },
    });
    announceProgress(tx, rolledUp);
    return { checkIn, keyResult };
  });
}

/**
 * A check-in recorded by the system (author null) in the caller's transaction, for a key result
 * that follows a KPI whose latest value changed: the same write, roll-up, stored progress and
 * announcement (KEY_RESULT_CHECKED_IN) as a manual check-in, without a version check. The
 * confidence stays the key result's latest one (0.5 in the check-in row when nobody has given
 * one yet; the key result's own confidence stays unset). Nothing is recorded (null) for an
 * archived key result or objective, a closed cycle, an unchanged value or a value the key
 * result's kind refuses.
 */
export async function recordSystemCheckIn(tx: Context, keyResultId: string, value: Decimal, note: string): Promise<CheckIn | null> {
  const kr = await keyResultById(tx).load(keyResultId);
  if (!kr || kr.archivedAt || kr.currentValue.eq(value)) return null;
  if (kr.kind === KeyResultKind.MILESTONE && !(value.eq(0) || value.eq(1))) return null;
  const objective = await objectiveById(tx).load(kr.objectiveId);
  if (!objective || objective.archivedAt) return null;
  const cycle = await lockCycle(tx, kr.cycleId, 'SHARE');
  if (cycle.closedAt) return null;
  const checkIn = await tx.manager.save(
    tx.manager.create(CheckIn, {
      organizationId: orgId(tx),
      keyResultId: kr.id,
      value,
      confidence: kr.confidence ?? 0.5,
      note: note.slice(0, 5000),
      authorId: null,
    }),
  );
  const keyResult = await updateRecorded(tx, KeyResult, kr, null, { currentValue: value, lastCheckInAt: checkIn.createdAt }, {
    action: 'key_result.checked_in',
    meta: { keyResultId: kr.id, ...krMeta(objective) },
    after: (updated) => ({ ...updated, checkIn }),
    event: () => ({ entityType: 'CheckIn', entityId: checkIn.id }),
    prime: keyResultById,
    what: 'This key result',
  });
  const rolledUp = await storeKeyResultValues(sqlOf(tx.manager), orgId(tx), [
    { ...keyResult, cycle: { startsOn: cycle.startsOn, endsOn: cycle.endsOn } },
  ]);
  announceProgress(tx, rolledUp);
  return checkIn;
}

/** The key result and its objective, for a manager of the objective, in an open cycle. */
async function managedKeyResult(tx: Context, id: string, action: string): Promise<{ kr: KeyResult; objective: Objective }> {
  const kr = await requireKeyResult(tx, id);
  const objective = await objectiveById(tx).load(kr.objectiveId);
  if (!objective) throw notFound('Objective');
  await assertManagesObjective(tx, objective, action);
  await openCycle(tx, kr.cycleId);
  await lockObjective(tx, objective.id);
  return { kr, objective };
}

/**
 * The objective's managers; open cycles only. An archived key result keeps its check-ins,
 * leaves `Objective.keyResults` and the objective's roll-up, and no longer changes.
 */
export async function archiveKeyResult(ctx: Context, input: ArchiveKeyResultInput) {
  return withTransaction(ctx, async (tx) => {
    const { kr, objective } = await managedKeyResult(tx, input.id, 'archive this key result');
    assertNotArchived(kr, 'This key result');
    await assertRollupWeights(tx, objective.id, { keyResultId: kr.id, weight: null });
    const keyResult = await updateRecorded(tx, KeyResult, kr, input.expectedVersion, { archivedAt: new Date() }, {
      action: 'key_result.archived',
      meta: krMeta(objective),
      prime: keyResultById,
      what: 'This key result',
    });
    announceProgress(tx, await storeObjectiveProgress(sqlOf(tx.manager), orgId(tx), [objective.id]));
    return { keyResult };
  });
}

/**
 * The objective's managers; open cycles only. Only a key result nobody has checked in on may
 * be deleted (a mistake just made): one with check-ins is history, so KEY_RESULT_HAS_CHECK_INS
 * (archive it instead). Tasks linked to it keep existing, unlinked.
 */
export async function deleteKeyResult(ctx: Context, input: DeleteKeyResultInput) {
  return withTransaction(ctx, async (tx) => {
    const { kr, objective } = await managedKeyResult(tx, input.id, 'delete this key result');
    // Locks the key result: a check-in in flight either committed before (and is counted) or fails after.
    const row = await lockById(tx, KeyResult, kr.id);
    if (row.version !== input.expectedVersion) {
      throw conflict(`This key result was changed by someone else (now version ${row.version}, you sent ${input.expectedVersion}): reload it`, {
        currentVersion: row.version,
      });
    }
    if (await tx.manager.existsBy(CheckIn, { keyResultId: kr.id, organizationId: kr.organizationId })) {
      throw new RuleViolation(
        ErrorCode.KEY_RESULT_HAS_CHECK_INS,
        'This key result has check-ins, which are kept as history: archive it instead (archiveKeyResult)',
      );
    }
    await assertRollupWeights(tx, objective.id, { keyResultId: kr.id, weight: null });
    await deleteRecorded(tx, KeyResult, kr, { action: 'key_result.deleted', meta: krMeta(objective), prime: keyResultById });
    const rolledUp = await storeObjectiveProgress(sqlOf(tx.manager), orgId(tx), [objective.id]);
    Object.assign(objective, rolledUp.get(objective.id)?.stored);
    announceProgress(tx, rolledUp);
    return { deletedKeyResultId: toGlobalId('KeyResult', kr.id), objective };
  });
}
