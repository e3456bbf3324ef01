import type { Context } from '../../common/context';
import { User } from './user.entity';

/** Addresses are kept trimmed and lower-cased; every lookup by address goes through this. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** The user's row with the columns kept out of normal selects (password hash, sessions' valid-after). */
export function userWithSecrets(ctx: Pick<Context, 'manager'>) {
  return ctx.manager.createQueryBuilder(User, 'u').addSelect('u.passwordHash').addSelect('u.sessionsValidAfter');
}
