import { ADMINS, MANAGERS, assertCanManage, requireRole } from '../../common/access';
import { orgId } from '../../common/auth';
import { paginate, type ConnectionArgs } from '../../common/connection';
import type { Context } from '../../common/context';
import { notFound } from '../../common/errors';
import { isoToday } from '../../common/dates';
import { toGlobalId } from '../../common/ids';
import { primeAll, primeById, requireById } from '../../common/loaders';
import { queryRows, rowShape } from '../../common/rows';
import { updateRowWhere } from '../../db/conditional-update';
import { withIdempotency } from '../../db/idempotency';
import { lockById } from '../../db/locks';
import { withTransaction } from '../../db/transaction';
import { staleVersion } from '../../db/versioned-update';
import { createRecorded, recordChange, updateRecorded, updateWhere } from '../audit';
import { requireOrgUser } from '../identity';
import { Task } from '../tasks';
import { refuseTransition } from '../../common/rules';
import type { SqlCondition } from '../../common/rows';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { assertLinkableStep, assertMayApprove, assertSopAllows, assertSubmittable, draftChanges, nextStatus, reviewDueOn, SopStatus, storedStep, storedText, type SopAction } from './sop-rules';
import { Sop, SopAcknowledgement, SopStep, SopVersion, TaskSopStep } from './sops.entity';
import type {
  AcknowledgeSopInput,
  ApproveSopVersionInput,
  ArchiveSopInput,
  CreateSopInput,
  LinkTaskToSopStepInput,
  RejectSopVersionInput,
  SopsFilter,
  SopStepInput,
  StartSopRevisionInput,
  SubmitSopForReviewInput,
  UpdateSopDraftInput,
} from './sops.inputs';
import { sopById, sopStepById, sopStepByTaskId, sopVersionById, stepsByVersionId } from './sops.loaders';
import { requireRaciMatrix } from './raci.service';

/** The routing facts of an SOP's events. */
const sopMeta = (s: Sop) => ({ sopId: s.id, ownerId: s.ownerId });

export function requireSop(ctx: Context, id: string): Promise<Sop> {
  return requireById(sopById(ctx), id, 'Sop');
}

/**
 * Reads the SOP with a row lock, so that two life-cycle changes of one SOP (approve and reject,
 * two edits) queue and each sees the other's result.
 */
const lockSop = (tx: Context, id: string): Promise<Sop> => lockById(tx, Sop, id, { field: 'sopId' });

/** Changes a version of the SOP (not audited by itself: the SOP's change that goes with it is) and primes its loader. */
async function updateVersion(tx: Context, id: string, condition: SqlCondition<Context> | null, set: QueryDeepPartialEntity<SopVersion>): Promise<SopVersion | null> {
  const row = await updateRowWhere(tx, SopVersion, id, condition, set);
  if (row) primeById(tx, SopVersion, [row], { replace: true });
  return row;
}

const assertAllowed = (sop: Sop, action: SopAction) => assertSopAllows({ status: sop.status, hasCurrentVersion: sop.currentVersionId !== null }, action);

/** OWNER/ADMIN, or the SOP's owner (the kit's `canManage`). */
const assertOwnsSop = (ctx: Context, sop: Sop, action: string) => assertCanManage(ctx, { kind: 'SOP', ownerId: sop.ownerId }, action);

async function insertSteps(tx: Context, sop: Sop, versionId: string, steps: ReadonlyArray<SopStepInput>): Promise<void> {
  if (!steps.length) return;
  const org = orgId(tx);
  const values: unknown[] = [];
  const rows = steps.map(storedStep).map((s, i) => {
    const base = values.length;
    values.push(org, sop.id, versionId, i + 1, s.title, s.instructions, s.role, s.qualityStandard, s.durationMinutes);
    return `(${Array.from({ length: 9 }, (_, k) => `$${base + k + 1}`).join(', ')})`;
  });
  await tx.manager.query(
    `INSERT INTO sop_steps (organization_id, sop_id, version_id, position, title, instructions, role, quality_standard, duration_minutes) VALUES ${rows.join(', ')}`,
    values,
  );
}

export async function createSop(ctx: Context, input: CreateSopInput) {
  return withIdempotency(ctx, 'createSop', input, async (tx) => {
    const me = tx.viewer!.userId;
    if (input.ownerId && input.ownerId !== me) requireRole(tx, ADMINS, 'create an SOP owned by someone else');
    const ownerId = input.ownerId ? (await requireOrgUser(tx, input.ownerId, 'ownerId', { notViewer: true })).userId : me;
    if (input.raciMatrixId) await requireRaciMatrix(tx, input.raciMatrixId);
    const org = orgId(tx);
    const sop = await createRecorded(
      tx,
      Sop,
      {
        organizationId: org,
        title: input.title.trim(),
        purpose: input.purpose.trim(),
        scope: input.scope.trim(),
        ownerId,
        reviewEveryDays: input.reviewEveryDays,
        raciMatrixId: input.raciMatrixId ?? null,
        status: SopStatus.DRAFT,
        currentVersionId: null,
        draftVersionId: null,
        reviewDueOn: null,
        version: 1,
        archivedAt: null,
      },
      { action: 'sop.created', meta: sopMeta },
    );
    const draft = await tx.manager.save(
      tx.manager.create(SopVersion, { organizationId: org, sopId: sop.id, number: 1, notes: null, changeNote: null, authorId: me, editorIds: [] }),
    );
    // The SOP and its first draft refer to each other: the SOP is inserted first, then given its draft.
    const withDraft = (await updateRowWhere(tx, Sop, sop.id, null, { draftVersionId: draft.id }, { bumpVersion: false }))!;
    primeById(tx, Sop, [withDraft], { replace: true });
    return { sop: withDraft };
  });
}

/**
 * Edits the draft. An edit that changes nothing (the same notes, change note and steps as stored,
 * or no field at all) changes nothing: no new SOP version, no audit event, the author stays.
 * Whoever changes something becomes the author and joins the version's editors, who may never
 * approve it (four eyes).
 */
export async function updateSopDraft(ctx: Context, input: UpdateSopDraftInput) {
  return withTransaction(ctx, async (tx) => {
    const sop = await lockSop(tx, input.sopId);
    await assertOwnsSop(tx, sop, 'edit its draft');
    assertAllowed(sop, 'edit');
    const draft = await requireById(sopVersionById(tx), sop.draftVersionId!, 'SopVersion');
    const steps = (await stepsByVersionId(tx).load(draft.id)) ?? [];
    const changes = draftChanges({ notes: draft.notes, changeNote: draft.changeNote, steps }, input);
    if (changes.length === 0) {
      if (sop.version !== input.expectedVersion) return staleVersion(tx, Sop, sop.id, sop.organizationId, input.expectedVersion, 'This SOP');
      return { sop };
    }
    const me = tx.viewer!.userId;
    const set: Partial<SopVersion> = { authorId: me };
    if (changes.includes('notes')) set.notes = storedText(input.notes);
    if (changes.includes('changeNote')) set.changeNote = storedText(input.changeNote);
    set.editorIds = draft.editorIds.includes(me) ? draft.editorIds : [...draft.editorIds, me];
    await updateVersion(tx, draft.id, null, set);
    if (input.steps && changes.includes('steps')) {
      stepsByVersionId(tx).clear(draft.id);
      // Links of tasks to the draft's steps go with them: only published steps are linkable.
      await tx.manager.query(`DELETE FROM sop_steps WHERE organization_id = $1 AND version_id = $2`, [orgId(tx), draft.id]);
      await insertSteps(tx, sop, draft.id, input.steps);
    }
    const updated = await updateRecorded(tx, Sop, sop, input.expectedVersion, {}, {
      action: 'sop.draft_updated',
      meta: sopMeta,
      prime: sopById,
      what: 'This SOP',
      after: (row) => ({ sop: row, draft: { ...draft, ...set }, steps: changes.includes('steps') ? input.steps : undefined }),
    });
    return { sop: updated };
  });
}

export async function submitSopForReview(ctx: Context, input: SubmitSopForReviewInput) {
  return withTransaction(ctx, async (tx) => {
    const sop = await lockSop(tx, input.sopId);
    await assertOwnsSop(tx, sop, 'submit it for review');
    assertAllowed(sop, 'submit');
    const steps = await stepsByVersionId(tx).load(sop.draftVersionId!);
    assertSubmittable(steps?.length ?? 0);
    await updateVersion(tx, sop.draftVersionId!, null, { submittedAt: () => 'now()' });
    const updated = await updateRecorded(tx, Sop, sop, null, { status: nextStatus('submit') }, {
      action: 'sop.submitted',
      meta: sopMeta,
      prime: sopById,
      what: 'This SOP',
    });
    return { sop: updated };
  });
}

export async function approveSopVersion(ctx: Context, input: ApproveSopVersionInput) {
  return withTransaction(ctx, async (tx) => {
    requireRole(tx, MANAGERS, 'approve an SOP version');
    const sop = await lockSop(tx, input.sopId);
    assertAllowed(sop, 'approve');
    const draft = await requireById(sopVersionById(tx), sop.draftVersionId!, 'SopVersion');
    const me = tx.viewer!.userId;
    assertMayApprove(draft, me);
    // Published once: a version is published while it is the draft in review, and never changes after.
    const published = await updateVersion(tx, draft.id, 'published_at IS NULL', {
      approvedById: me,
      publishedAt: () => 'now()',
      reviewNote: input.note?.trim() || null,
    });
    if (!published) throw refuseTransition('This SOP version is already published');
    const updated = await updateWhere(
      tx,
      Sop,
      sop,
      (param) => `status = ${param(SopStatus.IN_REVIEW)} AND draft_version_id = ${param(draft.id)}`,
      {
        status: nextStatus('approve'),
        currentVersionId: draft.id,
        draftVersionId: null,
        reviewDueOn: reviewDueOn(isoToday(published.publishedAt!), sop.reviewEveryDays),
      },
      {
        action: 'sop.published',
        meta: sopMeta,
        prime: sopById,
        after: (row) => ({ sop: row, version: published }),
        unmet: () => refuseTransition('The SOP is no longer in review'),
      },
    );
    return { sop: updated, version: published };
  });
}

export async function rejectSopVersion(ctx: Context, input: RejectSopVersionInput) {
  return withTransaction(ctx, async (tx) => {
    requireRole(tx, MANAGERS, 'reject an SOP version');
    const sop = await lockSop(tx, input.sopId);
    assertAllowed(sop, 'reject');
    await updateVersion(tx, sop.draftVersionId!, null, { reviewNote: input.note?.trim() || null });
    const updated = await updateRecorded(tx, Sop, sop, null, { status: nextStatus('reject') }, {
      action: 'sop.rejected',
      meta: sopMeta,
      prime: sopById,
      what: 'This SOP',
      after: (row) => ({ sop: row, note: input.note ?? null }),
    });
    return { sop: updated };
  });
}

export async function startSopRevision(ctx: Context, input: StartSopRevisionInput) {
  return withTransaction(ctx, async (tx) => {
    const sop = await lockSop(tx, input.sopId);
    await assertOwnsSop(tx, sop, 'start a revision');
    assertAllowed(sop, 'startRevision');
    const current = await requireById(sopVersionById(tx), sop.currentVersionId!, 'SopVersion');
    const [{ n }] = await tx.manager.query(`SELECT max(number)::int AS n FROM sop_versions WHERE organization_id = $1 AND sop_id = $2`, [orgId(tx), sop.id]);
    const draft = await tx.manager.save(
      tx.manager.create(SopVersion, {
        organizationId: orgId(tx),
        sopId: sop.id,
        number: n + 1,
        notes: current.notes,
        changeNote: null,
        authorId: tx.viewer!.userId,
        editorIds: [],
      }),
    );
    await tx.manager.query(
      `INSERT INTO sop_steps (organization_id, sop_id, version_id, position, title, instructions, role, quality_standard, duration_minutes)
       SELECT organization_id, sop_id, $1, position, title, instructions, role, quality_standard, duration_minutes
         FROM sop_steps WHERE organization_id = $2 AND version_id = $3`,
      [draft.id, orgId(tx), current.id],
    );
    const updated = await updateRecorded(tx, Sop, sop, null, { status: nextStatus('startRevision'), draftVersionId: draft.id }, {
      action: 'sop.revision_started',
      meta: sopMeta,
      prime: sopById,
      what: 'This SOP',
    });
    return { sop: updated };
  });
}

export async function archiveSop(ctx: Context, input: ArchiveSopInput) {
  return withTransaction(ctx, async (tx) => {
    const sop = await lockSop(tx, input.sopId);
    assertAllowed(sop, 'archive');
    const updated = await updateRecorded(tx, Sop, sop, null, { status: nextStatus('archive'), archivedAt: new Date() }, {
      action: 'sop.archived',
      meta: sopMeta,
      prime: sopById,
      what: 'This SOP',
    });
    return { sop: updated };
  });
}

export async function acknowledgeSop(ctx: Context, input: AcknowledgeSopInput) {
  return withTransaction(ctx, async (tx) => {
    const sop = await requireSop(tx, input.sopId);
    assertAllowed(sop, 'acknowledge');
    const current = await requireById(sopVersionById(tx), sop.currentVersionId!, 'SopVersion');
    const me = tx.viewer!.userId;
    const shape = rowShape(tx.manager.connection, SopAcknowledgement);
    const [inserted] = await queryRows(
      tx.manager,
      SopAcknowledgement,
      `INSERT INTO sop_acknowledgements (organization_id, sop_id, version_id, version_number, user_id) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (version_id, user_id) DO NOTHING RETURNING ${shape.columns('sop_acknowledgements')}`,
      [orgId(tx), sop.id, current.id, current.number, me],
    );
    if (!inserted) {
      // Acknowledged before: the first acknowledgement stands, nothing is recorded again.
      const [existing] = await queryRows(
        tx.manager,
        SopAcknowledgement,
        `SELECT ${shape.columns('k')} FROM sop_acknowledgements k WHERE k.organization_id = $1 AND k.version_id = $2 AND k.user_id = $3`,
        [orgId(tx), current.id, me],
      );
      return { sop, acknowledgement: existing };
    }
    await recordChange(tx, {
      action: 'sop.acknowledged',
      entityType: 'Sop',
      entityId: sop.id,
      after: inserted,
      meta: { ...sopMeta(sop), userId: me },
    });
    return { sop, acknowledgement: inserted };
  });
}

export async function listSops(ctx: Context, filter: SopsFilter, page: ConnectionArgs) {
  const qb = ctx.manager.createQueryBuilder(Sop, 's').where('s.organization_id = :org', { org: orgId(ctx) });
  qb.andWhere(filter.archived ? 's.archived_at IS NOT NULL' : 's.archived_at IS NULL');
  if (filter.ownerId) qb.andWhere('s.owner_id = :owner', { owner: filter.ownerId });
  const result = await paginate(ctx, qb, page, [
    { column: 's.created_at', direction: 'ASC', value: (s) => s.createdAt },
    { column: 's.id', direction: 'ASC', value: (s) => s.id },
  ], 'Query.sops');
  primeAll(sopById(ctx), result.nodes);
  return result;
}

/**
 * Links a task to the step of a published SOP version it carries out (null unlinks): OWNER/ADMIN,
 * the lead of the task's squad, or its assignee. Published steps never change, so the link stays
 * true; a draft's steps are replaced on every edit and cannot be linked.
 */
export async function linkTaskToSopStep(ctx: Context, input: LinkTaskToSopStepInput) {
  return withTransaction(ctx, async (tx) => {
    // The task's row lock queues two changes of its link; the task itself does not change.
    const task = await lockById(tx, Task, input.taskId, { mode: 'NO KEY UPDATE', field: 'taskId' });
    await assertCanManage(tx, { kind: 'task', squadId: task.squadId, assigneeId: task.assigneeId }, 'link this task to an SOP step');
    const org = orgId(tx);
    const before = await sopStepByTaskId(tx).load(task.id);
    let step: SopStep | null = null;
    if (input.sopStepId) {
      step = await requireById(sopStepById(tx), input.sopStepId, 'SopStep');
      const version = await requireById(sopVersionById(tx), step.versionId, 'SopVersion');
      assertLinkableStep(version);
      await tx.manager.query(
        `INSERT INTO task_sop_steps (task_id, organization_id, sop_step_id) VALUES ($1, $2, $3)
         ON CONFLICT (task_id) DO UPDATE SET sop_step_id = EXCLUDED.sop_step_id, created_at = now()`,
        [task.id, org, step.id],
      );
    } else {
      await tx.manager.delete(TaskSopStep, { taskId: task.id, organizationId: org });
    }
    await recordChange(tx, {
      action: 'task.sop_step_linked',
      entityType: 'Task',
      entityId: task.id,
      before: { sopStepId: before?.id ?? null },
      after: { sopStepId: step?.id ?? null },
      meta: { squadId: task.squadId, assigneeId: task.assigneeId },
    });
    return { task, sopStep: step };
  });
}
