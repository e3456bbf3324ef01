import { orgId } from '../../common/auth';
import { paginate, type ConnectionArgs } from '../../common/connection';
import type { Context } from '../../common/context';
import { badInput, notFound } from '../../common/errors';
import { decodeGlobalId, toGlobalId } from '../../common/ids';
import { primeById, requireById } from '../../common/loaders';
import { nodeFetcher } from '../../common/node';
import { assertBelowCap } from '../../db/caps';
import { updateRowWhere } from '../../db/conditional-update';
import { withIdempotency } from '../../db/idempotency';
import { withTransaction } from '../../db/transaction';
import { createRecorded, deleteRecorded, recordChange } from '../audit';
import { requireOrgUser } from '../identity';
import { MAX_RACI_ACTIVITIES, MAX_RACI_ASSIGNMENTS, RaciRole } from './raci-rules';
import { RACI_SUBJECT_TYPES, RaciActivity, RaciAssignment, RaciMatrix, type RaciSubjectType } from './sops.entity';
import type { AddRaciActivityInput, CreateRaciMatrixInput, RaciMatricesFilter, RemoveRaciActivityInput, SetRaciAssignmentInput } from './sops.inputs';
import { raciActivityById, raciMatrixById } from './sops.loaders';

export function requireRaciMatrix(ctx: Context, id: string): Promise<RaciMatrix> {
  return requireById(raciMatrixById(ctx), id, 'RaciMatrix');
}

/**
 * Decodes a subject id (a Campaign, Sop or Squad) and checks, through the node registry, that it
 * exists in the organisation: a type whose module is not there, or an unknown id, is NOT_FOUND.
 */
export async function resolveSubject(ctx: Context, subjectId: string, field: string): Promise<{ type: RaciSubjectType; id: string }> {
  const decoded = decodeGlobalId(subjectId);
  if (!decoded || !(RACI_SUBJECT_TYPES as readonly string[]).includes(decoded.type)) {
    throw badInput(`${field} is not a valid Campaign, Sop or Squad id`, field);
  }
  return { type: decoded.type as RaciSubjectType, id: decoded.id };
}

async function requireSubject(ctx: Context, subjectId: string, field: string) {
  const subject = await resolveSubject(ctx, subjectId, field);
  const fetch = nodeFetcher(subject.type);
  const [found] = fetch ? await fetch(ctx, [subject.id]) : [null];
  if (!found) throw notFound(subject.type, subjectId);
  return subject;
}

/**
 * Bumps the matrix's version, which locks it (concurrent changes of one matrix queue and count
 * each other's activities and assignments), and primes its loader with the row.
 */
async function touchMatrix(tx: Context, matrixId: string, field?: string): Promise<RaciMatrix> {
  const matrix = await updateRowWhere(tx, RaciMatrix, matrixId, null, {});
  if (!matrix) throw notFound('RaciMatrix', toGlobalId('RaciMatrix', matrixId), field);
  primeById(tx, RaciMatrix, [matrix], { replace: true });
  return matrix;
}

export async function createRaciMatrix(ctx: Context, input: CreateRaciMatrixInput) {
  return withIdempotency(ctx, 'createRaciMatrix', input, async (tx) => {
    const subject = input.subjectId ? await requireSubject(tx, input.subjectId, 'subjectId') : null;
    const raciMatrix = await createRecorded(
      tx,
      RaciMatrix,
      { organizationId: orgId(tx), name: input.name.trim(), subjectType: subject?.type ?? null, subjectId: subject?.id ?? null, version: 1 },
      { action: 'raci_matrix.created', meta: (m) => ({ matrixId: m.id }), prime: raciMatrixById },
    );
    return { raciMatrix };
  });
}

export async function addRaciActivity(ctx: Context, input: AddRaciActivityInput) {
  return withTransaction(ctx, async (tx) => {
    await touchMatrix(tx, input.matrixId, 'matrixId');
    await assertBelowCap(tx, {
      table: RaciActivity,
      parentColumn: 'matrix_id',
      parentId: input.matrixId,
      max: MAX_RACI_ACTIVITIES,
      field: 'matrixId',
      message: (max) => `A RACI matrix holds at most ${max} activities`,
    });
    const activity = await createRecorded(
      tx,
      RaciActivity,
      { organizationId: orgId(tx), matrixId: input.matrixId, name: input.name.trim() },
      { action: 'raci_activity.added', meta: { matrixId: input.matrixId }, prime: raciActivityById },
    );
    return { activity, raciMatrix: await requireRaciMatrix(tx, input.matrixId) };
  });
}

export async function removeRaciActivity(ctx: Context, input: RemoveRaciActivityInput) {
  return withTransaction(ctx, async (tx) => {
    const activity = await requireById(raciActivityById(tx), input.activityId, 'RaciActivity');
    await touchMatrix(tx, activity.matrixId);
    await deleteRecorded(tx, RaciActivity, activity, { action: 'raci_activity.removed', meta: { matrixId: activity.matrixId }, prime: raciActivityById });
    return { removedActivityId: toGlobalId('RaciActivity', activity.id), raciMatrix: await requireRaciMatrix(tx, activity.matrixId) };
  });
}

/**
 * Sets a person's role in an activity, or clears it (role null). The person must be a member of
 * the organisation, and a VIEWER (who changes nothing) is never RESPONSIBLE; a role that someone
 * who left still holds can be cleared.
 */
export async function setRaciAssignment(ctx: Context, input: SetRaciAssignmentInput) {
  return withTransaction(ctx, async (tx) => {
    const activity = await requireById(raciActivityById(tx), input.activityId, 'RaciActivity');
    const role = input.role ?? null;
    const org = orgId(tx);
    await touchMatrix(tx, activity.matrixId);
    const [before] = (await tx.manager.query(`SELECT role FROM raci_assignments WHERE organization_id = $1 AND activity_id = $2 AND user_id = $3`, [
      org,
      activity.id,
      input.userId,
    ])) as Array<{ role: string }>;
    if (role || !before) await requireOrgUser(tx, input.userId, 'userId', { notViewer: role === RaciRole.RESPONSIBLE });
    if (role) {
      if (!before) {
        await assertBelowCap(tx, {
          table: RaciAssignment,
          parentColumn: 'activity_id',
          parentId: activity.id,
          max: MAX_RACI_ASSIGNMENTS,
          field: 'activityId',
          message: (max) => `An activity holds at most ${max} people`,
        });
      }
      await tx.manager.query(
        `INSERT INTO raci_assignments (organization_id, matrix_id, activity_id, user_id, role) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (activity_id, user_id) DO UPDATE SET role = EXCLUDED.role`,
        [org, activity.matrixId, activity.id, input.userId, role],
      );
    } else {
      await tx.manager.query(`DELETE FROM raci_assignments WHERE organization_id = $1 AND activity_id = $2 AND user_id = $3`, [org, activity.id, input.userId]);
    }
    await recordChange(tx, {
      action: 'raci_assignment.set',
      entityType: 'RaciActivity',
      entityId: activity.id,
      before: { userId: input.userId, role: before?.role ?? null },
      after: { userId: input.userId, role },
      meta: { matrixId: activity.matrixId, userId: input.userId },
    });
    return { activity, raciMatrix: await requireRaciMatrix(tx, activity.matrixId) };
  });
}

export async function listRaciMatrices(ctx: Context, filter: RaciMatricesFilter, page: ConnectionArgs) {
  const qb = ctx.manager.createQueryBuilder(RaciMatrix, 'm').where('m.organization_id = :org', { org: orgId(ctx) });
  if (filter.subjectId) {
    const subject = await resolveSubject(ctx, filter.subjectId, 'filter.subjectId');
    qb.andWhere('m.subject_id = :sid AND m.subject_type = :stype', { sid: subject.id, stype: subject.type });
  }
  return paginate(ctx, qb, page, [
    { column: 'm.created_at', direction: 'ASC', value: (m) => m.createdAt },
    { column: 'm.id', direction: 'ASC', value: (m) => m.id },
  ], 'Query.raciMatrices');
}

/** Every activity where the caller holds a role, oldest assignment first. */
export async function listMyRaciRoles(ctx: Context, page: ConnectionArgs) {
  const qb = ctx.manager
    .createQueryBuilder(RaciAssignment, 'r')
    .where('r.organization_id = :org AND r.user_id = :me', { org: orgId(ctx), me: ctx.viewer!.userId });
  return paginate(ctx, qb, page, [
    { column: 'r.created_at', direction: 'ASC', value: (r) => r.createdAt },
    { column: 'r.id', direction: 'ASC', value: (r) => r.id },
  ], 'Query.myRaciRoles');
}

