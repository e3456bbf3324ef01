import type { Context } from './context';
import { forbidden } from './errors';

export * from './event-contract';

/**
 * Queues a change notification to publish once the current transaction has committed.
 * Must be called inside `withTransaction`: an event for a change that rolled back is never sent.
 */
export function emitAfterCommit(
  tx: Context,
  event: { type: string; entityType: string; entityId: string; meta?: Record<string, string | null> },
): void {
  if (!tx.afterCommit) throw new Error('emitAfterCommit outside a transaction');
  const organizationId = tx.organizationId;
  if (!organizationId) throw forbidden('No organisation selected');
  const payload = {
    ...event,
    organizationId,
    actorId: tx.viewer?.userId ?? null,
    at: new Date().toISOString(),
  };
  tx.afterCommit.push(() => tx.events.publish(payload));
}
