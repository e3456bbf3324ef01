import type { Context } from '../../common/context';
import { badInput, notFound } from '../../common/errors';
import { fromGlobalId } from '../../common/ids';
import { memberByUserId } from './identity.loaders';
import type { Member } from './member.entity';

/**
 * Resolves a User global id sent by a client to the user's id, checking that the user is a
 * member of the request's organisation: anyone else is NOT_FOUND, as if the id did not exist.
 * With `notViewer`, a VIEWER (who can change nothing) is refused for a role that acts.
 */
export async function requireOrgUser(
  ctx: Context,
  userGlobalId: string,
  field: string,
  opts: { notViewer?: boolean } = {},
): Promise<{ userId: string; member: Member }> {
  const userId = fromGlobalId(userGlobalId, 'User', field);
  const member = await memberByUserId(ctx).load(userId);
  if (!member) throw notFound('User', userGlobalId);
  if (opts.notViewer && member.role === 'VIEWER') {
    throw badInput(`${field}: a VIEWER cannot take this on; change their role first`, field);
  }
  return { userId, member };
}
