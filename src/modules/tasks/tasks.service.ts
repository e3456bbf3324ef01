import { isAdmin, orgId } from '../../common/auth';
import { paginate, type ConnectionArgs } from '../../common/connection';
import type { Context } from '../../common/context';
import { addDays, isoToday } from '../../common/dates';
import { badInput, forbidden } from '../../common/errors';
import { emitAfterCommit } from '../../common/events';
import { primeAll, requireByGlobalId } from '../../common/loaders';
import { withTransaction } from '../../db/transaction';
import { updateWithVersion } from '../../db/versioned-update';
import { recordChange } from '../audit';
import { requireOrgUser } from '../identity';
import { CHECK_IN_INTERVAL_DAYS, KeyResult, objectiveById, requireKeyResult } from '../okrs';
import { leadsSquad, requireSprint, requireSquad, squadById, type Squad } from '../squads';
import { Task, TaskStatus } from './task.entity';
import { TASK_SORT, applyTasksFilter, taskById, tasksOfSquad } from './tasks.loaders';
import { MAX_WORK_ITEMS, type CreateTaskInput, type SetTaskStatusInput, type TasksFilter, type UpdateTaskInput } from './tasks.inputs';
import { WorkItemKind, type WorkItem } from './tasks.types';

const OPEN_STATUSES = [TaskStatus.TODO, TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED];

export function requireTask(ctx: Context, globalId: string, field = 'id'): Promise<Task> {
  return requireByGlobalId(taskById(ctx), globalId, 'Task', field);
}

async function managesTaskSquad(ctx: Context, squadId: string | null): Promise<boolean> {
  if (isAdmin(ctx)) return true;
  const squad: Squad | null = squadId ? await squadById(ctx).load(squadId) : null;
  return leadsSquad(ctx, squad);
}

interface Links {
  keyResultId: string | null;
  sprintId: string | null;
  squadId: string | null;
}

/**
 * Resolves what a task serves. The squad is the one given, else the sprint's, else that of the
 * key result's objective; a sprint of another squad than the one given is refused.
 */
async function resolveLinks(
  ctx: Context,
  input: { keyResultId?: string | null; sprintId?: string | null; squadId?: string | null },
  current: Links,
): Promise<Links> {
  const keyResult: KeyResult | null =
    input.keyResultId === undefined
      ? null
      : input.keyResultId === null
        ? null
        : await requireKeyResult(ctx, input.keyResultId);
  const sprint = input.sprintId ? await requireSprint(ctx, input.sprintId) : null;
  const squad = input.squadId ? await requireSquad(ctx, input.squadId) : null;
  const keyResultId = input.keyResultId === undefined ? current.keyResultId : (keyResult?.id ?? null);
  const sprintId = input.sprintId === undefined ? current.sprintId : (sprint?.id ?? null);
  let squadId = input.squadId === undefined ? current.squadId : (squad?.id ?? null);
  if (sprint && squadId && sprint.squadId !== squadId && input.squadId !== undefined) {
    throw badInput('The sprint belongs to another squad than squadId', 'sprintId');
  }
  if (input.squadId === undefined || input.squadId === null) {
    if (sprint) squadId = sprint.squadId;
    else if (keyResult && !squadId) squadId = (await objectiveById(ctx).load(keyResult.objectiveId))?.squadId ?? null;
  }
  return { keyResultId, sprintId, squadId };
}

export async function createTask(ctx: Context, input: CreateTaskInput) {
  return withTransaction(ctx, async (tx) => {
    const links = await resolveLinks(tx, input, { keyResultId: null, sprintId: null, squadId: null });
    if (!(await managesTaskSquad(tx, links.squadId))) {
      throw forbidden(
        links.squadId
          ? "Only OWNER/ADMIN or the squad's lead may create tasks for this squad"
          : 'A SQUAD_LEAD creates tasks for a squad they lead: pass squadId, sprintId or a key result of the squad',
      );
    }
    const assigneeId = input.assigneeId ? (await requireOrgUser(tx, input.assigneeId, 'assigneeId', { notViewer: true })).userId : null;
    const task = await tx.manager.save(
      tx.manager.create(Task, {
        organizationId: orgId(tx),
        title: input.title.trim(),
        description: input.description?.trim() || null,
        assigneeId,
        reporterId: tx.viewer?.userId ?? null,
        status: TaskStatus.TODO,
        dueOn: input.dueOn ?? null,
        important: input.important ?? false,
        urgent: input.urgent ?? false,
        ...links,
        completedAt: null,
        version: 1,
      }),
    );
    await recordChange(tx, {
      action: 'task.created',
      entityType: 'Task',
      entityId: task.id,
      after: task,
      meta: { squadId: task.squadId, assigneeId },
    });
    if (assigneeId) {
      emitAfterCommit(tx, { type: 'TASK_ASSIGNED', entityType: 'Task', entityId: task.id, meta: { squadId: task.squadId, assigneeId } });
    }
    return { task };
  });
}

const ASSIGNEE_EDITABLE = new Set(['id', 'expectedVersion', 'title', 'description', 'dueOn', 'important', 'urgent']);

export async function updateTask(ctx: Context, input: UpdateTaskInput) {
  return withTransaction(ctx, async (tx) => {
    const task = await requireTask(tx, input.id);
    const manager = await managesTaskSquad(tx, task.squadId);
    if (!manager) {
      if (task.assigneeId !== tx.viewer?.userId) {
        throw forbidden("Only the assignee, the squad's lead or OWNER/ADMIN may change this task");
      }
      const other = Object.keys(input).filter((k) => (input as unknown as Record<string, unknown>)[k] !== undefined && !ASSIGNEE_EDITABLE.has(k));
      if (other.length) throw forbidden(`As the assignee you may not change ${other.join(', ')}: ask the squad's lead`);
    }
    const set: Partial<Task> = {};
    if (input.title) set.title = input.title.trim();
    if (input.description !== undefined) set.description = input.description?.trim() || null;
    if (input.dueOn !== undefined) set.dueOn = input.dueOn;
    if (input.important != null) set.important = input.important;
    if (input.urgent != null) set.urgent = input.urgent;
    if (input.assigneeId !== undefined) {
      set.assigneeId = input.assigneeId ? (await requireOrgUser(tx, input.assigneeId, 'assigneeId', { notViewer: true })).userId : null;
    }
    if (input.keyResultId !== undefined || input.sprintId !== undefined || input.squadId !== undefined) {
      const links = await resolveLinks(tx, input, { keyResultId: task.keyResultId, sprintId: task.sprintId, squadId: task.squadId });
      if (links.squadId !== task.squadId && !(await managesTaskSquad(tx, links.squadId))) {
        throw forbidden("Only OWNER/ADMIN or the new squad's lead may move a task into that squad");
      }
      Object.assign(set, links);
    }
    await updateWithVersion(tx, Task, task.id, input.expectedVersion, set, 'This task');
    const updated = await tx.manager.findOneByOrFail(Task, { id: task.id, organizationId: orgId(tx) });
    await recordChange(tx, {
      action: 'task.updated',
      entityType: 'Task',
      entityId: task.id,
      before: task,
      after: updated,
      meta: { squadId: updated.squadId, assigneeId: updated.assigneeId },
    });
    if (updated.assigneeId && updated.assigneeId !== task.assigneeId) {
      emitAfterCommit(tx, { type: 'TASK_ASSIGNED', entityType: 'Task', entityId: task.id, meta: { squadId: updated.squadId, assigneeId: updated.assigneeId } });
    }
    return { task: updated };
  });
}

export async function setTaskStatus(ctx: Context, input: SetTaskStatusInput) {
  return withTransaction(ctx, async (tx) => {
    const task = await requireTask(tx, input.id);
    if (task.assigneeId !== tx.viewer?.userId && !(await managesTaskSquad(tx, task.squadId))) {
      throw forbidden("Only the assignee, the squad's lead or OWNER/ADMIN may change this task's status");
    }
    const set: Partial<Task> = { status: input.status, completedAt: input.status === TaskStatus.DONE ? new Date() : null };
    if (input.expectedVersion != null) {
      await updateWithVersion(tx, Task, task.id, input.expectedVersion, set, 'This task');
    } else {
      await tx.manager
        .createQueryBuilder()
        .update(Task)
        .set({ ...set, version: () => 'version + 1', updatedAt: () => 'now()' })
        .where('id = :id AND organization_id = :org', { id: task.id, org: orgId(tx) })
        .execute();
    }
    const updated = await tx.manager.findOneByOrFail(Task, { id: task.id, organizationId: orgId(tx) });
    await recordChange(tx, {
      action: 'task.status_changed',
      entityType: 'Task',
      entityId: task.id,
      before: task,
      after: updated,
      meta: { squadId: updated.squadId, assigneeId: updated.assigneeId, status: updated.status },
    });
    return { task: updated };
  });
}

/** Tasks by due date (no due date last), then oldest first. */
function listTasks(ctx: Context, where: (qb: ReturnType<typeof baseQuery>) => void, filter: TasksFilter, page: ConnectionArgs) {
  const qb = baseQuery(ctx);
  where(qb);
  applyTasksFilter(qb, filter);
  return paginate(qb, page, TASK_SORT).then((result) => {
    primeAll(taskById(ctx), result.nodes);
    return result;
  });
}

function baseQuery(ctx: Context) {
  return ctx.manager.createQueryBuilder(Task, 't').where('t.organization_id = :org', { org: orgId(ctx) });
}

export function listMyTasks(ctx: Context, filter: TasksFilter, page: ConnectionArgs) {
  const me = ctx.viewer!.userId;
  return listTasks(ctx, (qb) => qb.andWhere('t.assignee_id = :me', { me }), filter, page);
}

export function listSquadTasks(ctx: Context, squad: Squad, filter: TasksFilter, page: ConnectionArgs) {
  return tasksOfSquad(ctx, squad.id, page, filter);
}

/**
 * What needs the caller now: their open tasks due today or overdue, and the key results they
 * own (in open cycles) with no check-in for CHECK_IN_INTERVAL_DAYS days. Overdue first.
 */
export async function myWork(ctx: Context, first: number): Promise<WorkItem[]> {
  if (first < 0 || first > MAX_WORK_ITEMS) throw badInput(`first must be between 0 and ${MAX_WORK_ITEMS}`, 'first');
  if (first === 0) return [];
  const me = ctx.viewer!.userId;
  const org = orgId(ctx);
  const today = isoToday();
  const tasks = await ctx.manager
    .createQueryBuilder(Task, 't')
    .where('t.organization_id = :org AND t.assignee_id = :me AND t.status IN (:...open) AND t.due_on <= :today', {
      org,
      me,
      open: OPEN_STATUSES,
      today,
    })
    .orderBy('t.due_on', 'ASC')
    .addOrderBy('t.id', 'ASC')
    .limit(first)
    .getMany();
  const staleBefore = new Date(Date.now() - CHECK_IN_INTERVAL_DAYS * 24 * 3600 * 1000);
  const keyResults = await ctx.manager
    .createQueryBuilder(KeyResult, 'k')
    .innerJoin('okr_cycles', 'c', 'c.id = k.cycle_id AND c.organization_id = k.organization_id')
    .where('k.organization_id = :org AND k.owner_id = :me AND c.closed_at IS NULL', { org, me })
    .andWhere('COALESCE(k.last_check_in_at, k.created_at) < :staleBefore', { staleBefore })
    .orderBy('COALESCE(k.last_check_in_at, k.created_at)', 'ASC')
    .addOrderBy('k.id', 'ASC')
    .limit(first)
    .getMany();
  const items: WorkItem[] = [
    ...tasks.map((task) => ({
      kind: task.dueOn! < today ? WorkItemKind.TASK_OVERDUE : WorkItemKind.TASK_DUE_TODAY,
      reason: task.dueOn! < today ? `overdue since ${task.dueOn}` : 'due today',
      dueOn: task.dueOn,
      subject: task,
    })),
    ...keyResults.map((kr) => ({
      kind: WorkItemKind.CHECK_IN_DUE,
      reason: kr.lastCheckInAt
        ? `no check-in since ${kr.lastCheckInAt.toISOString().slice(0, 10)}`
        : `no check-in yet (created ${kr.createdAt.toISOString().slice(0, 10)})`,
      dueOn: addDays((kr.lastCheckInAt ?? kr.createdAt).toISOString().slice(0, 10), CHECK_IN_INTERVAL_DAYS),
      subject: kr,
    })),
  ];
  const rank = { [WorkItemKind.TASK_OVERDUE]: 0, [WorkItemKind.CHECK_IN_DUE]: 1, [WorkItemKind.TASK_DUE_TODAY]: 2 };
  items.sort((a, b) => rank[a.kind] - rank[b.kind] || (a.dueOn ?? '').localeCompare(b.dueOn ?? ''));
  return items.slice(0, first);
}
