import { nullOnError } from '../../common/loaders';
import { registerNodeType } from '../../common/node';
import { CheckIn, Cycle, KeyResult, Objective } from './okr.entity';
import { checkInById, cycleById, keyResultById, objectiveById } from './okrs.loaders';
import { checkInWork } from './okrs.work';
import { registerWorkSource } from '../work';
import { CheckInResolver, CycleResolver, KeyResultResolver, ObjectiveResolver, SquadObjectivesResolver } from './okrs.resolver';

export { CheckIn, Cycle, KeyResult, Objective } from './okr.entity';
export { KeyResultKind, OkrStatus, CHECK_IN_INTERVAL_DAYS } from './okr-rules';
export { keyResultById, objectiveById } from './okrs.loaders';
export { requireKeyResult } from './okrs.service';

export const okrsEntities = [Cycle, Objective, KeyResult, CheckIn];
export const okrsResolvers = [CycleResolver, ObjectiveResolver, KeyResultResolver, CheckInResolver, SquadObjectivesResolver] as const;

registerNodeType('Cycle', (ctx, ids) => cycleById(ctx).loadMany(ids).then(nullOnError));
registerNodeType('Objective', (ctx, ids) => objectiveById(ctx).loadMany(ids).then(nullOnError));
registerNodeType('KeyResult', (ctx, ids) => keyResultById(ctx).loadMany(ids).then(nullOnError));
registerNodeType('CheckIn', (ctx, ids) => checkInById(ctx).loadMany(ids).then(nullOnError));
registerWorkSource(checkInWork);
