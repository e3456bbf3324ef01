import { PlanningEventsResolver } from './planning-events.resolver';

export { metaMatches, planningSubscription } from './subscriptions';
export const realtimeResolvers = [PlanningEventsResolver] as const;
