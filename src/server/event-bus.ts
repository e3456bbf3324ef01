import { createPubSub, type PubSub } from '@graphql-yoga/subscription';
import type { PubSubEventTarget } from '@graphql-yoga/subscription';

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
type Topics = EventTopics;

export interface EventBus {
  pubSub: PubSub<Topics>;
  publish(event: PlanningEventPayload): void;
  close(): Promise<void>;
  /** Which transport carries events between server processes. */
  readonly transport: 'memory' | 'postgres' | 'redis';
}

export function createEventBusFromTarget(
  transport: EventBus['transport'],
  eventTarget: PubSubEventTarget<Topics> | undefined,
  close: () => Promise<void> = async () => {},
): EventBus {
  const pubSub = createPubSub<Topics>(eventTarget ? { eventTarget } : {});
  return {
    pubSub,
    transport,
    publish(event) {
      pubSub.publish(orgTopic(event.organizationId), event);
    },
    close,
  };
}
