import type { PubSubEventTarget } from '@graphql-yoga/subscription';
import { orgTopic, type EventBus, type EventTopics } from '../common/events';
import { Fanout, localEventTarget } from './fanout';

// The event contract lives in src/common/events.ts; re-exported for the transports.
export { orgTopic, type EventBus, type EventTopics, type PlanningEventPayload } from '../common/events';

/**
 * An event bus over a transport's event target (`undefined`: in memory, one process): publishing
 * dispatches on the target, and the fan-out (src/server/fanout.ts) delivers what the target
 * receives to this process's subscriptions.
 */
export function createEventBusFromTarget(
  transport: EventBus['transport'],
  eventTarget: PubSubEventTarget<EventTopics> | undefined,
  close: () => Promise<void> = async () => {},
): EventBus {
  const fanout = new Fanout(eventTarget ?? localEventTarget());
  return {
    transport,
    publish(event) {
      fanout.publish(orgTopic(event.organizationId), event);
    },
    subscribe(organizationId, options) {
      return fanout.subscribe(orgTopic(organizationId), options);
    },
    pubSub: {
      publish: (topic, payload) => fanout.publish(topic, payload),
      subscribe: (topic) => fanout.subscribe(topic, { connection: null }),
    },
    close,
  };
}
