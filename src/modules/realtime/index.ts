import { PlanningEventsResolver } from './planning-events.resolver';

export { planningSubscription, refreshForEvent, type EventFilter } from './subscriptions';
export const realtimeResolvers = [PlanningEventsResolver] as const;
