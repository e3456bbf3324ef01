import { ADMINS, assertCanManage, isAdmin, leadsSquad, manageRefusal, requireRole } from '../../common/access';
import { orgId } from '../../common/auth';
import { paginate, type ConnectionArgs } from '../../common/connection';
import type { Context } from '../../common/context';
import { badInput, conflict, forbidden, notFound } from '../../common/errors';
import { refuseArchived, refuseTransition } from '../../common/rules';
import { toGlobalId } from '../../common/ids';
import { primeAll, requireById } from '../../common/loaders';
import { checkDateRange } from '../../common/periods';
import { assertBelowCap } from '../../db/caps';
import { withIdempotency } from '../../db/idempotency';
import { lockById } from '../../db/locks';
import { withTransaction } from '../../db/transaction';
import { createRecorded, deleteRecorded, updateRecorded } from '../audit';
import { requireOrgUser } from '../identity';
import { Sprint, Squad, SquadMember } from './squad.entity';
import type {
  AddSquadMemberInput,
  ArchiveSquadInput,
  CloseSprintInput,
  CreateSprintInput,
  CreateSquadInput,
  RemoveSquadMemberInput,
  SquadsFilter,
  UpdateSprintInput,
  UpdateSquadInput,
} from './squads.inputs';
import { sprintById, squadById } from './squads.loaders';
import { monthlyEnd } from './sprint-rules';

/** A squad is a small cross-functional team; beyond this it should be split. */
export const MAX_SQUAD_MEMBERS = 50;

/** A sprint's dates, as checkDateRange names them. */
const SPRINT_DATES = { startField: 'startsOn', endField: 'endsOn' } as const;


/** Whether the caller leads `squad` (the kit's rule, src/common/access.ts). */
export { leadsSquad };

/** OWNER/ADMIN manage every squad; a SQUAD_LEAD only the squads they lead (for modules holding a loaded squad). */
export function assertManagesSquad(ctx: Context, squad: Squad | null, action: string): void {
  if (isAdmin(ctx) || leadsSquad(ctx, squad)) return;
  throw forbidden(manageRefusal({ kind: 'squad', squad }, action));
}

/** The squad's managers: OWNER/ADMIN and its lead (src/common/access.ts `canManage`). */
const assertManages = (tx: Context, squad: Squad, action: string) => assertCanManage(tx, { kind: 'squad', squad }, action);

/** Loads a squad of the organisation by uuid; any other id is NOT_FOUND. */
export function requireSquad(ctx: Context, id: string): Promise<Squad> {
  return requireById(squadById(ctx), id, 'Squad');
}

export function requireSprint(ctx: Context, id: string): Promise<Sprint> {
  return requireById(sprintById(ctx), id, 'Sprint');
}

export async function createSquad(ctx: Context, input: CreateSquadInput) {
  return withIdempotency(ctx, 'createSquad', input, async (tx) => {
    const { userId: leadId } = await requireOrgUser(tx, input.leadId, 'leadId', { notViewer: true });
    const squad = await createRecorded(
      tx,
      Squad,
      { organizationId: orgId(tx), name: input.name.trim(), mission: input.mission?.trim() || null, leadId, version: 1, archivedAt: null },
      { action: 'squad.created', meta: (s) => ({ squadId: s.id }), prime: squadById },
    );
    return { squad };
  });
}

export async function addSquadMember(ctx: Context, input: AddSquadMemberInput) {
  return withTransaction(ctx, async (tx) => {
    // Lock the squad so that concurrent additions count each other.
    const squad = await lockSquad(tx, input.squadId, 'squadId');
    await assertManages(tx, squad, 'add squad members');
    if (squad.archivedAt) throw squadArchived(squad, 'squadId');
    const { userId } = await requireOrgUser(tx, input.userId, 'userId');
    if (await tx.manager.existsBy(SquadMember, { squadId: squad.id, userId, organizationId: squad.organizationId })) {
      throw conflict('This user is already a member of the squad');
    }
    await assertBelowCap(tx, {
      table: SquadMember,
      parentColumn: 'squad_id',
      parentId: squad.id,
      max: MAX_SQUAD_MEMBERS,
      field: 'squadId',
      message: (max) => `A squad has at most ${max} members: split it into smaller squads`,
    });
    const squadMember = await createRecorded(
      tx,
      SquadMember,
      { organizationId: squad.organizationId, squadId: squad.id, userId, function: input.function },
      { action: 'squad.member_added', meta: { squadId: squad.id, userId } },
    );
    return { squadMember, squad };
  });
}

export async function removeSquadMember(ctx: Context, input: RemoveSquadMemberInput) {
  return withTransaction(ctx, async (tx) => {
    const squad = await lockSquad(tx, input.squadId, 'squadId');
    await assertManages(tx, squad, 'remove squad members');
    const userId = input.userId;
    const member = await tx.manager.findOneBy(SquadMember, { squadId: squad.id, userId, organizationId: squad.organizationId });
    if (!member) throw notFound('Squad member', toGlobalId('User', userId), 'userId');
    await deleteRecorded(tx, SquadMember, member, { action: 'squad.member_removed', meta: { squadId: squad.id, userId } });
    return { removedSquadMemberId: toGlobalId('SquadMember', member.id), squad };
  });
}

/** Locks the squad (changes of its members and sprints queue and see each other's). */
const lockSquad = (tx: Context, id: string, field?: string): Promise<Squad> => lockById(tx, Squad, id, { field });

/** Active squads by default; archived ones with `archived: true`. Oldest first. */
export async function listSquads(ctx: Context, filter: SquadsFilter, page: ConnectionArgs) {
  const qb = ctx.manager.createQueryBuilder(Squad, 's').where('s.organization_id = :org', { org: orgId(ctx) });
  qb.andWhere(filter.archived ? 's.archived_at IS NOT NULL' : 's.archived_at IS NULL');
  if (filter.leadId) qb.andWhere('s.lead_id = :leadId', { leadId: filter.leadId });
  if (filter.memberId) {
    qb.andWhere('EXISTS (SELECT 1 FROM squad_members m WHERE m.organization_id = s.organization_id AND m.squad_id = s.id AND m.user_id = :memberId)', {
      memberId: filter.memberId,
    });
  }
  return paginate(ctx, qb, page, [
    { column: 's.created_at', direction: 'ASC', value: (s) => s.createdAt },
    { column: 's.id', direction: 'ASC', value: (s) => s.id },
  ], 'Query.squads');
}

/**
 * The active squads of the request's organisation that `userId` leads or is a member of, oldest
 * first, in one statement; primes `squadById`.
 */
export async function squadsOfUser(ctx: Context, userId: string): Promise<Squad[]> {
  if (!ctx.organizationId) return [];
  const rows = await ctx.manager
    .createQueryBuilder(Squad, 's')
    .where('s.organization_id = :org AND s.archived_at IS NULL', { org: orgId(ctx) })
    .andWhere(
      '(s.lead_id = :user OR EXISTS (SELECT 1 FROM squad_members m WHERE m.organization_id = s.organization_id AND m.squad_id = s.id AND m.user_id = :user))',
      { user: userId },
    )
    .orderBy('s.created_at', 'ASC')
    .addOrderBy('s.id', 'ASC')
    .getMany();
  primeAll(squadById(ctx), rows);
  return rows;
}

export async function createSprint(ctx: Context, input: CreateSprintInput) {
  const endsOn = input.endsOn ?? monthlyEnd(input.startsOn);
  checkDateRange(input.startsOn, endsOn, SPRINT_DATES);
  return withIdempotency(ctx, 'createSprint', input, async (tx) => {
    const squad = await lockSquad(tx, input.squadId, 'squadId');
    await assertManages(tx, squad, 'plan sprints');
    if (squad.archivedAt) throw squadArchived(squad, 'squadId');
    const overlapping = await tx.manager
      .createQueryBuilder(Sprint, 's')
      .where('s.organization_id = :org AND s.squad_id = :squad AND s.closed_at IS NULL', { org: squad.organizationId, squad: squad.id })
      .andWhere('s.starts_on <= :endsOn AND s.ends_on >= :startsOn', { startsOn: input.startsOn, endsOn })
      .getOne();
    if (overlapping) {
      throw badInput(
        `The squad's open sprint "${overlapping.name}" (${overlapping.startsOn} to ${overlapping.endsOn}) overlaps these dates: close it or choose other dates`,
        'startsOn',
      );
    }
    const sprint = await createRecorded(
      tx,
      Sprint,
      {
        organizationId: squad.organizationId,
        squadId: squad.id,
        name: input.name.trim(),
        goal: input.goal?.trim() || null,
        startsOn: input.startsOn,
        endsOn,
        retrospective: null,
        closedAt: null,
        version: 1,
      },
      { action: 'sprint.created', meta: { squadId: squad.id }, prime: sprintById },
    );
    return { sprint };
  });
}

export async function closeSprint(ctx: Context, input: CloseSprintInput) {
  const id = input.sprintId;
  return withTransaction(ctx, async (tx) => {
    const sprint = await lockById(tx, Sprint, id, { field: 'sprintId' });
    await assertCanManage(tx, { kind: 'sprint', squadId: sprint.squadId }, 'close sprints');
    if (sprint.closedAt) throw refuseTransition(`Sprint "${sprint.name}" is already closed`);
    const closed = await updateRecorded(
      tx,
      Sprint,
      sprint,
      null,
      { closedAt: new Date(), retrospective: input.retrospective?.trim() || null },
      { action: 'sprint.closed', meta: { squadId: sprint.squadId }, prime: sprintById },
    );
    return { sprint: closed };
  });
}

/** An archived squad no longer changes; `field` names the input that referred to it. */
const squadArchived = (squad: Squad, field?: string) => refuseArchived(`Squad "${squad.name}" is archived`, field);

/** OWNER/ADMIN or the squad's lead; only OWNER/ADMIN change the lead. */
export async function updateSquad(ctx: Context, input: UpdateSquadInput) {
  return withTransaction(ctx, async (tx) => {
    const squad = await requireSquad(tx, input.id);
    await assertManages(tx, squad, 'change this squad');
    if (squad.archivedAt) throw squadArchived(squad);
    const set: Partial<Squad> = {};
    if (input.name != null) set.name = input.name.trim();
    if (input.mission !== undefined) set.mission = input.mission?.trim() || null;
    if (input.leadId) {
      requireRole(tx, ADMINS, 'change a squad’s lead');
      set.leadId = (await requireOrgUser(tx, input.leadId, 'leadId', { notViewer: true })).userId;
    }
    const updated = await updateRecorded(tx, Squad, squad, input.expectedVersion, set, {
      action: 'squad.updated',
      meta: (s) => ({ squadId: s.id }),
      prime: squadById,
      what: 'This squad',
    });
    return { squad: updated };
  });
}

/**
 * OWNER/ADMIN. An archived squad leaves the default `squads` list and no longer changes; its
 * objectives, sprints and tasks stay as they are (still reachable by id).
 */
export async function archiveSquad(ctx: Context, input: ArchiveSquadInput) {
  return withTransaction(ctx, async (tx) => {
    const squad = await requireSquad(tx, input.id);
    if (squad.archivedAt) throw squadArchived(squad);
    const archived = await updateRecorded(tx, Squad, squad, input.expectedVersion ?? null, { archivedAt: new Date() }, {
      action: 'squad.archived',
      meta: (s) => ({ squadId: s.id }),
      prime: squadById,
      what: 'This squad',
    });
    return { squad: archived };
  });
}

/** The squad's lead or OWNER/ADMIN; an open sprint only, and never overlapping another open sprint. */
export async function updateSprint(ctx: Context, input: UpdateSprintInput) {
  return withTransaction(ctx, async (tx) => {
    const sprint = await requireSprint(tx, input.id);
    const squad = await lockSquad(tx, sprint.squadId);
    await assertManages(tx, squad, 'change sprints');
    if (sprint.closedAt) throw refuseTransition(`Sprint "${sprint.name}" is closed`);
    const set: Partial<Sprint> = {};
    if (input.name != null) set.name = input.name.trim();
    if (input.goal !== undefined) set.goal = input.goal?.trim() || null;
    if (input.startsOn) set.startsOn = input.startsOn;
    if (input.endsOn) set.endsOn = input.endsOn;
    const startsOn = set.startsOn ?? sprint.startsOn;
    const endsOn = set.endsOn ?? sprint.endsOn;
    checkDateRange(startsOn, endsOn, SPRINT_DATES);
    const overlapping = await tx.manager
      .createQueryBuilder(Sprint, 's')
      .where('s.organization_id = :org AND s.squad_id = :squad AND s.closed_at IS NULL AND s.id <> :id', {
        org: squad.organizationId,
        squad: squad.id,
        id: sprint.id,
      })
      .andWhere('s.starts_on <= :endsOn AND s.ends_on >= :startsOn', { startsOn, endsOn })
      .getOne();
    if (overlapping) {
      throw badInput(`The squad's open sprint "${overlapping.name}" (${overlapping.startsOn} to ${overlapping.endsOn}) overlaps these dates`, 'startsOn');
    }
    const updated = await updateRecorded(tx, Sprint, sprint, input.expectedVersion, set, {
      action: 'sprint.updated',
      meta: { squadId: sprint.squadId },
      prime: sprintById,
      what: 'This sprint',
    });
    return { sprint: updated };
  });
}

/**
 * SQL conditions for another module's statements (e.g. its `myWork` items), without that module
 * reading this one's tables: `column` holds the id of a squad the user `leadId` leads in the
 * organisation. Values are bound through the statement's `param`.
 */
export function squadsLedBy(column: string, organizationId: string, leadId: string): (param: (value: unknown) => string) => string {
  return (param) => `${column} IN (SELECT s.id FROM squads s WHERE s.organization_id = ${param(organizationId)}::uuid AND s.lead_id = ${param(leadId)}::uuid)`;
}

/**
 * `column` holds a user who shares an active squad (as its lead or a member) with `userId`, the
 * user included: the condition form of `squadMatesByUserId`, for a statement of another module.
 */
export function squadMateOf(column: string, organizationId: string, userId: string): (param: (value: unknown) => string) => string {
  return (param) => {
    const org = `${param(organizationId)}::uuid`;
    const people = `SELECT s.id AS squad_id, s.lead_id AS user_id FROM squads s WHERE s.organization_id = ${org} AND s.archived_at IS NULL
       UNION
       SELECT m.squad_id, m.user_id FROM squad_members m JOIN squads s ON s.id = m.squad_id AND s.organization_id = ${org} AND s.archived_at IS NULL
        WHERE m.organization_id = ${org}`;
    return `${column} IN (SELECT mate.user_id FROM (${people}) me JOIN (${people}) mate ON mate.squad_id = me.squad_id WHERE me.user_id = ${param(userId)}::uuid)`;
  };
}

/**
 * The lead (`lead_id`, null when there is none) of the squad whose id the SQL expression
 * `squadIdSql` holds, in the organisation `organizationIdSql`: a scalar sub-select over this
 * module's table, for a statement of another module that checks "the lead of the subject's
 * squad" (`canManage` with `squad`) without a statement of its own.
 */
export function squadLeadSql(squadIdSql: string, organizationIdSql: string): string {
  return `(SELECT s.lead_id FROM squads s WHERE s.id = ${squadIdSql} AND s.organization_id = ${organizationIdSql})`;
}
