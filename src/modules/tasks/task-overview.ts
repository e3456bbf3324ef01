/** The task part of the overviews: open tasks past their due date. */
import { Field, Int, ObjectType } from 'type-graphql';
import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { isoToday } from '../../common/dates';
import { primeById } from '../../common/loaders';
import { rowShape } from '../../common/rows';
import { Task, TaskStatus } from './task.entity';

/** How many overdue tasks an overview lists (the count has them all). */
export const OVERDUE_SHOWN = 5;

@ObjectType({ description: 'Tasks not DONE whose due date is before today.' })
export class OverdueTasks {
  @Field(() => Int) count: number;
  @Field(() => [Task], { description: `The first ${OVERDUE_SHOWN}: the longest overdue first.` }) first: Task[];
}

/** Overdue tasks of the organisation, or of one squad (`tasks.squad_id`). One statement; primes `taskById`. */
export async function overdueTasks(ctx: Context, squadId: string | null): Promise<OverdueTasks> {
  const shape = rowShape(ctx.manager.connection, Task);
  const rows: Array<Record<string, unknown>> = await ctx.manager.query(
    `SELECT ${shape.columns('t')}, count(*) OVER () AS total
       FROM tasks t
      WHERE t.organization_id = $1 AND t.status <> $2 AND t.due_on < $3::date AND ($4::uuid IS NULL OR t.squad_id = $4::uuid)
      ORDER BY t.due_on, t.created_at, t.id
      LIMIT ${OVERDUE_SHOWN}`,
    [orgId(ctx), TaskStatus.DONE, isoToday(), squadId],
  );
  const first = rows.map((r) => shape.map(r));
  primeById(ctx, Task, first);
  return { count: rows.length > 0 ? Number(rows[0].total) : 0, first };
}
