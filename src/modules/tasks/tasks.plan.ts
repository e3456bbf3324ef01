import { dateSql, dateTimeSql, definePlannable, definePlannedRoot, extendPlannable, globalIdSql } from '../../common/planner';
import type { TasksFilter } from './tasks.inputs';

/** Tasks for the read planner (same answers as tasks.resolver.ts and tasksOfSquad). */
const TASK_ORDER = (t: string) => `COALESCE(${t}.due_on, DATE '9999-12-31'), ${t}.created_at, ${t}.id`;

/** applyTasksFilter (tasks.loaders.ts) in the planner's terms. */
function tasksFilter(args: { filter?: TasksFilter | null }, t: string, env: { param: (v: unknown) => string }): string {
  const conditions = ['true'];
  const f = args.filter;
  if (f?.status?.length) conditions.push(`${t}.status = ANY(${env.param(f.status)}::text[])`);
  if (f?.dueBefore) conditions.push(`${t}.due_on < ${env.param(f.dueBefore)}::date`);
  return conditions.join(' AND ');
}

// myTasks (tasks.service.ts listMyTasks): the organisation's tasks assigned to the caller.
definePlannedRoot({
  kind: 'connection',
  field: 'myTasks',
  type: 'Task',
  roles: [],
  where: (t, env) => `${t}.assignee_id = ${env.viewer()}`,
  filter: tasksFilter,
  orderBy: TASK_ORDER,
});

extendPlannable('Squad', {
  tasks: { kind: 'connection', type: 'Task', parentColumn: 'squad_id', filter: tasksFilter, orderBy: TASK_ORDER },
});

definePlannable({
  type: 'Task',
  table: 'tasks',
  orgColumn: 'organization_id',
  fields: {
    id: { kind: 'column', sql: (t) => globalIdSql('Task', `${t}.id`) },
    title: { kind: 'column', sql: (t) => `${t}.title` },
    description: { kind: 'column', sql: (t) => `${t}.description` },
    status: { kind: 'column', sql: (t) => `${t}.status` },
    dueOn: { kind: 'column', sql: (t) => dateSql(`${t}.due_on`) },
    important: { kind: 'column', sql: (t) => `${t}.important` },
    urgent: { kind: 'column', sql: (t) => `${t}.urgent` },
    completedAt: { kind: 'column', sql: (t) => dateTimeSql(`${t}.completed_at`) },
    version: { kind: 'column', sql: (t) => `${t}.version` },
    createdAt: { kind: 'column', sql: (t) => dateTimeSql(`${t}.created_at`) },
    updatedAt: { kind: 'column', sql: (t) => dateTimeSql(`${t}.updated_at`) },
    // quadrantOf (task-rules.ts).
    quadrant: {
      kind: 'column',
      sql: (t) => `CASE WHEN ${t}.important THEN CASE WHEN ${t}.urgent THEN 'DO_FIRST' ELSE 'SCHEDULE' END
        ELSE CASE WHEN ${t}.urgent THEN 'DELEGATE' ELSE 'ELIMINATE' END END`,
    },
    assignee: { kind: 'ref', type: 'User', column: 'assignee_id', nullable: true },
    reporter: { kind: 'ref', type: 'User', column: 'reporter_id', nullable: true },
    keyResult: { kind: 'ref', type: 'KeyResult', column: 'key_result_id', nullable: true },
    sprint: { kind: 'ref', type: 'Sprint', column: 'sprint_id', nullable: true },
    squad: { kind: 'ref', type: 'Squad', column: 'squad_id', nullable: true },
  },
});
