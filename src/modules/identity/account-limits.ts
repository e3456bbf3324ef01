import type { Context } from '../../common/context';
import { limitKey, limiter, take } from './rate-limits';

/**
 * Limits on what anyone may ask for without an account (counters as for log-in: PostgreSQL or
 * Redis, shared by every instance). Each is counted before any work, and the same way whether or
 * not an address has an account, so a refusal tells nothing about one.
 *
 * - sign-ups: SIGNUP_MAX_PER_ADDRESS per client address and SIGNUP_MAX_GLOBAL from all addresses
 *   together, per SIGNUP_WINDOW_SECONDS;
 * - account mail: at most one mail of a kind (sign-up, verification, password reset) to one
 *   address per ACCOUNT_MAIL_INTERVAL_SECONDS, so nobody can flood a mailbox through plangraph.
 */

/** Counts a sign-up from the request's client address, or throws RATE_LIMITED. */
export async function reserveSignUp(ctx: Context): Promise<void> {
  const { config } = ctx;
  const address = limitKey(ctx.clientAddress ?? 'unknown');
  await take(limiter(ctx, 'signup_addr', config.signupMaxPerAddress, config.signupWindowSeconds), address, 'Too many sign-ups from your address');
  await take(
    limiter(ctx, 'signup_all', config.signupMaxGlobal, config.signupWindowSeconds),
    'all',
    'Too many sign-ups on this server at the moment',
  );
}

export type AccountMailKind = 'sign_up' | 'verification' | 'password_reset';

const MAIL_REFUSAL: Record<AccountMailKind, (seconds: number) => string> = {
  sign_up: (n) => `Someone signed up with this address less than ${n} s ago (our mail about it is in its inbox or spam folder)`,
  verification: (n) => `A verification mail went to this address less than ${n} s ago (look in its inbox and spam folder)`,
  password_reset: (n) =>
    `A password reset was asked for this address less than ${n} s ago (if it has an account, our mail is in its inbox or spam folder)`,
};

/**
 * Claims the one mail of `kind` that `email` may get in ACCOUNT_MAIL_INTERVAL_SECONDS, or throws
 * RATE_LIMITED. Claimed whether or not the address has an account (and whether or not a mail is
 * then sent), so the answer is the same either way.
 */
export async function reserveAccountMail(ctx: Context, kind: AccountMailKind, email: string): Promise<void> {
  const interval = ctx.config.accountMailIntervalSeconds;
  await take(limiter(ctx, `mail_${kind}`, 1, interval), limitKey(email), MAIL_REFUSAL[kind](interval));
}
