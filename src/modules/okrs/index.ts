// The event types this module publishes (PlanningEventType).
import './okrs.events';
import { CheckIn, Cycle, KeyResult, Objective } from './okr.entity';
// The by-id loaders register Cycle, Objective, KeyResult and CheckIn for node(id:).
import './okrs.loaders';
import { checkInWork } from './okrs.work';
import { registerWorkSource } from '../work';
import { CheckInResolver, CycleResolver, KeyResultResolver, ObjectiveResolver, SquadObjectivesResolver } from './okrs.resolver';

// What other modules use (tasks, the composition root).
export { KeyResult } from './okr.entity';
export { keyResultById, objectiveById } from './okrs.loaders';
export { requireKeyResult } from './okrs.service';
export { followKpiLatest } from './kpi-follow';
// The OKR rules, for reports that compute a status on a past day (the squad weekly report).
export { OkrStatus, KeyResultKind, elapsedShare, keyResultProgress, keyResultStatus } from './okr-rules';
// For rows written in bulk (the demo seed, bench): their stored progress and status.
export { sqlOf, storeOrganizationProgress } from './okr-progress-store';

export const okrsEntities = [Cycle, Objective, KeyResult, CheckIn];
export const okrsResolvers = [CycleResolver, ObjectiveResolver, KeyResultResolver, CheckInResolver, SquadObjectivesResolver] as const;

registerWorkSource(checkInWork);
