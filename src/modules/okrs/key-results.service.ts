/** Key results and their check-ins. */
import Decimal from 'decimal.js';
import { isAdmin, orgId } from '../../common/auth';
import { paginate, type ConnectionArgs } from '../../common/connection';
import type { Context } from '../../common/context';
import { badInput, forbidden, notFound } from '../../common/errors';
import { emitAfterCommit } from '../../common/events';
import { withTransaction } from '../../db/transaction';
import { updateWithVersion } from '../../db/versioned-update';
import { recordAudit, recordChange } from '../audit';
import { requireOrgUser } from '../identity';
import { leadsSquad } from '../squads';
import { CheckIn, KeyResult, Objective } from './okr.entity';
import { KeyResultKind, validateMeasure, validateValue } from './okr-rules';
import type { CheckInKeyResultInput, CreateKeyResultInput, UpdateKeyResultInput } from './okrs.inputs';
import { objectiveById } from './okrs.loaders';
import {
  MAX_KEY_RESULTS,
  rule,
  requireObjective,
  requireKeyResult,
  squadOf,
  assertManagesObjective,
  openCycle,
  emitProgressChanged,
  assertRollupWeights,
  checkWeight,
} from './okr-access';

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
    await openCycle(tx, kr.cycleId);
    const now = new Date();
    await updateWithVersion(
      tx,
      KeyResult,
      kr.id,
      input.expectedVersion,
      { currentValue: input.value, confidence: input.confidence, lastCheckInAt: now },
      'This key result',
    );
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
