import { isAdmin, orgId } from '../../common/auth';
import { paginate, type ConnectionArgs } from '../../common/connection';
import { Role, type Context } from '../../common/context';
import { AppError, ErrorCode, badInput, conflict, forbidden, notFound } from '../../common/errors';
import { fromGlobalId, toGlobalId } from '../../common/ids';
import { requireByGlobalId } from '../../common/loaders';
import { withTransaction } from '../../db/transaction';
import { recordChange } from '../audit';
import { requireOrgUser } from '../identity';
import { Sprint, Squad, SquadMember } from './squad.entity';
import type { AddSquadMemberInput, CloseSprintInput, CreateSprintInput, CreateSquadInput, RemoveSquadMemberInput } from './squads.inputs';
import { sprintById, squadById } from './squads.loaders';
import { monthlyEnd } from './sprint-rules';

/** A squad is a small cross-functional team; beyond this it should be split. */
export const MAX_SQUAD_MEMBERS = 50;


/** Whether the caller leads `squad` (a SQUAD_LEAD manages only the squads they lead). */
export function leadsSquad(ctx: Context, squad: { leadId: string } | null): boolean {
  return Boolean(squad && ctx.role === Role.SQUAD_LEAD && ctx.viewer && squad.leadId === ctx.viewer.userId);
}

/** OWNER/ADMIN manage every squad; a SQUAD_LEAD only the squads they lead. */
export function assertManagesSquad(ctx: Context, squad: Squad | null, action: string): void {
  if (isAdmin(ctx) || leadsSquad(ctx, squad)) return;
  throw forbidden(`Only OWNER/ADMIN or the squad's lead may ${action}`);
}

/** Loads a squad of the organisation by global id; any other id is NOT_FOUND. */
export function requireSquad(ctx: Context, globalId: string, field = 'squadId'): Promise<Squad> {
  return requireByGlobalId(squadById(ctx), globalId, 'Squad', field);
}

export function requireSprint(ctx: Context, globalId: string, field = 'sprintId'): Promise<Sprint> {
  return requireByGlobalId(sprintById(ctx), globalId, 'Sprint', field);
}

export async function createSquad(ctx: Context, input: CreateSquadInput) {
  return withTransaction(ctx, async (tx) => {
    const { userId: leadId } = await requireOrgUser(tx, input.leadId, 'leadId', { notViewer: true });
    const squad = await tx.manager.save(
      tx.manager.create(Squad, { organizationId: orgId(tx), name: input.name.trim(), mission: input.mission?.trim() || null, leadId }),
    );
    await recordChange(tx, {
      action: 'squad.created',
      entityType: 'Squad',
      entityId: squad.id,
      after: squad,
      meta: { squadId: squad.id },
    });
    return { squad };
  });
}

export async function addSquadMember(ctx: Context, input: AddSquadMemberInput) {
  return withTransaction(ctx, async (tx) => {
    // Lock the squad so that concurrent additions count each other.
    const squad = await lockSquad(tx, input.squadId);
    assertManagesSquad(tx, squad, 'add squad members');
    const { userId } = await requireOrgUser(tx, input.userId, 'userId');
    const members = await tx.manager.find(SquadMember, { where: { squadId: squad.id, organizationId: squad.organizationId } });
    if (members.some((m) => m.userId === userId)) throw conflict('This user is already a member of the squad');
    if (members.length >= MAX_SQUAD_MEMBERS) {
      throw badInput(`A squad has at most ${MAX_SQUAD_MEMBERS} members: split it into smaller squads`, 'squadId');
    }
    const squadMember = await tx.manager.save(
      tx.manager.create(SquadMember, { organizationId: squad.organizationId, squadId: squad.id, userId, function: input.function }),
    );
    await recordChange(tx, {
      action: 'squad.member_added',
      entityType: 'SquadMember',
      entityId: squadMember.id,
      after: squadMember,
      meta: { squadId: squad.id, userId },
    });
    return { squadMember, squad };
  });
}

export async function removeSquadMember(ctx: Context, input: RemoveSquadMemberInput) {
  return withTransaction(ctx, async (tx) => {
    const squad = await lockSquad(tx, input.squadId);
    assertManagesSquad(tx, squad, 'remove squad members');
    const userId = fromGlobalId(input.userId, 'User', 'userId');
    const member = await tx.manager.findOneBy(SquadMember, { squadId: squad.id, userId, organizationId: squad.organizationId });
    if (!member) throw notFound('Squad member', input.userId);
    await tx.manager.delete(SquadMember, { id: member.id });
    await recordChange(tx, {
      action: 'squad.member_removed',
      entityType: 'SquadMember',
      entityId: member.id,
      before: member,
      meta: { squadId: squad.id, userId },
    });
    return { removedSquadMemberId: toGlobalId('SquadMember', member.id), squad };
  });
}

async function lockSquad(tx: Context, globalId: string): Promise<Squad> {
  const squad = await tx.manager
    .createQueryBuilder(Squad, 's')
    .setLock('pessimistic_write')
    .where('s.id = :id AND s.organization_id = :org', { id: fromGlobalId(globalId, 'Squad', 'squadId'), org: orgId(tx) })
    .getOne();
  if (!squad) throw notFound('Squad', globalId);
  return squad;
}

export async function listSquads(ctx: Context, page: ConnectionArgs) {
  const qb = ctx.manager.createQueryBuilder(Squad, 's').where('s.organization_id = :org', { org: orgId(ctx) });
  const result = await paginate(qb, page, [
    { column: 's.created_at', direction: 'ASC', value: (s) => s.createdAt },
    { column: 's.id', direction: 'ASC', value: (s) => s.id },
  ]);
  for (const s of result.nodes) squadById(ctx).prime(s.id, s);
  return result;
}

export async function createSprint(ctx: Context, input: CreateSprintInput) {
  const endsOn = input.endsOn ?? monthlyEnd(input.startsOn);
  if (endsOn < input.startsOn) throw badInput('endsOn must be on or after startsOn', 'endsOn');
  return withTransaction(ctx, async (tx) => {
    const squad = await lockSquad(tx, input.squadId);
    assertManagesSquad(tx, squad, 'plan sprints');
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
    const sprint = await tx.manager.save(
      tx.manager.create(Sprint, {
        organizationId: squad.organizationId,
        squadId: squad.id,
        name: input.name.trim(),
        goal: input.goal?.trim() || null,
        startsOn: input.startsOn,
        endsOn,
        retrospective: null,
        closedAt: null,
      }),
    );
    await recordChange(tx, {
      action: 'sprint.created',
      entityType: 'Sprint',
      entityId: sprint.id,
      after: sprint,
      meta: { squadId: squad.id },
    });
    return { sprint };
  });
}

export async function closeSprint(ctx: Context, input: CloseSprintInput) {
  const id = fromGlobalId(input.sprintId, 'Sprint', 'sprintId');
  return withTransaction(ctx, async (tx) => {
    const sprint = await tx.manager
      .createQueryBuilder(Sprint, 's')
      .setLock('pessimistic_write')
      .where('s.id = :id AND s.organization_id = :org', { id, org: orgId(tx) })
      .getOne();
    if (!sprint) throw notFound('Sprint', input.sprintId);
    assertManagesSquad(tx, await squadById(tx).load(sprint.squadId), 'close sprints');
    if (sprint.closedAt) throw new AppError(ErrorCode.INVALID_TRANSITION, `Sprint "${sprint.name}" is already closed`);
    const before = { ...sprint };
    sprint.closedAt = new Date();
    sprint.retrospective = input.retrospective?.trim() || null;
    await tx.manager.save(sprint);
    await recordChange(tx, {
      action: 'sprint.closed',
      entityType: 'Sprint',
      entityId: sprint.id,
      before,
      after: sprint,
      meta: { squadId: sprint.squadId },
    });
    return { sprint };
  });
}
