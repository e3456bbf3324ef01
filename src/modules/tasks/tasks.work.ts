import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { isoToday } from '../../common/dates';
import { afterCondition, type WorkCursor, type WorkItemData, type WorkSource } from '../work';
import { Task, TaskStatus } from './task.entity';

const OPEN_STATUSES = [TaskStatus.TODO, TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED];

const OVERDUE = { name: 'TASK_OVERDUE', description: 'An open task assigned to you, past its due date.', rank: 0 };
const DUE_TODAY = { name: 'TASK_DUE_TODAY', description: 'An open task assigned to you, due today.', rank: 2 };

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
export const taskWork: WorkSource = {
  kinds: [OVERDUE, DUE_TODAY],
  async fetch(ctx: Context, userId: string, after: WorkCursor | null, limit: number): Promise<WorkItemData[]> {
    const today = isoToday();
    const qb = openTasksDue(ctx, userId, today);
    const cond = afterCondition(after, (d) => (d < today ? OVERDUE.rank : DUE_TODAY.rank), 't.due_on', 't.id');
    if (cond) qb.andWhere(cond.sql, cond.params);
    const tasks = await qb.orderBy('t.due_on', 'ASC').addOrderBy('t.id', 'ASC').limit(limit).getMany();
    return tasks.map((task) => {
      const overdue = task.dueOn! < today;
      return {
        kind: overdue ? OVERDUE.name : DUE_TODAY.name,
        reason: overdue ? `overdue since ${task.dueOn}` : 'due today',
        dueOn: task.dueOn!,
        subject: task,
      };
    });
  },
  count(ctx: Context, userId: string): Promise<number> {
    return openTasksDue(ctx, userId, isoToday()).getCount();
  },
};
