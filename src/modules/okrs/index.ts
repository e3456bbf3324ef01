// The event types this module publishes (PlanningEventType).
import './okrs.events';
import { CheckIn, Cycle, KeyResult, Objective } from './okr.entity';
// The by-id loaders register Cycle, Objective, KeyResult and CheckIn for node(id:).
import './okrs.loaders';
import { checkInWork } from './okrs.work';
import { registerWorkSource } from '../work';
import { CheckInResolver, CycleResolver, KeyResultResolver, ObjectiveResolver, SquadObjectivesResolver } from './okrs.resolver';

export { CheckIn, Cycle, KeyResult, Objective } from './okr.entity';
export { KeyResultKind, OkrStatus, CHECK_IN_INTERVAL_DAYS } from './okr-rules';
export { keyResultById, objectiveById } from './okrs.loaders';
export { requireKeyResult } from './okrs.service';
export { recordSystemCheckIn } from './key-results.service';
export { keyResultsFollowingKpis, registerKeyResultKpiCheck, type KeyResultKpiCheck } from './kpi-link';
// For rows written in bulk (the demo seed, bench): their stored progress and status.
export { sqlOf, storeOrganizationProgress } from './okr-progress-store';

export const okrsEntities = [Cycle, Objective, KeyResult, CheckIn];
export const okrsResolvers = [CycleResolver, ObjectiveResolver, KeyResultResolver, CheckInResolver, SquadObjectivesResolver] as const;

registerWorkSource(checkInWork);
