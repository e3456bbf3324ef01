import { PlanningEventsResolver } from './planning-events.resolver';

export { organizationTopic, planningSubscription, refreshForEvent, type EventFilter } from './subscriptions';
export const realtimeResolvers = [PlanningEventsResolver] as const;
