import { WRITERS, hasRole } from '../../common/access';
import { orgId } from '../../common/auth';
import { defineNestedConnection, type SortKey } from '../../common/connection';
import { defineByIdLoader, defineChildLoader, defineIdListLoader, defineLoader, defineRowByKeyLoader } from '../../common/loaders';
import { memberByUserId } from '../identity';
import { squadMatesByUserId } from '../squads';
import { RaciActivity, RaciAssignment, RaciMatrix, Sop, SopAcknowledgement, SopStep, SopVersion } from './sops.entity';
import { pendingAcknowledgers } from './sop-rules';

export const raciMatrixById = defineByIdLoader(RaciMatrix, 'RaciMatrix');
export const raciActivityById = defineByIdLoader(RaciActivity, 'RaciActivity');
export const sopById = defineByIdLoader(Sop, 'Sop');
export const sopVersionById = defineByIdLoader(SopVersion, 'SopVersion');
export const sopStepById = defineByIdLoader(SopStep, 'SopStep');

/** A matrix's activities, oldest first (at most MAX_RACI_ACTIVITIES); primes `raciActivityById`. */
export const activitiesByMatrixId = defineChildLoader({
  name: 'sops.activitiesByMatrixId',
  entity: RaciActivity,
  parentColumn: 'matrix_id',
  parentOf: (a) => a.matrixId,
  orderBy: 'c.created_at, c.id',
  prime: raciActivityById,
});

/** Every assignment of each matrix, in the order they were made. */
export const assignmentsByMatrixId = defineChildLoader({
  name: 'sops.assignmentsByMatrixId',
  entity: RaciAssignment,
  parentColumn: 'matrix_id',
  parentOf: (r) => r.matrixId,
  orderBy: 'c.created_at, c.id',
});

/** An activity's assignments, through its matrix's (one statement for every matrix of the request). */
export async function assignmentsOfActivity(ctx: Parameters<typeof raciMatrixById>[0], activity: RaciActivity): Promise<RaciAssignment[]> {
  const all = (await assignmentsByMatrixId(ctx).load(activity.matrixId)) ?? [];
  return all.filter((r) => r.activityId === activity.id);
}

/** A version's steps in order (at most MAX_SOP_STEPS); primes `sopStepById`. */
export const stepsByVersionId = defineChildLoader({
  name: 'sops.stepsByVersionId',
  entity: SopStep,
  parentColumn: 'version_id',
  parentOf: (s) => s.versionId,
  orderBy: 'c.position',
  prime: sopStepById,
});

/** Who acknowledged each version (user ids). */
export const acknowledgersByVersionId = defineIdListLoader({
  name: 'sops.acknowledgersByVersionId',
  table: SopAcknowledgement,
  keyColumn: 'version_id',
  idColumn: 'user_id',
});

/** The step each task carries out, through task_sop_steps (tasks without a link load null); primes `sopStepById`. */
export const sopStepByTaskId = defineRowByKeyLoader({
  name: 'sops.sopStepByTaskId',
  entity: SopStep,
  keyColumn: 'task_id',
  through: { table: 'task_sop_steps', rowColumn: 'sop_step_id' },
});

/** At most this many people are listed as pending for one SOP. */
export const MAX_PENDING_LISTED = 100;

/**
 * Who has not yet acknowledged each SOP's current version (user ids, at most MAX_PENDING_LISTED):
 * the people of its RACI matrix, else its owner's squad mates; members of the organisation only,
 * VIEWERs left out (they change nothing). A constant number of statements for any number of SOPs.
 */
export const pendingAcknowledgersBySopId = defineLoader<string, string[]>('sops.pendingAcknowledgersBySopId', async (ctx, ids) => {
  const sops = await sopById(ctx).loadMany(ids);
  const result = await Promise.all(
    sops.map(async (sop) => {
      if (!sop || sop instanceof Error || !sop.currentVersionId || sop.archivedAt) return [];
      const [raci, mates, acked] = await Promise.all([
        sop.raciMatrixId ? assignmentsByMatrixId(ctx).load(sop.raciMatrixId) : Promise.resolve([] as RaciAssignment[]),
        squadMatesByUserId(ctx).load(sop.ownerId),
        acknowledgersByVersionId(ctx).load(sop.currentVersionId),
      ]);
      const pending = pendingAcknowledgers((raci ?? []).map((r) => r.userId), mates ?? [], acked ?? []);
      const members = await memberByUserId(ctx).loadMany(pending);
      return pending.filter((_, i) => {
        const m = members[i];
        return m && !(m instanceof Error) && hasRole(m, WRITERS);
      }).slice(0, MAX_PENDING_LISTED);
    }),
  );
  return result;
});

const VERSION_SORT: SortKey<SopVersion>[] = [
  { column: 'v.number', direction: 'DESC', value: (v) => v.number },
  { column: 'v.id', direction: 'DESC', value: (v) => v.id },
];

/** An SOP's versions, newest first: batched across SOPs (`Sop.versions`). */
export const versionsOfSop = defineNestedConnection<SopVersion>({
  name: 'sops.versionsOfSop',
  query: (ctx) => ctx.manager.createQueryBuilder(SopVersion, 'v').where('v.organization_id = :org', { org: orgId(ctx) }),
  parent: 'v.sop_id',
  sort: VERSION_SORT,
});

/**
 * Acknowledgements of an SOP, oldest first, of one version number (null: the current version):
 * batched across SOPs (`Sop.acknowledgements`).
 */
export const acknowledgementsOfSop = defineNestedConnection<SopAcknowledgement, { version: number | null }>({
  name: 'sops.acknowledgementsOfSop',
  query: (ctx, filter) => {
    const qb = ctx.manager.createQueryBuilder(SopAcknowledgement, 'k').where('k.organization_id = :org', { org: orgId(ctx) });
    if (filter?.version != null) qb.andWhere('k.version_number = :vn', { vn: filter.version });
    else qb.andWhere('k.version_id = (SELECT s.current_version_id FROM sops s WHERE s.id = k.sop_id AND s.organization_id = k.organization_id)');
    return qb;
  },
  parent: 'k.sop_id',
  sort: [
    { column: 'k.acknowledged_at', direction: 'ASC', value: (k) => k.acknowledgedAt },
    { column: 'k.id', direction: 'ASC', value: (k) => k.id },
  ],
});

