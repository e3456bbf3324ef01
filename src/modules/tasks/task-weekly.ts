/** The task part of a squad's week (the squad weekly report): tasks done in the week, tasks overdue at its end. */
import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { periodSql } from '../../common/periods';

export interface SquadTaskOfWeek {
  id: string;
  title: string;
  assigneeId: string | null;
  dueOn: string | null;
  /** When it was done, if done in the week; else null. */
  completedAt: Date | null;
}

/**
 * The squad's tasks done in the days `weekStart`..`weekEnd` (UTC; by completion), and those due by
 * `weekEnd`, existing by then and not done by its end (by due date). One statement.
 */
export async function squadTasksOfWeek(
  ctx: Context,
  squadId: string,
  weekStart: string,
  weekEnd: string,
): Promise<{ done: SquadTaskOfWeek[]; overdue: SquadTaskOfWeek[] }> {
  const FROM = `(($3::date)::timestamp AT TIME ZONE 'UTC')`;
  const UNTIL = `((($4::date) + 1)::timestamp AT TIME ZONE 'UTC')`;
  const rows: Array<Record<string, any>> = await ctx.manager.query(
    `SELECT t.id, t.title, t.assignee_id, ${periodSql.dayText('t.due_on')} AS due_on, t.completed_at,
            (t.status = 'DONE' AND t.completed_at >= ${FROM} AND t.completed_at < ${UNTIL}) AS done_in_week
     FROM tasks t
     WHERE t.organization_id = $1 AND t.squad_id = $2 AND (
       (t.status = 'DONE' AND t.completed_at >= ${FROM} AND t.completed_at < ${UNTIL})
       OR (t.due_on <= $4::date AND t.created_at < ${UNTIL} AND NOT (t.status = 'DONE' AND t.completed_at < ${UNTIL})))
     ORDER BY t.completed_at NULLS LAST, t.due_on, t.title, t.id`,
    [orgId(ctx), squadId, weekStart, weekEnd],
  );
  const task = (r: Record<string, any>): SquadTaskOfWeek => ({
    id: r.id,
    title: r.title,
    assigneeId: r.assignee_id ?? null,
    dueOn: r.due_on ?? null,
    completedAt: r.done_in_week ? new Date(r.completed_at) : null,
  });
  const done = rows.filter((r) => r.done_in_week).map(task);
  const overdue = rows
    .filter((r) => !r.done_in_week)
    .map(task)
    .sort((a, b) => (a.dueOn! < b.dueOn! ? -1 : a.dueOn! > b.dueOn! ? 1 : a.title < b.title ? -1 : a.title > b.title ? 1 : 0));
  return { done, overdue };
}
