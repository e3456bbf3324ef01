import { isAdmin } from '../../common/auth';
import { In } from 'typeorm';
import type { Context } from '../../common/context';
import { ApiToken } from './api-token.entity';
import { byKeys, defineLoader, groupByKeys } from '../../common/loaders';
import { Member, MemberStatus } from './member.entity';
import { Organization } from './organization.entity';
import { User } from './user.entity';

/** The organisation the request acts in; any other id loads as null (tenancy). */
export const organizationById = defineLoader<string, Organization>('identity.organizationById', async (ctx, ids) => {
  const wanted = ids.filter((id) => id === ctx.organizationId);
  const rows = wanted.length ? await ctx.manager.find(Organization, { where: { id: In(wanted) } }) : [];
  return byKeys(ids, rows, (o) => o.id);
});

/**
 * Users the organisation's own rows name (a squad's lead, an objective's owner, a check-in's
 * author, an audit actor...), whether or not they are still members: the id comes from a row
 * already filtered by organisation, so a former member keeps their name on their work. Never
 * use it for an id a client sent (use `userById` or `requireOrgUser`).
 */
export const referencedUserById = defineLoader<string, User>('identity.referencedUserById', async (ctx, ids) => {
  const rows = await ctx.manager.find(User, { where: { id: In([...ids]) } });
  return byKeys(ids, rows, (u) => u.id);
});

/** Users who are members of the request's organisation; any other user loads as null. */
export const userById = defineLoader<string, User>('identity.userById', async (ctx, ids) => {
  if (!ctx.organizationId) return ids.map(() => null);
  const rows = await ctx.manager
    .createQueryBuilder(User, 'u')
    .innerJoin(Member, 'm', 'm.user_id = u.id AND m.organization_id = :org', { org: ctx.organizationId })
    .where('u.id = ANY(:ids)', { ids })
    .getMany();
  return byKeys(ids, rows, (u) => u.id);
});

export const memberById = defineLoader<string, Member>('identity.memberById', async (ctx, ids) => {
  if (!ctx.organizationId) return ids.map(() => null);
  const rows = await ctx.manager.find(Member, { where: { id: In([...ids]), organizationId: ctx.organizationId } });
  return byKeys(ids, rows, (m) => m.id);
});

/** The request organisation's membership of each user (null when not a member). */
export const memberByUserId = defineLoader<string, Member>('identity.memberByUserId', async (ctx, userIds) => {
  if (!ctx.organizationId) return userIds.map(() => null);
  const rows = await ctx.manager.find(Member, {
    where: { userId: In([...userIds]), organizationId: ctx.organizationId },
  });
  for (const m of rows) memberById(ctx).prime(m.id, m);
  return byKeys(userIds, rows, (m) => m.userId);
});

/** Every organisation a user belongs to, whichever the request acts in (for `viewer.organizations`). */
export const membershipsOfUser = defineLoader<string, Array<{ member: Member; organization: Organization }>>(
  'identity.membershipsOfUser',
  async (ctx: Context, userIds) => {
    const members = await ctx.manager.find(Member, {
      where: { userId: In([...userIds]), status: MemberStatus.ACTIVE },
      order: { createdAt: 'ASC' },
    });
    const orgs = members.length
      ? await ctx.manager.find(Organization, { where: { id: In(members.map((m) => m.organizationId)) } })
      : [];
    const orgById = new Map(orgs.map((o) => [o.id, o]));
    const grouped = groupByKeys(userIds, members, (m) => m.userId);
    return grouped.map((list) => list.map((member) => ({ member, organization: orgById.get(member.organizationId)! })));
  },
);

/** API tokens of the request's organisation; only OWNER/ADMIN may see them. */
export const apiTokenById = defineLoader<string, ApiToken>('identity.apiTokenById', async (ctx, ids) => {
  if (!ctx.organizationId || !isAdmin(ctx)) return ids.map(() => null);
  const rows = await ctx.manager.find(ApiToken, { where: { id: In([...ids]), organizationId: ctx.organizationId } });
  return byKeys(ids, rows, (t) => t.id);
});

/** When each user verified their address (null: not verified); for users read without the column. */
export const emailVerifiedAtByUserId = defineLoader<string, { at: Date | null }>('identity.emailVerifiedAtByUserId', async (ctx, ids) => {
  const rows: Array<{ id: string; at: Date | null }> = await ctx.manager.query(
    `SELECT id, email_verified_at AS at FROM users WHERE id = ANY($1::uuid[])`,
    [[...ids]],
  );
  return byKeys(ids, rows, (r) => r.id).map((r) => (r ? { at: r.at } : null));
});
