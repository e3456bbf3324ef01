import type { Context } from '../../common/context';
import { badInput } from '../../common/errors';
import { userViewer } from '../../db/system-context';
import { withTransaction } from '../../db/transaction';
import { enqueueMail, passwordResetMail } from '../mail';
import { reserveAccountMail } from './account-limits';
import { reserveAddressAttempt, reserveLoginAttempt } from './login-throttle';
import { hashLimited } from './passwords';
import { hashSecret, newSecret } from './secrets';
import { signSession } from './session-tokens';
import { recordUserChange } from './user-audit';
import { User } from './user.entity';
import { normalizeEmail, userWithSecrets } from './identity-access';

/** How long a password reset link works. */
export const PASSWORD_RESET_TTL_MINUTES = 60;

/**
 * Mails a password reset link (`/reset-password?token=pgr_...`, once, PASSWORD_RESET_TTL_MINUTES)
 * to the address if it has an account. The answer, its limits and its refusals are the same
 * whether or not it has one: the log-in limits (per client address, per address asked about, the
 * back-off), then one such mail per address per ACCOUNT_MAIL_INTERVAL_SECONDS. Tokens are stored
 * as SHA-256 hashes.
 */
export async function requestPasswordReset(ctx: Context, input: { email: string }) {
  const email = normalizeEmail(input.email);
  await reserveLoginAttempt(ctx, email, 'Too many password reset requests');
  await reserveAccountMail(ctx, 'password_reset', email);
  await withTransaction(ctx, async (tx) => {
    const user = await userWithSecrets(tx).where('u.email = :email', { email }).getOne();
    // An address only invited so far has no password to reset: its invitation link sets one.
    if (!user?.passwordHash) return;
    const { secret, hash } = newSecret('pgr');
    await tx.manager.query(`DELETE FROM password_resets WHERE expires_at < now()`);
    await tx.manager.query(
      `INSERT INTO password_resets (user_id, token_hash, expires_at) VALUES ($1, $2, now() + make_interval(mins => $3))`,
      [user.id, hash, PASSWORD_RESET_TTL_MINUTES],
    );
    await enqueueMail(tx, passwordResetMail(tx, email, { displayName: user.displayName, token: secret, validMinutes: PASSWORD_RESET_TTL_MINUTES }));
  });
  return { expiresAt: new Date(Date.now() + PASSWORD_RESET_TTL_MINUTES * 60_000) };
}

/**
 * Sets a new password with the token from a reset mail. The token works once (every open reset
 * of the account ends with it); every session of the account ends, and a fresh one is returned.
 * The mail proves the mailbox: an unverified address becomes verified, and an unverified account
 * (registered by whoever typed the address first) loses its API tokens too. A wrong token counts
 * against the client address like a failed log-in.
 */
export async function resetPassword(ctx: Context, input: { token: string; newPassword: string }) {
  const attempt = await reserveAddressAttempt(ctx, 'Too many password reset attempts');
  const now = new Date();
  const user = await withTransaction(ctx, async (tx) => {
    // Locks by token hash, then the user's row: not `lockById`'s case (a row of the caller's
    // organisation by id); users belong to no organisation.
    const rows: Array<{ user_id: string }> = await tx.manager.query(
      `SELECT user_id FROM password_resets WHERE token_hash = $1 AND expires_at > now() FOR UPDATE`,
      [hashSecret(input.token)],
    );
    if (!rows[0]) throw badInput('This password reset link is invalid, used or expired: ask for a new one', 'token');
    const userId = rows[0].user_id;
    await tx.manager.query(`DELETE FROM password_resets WHERE user_id = $1`, [userId]);
    const before = await userWithSecrets(tx).setLock('pessimistic_write').where('u.id = :id', { id: userId }).getOneOrFail();
    const passwordHash = await hashLimited(tx, input.newPassword);
    await tx.manager.update(User, { id: userId }, { passwordHash, sessionsValidAfter: now, emailVerifiedAt: before.emailVerifiedAt ?? now });
    if (!before.emailVerifiedAt) {
      await tx.manager.query(`UPDATE api_tokens SET revoked_at = now() WHERE created_by = $1 AND revoked_at IS NULL`, [userId]);
    }
    await recordUserChange({ ...tx, viewer: userViewer(userId) }, userId, {
      action: 'user.password_reset',
      after: { sessionsEndedAt: now.toISOString(), emailVerified: true },
    });
    return tx.manager.findOneByOrFail(User, { id: userId });
  });
  await attempt.succeeded();
  return { token: signSession(ctx.sessions.jwtSecret, user.id, ctx.sessions.ttlSeconds, now), user };
}
