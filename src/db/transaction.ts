import type { Context } from '../common/context';
import { createLoaders } from '../common/loaders';

/**
 * Runs `fn` in one database transaction. Inside, `ctx.manager` is the transaction's entity
 * manager; nested calls join the outer transaction. Callbacks queued on `ctx.afterCommit`
 * (event publication) run only once the transaction has committed, and never after a rollback.
 */
export async function withTransaction<T>(ctx: Context, fn: (tx: Context) => Promise<T>): Promise<T> {
  if (ctx.afterCommit) return fn(ctx);
  const afterCommit: Array<() => void | Promise<void>> = [];
  const result = await ctx.db.transaction(async (manager) => {
    // Loaders inside the transaction see its uncommitted writes and die with it.
    const tx: Context = { ...ctx, manager, afterCommit, loaders: createLoaders() };
    return fn(tx);
  });
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
