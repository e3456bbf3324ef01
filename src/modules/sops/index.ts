// The event types this module publishes (PlanningEventType).
import './sops.events';
import { RaciActivity, RaciAssignment, RaciMatrix, Sop, SopAcknowledgement, SopStep, SopVersion, TaskSopStep } from './sops.entity';
// The by-id loaders register RaciMatrix, RaciActivity, Sop, SopVersion and SopStep for node(id:).
import './sops.loaders';
import { RaciActivityResolver, RaciAssignmentResolver, RaciMatrixResolver } from './raci.resolver';
import { SopAcknowledgementResolver, SopResolver, SopStepResolver, SopVersionResolver, TaskSopStepResolver } from './sops.resolver';
import { sopWork } from './sops.work';
import { registerWorkSource } from '../work';

// What other code uses (tests of the kit's loaders); the module's own tests import its files directly.

export const sopsEntities = [RaciMatrix, RaciActivity, RaciAssignment, Sop, SopVersion, SopStep, SopAcknowledgement, TaskSopStep];
export const sopsResolvers = [
  RaciMatrixResolver,
  RaciActivityResolver,
  RaciAssignmentResolver,
  SopResolver,
  SopVersionResolver,
  SopStepResolver,
  SopAcknowledgementResolver,
  TaskSopStepResolver,
] as const;

registerWorkSource(sopWork);

// What `search` finds of this module (registered in src/modules/composition.ts).
export { sopSearch } from './sops.search';
