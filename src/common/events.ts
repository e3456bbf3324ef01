import type { Context } from './context';
import { forbidden } from './errors';
import { assertEventType, type PlanningEventType } from './event-types';

export * from './event-contract';
export * from './event-types';

/**
 * Queues a change notification to publish once the current transaction has committed.
 * Must be called inside `withTransaction`: an event for a change that rolled back is never sent.
 * `type` is a declared PlanningEventType (the publishing module's `<module>.events.ts`).
 */
export function emitAfterCommit(
  tx: Context,
  event: { type: PlanningEventType; entityType: string; entityId: string; meta?: Record<string, string | null> },
): void {
  if (!tx.afterCommit) throw new Error('emitAfterCommit outside a transaction');
  assertEventType(event.type);
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
