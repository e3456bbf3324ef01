import { hasRole, WRITERS } from '../../common/access';
import { Role, type Context } from '../../common/context';
import { badInput, forbidden, notFound } from '../../common/errors';
import { toGlobalId } from '../../common/ids';
import { memberByUserId } from './identity.loaders';
import type { Member } from './member.entity';
import { User } from './user.entity';

/** Addresses are kept trimmed and lower-cased; every lookup by address goes through this. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** The user's row with the columns kept out of normal selects (password hash, sessions' valid-after). */
export function userWithSecrets(ctx: Pick<Context, 'manager'>) {
  return ctx.manager.createQueryBuilder(User, 'u').addSelect('u.passwordHash').addSelect('u.sessionsValidAfter');
}

/**
 * Checks that a user (by uuid, decoded at the API edge) is a member of the request's
 * organisation: anyone else is NOT_FOUND (naming `field`), as if the id did not exist.
 * With `notViewer`, a VIEWER (who can change nothing) is refused for a role that acts.
 */
export async function requireOrgUser(
  ctx: Context,
  userId: string,
  field: string,
  opts: { notViewer?: boolean } = {},
): Promise<{ userId: string; member: Member }> {
  const member = await memberByUserId(ctx).load(userId);
  if (!member) throw notFound('User', toGlobalId('User', userId), field);
  if (opts.notViewer && !hasRole(member, WRITERS)) {
    throw badInput(`${field}: a VIEWER cannot take this on; change their role first`, field);
  }
  return { userId, member };
}

/** Only an OWNER grants, changes or removes the OWNER role (an ADMIN manages everyone else). */
export function assertMayManage(ctx: Context, target: Member | null, newRole?: Role) {
  if (ctx.role === Role.ADMIN && (target?.role === Role.OWNER || newRole === Role.OWNER)) {
    throw forbidden('Only an OWNER can grant, change or remove the OWNER role');
  }
}
