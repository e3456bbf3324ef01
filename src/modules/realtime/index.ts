import { PlanningEventsResolver } from './planning-events.resolver';

export { metaMatches, planningSubscription, refreshForEvent, subscribedEventTypes, type EventFilter } from './subscriptions';
export const realtimeResolvers = [PlanningEventsResolver] as const;
