import { assertCanManage, canManage, manageRefusal } from '../../common/access';
import { orgId } from '../../common/auth';
import { paginate, type ConnectionArgs } from '../../common/connection';
import type { Context } from '../../common/context';
import { badInput, forbidden } from '../../common/errors';
import { emitAfterCommit } from '../../common/events';
import { TASKS_EVENTS } from './tasks.events';
import { toGlobalId } from '../../common/ids';
import { requireById } from '../../common/loaders';
import { withIdempotency } from '../../db/idempotency';
import { withTransaction } from '../../db/transaction';
import { createRecorded, deleteRecorded, updateRecorded } from '../audit';
import { requireOrgUser } from '../identity';
import { objectiveById, requireKeyResult, type KeyResult } from '../okrs';
import { requireSprint, requireSquad, type Squad } from '../squads';
import { Task, TaskStatus } from './task.entity';
import { TASK_SORT, applyTasksFilter, taskById, tasksOfSquad } from './tasks.loaders';
import type { CreateTaskInput, DeleteTaskInput, SetTaskStatusInput, TasksFilter, UpdateTaskInput } from './tasks.inputs';

export function requireTask(ctx: Context, id: string): Promise<Task> {
  return requireById(taskById(ctx), id, 'Task');
}

/** OWNER/ADMIN, or the lead of the task's squad (the kit's `canManage`). */
const managesTaskSquad = (ctx: Context, squadId: string | null) => canManage(ctx, { kind: 'task', squadId });

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

/** The routing facts of a task's events. */
/** A task event's routing facts (taskChanged filters on them). */
const taskMeta = (t: Task): Record<string, string | null> => ({ squadId: t.squadId, sprintId: t.sprintId, assigneeId: t.assigneeId });

/** After an update, also the facts it had before, when they changed: a board learns that a task left it. */
const ROUTED = ['squadId', 'sprintId', 'assigneeId'] as const;
function movedMeta(before: Task, after: Task): Record<string, string | null> {
  const meta = taskMeta(after);
  for (const key of ROUTED) if (before[key] !== after[key]) meta[`previous${key[0].toUpperCase()}${key.slice(1)}`] = before[key];
  return meta;
}

/** An assignee (a uuid) must be a member of the organisation who is not a VIEWER; `field` names it in the error. */
async function checkedAssignee(tx: Context, assigneeId: string | null | undefined, field: string): Promise<string | null> {
  return assigneeId ? (await requireOrgUser(tx, assigneeId, field, { notViewer: true })).userId : null;
}

/** What a new task holds, checked by its caller (links resolved, assignee a member). */
interface NewTask extends Links {
  title: string;
  description?: string | null;
  assigneeId: string | null;
  dueOn: string | null;
  important: boolean;
  urgent: boolean;
}

/** The one insert of a task: audited (`task.created`) and, when it has an assignee, announced as TASK_ASSIGNED. */
async function insertTask(tx: Context, t: NewTask): Promise<Task> {
  const task = await createRecorded(
    tx,
    Task,
    {
      organizationId: orgId(tx),
      title: t.title.trim(),
      description: t.description?.trim() || null,
      assigneeId: t.assigneeId,
      reporterId: tx.viewer?.userId ?? null,
      status: TaskStatus.TODO,
      dueOn: t.dueOn,
      important: t.important,
      urgent: t.urgent,
      keyResultId: t.keyResultId,
      sprintId: t.sprintId,
      squadId: t.squadId,
      completedAt: null,
      version: 1,
    },
    { action: 'task.created', meta: taskMeta, prime: taskById },
  );
  if (task.assigneeId) {
    emitAfterCommit(tx, { type: TASKS_EVENTS.TASK_ASSIGNED, entityType: 'Task', entityId: task.id, meta: { squadId: task.squadId, assigneeId: task.assigneeId } });
  }
  return task;
}

export async function createTask(ctx: Context, input: CreateTaskInput) {
  return withIdempotency(ctx, 'createTask', input, async (tx) => {
    const links = await resolveLinks(tx, input, { keyResultId: null, sprintId: null, squadId: null });
    if (!(await managesTaskSquad(tx, links.squadId))) {
      throw forbidden(
        links.squadId
          ? manageRefusal({ kind: 'task', squadId: links.squadId }, 'create tasks for this squad')
          : 'A SQUAD_LEAD creates tasks for a squad they lead: pass squadId, sprintId or a key result of the squad',
      );
    }
    const task = await insertTask(tx, {
      title: input.title,
      description: input.description,
      assigneeId: await checkedAssignee(tx, input.assigneeId, 'assigneeId'),
      dueOn: input.dueOn ?? null,
      important: input.important ?? false,
      urgent: input.urgent ?? false,
      ...links,
    });
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
        throw forbidden(manageRefusal({ kind: 'task', squadId: task.squadId, assigneeId: task.assigneeId }, 'change this task'));
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
    const updated = await updateRecorded(tx, Task, task, input.expectedVersion, set, {
      action: 'task.updated',
      meta: (t) => movedMeta(task, t),
      prime: taskById,
      what: 'This task',
    });
    if (updated.assigneeId && updated.assigneeId !== task.assigneeId) {
      emitAfterCommit(tx, { type: TASKS_EVENTS.TASK_ASSIGNED, entityType: 'Task', entityId: task.id, meta: { squadId: updated.squadId, assigneeId: updated.assigneeId } });
    }
    return { task: updated };
  });
}

export async function setTaskStatus(ctx: Context, input: SetTaskStatusInput) {
  return withTransaction(ctx, async (tx) => {
    const task = await requireTask(tx, input.id);
    await assertCanManage(tx, { kind: 'task', squadId: task.squadId, assigneeId: task.assigneeId }, 'change this task’s status');
    const set: Partial<Task> = { status: input.status, completedAt: input.status === TaskStatus.DONE ? new Date() : null };
    // Without expectedVersion a status change applies to whatever version is current.
    const updated = await updateRecorded(tx, Task, task, input.expectedVersion ?? null, set, {
      action: 'task.status_changed',
      meta: (t) => ({ ...taskMeta(t), status: t.status }),
      prime: taskById,
      what: 'This task',
    });
    return { task: updated };
  });
}

/** OWNER/ADMIN or the lead of the task's squad (as for creating it); the assignee may not. */
export async function deleteTask(ctx: Context, input: DeleteTaskInput) {
  return withTransaction(ctx, async (tx) => {
    const task = await requireTask(tx, input.id);
    await assertCanManage(tx, { kind: 'task', squadId: task.squadId }, 'delete this task');
    await deleteRecorded(tx, Task, task, {
      action: 'task.deleted',
      meta: taskMeta,
      prime: taskById,
      expectedVersion: input.expectedVersion ?? null,
      what: 'This task',
    });
    return { deletedTaskId: toGlobalId('Task', task.id) };
  });
}

/** Tasks by due date (no due date last), then oldest first. */
function listTasks(ctx: Context, where: (qb: ReturnType<typeof baseQuery>) => void, filter: TasksFilter, page: ConnectionArgs) {
  const qb = baseQuery(ctx);
  where(qb);
  applyTasksFilter(qb, filter);
  return paginate(ctx, qb, page, TASK_SORT, 'Query.myTasks');
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
 * Creates a task in the caller's transaction, for another module that has already checked the
 * caller may (e.g. a campaign review turning its actions into tasks). The assignee (a uuid) must
 * be a member of the organisation who is not a VIEWER; `field` names it in the error.
 */
export async function createTaskInTransaction(
  tx: Context,
  input: { title: string; description?: string | null; assigneeId: string | null; dueOn: string | null; squadId: string | null },
  field = 'assigneeId',
): Promise<Task> {
  if (!tx.afterCommit) throw new Error('createTaskInTransaction outside a transaction');
  return insertTask(tx, {
    title: input.title,
    description: input.description,
    assigneeId: await checkedAssignee(tx, input.assigneeId, field),
    dueOn: input.dueOn,
    important: false,
    urgent: false,
    keyResultId: null,
    sprintId: null,
    squadId: input.squadId,
  });
}
