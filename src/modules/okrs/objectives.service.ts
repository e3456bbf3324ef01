/** Objectives: listing with filters, creation, updates and alignment. */
import Decimal from 'decimal.js';
import { isAdmin, orgId } from '../../common/auth';
import { paginate, type ConnectionArgs, type ConnectionResult, type SortKey } from '../../common/connection';
import type { Context } from '../../common/context';
import { badInput, forbidden } from '../../common/errors';
import { withIdempotency } from '../../db/idempotency';
import { withTransaction } from '../../db/transaction';
import { createRecorded, updateRecorded } from '../audit';
import { requireOrgUser } from '../identity';
import { assertManagesSquad, requireSquad } from '../squads';
import { Objective } from './okr.entity';
import { createsAlignmentCycle } from './okr-rules';
import type { ArchiveObjectiveInput, CreateObjectiveInput, ObjectivesFilter, UpdateObjectiveInput } from './okrs.inputs';
import { objectiveById } from './okrs.loaders';
import { isoToday } from '../../common/dates';
import { sqlOf, statusCondition, storeObjectiveProgress } from './okr-progress-store';
import {
  requireCycle,
  requireObjective,
  assertManagesObjective,
  openCycle,
  alignmentChain,
  announceProgress,
  assertRollupWeights,
  checkWeight,
  assertNotArchived,
} from './okr-access';
import { lockAlignments } from './alignment-lock';

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
  qb.andWhere(filter.archived ? 'o.archived_at IS NOT NULL' : 'o.archived_at IS NULL');
  if (filter.cycleId) qb.andWhere('o.cycle_id = :cycle', { cycle: filter.cycleId });
  if (filter.squadId) qb.andWhere('o.squad_id = :squad', { squad: filter.squadId });
  if (filter.ownerId) qb.andWhere('o.owner_id = :owner', { owner: filter.ownerId });
  if (filter.status) qb.andWhere(statusCondition('o', filter.status), { today: isoToday() });
  return paginate(ctx, qb, page, OBJECTIVE_SORT, 'Query.objectives');
}

/** The routing facts of an objective's events. */
const objectiveMeta = (o: Objective) => ({ cycleId: o.cycleId, squadId: o.squadId });

export async function createObjective(ctx: Context, input: CreateObjectiveInput) {
  return withIdempotency(ctx, 'createObjective', input, async (tx) => {
    const cycle = await requireCycle(tx, input.cycleId);
    const squad = input.squadId ? await requireSquad(tx, input.squadId) : null;
    if (!isAdmin(tx)) {
      if (!squad) throw forbidden('A SQUAD_LEAD creates objectives for a squad they lead: pass squadId');
      assertManagesSquad(tx, squad, 'create objectives for this squad');
    }
    const ownerId = input.ownerId ? (await requireOrgUser(tx, input.ownerId, 'ownerId', { notViewer: true })).userId : tx.viewer!.userId;
    const parent = input.parentId ? await requireObjective(tx, input.parentId) : null;
    if (parent) assertNotArchived(parent, 'The parent objective');
    const weight = checkWeight(input.weight) ?? new Decimal(1);
    await openCycle(tx, cycle.id);
    if (parent) await assertRollupWeights(tx, parent.id, { weight });
    const objective = await createRecorded(
      tx,
      Objective,
      {
        organizationId: orgId(tx),
        cycleId: cycle.id,
        title: input.title.trim(),
        description: input.description?.trim() || null,
        ownerId,
        squadId: squad?.id ?? null,
        parentId: parent?.id ?? null,
        weight,
        version: 1,
      },
      { action: 'objective.created', meta: objectiveMeta, prime: objectiveById },
    );
    const rolledUp = await storeObjectiveProgress(sqlOf(tx.manager), orgId(tx), [objective.id]);
    Object.assign(objective, rolledUp.get(objective.id)?.stored);
    announceProgress(tx, rolledUp, objective.id); // its parent's chain
    return { objective };
  });
}

export async function updateObjective(ctx: Context, input: UpdateObjectiveInput) {
  return withTransaction(ctx, async (tx) => {
    const objective = await requireObjective(tx, input.id);
    await assertManagesObjective(tx, objective, 'change this objective');
    assertNotArchived(objective, 'This objective');
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
      const parent = input.parentId ? await requireObjective(tx, input.parentId) : null;
      if (parent) assertNotArchived(parent, 'The parent objective');
      if (parent) {
        await lockAlignments(tx); // then look for a loop, seeing every committed re-alignment
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
    const updated = await updateRecorded(tx, Objective, objective, input.expectedVersion, set, {
      action: 'objective.updated',
      meta: objectiveMeta,
      prime: objectiveById,
      what: 'This objective',
    });
    if (set.parentId !== undefined || set.weight !== undefined) {
      announceProgress(tx, await storeObjectiveProgress(sqlOf(tx.manager), orgId(tx), [objective.parentId, updated.parentId]));
    }
    return { objective: updated };
  });
}

/**
 * The objective's managers; open cycles only. An archived objective leaves the default lists
 * (`objectives`, `Cycle.objectives`, `Squad.objectives`, its parent's `children`) and its
 * parent's roll-up, and no longer changes; it stays reachable by id with its key results.
 */
export async function archiveObjective(ctx: Context, input: ArchiveObjectiveInput) {
  return withTransaction(ctx, async (tx) => {
    const objective = await requireObjective(tx, input.id);
    await assertManagesObjective(tx, objective, 'archive this objective');
    assertNotArchived(objective, 'This objective');
    await openCycle(tx, objective.cycleId);
    if (objective.parentId) await assertRollupWeights(tx, objective.parentId, { childId: objective.id, weight: null });
    const archived = await updateRecorded(tx, Objective, objective, input.expectedVersion, { archivedAt: new Date() }, {
      action: 'objective.archived',
      meta: objectiveMeta,
      prime: objectiveById,
      what: 'This objective',
    });
    announceProgress(tx, await storeObjectiveProgress(sqlOf(tx.manager), orgId(tx), [objective.parentId]));
    return { objective: archived };
  });
}
