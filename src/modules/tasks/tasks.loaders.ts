import type { SelectQueryBuilder } from 'typeorm';
import { orgId } from '../../common/auth';
import { defineNestedConnection, type SortKey } from '../../common/connection';
import { defineByIdLoader } from '../../common/loaders';
import { Task } from './task.entity';
import type { TasksFilter } from './tasks.inputs';

export const taskById = defineByIdLoader(Task, 'Task');

/**
 * Tasks by due date (no due date last), then oldest first. The expressions match the indexes
 * tasks (organization_id, squad_id | assignee_id, COALESCE(due_on, '9999-12-31'), created_at, id).
 */
export const TASK_SORT: SortKey<Task>[] = [
  { column: "COALESCE(t.due_on, DATE '9999-12-31')", direction: 'ASC', value: (t) => t.dueOn ?? '9999-12-31' },
  { column: 't.created_at', direction: 'ASC', value: (t) => t.createdAt },
  { column: 't.id', direction: 'ASC', value: (t) => t.id },
];

export function applyTasksFilter(qb: SelectQueryBuilder<Task>, filter: TasksFilter | undefined): SelectQueryBuilder<Task> {
  if (filter?.status?.length) qb.andWhere('t.status IN (:...statuses)', { statuses: filter.status });
  if (filter?.dueBefore) qb.andWhere('t.due_on < :dueBefore', { dueBefore: filter.dueBefore });
  return qb;
}

/** A squad's tasks by due date: batched across squads (`Squad.tasks`). */
export const tasksOfSquad = defineNestedConnection<Task, TasksFilter>({
  name: 'tasks.tasksOfSquad',
  query: (ctx, filter) =>
    applyTasksFilter(ctx.manager.createQueryBuilder(Task, 't').where('t.organization_id = :org', { org: orgId(ctx) }), filter),
  parent: 't.squad_id',
  sort: TASK_SORT,
});
