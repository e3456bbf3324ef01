import type { Context } from '../../common/context';
import { badInput, notFound } from '../../common/errors';
import { toGlobalId } from '../../common/ids';
import { memberByUserId } from './identity.loaders';
import type { Member } from './member.entity';

/**
 * Checks that a user (by uuid, decoded at the API edge) is a member of the request's
 * organisation: anyone else is NOT_FOUND, as if the id did not exist.
 * With `notViewer`, a VIEWER (who can change nothing) is refused for a role that acts.
 */
export async function requireOrgUser(
  ctx: Context,
  userId: string,
  field: string,
  opts: { notViewer?: boolean } = {},
): Promise<{ userId: string; member: Member }> {
  const member = await memberByUserId(ctx).load(userId);
  if (!member) throw notFound('User', toGlobalId('User', userId));
  if (opts.notViewer && member.role === 'VIEWER') {
    throw badInput(`${field}: a VIEWER cannot take this on; change their role first`, field);
  }
  return { userId, member };
}
