import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { defineWorkSource } from '../work';
import { Task, TaskStatus } from './task.entity';

const OPEN_STATUSES = [TaskStatus.TODO, TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED];

function openTasksDue(ctx: Context, userId: string, today: string) {
  return ctx.manager
    .createQueryBuilder(Task, 't')
    .where('t.organization_id = :org AND t.assignee_id = :me AND t.status IN (:...open) AND t.due_on <= :today', {
      org: orgId(ctx),
      me: userId,
      open: OPEN_STATUSES,
      today,
    });
}

/** The tasks module's part of `myWork`: open tasks assigned to the caller, due today or overdue. */
export const taskWork = defineWorkSource<Task>({
  kinds: {
    TASK_OVERDUE: 'An open task assigned to you, past its due date.',
    TASK_DUE_TODAY: 'An open task assigned to you, due today.',
  },
  query: openTasksDue,
  dueOn: 't.due_on',
  kindOn: (dueOn, today) => (dueOn < today ? 'TASK_OVERDUE' : 'TASK_DUE_TODAY'),
  reason: (_task, dueOn, today) => (dueOn < today ? `overdue since ${dueOn}` : 'due today'),
});
