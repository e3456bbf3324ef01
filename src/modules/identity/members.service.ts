import { orgId } from '../../common/auth';
import { Role, type Context } from '../../common/context';
import { paginate, type ConnectionArgs } from '../../common/connection';
import { AppError, ErrorCode, forbidden, notFound } from '../../common/errors';
import { toGlobalId } from '../../common/ids';
import { withTransaction } from '../../db/transaction';
import { deleteRecorded, updateWhere } from '../audit';
import { assertMayManage } from './identity-access';
import type { ChangeMemberRoleInput, RemoveMemberInput } from './identity.inputs';
import { organizationById } from './identity.loaders';
import { Member, MemberStatus } from './member.entity';
import type { Organization } from './organization.entity';

// The organisation's members: listing them, their roles, removal, and never losing the last OWNER.

export async function currentOrganization(ctx: Context): Promise<Organization> {
  const org = await organizationById(ctx).load(orgId(ctx));
  if (!org) throw notFound('Organization');
  return org;
}

export async function listMembers(ctx: Context, organization: Organization, page: ConnectionArgs) {
  if (organization.id !== ctx.organizationId) {
    throw forbidden('Members are visible only for the organisation the request acts in (X-Organization-Id)');
  }
  const qb = ctx.manager
    .createQueryBuilder(Member, 'm')
    .where('m.organization_id = :org', { org: organization.id });
  return paginate(ctx, qb, page, [
    { column: 'm.created_at', direction: 'ASC', value: (m) => m.createdAt },
    { column: 'm.id', direction: 'ASC', value: (m) => m.id },
  ], 'Organization.members');
}

/**
 * Locks the organisation's members so that concurrent role changes see each other. Not a lock by
 * id (`lockByIds`): the last-OWNER rule needs every member, whose ids are not known before.
 */
async function lockMembers(tx: Context): Promise<Member[]> {
  return tx.manager
    .createQueryBuilder(Member, 'm')
    .setLock('pessimistic_write')
    .where('m.organization_id = :org', { org: orgId(tx) })
    .getMany();
}

/**
 * Locks the organisation's members and returns the one to change, after the checks every
 * membership change shares: it exists here, the caller may manage it, and the change does not
 * leave the organisation without an active OWNER.
 */
async function memberToChange(tx: Context, memberId: string, change: { newRole?: Role; verb: string }): Promise<Member> {
  const members = await lockMembers(tx);
  const member = members.find((m) => m.id === memberId);
  if (!member) throw notFound('Member', toGlobalId('Member', memberId), 'memberId');
  assertMayManage(tx, member, change.newRole);
  const losesOwner = member.role === Role.OWNER && change.newRole !== Role.OWNER;
  const activeOwners = members.filter((m) => m.role === Role.OWNER && m.status === MemberStatus.ACTIVE);
  if (losesOwner && activeOwners.length <= 1) {
    throw new AppError(ErrorCode.LAST_OWNER, `The last OWNER cannot be ${change.verb}: make someone else OWNER first`);
  }
  return member;
}

export async function changeMemberRole(ctx: Context, input: ChangeMemberRoleInput) {
  return withTransaction(ctx, async (tx) => {
    const current = await memberToChange(tx, input.memberId, { newRole: input.role, verb: 'demoted' });
    // The members are locked (memberToChange): no condition beyond the row.
    const member = await updateWhere(tx, Member, current, null, { role: input.role }, {
      action: 'member.role_changed',
      meta: { userId: current.userId },
      unmet: () => notFound('Member', toGlobalId('Member', current.id)),
    });
    return { member };
  });
}

export async function removeMember(ctx: Context, input: RemoveMemberInput) {
  return withTransaction(ctx, async (tx) => {
    const member = await memberToChange(tx, input.memberId, { verb: 'removed' });
    await deleteRecorded(tx, Member, member, { action: 'member.removed', meta: { userId: member.userId } });
    return { removedMemberId: input.memberId };
  });
}
