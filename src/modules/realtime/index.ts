import { PlanningEventsResolver } from './planning-events.resolver';

export { organizationTopic } from './planning-events.resolver';
export const realtimeResolvers = [PlanningEventsResolver] as const;
