import type { Context } from '../../common/context';
import { closeRateLimits, limitKey, limiter, take } from './rate-limits';

/**
 * Log-in abuse limits (rate-limiter-flexible; counters in PostgreSQL's `rate_limits` table, or in
 * Redis when REDIS_URL is set, so every instance sees the same counts):
 *
 * - per (email, client address): FREE_FAILURES attempts, then each further attempt waits
 *   1 s, 2 s, 4 s... (LOGIN_BACKOFF_BASE_SECONDS doubling, at most 15 minutes) after the
 *   previous one; a success resets both.
 *   An attacker hammering someone's email from their own address slows down only themselves.
 * - per client address: LOGIN_MAX_FAILURES_PER_ADDRESS failures (and refused attempts) per
 *   LOGIN_WINDOW_SECONDS, whatever the email: one address cannot spray many accounts.
 * - per email, from all addresses together: LOGIN_MAX_FAILURES_PER_EMAIL failures per window,
 *   much higher than the per-address allowance, against guessing from many addresses; reaching it
 *   is the only way others can lock an account's log-in, and it takes that many password checks.
 *
 * Every attempt is counted atomically BEFORE the password is checked (and refunded on success),
 * so parallel attempts cannot slip past the limit.
 */
export const FREE_FAILURES = 5;
const MAX_DELAY_S = 15 * 60;

function limiters(ctx: Context) {
  const { config } = ctx;
  const window = config.loginWindowSeconds;
  return {
    perAddress: limiter(ctx, 'login_addr', config.loginMaxFailuresPerAddress, window),
    perEmail: limiter(ctx, 'login_email', config.loginMaxFailuresPerEmail, window),
    failures: limiter(ctx, 'login_fail', 1_000_000, window),
    gate: limiter(ctx, 'login_gate', 1, MAX_DELAY_S),
  };
}

/** Closes the Redis connection of the account limits, if any (at shutdown). */
export const closeLoginThrottle = closeRateLimits;

export interface LoginAttempt {
  /** Call after the password matched: refunds the attempt and resets the back-off. */
  succeeded(): Promise<void>;
}

/**
 * Reserves one log-in attempt for `email` from the request's client address, or throws
 * RATE_LIMITED (with `retryAfterSeconds`). The caller then checks the password and calls
 * `succeeded()` when it matched; a failure needs no call (it was counted here).
 */
export async function reserveLoginAttempt(ctx: Context, email: string, subject = 'Too many failed sign-ins'): Promise<LoginAttempt> {
  const l = limiters(ctx);
  const address = limitKey(ctx.clientAddress ?? 'unknown');
  const pair = limitKey(`${email}|${address}`);
  const account = limitKey(email);
  await take(l.perAddress, address, `${subject} from your address`);
  await take(l.perEmail, account, `${subject} for this account`);
  const n = (await l.failures.consume(pair)).consumedPoints;
  if (n >= FREE_FAILURES) {
    const delay = Math.min(ctx.config.loginBackoffBaseSeconds * 2 ** (n - FREE_FAILURES), MAX_DELAY_S);
    try {
      // One attempt per back-off window: the first to come through opens the next window.
      await take(l.gate, pair, subject, 1, { customDuration: delay });
    } catch (err) {
      // A refused attempt checks no password: it does not grow the back-off or the account's count.
      await Promise.all([l.failures.reward(pair), l.perEmail.reward(account)]);
      throw err;
    }
  }
  return {
    async succeeded() {
      await Promise.all([l.failures.delete(pair), l.gate.delete(pair), l.perAddress.reward(address), l.perEmail.reward(account)]);
    },
  };
}

/**
 * Reserves one attempt from the request's client address (the log-in limit per address) for a
 * request that names no account, such as a password reset token; `succeeded()` refunds it.
 */
export async function reserveAddressAttempt(ctx: Context, subject: string): Promise<LoginAttempt> {
  const l = limiters(ctx);
  const address = limitKey(ctx.clientAddress ?? 'unknown');
  await take(l.perAddress, address, `${subject} from your address`);
  return {
    async succeeded() {
      await l.perAddress.reward(address);
    },
  };
}
