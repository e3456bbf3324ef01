import type { Context } from '../../common/context';
import { badInput, unauthenticated } from '../../common/errors';
import type { ChangePasswordInput, LogInInput } from './identity.inputs';
import { normalizeEmail, userWithSecrets } from './identity-access';
import { reserveLoginAttempt } from './login-throttle';
import { Member, MemberStatus } from './member.entity';
import { Organization } from './organization.entity';
import { hashLimited, verifyLimited } from './passwords';
import { signSession, verifySession } from './session-tokens';
import { User } from './user.entity';

// The account of the caller: logging in and out, sessions, the password.

export async function logIn(ctx: Context, input: LogInInput) {
  const email = normalizeEmail(input.email);
  // Counted before the password is checked: parallel guesses cannot pass the limit.
  const attempt = await reserveLoginAttempt(ctx, email);
  const user = await userWithSecrets(ctx).where('u.email = :email', { email }).getOne();
  // Verify against a dummy hash when there is no such user, so timing does not tell.
  const ok = await verifyLimited(ctx, user?.passwordHash, input.password);
  if (!user || !user.passwordHash || !ok) {
    // One answer for every failure; the hint applies to anyone who just signed up.
    throw unauthenticated('Email or password is incorrect (signed up just now? open the link we mailed you first)');
  }
  await attempt.succeeded();
  const member = await ctx.manager.findOne(Member, {
    where: { userId: user.id, status: MemberStatus.ACTIVE },
    order: { createdAt: 'ASC' },
  });
  const organization = member ? await ctx.manager.findOneBy(Organization, { id: member.organizationId }) : null;
  return { token: signSession(ctx.sessions.jwtSecret, user.id, ctx.sessions.ttlSeconds), user, organization };
}

/** The bearer session of the request, verified again (for logOut). */
function currentSession(ctx: Context) {
  const token = /^Bearer\s+(\S+)$/i.exec(ctx.credentials.authorization?.trim() ?? '')?.[1];
  const session = token ? verifySession(ctx.sessions, token) : null;
  if (!session || 'error' in session) throw unauthenticated();
  return session;
}

/** Ends the session whose token the request carries. */
export async function logOut(ctx: Context) {
  const session = currentSession(ctx);
  await ctx.manager.query(
    `INSERT INTO revoked_sessions (jti, user_id, expires_at) VALUES ($1, $2, $3) ON CONFLICT (jti) DO NOTHING`,
    [session.sessionId, session.userId, session.expiresAt],
  );
  // Revocations are kept only as long as the tokens they name could be used.
  await ctx.manager.query(`DELETE FROM revoked_sessions WHERE expires_at < now() - interval '1 minute'`);
  return { loggedOut: true };
}

/** Ends every session of the caller issued until now (API tokens are not sessions: revoke them apart). */
export async function logOutEverywhere(ctx: Context) {
  const sessionsValidAfter = new Date();
  await ctx.manager.update(User, { id: ctx.viewer!.userId }, { sessionsValidAfter });
  return { sessionsValidAfter };
}

/** Changes the caller's password and ends their other sessions; returns a fresh session token. */
export async function changePassword(ctx: Context, input: ChangePasswordInput) {
  const userId = ctx.viewer!.userId;
  const user = await userWithSecrets(ctx).where('u.id = :id', { id: userId }).getOne();
  if (!user) throw unauthenticated('The account of this session no longer exists');
  // The same limits as logIn: a stolen session cannot guess the password faster than a log-in.
  const attempt = await reserveLoginAttempt(ctx, user.email, 'Too many wrong passwords');
  if (!(await verifyLimited(ctx, user.passwordHash, input.currentPassword))) {
    throw badInput('currentPassword is not your current password', 'currentPassword');
  }
  await attempt.succeeded();
  const passwordHash = await hashLimited(ctx, input.newPassword);
  const now = new Date();
  await ctx.manager.update(User, { id: userId }, { passwordHash, sessionsValidAfter: now });
  return { token: signSession(ctx.sessions.jwtSecret, userId, ctx.sessions.ttlSeconds, now), user };
}

