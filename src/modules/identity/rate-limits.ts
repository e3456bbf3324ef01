import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { RateLimiterPostgres, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';
import type { Context } from '../../common/context';
import { AppError, ErrorCode } from '../../common/errors';

/**
 * The account limits' counters (rate-limiter-flexible): in PostgreSQL's `rate_limits` table, or in
 * Redis when REDIS_URL is set, so every instance sees the same counts. One store per data source;
 * each limiter is named by its key prefix (`login_addr`, `signup_addr`...).
 */
interface Store {
  redis: Redis | null;
  limiters: Map<string, RateLimiterAbstract>;
}

const stores = new WeakMap<DataSource, Store>();

/** The limiter `keyPrefix`: `points` per `durationSeconds` per key (created once per data source). */
export function limiter(ctx: Context, keyPrefix: string, points: number, durationSeconds: number): RateLimiterAbstract {
  let store = stores.get(ctx.db);
  if (!store) {
    store = { redis: null, limiters: new Map() };
    stores.set(ctx.db, store);
  }
  let l = store.limiters.get(keyPrefix);
  if (!l) {
    if (ctx.config.redisUrl) {
      store.redis ??= new Redis(ctx.config.redisUrl, { maxRetriesPerRequest: 1 });
      l = new RateLimiterRedis({ storeClient: store.redis, keyPrefix, points, duration: durationSeconds });
    } else {
      l = new RateLimiterPostgres({
        storeClient: ctx.db,
        storeType: 'typeorm',
        tableName: 'rate_limits',
        tableCreated: true, // by a migration
        keyPrefix,
        points,
        duration: durationSeconds,
      });
    }
    store.limiters.set(keyPrefix, l);
  }
  return l;
}

/** Closes the Redis connection of the limiters, if any (at shutdown). */
export async function closeRateLimits(ds: DataSource): Promise<void> {
  await stores.get(ds)?.redis?.quit().catch(() => undefined);
  stores.delete(ds);
}

/**
 * A counter's key as stored: itself, or its SHA-256 when long. `rate_limits.key` holds 255
 * characters with the limiter's prefix, and an email address alone may have 254.
 */
export function limitKey(raw: string): string {
  return raw.length <= 128 ? raw : `sha256:${crypto.createHash('sha256').update(raw, 'utf8').digest('hex')}`;
}

export function rateLimited(message: string, msBeforeNext: number): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new AppError(ErrorCode.RATE_LIMITED, `${message}: try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
}

/** Consumes points; a refusal becomes RATE_LIMITED (with `retryAfterSeconds`), a store error propagates. */
export async function take(
  l: RateLimiterAbstract,
  key: string,
  message: string,
  points = 1,
  options?: { customDuration: number },
): Promise<RateLimiterRes> {
  try {
    return await l.consume(key, points, options);
  } catch (rej) {
    if (rej instanceof RateLimiterRes) throw rateLimited(message, rej.msBeforeNext);
    throw rej;
  }
}
