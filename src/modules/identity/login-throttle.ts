import { Redis } from 'ioredis';
import {
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';
import type { Context } from '../../common/context';
import { AppError, ErrorCode } from '../../common/errors';

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

interface Limiters {
  perAddress: RateLimiterAbstract;
  perEmail: RateLimiterAbstract;
  failures: RateLimiterAbstract;
  gate: RateLimiterAbstract;
  close(): Promise<void>;
}

const byDataSource = new WeakMap<DataSource, Limiters>();

function createLimiters(ctx: Context): Limiters {
  const { config } = ctx;
  let redis: Redis | null = null;
  const make = (keyPrefix: string, points: number, duration: number): RateLimiterAbstract => {
    if (config.redisUrl) {
      redis ??= new Redis(config.redisUrl, { maxRetriesPerRequest: 1 });
      return new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration });
    }
    return new RateLimiterPostgres({
      storeClient: ctx.db,
      storeType: 'typeorm',
      tableName: 'rate_limits',
      tableCreated: true, // by a migration
      keyPrefix,
      points,
      duration,
    });
  };
  const window = config.loginWindowSeconds;
  return {
    perAddress: make('login_addr', config.loginMaxFailuresPerAddress, window),
    perEmail: make('login_email', config.loginMaxFailuresPerEmail, window),
    failures: make('login_fail', 1_000_000, window),
    gate: make('login_gate', 1, MAX_DELAY_S),
    async close() {
      await redis?.quit().catch(() => undefined);
    },
  };
}

function limiters(ctx: Context): Limiters {
  let l = byDataSource.get(ctx.db);
  if (!l) {
    l = createLimiters(ctx);
    byDataSource.set(ctx.db, l);
  }
  return l;
}

/** Closes the Redis connection of the limiters, if any (at shutdown). */
export async function closeLoginThrottle(ds: DataSource): Promise<void> {
  await byDataSource.get(ds)?.close();
  byDataSource.delete(ds);
}

export function rateLimited(message: string, msBeforeNext: number): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new AppError(ErrorCode.RATE_LIMITED, `${message}: try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
}

/** Consumes a point; a refusal becomes RATE_LIMITED, a store error propagates. */
async function take(limiter: RateLimiterAbstract, key: string, message: string, points = 1, options?: { customDuration: number }) {
  try {
    return await limiter.consume(key, points, options);
  } catch (rej) {
    if (rej instanceof RateLimiterRes) throw rateLimited(message, rej.msBeforeNext);
    throw rej;
  }
}

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
  const address = ctx.clientAddress ?? 'unknown';
  const pair = `${email}|${address}`;
  await take(l.perAddress, address, `${subject} from your address`);
  await take(l.perEmail, email, `${subject} for this account`);
  const n = (await l.failures.consume(pair)).consumedPoints;
  if (n >= FREE_FAILURES) {
    const delay = Math.min(ctx.config.loginBackoffBaseSeconds * 2 ** (n - FREE_FAILURES), MAX_DELAY_S);
    try {
      // One attempt per back-off window: the first to come through opens the next window.
      await take(l.gate, pair, subject, 1, { customDuration: delay });
    } catch (err) {
      // A refused attempt checks no password: it does not grow the back-off or the account's count.
      await Promise.all([l.failures.reward(pair), l.perEmail.reward(email)]);
      throw err;
    }
  }
  return {
    async succeeded() {
      await Promise.all([l.failures.delete(pair), l.gate.delete(pair), l.perAddress.reward(address), l.perEmail.reward(email)]);
    },
  };
}
