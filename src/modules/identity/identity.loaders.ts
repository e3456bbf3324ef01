import { isAdmin } from '../../common/auth';
import type { Context } from '../../common/context';
import { ApiToken } from './api-token.entity';
import { byKeys, defineByIdLoader, defineLoader, groupByKeys, nullOnError, primeAll } from '../../common/loaders';
import { registerNodeType } from '../../common/node';
import { queryRows, rowShape } from '../../common/rows';
import { Member, MemberStatus } from './member.entity';
import { Organization } from './organization.entity';
import { User } from './user.entity';

/** The organisation the request acts in; any other id loads as null (tenancy). */
export const organizationById = defineByIdLoader(Organization, 'Organization', { tenantColumn: 'id' });

export const memberById = defineByIdLoader(Member, 'Member');

/** API tokens of the request's organisation; only OWNER/ADMIN may see them. */
export const apiTokenById = defineByIdLoader(ApiToken, 'ApiToken', { visible: isAdmin });

/**
 * Users the organisation's own rows name (a squad's lead, an objective's owner, a check-in's
 * author, an audit actor...), whether or not they are still members: the id comes from a row
 * already filtered by organisation, so a former member keeps their name on their work. Never
 * use it for an id a client sent (use `userById` or `requireOrgUser`).
 */
export const referencedUserById = defineLoader<string, User>('identity.referencedUserById', async (ctx, ids) => {
  const shape = rowShape(ctx.manager.connection, User);
  const rows = await queryRows(ctx.manager, User, `SELECT ${shape.columns('u')} FROM users u WHERE u.id = ANY($1::uuid[])`, [ids], {
    prepared: true,
  });
  return byKeys(ids, rows, (u) => u.id);
});

/** Users who are members of the request's organisation; any other user loads as null. */
export const userById = defineLoader<string, User>('identity.userById', async (ctx, ids) => {
  if (!ctx.organizationId) return ids.map(() => null);
  const shape = rowShape(ctx.manager.connection, User);
  const rows = await queryRows(
    ctx.manager,
    User,
    `SELECT ${shape.columns('u')} FROM users u
       JOIN members m ON m.user_id = u.id AND m.organization_id = $2
      WHERE u.id = ANY($1::uuid[])`,
    [ids, ctx.organizationId],
    { prepared: true },
  );
  return byKeys(ids, rows, (u) => u.id);
});
registerNodeType('User', (ctx, ids) => userById(ctx).loadMany(ids).then(nullOnError));

/** The request organisation's membership of each user (null when not a member). */
export const memberByUserId = defineLoader<string, Member>('identity.memberByUserId', async (ctx, userIds) => {
  if (!ctx.organizationId) return userIds.map(() => null);
  const shape = rowShape(ctx.manager.connection, Member);
  const rows = await queryRows(
    ctx.manager,
    Member,
    `SELECT ${shape.columns('m')} FROM members m WHERE m.organization_id = $1 AND m.user_id = ANY($2::uuid[])`,
    [ctx.organizationId, userIds],
    { prepared: true },
  );
  primeAll(memberById(ctx), rows);
  return byKeys(userIds, rows, (m) => m.userId);
});

/** Every organisation a user belongs to, whichever the request acts in (for `viewer.organizations`). */
export const membershipsOfUser = defineLoader<string, Array<{ member: Member; organization: Organization }>>(
  'identity.membershipsOfUser',
  async (ctx: Context, userIds) => {
    const members = rowShape(ctx.manager.connection, Member);
    const orgs = rowShape(ctx.manager.connection, Organization);
    const rows: Array<Record<string, unknown>> = await ctx.manager.query(
      `SELECT ${members.columns('m', 'm_')}, ${orgs.columns('o', 'o_')}
         FROM members m JOIN organizations o ON o.id = m.organization_id
        WHERE m.user_id = ANY($1::uuid[]) AND m.status = $2
        ORDER BY m.created_at, m.id`,
      [userIds, MemberStatus.ACTIVE],
    );
    const list = rows.map((r) => ({ member: members.map(r, 'm_'), organization: orgs.map(r, 'o_') }));
    return groupByKeys(userIds, list, (m) => m.member.userId);
  },
);

