import { defineWorkSource } from '../work';
import { Task, TaskStatus } from './task.entity';

const OPEN_STATUSES = [TaskStatus.TODO, TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED];

/** The tasks module's part of `myWork`: open tasks assigned to the caller, due today or overdue. */
export const taskWork = defineWorkSource<Task>({
  kinds: {
    TASK_OVERDUE: 'An open task assigned to you, past its due date.',
    TASK_DUE_TODAY: 'An open task assigned to you, due today.',
  },
  entity: Task,
  items: ({ param, kind, organizationId, userId, today }) => {
    const day = `${param(today)}::date`;
    return `SELECT CASE WHEN t.due_on < ${day} THEN ${kind('TASK_OVERDUE')} ELSE ${kind('TASK_DUE_TODAY')} END AS kind, t.due_on, t.id
      FROM tasks t
     WHERE t.organization_id = ${param(organizationId)} AND t.assignee_id = ${param(userId)}
       AND t.status = ANY(${param(OPEN_STATUSES)}::text[]) AND t.due_on <= ${day}`;
  },
  reason: (kind, dueOn) => (kind === 'TASK_OVERDUE' ? `overdue since ${dueOn}` : 'due today'),
});
