import { IsOptional, MaxLength } from 'class-validator';
import { Arg, Args, Authorized, Ctx, Field, FieldResolver, ID, InputType, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { MANAGERS, WRITERS, hasRole } from '../../common/access';
import { ConnectionArgs } from '../../common/connection';
import type { Context } from '../../common/context';
import type { PlanningEventPayload } from '../../common/events';
import { GlobalIdOf } from '../../common/global-ids';
import { required } from '../../common/loaders';
import { Node, nodeFetcher } from '../../common/node';
import { User, memberByUserId, referencedUserById } from '../identity';
import { metaMatches, planningSubscription } from '../realtime';
import { RaciProblem, activityProblems, isMatrixValid, matrixProblems, MAX_RACI_ACTIVITIES, MAX_RACI_ASSIGNMENTS, type RaciCell } from './raci-rules';
import * as raci from './raci.service';
import { SOPS_EVENTS } from './sops.events';
import { RaciActivity, RaciAssignment, RaciMatrix } from './sops.entity';
import { AddRaciActivityInput, CreateRaciMatrixInput, RaciMatricesFilter, RemoveRaciActivityInput, SetRaciAssignmentInput } from './sops.inputs';
import { activitiesByMatrixId, assignmentsByMatrixId, assignmentsOfActivity, raciActivityById, raciMatrixById } from './sops.loaders';
import {
  AddRaciActivityPayload,
  CreateRaciMatrixPayload,
  RaciAssignmentConnection,
  RaciMatrixConnection,
  RaciMatrixProblem,
  RemoveRaciActivityPayload,
  SetRaciAssignmentPayload,
} from './sops.types';

const RACI_EVENTS = [SOPS_EVENTS.RACI_MATRIX_CREATED, SOPS_EVENTS.RACI_ACTIVITY_ADDED, SOPS_EVENTS.RACI_ACTIVITY_REMOVED, SOPS_EVENTS.RACI_ASSIGNMENT_SET];

@InputType()
export class RaciMatrixChangedFilter {
  @Field(() => ID, { nullable: true, description: 'Only changes of this RaciMatrix.' }) @GlobalIdOf('RaciMatrix') @IsOptional() @MaxLength(200) matrixId?: string;
}

/** The cells of assignments: whether each holder can act (a member of the organisation who is not a VIEWER). */
async function cellsOf(ctx: Context, assignments: readonly RaciAssignment[]): Promise<RaciCell[]> {
  const members = await memberByUserId(ctx).loadMany(assignments.map((r) => r.userId));
  return assignments.map((r, i) => {
    const m = members[i];
    if (m instanceof Error) throw m;
    return { role: r.role, canAct: !!m && hasRole(m, WRITERS) };
  });
}

async function cellsOfMatrix(ctx: Context, m: RaciMatrix) {
  const [activities, assignments] = await Promise.all([activitiesByMatrixId(ctx).load(m.id), assignmentsByMatrixId(ctx).load(m.id)]);
  return Promise.all(
    (activities ?? []).map(async (activity) => ({
      activity,
      cells: await cellsOf(ctx, (assignments ?? []).filter((r) => r.activityId === activity.id)),
    })),
  );
}

@Resolver(() => RaciMatrix)
export class RaciMatrixResolver {
  @Authorized(...MANAGERS)
  @Mutation(() => CreateRaciMatrixPayload, { description: 'OWNER, ADMIN or SQUAD_LEAD. subjectId: a Campaign, Sop or Squad of the organisation (NOT_FOUND otherwise).' })
  createRaciMatrix(@Arg('input') input: CreateRaciMatrixInput, @Ctx() ctx: Context) {
    return raci.createRaciMatrix(ctx, input);
  }

  @Authorized(...MANAGERS)
  @Mutation(() => AddRaciActivityPayload, { description: `OWNER, ADMIN or SQUAD_LEAD; at most ${MAX_RACI_ACTIVITIES} activities per matrix.` })
  addRaciActivity(@Arg('input') input: AddRaciActivityInput, @Ctx() ctx: Context) {
    return raci.addRaciActivity(ctx, input);
  }

  @Authorized(...MANAGERS)
  @Mutation(() => RemoveRaciActivityPayload, { description: 'OWNER, ADMIN or SQUAD_LEAD; removes the activity and its assignments.' })
  removeRaciActivity(@Arg('input') input: RemoveRaciActivityInput, @Ctx() ctx: Context) {
    return raci.removeRaciActivity(ctx, input);
  }

  @Authorized(...MANAGERS)
  @Mutation(() => SetRaciAssignmentPayload, {
    description: `OWNER, ADMIN or SQUAD_LEAD. Sets a person's role in an activity (one role per person), or clears it with role null; at most ${MAX_RACI_ASSIGNMENTS} people per activity.`,
  })
  setRaciAssignment(@Arg('input') input: SetRaciAssignmentInput, @Ctx() ctx: Context) {
    return raci.setRaciAssignment(ctx, input);
  }

  @Authorized()
  @Query(() => RaciMatrixConnection, { description: 'RACI matrices, oldest first, optionally of one subject (a Campaign, Sop or Squad id).' })
  raciMatrices(
    @Arg('filter', () => RaciMatricesFilter, { nullable: true }) filter: RaciMatricesFilter | null,
    @Args() page: ConnectionArgs,
    @Ctx() ctx: Context,
  ) {
    return raci.listRaciMatrices(ctx, filter ?? {}, page);
  }

  @Authorized()
  @Query(() => RaciAssignmentConnection, { description: 'Every activity where the caller holds a role, with the role, oldest first.' })
  myRaciRoles(@Args() page: ConnectionArgs, @Ctx() ctx: Context) {
    return raci.listMyRaciRoles(ctx, page);
  }

  @Authorized()
  @Subscription(() => RaciMatrix, {
    description: 'A RACI matrix was created or changed (an activity added or removed, a role set or cleared), optionally only one matrix.',
    ...planningSubscription<{ filter?: RaciMatrixChangedFilter }>(RACI_EVENTS, (payload, args) => metaMatches(payload, { matrixId: args.filter?.matrixId })),
  })
  async raciMatrixChanged(
    @Root() payload: PlanningEventPayload,
    @Arg('filter', () => RaciMatrixChangedFilter, { nullable: true }) _filter: RaciMatrixChangedFilter | null,
    @Ctx() ctx: Context,
  ): Promise<RaciMatrix> {
    return required(raciMatrixById(ctx).load(payload.meta?.matrixId ?? payload.entityId), 'RaciMatrix');
  }

  @FieldResolver(() => Node, { nullable: true, description: 'What the matrix is for (a Campaign, Sop or Squad); null for a free-standing process or a subject not visible.' })
  async subject(@Root() m: RaciMatrix, @Ctx() ctx: Context): Promise<Node | null> {
    if (!m.subjectType || !m.subjectId) return null;
    const fetch = nodeFetcher(m.subjectType);
    if (!fetch) return null;
    const [found] = await fetch(ctx, [m.subjectId]);
    return (found as Node | null) ?? null;
  }

  @FieldResolver(() => [RaciActivity], { description: `The activities (rows), oldest first; at most ${MAX_RACI_ACTIVITIES}.` })
  async activities(@Root() m: RaciMatrix, @Ctx() ctx: Context) {
    return (await activitiesByMatrixId(ctx).load(m.id)) ?? [];
  }

  @FieldResolver(() => [RaciMatrixProblem], { description: `Each activity's problems, in the activities' order; at most ${MAX_RACI_ACTIVITIES * 3}.` })
  async problems(@Root() m: RaciMatrix, @Ctx() ctx: Context) {
    return matrixProblems(await cellsOfMatrix(ctx, m));
  }

  @FieldResolver(() => Boolean, {
    description: 'Whether the matrix has activities and each has exactly one ACCOUNTABLE and at least one RESPONSIBLE, every RESPONSIBLE able to act (a member who is not a VIEWER).',
  })
  async isValid(@Root() m: RaciMatrix, @Ctx() ctx: Context) {
    return isMatrixValid(await cellsOfMatrix(ctx, m));
  }
}

@Resolver(() => RaciActivity)
export class RaciActivityResolver {
  @FieldResolver(() => RaciMatrix)
  matrix(@Root() a: RaciActivity, @Ctx() ctx: Context) {
    return required(raciMatrixById(ctx).load(a.matrixId), 'RaciMatrix');
  }

  @FieldResolver(() => [RaciAssignment], { description: `Who holds which role, in the order they were assigned; at most ${MAX_RACI_ASSIGNMENTS}.` })
  assignments(@Root() a: RaciActivity, @Ctx() ctx: Context) {
    return assignmentsOfActivity(ctx, a);
  }

  @FieldResolver(() => [RaciProblem], {
    description: 'MISSING_ACCOUNTABLE, MULTIPLE_ACCOUNTABLE, MISSING_RESPONSIBLE, RESPONSIBLE_CANNOT_ACT; empty when the activity is fine.',
  })
  async problems(@Root() a: RaciActivity, @Ctx() ctx: Context) {
    return activityProblems(await cellsOf(ctx, await assignmentsOfActivity(ctx, a)));
  }
}

@Resolver(() => RaciAssignment)
export class RaciAssignmentResolver {
  @FieldResolver(() => User)
  user(@Root() r: RaciAssignment, @Ctx() ctx: Context) {
    return required(referencedUserById(ctx).load(r.userId), 'User');
  }

  @FieldResolver(() => RaciActivity)
  activity(@Root() r: RaciAssignment, @Ctx() ctx: Context) {
    return required(raciActivityById(ctx).load(r.activityId), 'RaciActivity');
  }

  @FieldResolver(() => RaciMatrix)
  matrix(@Root() r: RaciAssignment, @Ctx() ctx: Context) {
    return required(raciMatrixById(ctx).load(r.matrixId), 'RaciMatrix');
  }
}

