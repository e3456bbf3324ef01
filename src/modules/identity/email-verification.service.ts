import { AppError, ErrorCode, badInput } from '../../common/errors';
import type { Context } from '../../common/context';
import { withTransaction } from '../../db/transaction';
import { enqueueMail, verificationMail } from '../mail';
import { reserveAccountMail } from './account-limits';
import type { VerifyEmailInput } from './identity.inputs';
import type { Organization } from './organization.entity';
import { hashSecret, newSecret } from './secrets';
import { signSession } from './session-tokens';
import { completeSignUp } from './sign-up.service';
import { User } from './user.entity';

const VERIFICATION_TTL_MS = 48 * 3600 * 1000;

/** Queues a verification mail for `user`'s address (inside the caller's transaction). */
async function sendVerification(tx: Context, user: User): Promise<void> {
  const { secret, hash } = newSecret('pgv');
  await tx.manager.query(
    `INSERT INTO email_verifications (user_id, email, token_hash, expires_at) VALUES ($1, $2, $3, $4)`,
    [user.id, user.email, hash, new Date(Date.now() + VERIFICATION_TTL_MS)],
  );
  await enqueueMail(tx, verificationMail(tx, user.email, user.displayName, secret));
}

/**
 * The link of a verification mail (`/verify-email?token=`), single use, 48 hours: it finishes a
 * sign-up (the account and its organisation are created, and a session is returned), or marks the
 * address of an existing account verified (accounts from before sign-ups were confirmed by mail).
 */
export async function verifyEmail(
  ctx: Context,
  input: VerifyEmailInput,
): Promise<{ user: User; organization: Organization | null; token: string | null }> {
  const invalid = () => badInput('This verification link is invalid, used or expired: sign up again, or sign in to get a new one', 'token');
  const tokenHash = hashSecret(input.token);
  const result = await withTransaction(ctx, async (tx) => {
    const signedUp = await completeSignUp(tx, tokenHash);
    if (signedUp) return { ...signedUp, newAccount: true };
    // Locked by token hash, outside any organisation: not `lockById`'s case.
    const rows: Array<{ id: string; user_id: string; email: string; expires_at: Date; used_at: Date | null }> = await tx.manager.query(
      `SELECT id, user_id, email, expires_at, used_at FROM email_verifications WHERE token_hash = $1 FOR UPDATE`,
      [tokenHash],
    );
    const v = rows[0];
    if (!v || v.used_at || v.expires_at.getTime() < Date.now()) throw invalid();
    const user = await tx.manager.findOneBy(User, { id: v.user_id });
    if (!user || user.email !== v.email) throw invalid();
    await tx.manager.query(`UPDATE email_verifications SET used_at = now() WHERE id = $1`, [v.id]);
    if (!user.emailVerifiedAt) {
      user.emailVerifiedAt = new Date();
      await tx.manager.update(User, { id: user.id }, { emailVerifiedAt: user.emailVerifiedAt });
    }
    return { user, organization: null, newAccount: false };
  });
  return {
    user: result.user,
    organization: result.organization,
    token: result.newAccount ? signSession(ctx.sessions.jwtSecret, result.user.id, ctx.sessions.ttlSeconds) : null,
  };
}

/** Sends a new verification mail to the caller's address (unless it is verified already). */
export async function resendVerificationEmail(ctx: Context) {
  return withTransaction(ctx, async (tx) => {
    const user = await tx.manager.findOneByOrFail(User, { id: tx.viewer!.userId });
    if (user.emailVerifiedAt) throw badInput('Your email address is verified already');
    await reserveAccountMail(tx, 'verification', user.email);
    const [{ n }] = await tx.manager.query(
      `SELECT count(*)::int AS n FROM email_verifications WHERE user_id = $1 AND created_at > now() - interval '1 hour'`,
      [user.id],
    );
    if (n >= 5) {
      throw new AppError(ErrorCode.RATE_LIMITED, 'Five verification mails were sent in the last hour: check your inbox, or try again later', {
        retryAfterSeconds: 3600,
      });
    }
    await sendVerification(tx, user);
    return { user };
  });
}
