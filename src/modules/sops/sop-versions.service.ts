import { MANAGERS, requireRole } from '../../common/access';
import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { isoToday } from '../../common/dates';
import { requireById } from '../../common/loaders';
import { refuseTransition } from '../../common/rules';
import { withTransaction } from '../../db/transaction';
import { staleVersion } from '../../db/versioned-update';
import { updateRecorded, updateWhere } from '../audit';
import { assertOwnsSop, assertAllowed, lockSop, sopMeta, updateVersion } from './sop-access';
import { assertMayApprove, assertSubmittable, draftChanges, nextStatus, reviewDueOn, SopStatus, storedStep, storedText } from './sop-rules';
import { Sop, SopVersion } from './sops.entity';
import type { ApproveSopVersionInput, RejectSopVersionInput, SopStepInput, StartSopRevisionInput, SubmitSopForReviewInput, UpdateSopDraftInput } from './sops.inputs';
import { sopById, sopVersionById, stepsByVersionId } from './sops.loaders';

/*
 * An SOP's versions: the draft is edited, submitted, approved (published) or rejected, and a
 * revision opens a new draft from the published version. Each step locks the SOP first.
 */

/** Stores a draft's steps, in order. */
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
