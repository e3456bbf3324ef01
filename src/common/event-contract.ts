import type { PubSub } from '@graphql-yoga/subscription';

/*
 * The event contract, shared by the modules that publish changes, the realtime module that
 * delivers them to subscriptions and the server's transports that carry them between processes.
 */

/**
 * What every change notification carries: ids, never stale objects. Subscribers re-read the
 * entity with fresh loaders in their own context when the event is delivered.
 */
export interface PlanningEventPayload {
  type: string;
  organizationId: string;
  entityType: string;
  entityId: string;
  actorId: string | null;
  at: string;
  /** Small routing facts (e.g. squadId, assigneeId) for subscription filters. */
  meta?: Record<string, string | null>;
}

/** All events travel on one topic per organisation; subscriptions filter by type. */
export const orgTopic = (organizationId: string) => `org:${organizationId}`;

/** Topic name → published payload, as @graphql-yoga/subscription types a pub/sub. */
export type EventTopics = Record<string, [PlanningEventPayload]>;

/** Publishes change events; the server picks the transport (memory, PostgreSQL, Redis). */
export interface EventBus {
  pubSub: PubSub<EventTopics>;
  publish(event: PlanningEventPayload): void;
  close(): Promise<void>;
  /** Which transport carries events between server processes. */
  readonly transport: 'memory' | 'postgres' | 'redis';
}
