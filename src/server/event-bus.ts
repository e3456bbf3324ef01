import { createPubSub } from '@graphql-yoga/subscription';
import type { PubSubEventTarget } from '@graphql-yoga/subscription';
import { orgTopic, type EventBus, type EventTopics } from '../common/events';

// The event contract lives in src/common/events.ts; re-exported for the transports.
export { orgTopic, type EventBus, type EventTopics, type PlanningEventPayload } from '../common/events';

export function createEventBusFromTarget(
  transport: EventBus['transport'],
  eventTarget: PubSubEventTarget<EventTopics> | undefined,
  close: () => Promise<void> = async () => {},
): EventBus {
  const pubSub = createPubSub<EventTopics>(eventTarget ? { eventTarget } : {});
  return {
    pubSub,
    transport,
    publish(event) {
      pubSub.publish(orgTopic(event.organizationId), event);
    },
    close,
  };
}
