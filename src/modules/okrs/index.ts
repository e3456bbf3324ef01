// Its plannable types and fields (the read planner).
import './okrs.plan';
// The event types this module publishes (PlanningEventType).
import './okrs.events';
import { CheckIn, Cycle, KeyResult, Objective } from './okr.entity';
// The by-id loaders register Cycle, Objective, KeyResult and CheckIn for node(id:).
import './okrs.loaders';
import { checkInWork } from './okrs.work';
import { registerWorkSource } from '../work';
import { KeyResultHistoryResolver, ObjectiveHistoryResolver } from './okr-history.resolver';
import { CheckInResolver, CycleResolver, KeyResultResolver, ObjectiveResolver, SquadObjectivesResolver } from './okrs.resolver';

// What other modules use (tasks, the composition root).
export { KeyResult } from './okr.entity';
export { cycleById, keyResultById, objectiveById } from './okrs.loaders';
export { requireCycle, requireKeyResult } from './okrs.service';
// The overviews' OKR part.
export { Cycle } from './okr.entity';
export { OkrSummary, currentCycle, kpiIdsFollowedBySquad, okrSummaries } from './okr-summary';
export { followKpiLatest } from './kpi-follow';
// The impact lineage: the alignment chain and the key results following KPIs.
export { alignmentAncestors, keyResultsFollowingKpis } from './okr-lineage';
// The OKR rules, for reports that compute a status on a past day (the squad weekly report).
export { OkrStatus, elapsedShare, keyResultProgress, keyResultStatus } from './okr-rules';
// The squad weekly report's OKR facts: the week's check-ins, key results as of the week's start and end, followed KPIs.
export {
  kpiIdsFollowedBySquadKeyResults,
  squadCheckInsOfWeek,
  squadKeyResultsOfWeek,
  type SquadKeyResultOfWeek,
} from './okr-weekly';
// For rows written in bulk (the demo seed, bench): their stored progress and status.
export { sqlOf, storeOrganizationProgress } from './okr-progress-store';

export const okrsEntities = [Cycle, Objective, KeyResult, CheckIn];
export const okrsResolvers = [CycleResolver, ObjectiveResolver, KeyResultResolver, CheckInResolver, SquadObjectivesResolver, ObjectiveHistoryResolver, KeyResultHistoryResolver] as const;

registerWorkSource(checkInWork);

// What `search` finds of this module (registered in src/modules/composition.ts).
export { objectiveSearch, keyResultSearch } from './okrs.search';
export { keyResultsExport } from './okrs.export';
