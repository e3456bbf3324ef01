import { ADMINS, requireRole } from '../../common/access';
import { orgId } from '../../common/auth';
import { paginate, type ConnectionArgs } from '../../common/connection';
import type { Context } from '../../common/context';
import { primeById, requireById } from '../../common/loaders';
import { queryRows, rowShape } from '../../common/rows';
import { updateRowWhere } from '../../db/conditional-update';
import { withIdempotency } from '../../db/idempotency';
import { withTransaction } from '../../db/transaction';
import { createRecorded, recordChange, updateRecorded } from '../audit';
import { requireOrgUser } from '../identity';
import { requireRaciMatrix } from './raci.service';
import { assertAllowed, lockSop, sopMeta } from './sop-access';
import { SopStatus, nextStatus } from './sop-rules';
import { Sop, SopAcknowledgement, SopVersion } from './sops.entity';
import type { AcknowledgeSopInput, ArchiveSopInput, CreateSopInput, SopsFilter } from './sops.inputs';
import { sopById, sopVersionById } from './sops.loaders';

/* SOPs themselves: created with their first draft, archived, acknowledged, listed. */

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
    // Shared: acknowledgements of one SOP do not wait for each other, but an approval (which
    // changes the current version) waits for them, and they for it.
    const sop = await lockSop(tx, input.sopId, 'SHARE');
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

/** SOPs, oldest first: active ones unless filter.archived (paginate primes the by-id loader). */
export async function listSops(ctx: Context, filter: SopsFilter, page: ConnectionArgs) {
  const qb = ctx.manager.createQueryBuilder(Sop, 's').where('s.organization_id = :org', { org: orgId(ctx) });
  qb.andWhere(filter.archived ? 's.archived_at IS NOT NULL' : 's.archived_at IS NULL');
  if (filter.ownerId) qb.andWhere('s.owner_id = :owner', { owner: filter.ownerId });
  return paginate(ctx, qb, page, [
    { column: 's.created_at', direction: 'ASC', value: (s) => s.createdAt },
    { column: 's.id', direction: 'ASC', value: (s) => s.id },
  ], 'Query.sops');
}
