import { PlanningEventsResolver } from './planning-events.resolver';

export { metaMatches, planningSubscription, subscribedEventTypes } from './subscriptions';
export const realtimeResolvers = [PlanningEventsResolver] as const;
