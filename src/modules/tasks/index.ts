// Its plannable types and fields (the read planner).
import './tasks.plan';
// The event types this module publishes (PlanningEventType).
import './tasks.events';
import { Task } from './task.entity';
// The by-id loader registers Task for node(id:).
import './tasks.loaders';
import { SquadTasksResolver, TaskResolver } from './tasks.resolver';
import { taskWork } from './tasks.work';
import { registerWorkSource } from '../work';

// What other modules use: campaigns turn review actions into tasks and list them; sops link tasks to steps.
export { Task } from './task.entity';
export { createTaskInTransaction } from './tasks.service';
export { taskById } from './tasks.loaders';

// The overviews' task part.
export { OverdueTasks, overdueTasks } from './task-overview';
// The squad weekly report's task part.
export { squadTasksOfWeek, type SquadTaskOfWeek } from './task-weekly';

export const tasksEntities = [Task];
export const tasksResolvers = [TaskResolver, SquadTasksResolver] as const;

registerWorkSource(taskWork);

// What `search` finds of this module (registered in src/modules/composition.ts).
export { taskSearch } from './tasks.search';
