import type { Context } from '../common/context';
import { retryLater } from '../common/errors';
import { createLoaders } from '../common/loaders';

/** SQLSTATEs after which the same transaction, run again from the start, may well succeed. */
const TRANSIENT = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected

/** How many times a transaction is run at most before the client is told to retry (RETRY). */
export const TRANSACTION_ATTEMPTS = 2;

/** The SQLSTATE of a serialization failure or deadlock (a pg error, or TypeORM's QueryFailedError around one); else null. */
export function transientDbErrorCode(err: unknown): string | null {
  if (!err || typeof err !== 'object') return null;
  const e = err as { code?: unknown; driverError?: { code?: unknown } };
  const code = e.driverError?.code ?? e.code;
  return typeof code === 'string' && TRANSIENT.has(code) ? code : null;
}

/**
 * Runs `fn` in one database transaction. Inside, `ctx.manager` is the transaction's entity
 * manager; nested calls join the outer transaction. Callbacks queued on `ctx.afterCommit`
 * (event publication) run only once the transaction has committed, and never after a rollback.
 *
 * When PostgreSQL aborts the transaction with a serialization failure (40001) or a deadlock
 * (40P01), `fn` runs once more from the start, in a new transaction with new loaders and an
 * empty after-commit queue (so the first attempt's events are never published); if that fails
 * the same way, the caller gets RETRY (`extensions.retryable: true`), never an internal error.
 * So `fn` must do nothing outside the database that it cannot do twice; what must happen once
 * goes on `afterCommit`.
 */
export async function withTransaction<T>(ctx: Context, fn: (tx: Context) => Promise<T>): Promise<T> {
  if (ctx.afterCommit) return fn(ctx);
  for (let attempt = 1; ; attempt++) {
    const afterCommit: Array<() => void | Promise<void>> = [];
    let result: T;
    try {
      result = await ctx.db.transaction(async (manager) => {
        // Loaders inside the transaction see its uncommitted writes and die with it.
        const tx: Context = { ...ctx, manager, afterCommit, loaders: createLoaders() };
        return fn(tx);
      });
    } catch (err) {
      const code = transientDbErrorCode(err);
      if (!code) throw err;
      // Loaders primed from the rolled-back attempt must not answer later reads.
      ctx.loaders.clearAll();
      if (attempt >= TRANSACTION_ATTEMPTS) {
        ctx.logger.warn({ code, attempt }, 'transaction failed again on a deadlock or serialization failure: answered RETRY');
        throw retryLater();
      }
      ctx.logger.warn({ code, attempt }, 'transaction retried after a deadlock or serialization failure');
      continue;
    }
    // What the transaction changed may be cached by this request's loaders.
    ctx.loaders.clearAll();
    for (const cb of afterCommit) {
      try {
        await cb();
      } catch (err) {
        ctx.logger.error({ err }, 'after-commit callback failed');
      }
    }
    return result;
  }
}
