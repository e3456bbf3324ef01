import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { MANAGERS } from '../../common/access';
import { ConnectionArgs } from '../../common/connection';
import type { Context } from '../../common/context';
import type { PlanningEventPayload } from '../../common/events';
import { User, referencedUserById } from '../identity';
import { KeyResult, keyResultById } from '../okrs';
import { metaMatches, planningSubscription } from '../realtime';
import { TASKS_EVENTS } from './tasks.events';
import { Sprint, Squad, sprintById, squadById } from '../squads';
import { Task } from './task.entity';
import { TaskQuadrant, quadrantOf } from './task-rules';
import { CreateTaskInput, DeleteTaskInput, SetTaskStatusInput, TaskChangedFilter, TasksFilter, UpdateTaskInput } from './tasks.inputs';
import { taskById } from './tasks.loaders';
import * as tasks from './tasks.service';
import { CreateTaskPayload, DeleteTaskPayload, SetTaskStatusPayload, TaskConnection, UpdateTaskPayload } from './tasks.types';
import { notFound } from '../../common/errors';
import { required } from '../../common/loaders';

/** What taskChanged listens to: the changes a board shows (an assignment is a creation or an update too). */
const TASK_CHANGES = [TASKS_EVENTS.TASK_CREATED, TASKS_EVENTS.TASK_UPDATED, TASKS_EVENTS.TASK_STATUS_CHANGED];

@Resolver(() => Task)
export class TaskResolver {
  @Authorized(...MANAGERS)
  @Mutation(() => CreateTaskPayload, { description: 'OWNER/ADMIN, or a SQUAD_LEAD for a squad they lead.' })
  createTask(@Arg('input') input: CreateTaskInput, @Ctx() ctx: Context) {
    return tasks.createTask(ctx, input);
  }

  @Authorized()
  @Mutation(() => UpdateTaskPayload, {
    description: 'OWNER/ADMIN, the squad’s lead, or the assignee (title, description, due date, importance, urgency). Stale expectedVersion: CONFLICT.',
  })
  updateTask(@Arg('input') input: UpdateTaskInput, @Ctx() ctx: Context) {
    return tasks.updateTask(ctx, input);
  }

  @Authorized()
  @Mutation(() => SetTaskStatusPayload, { description: 'OWNER/ADMIN, the squad’s lead, or the assignee.' })
  setTaskStatus(@Arg('input') input: SetTaskStatusInput, @Ctx() ctx: Context) {
    return tasks.setTaskStatus(ctx, input);
  }

  @Authorized(...MANAGERS)
  @Mutation(() => DeleteTaskPayload, { description: 'OWNER/ADMIN, or the lead of the task’s squad. With expectedVersion, a stale one gets CONFLICT.' })
  deleteTask(@Arg('input') input: DeleteTaskInput, @Ctx() ctx: Context) {
    return tasks.deleteTask(ctx, input);
  }

  @Authorized()
  @Query(() => TaskConnection, { description: 'Tasks assigned to the caller, by due date (none last).' })
  myTasks(
    @Arg('filter', () => TasksFilter, { nullable: true }) filter: TasksFilter | null,
    @Args() page: ConnectionArgs,
    @Ctx() ctx: Context,
  ) {
    return tasks.listMyTasks(ctx, filter ?? {}, page);
  }

  @Authorized()
  @Subscription(() => Task, {
    description: 'Tasks assigned to the subscriber (on creation or reassignment).',
    ...planningSubscription([TASKS_EVENTS.TASK_ASSIGNED], (payload, _args, context) => payload.meta?.assigneeId === context.viewer?.userId),
  })
  async taskAssigned(@Root() payload: PlanningEventPayload, @Ctx() ctx: Context): Promise<Task> {
    const task = await taskById(ctx).load(payload.entityId);
    if (!task) throw notFound('Task');
    return task;
  }

  @Authorized()
  @Subscription(() => Task, {
    description:
      'A task was created, changed or moved to another status: the task as committed, so a board or a list updates without a refetch. Everyone in the organisation (as reading tasks); filter by squad, sprint and assignee (a task that matched before the change comes too, e.g. moved to another squad). Deletions: planningEvents with TASK_DELETED.',
    ...planningSubscription<{ filter?: TaskChangedFilter | null }>(TASK_CHANGES, async (payload, args, ctx) => {
      const f = args.filter ?? {};
      const wanted = { squadId: f.squadId, sprintId: f.sprintId, assigneeId: f.assigneeId };
      const meta = payload.meta ?? {};
      const before = { ...meta };
      for (const key of Object.keys(wanted)) {
        const previous = `previous${key[0].toUpperCase()}${key.slice(1)}`;
        if (previous in meta) before[key] = meta[previous];
      }
      if (!metaMatches(payload, wanted) && !metaMatches({ meta: before }, wanted)) return false;
      // Loaded with the event's fresh loaders (the resolver reads the same): a task deleted since is not delivered.
      return (await taskById(ctx).load(payload.entityId)) != null;
    }),
  })
  async taskChanged(
    @Root() payload: PlanningEventPayload,
    @Arg('filter', () => TaskChangedFilter, { nullable: true }) _filter: TaskChangedFilter | null,
    @Ctx() ctx: Context,
  ): Promise<Task> {
    return required(taskById(ctx).load(payload.entityId), 'Task');
  }

  @FieldResolver(() => TaskQuadrant)
  quadrant(@Root() t: Task): TaskQuadrant {
    return quadrantOf(t.important, t.urgent);
  }

  @FieldResolver(() => User, { nullable: true })
  assignee(@Root() t: Task, @Ctx() ctx: Context) {
    return t.assigneeId ? referencedUserById(ctx).load(t.assigneeId) : null;
  }

  @FieldResolver(() => User, { nullable: true, description: 'Who created the task.' })
  reporter(@Root() t: Task, @Ctx() ctx: Context) {
    return t.reporterId ? referencedUserById(ctx).load(t.reporterId) : null;
  }

  @FieldResolver(() => KeyResult, { nullable: true })
  keyResult(@Root() t: Task, @Ctx() ctx: Context) {
    return t.keyResultId ? keyResultById(ctx).load(t.keyResultId) : null;
  }

  @FieldResolver(() => Sprint, { nullable: true })
  sprint(@Root() t: Task, @Ctx() ctx: Context) {
    return t.sprintId ? sprintById(ctx).load(t.sprintId) : null;
  }

  @FieldResolver(() => Squad, { nullable: true })
  squad(@Root() t: Task, @Ctx() ctx: Context) {
    return t.squadId ? squadById(ctx).load(t.squadId) : null;
  }
}

/** Squad.tasks lives here: squads know nothing of tasks. */
@Resolver(() => Squad)
export class SquadTasksResolver {
  @FieldResolver(() => TaskConnection, { description: 'The squad’s tasks by due date; filter by status for open work.' })
  tasks(
    @Root() squad: Squad,
    @Arg('filter', () => TasksFilter, { nullable: true }) filter: TasksFilter | null,
    @Args() page: ConnectionArgs,
    @Ctx() ctx: Context,
  ) {
    return tasks.listSquadTasks(ctx, squad, filter ?? {}, page);
  }
}
