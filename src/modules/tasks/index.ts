import { nullOnError } from '../../common/loaders';
import { registerNodeType } from '../../common/node';
import { Task } from './task.entity';
import { taskById } from './tasks.loaders';
import { SquadTasksResolver, TaskResolver } from './tasks.resolver';
import { taskWork } from './tasks.work';
import { registerWorkSource } from '../work';

export { Task, TaskStatus } from './task.entity';
export { TaskQuadrant } from './task-rules';

export const tasksEntities = [Task];
export const tasksResolvers = [TaskResolver, SquadTasksResolver] as const;

registerNodeType('Task', (ctx, ids) => taskById(ctx).loadMany(ids).then(nullOnError));
registerWorkSource(taskWork);
