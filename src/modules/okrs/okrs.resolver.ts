import { required } from '../../common/loaders';
import { Arg, Args, Authorized, Ctx, Field, FieldResolver, Float, ID, InputType, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { GlobalIdOf } from '../../common/global-ids';
import { IsOptional } from 'class-validator';
import { ADMINS, MANAGERS } from '../../common/access';
import { ConnectionArgs } from '../../common/connection';
import type { Context } from '../../common/context';
import { fromGlobalId } from '../../common/ids';
import type { PlanningEventPayload } from '../../common/events';
import { User, referencedUserById } from '../identity';
import { Kpi, kpiById } from '../kpis';
import { metaMatches, planningSubscription } from '../realtime';
import { Squad, squadById } from '../squads';
import { CheckIn, Cycle, KeyResult, Objective } from './okr.entity';
import { OKRS_EVENTS } from './okrs.events';
import { OkrStatus } from './okr-rules';
import { statusOn } from './okr-status-dates';
import { OkrSummary, okrSummaryOfSquad } from './okr-summary';
import { isoToday } from '../../common/dates';
import {
  ArchiveKeyResultInput,
  ArchiveObjectiveInput,
  CheckInKeyResultInput,
  CloseCycleInput,
  CreateCycleInput,
  CreateKeyResultInput,
  CreateObjectiveInput,
  CyclesFilter,
  DeleteKeyResultInput,
  KeyResultCheckedInFilter,
  ObjectiveProgressChangedFilter,
  ObjectivesFilter,
  UpdateCycleInput,
  UpdateKeyResultInput,
  UpdateObjectiveInput,
} from './okrs.inputs';
import {
  checkInById,
  checkInsOfKeyResult,
  childrenByParentId,
  cycleById,
  keyResultById,
  keyResultEvaluation,
  keyResultsByObjectiveId,
  latestCheckInByKeyResultId,
  objectiveById,
  objectiveRollup,
  objectivesOfCycle,
  objectivesOfSquad,
  type Evaluation,
} from './okrs.loaders';
import * as okrs from './okrs.service';
import {
  ArchiveKeyResultPayload,
  ArchiveObjectivePayload,
  CheckInConnection,
  CheckInKeyResultPayload,
  CloseCyclePayload,
  CreateCyclePayload,
  CreateKeyResultPayload,
  CreateObjectivePayload,
  CycleConnection,
  DeleteKeyResultPayload,
  KeyResultCheckedIn,
  ObjectiveConnection,
  UpdateCyclePayload,
  UpdateKeyResultPayload,
  UpdateObjectivePayload,
} from './okrs.types';


async function rollup(ctx: Context, objective: Objective): Promise<Evaluation> {
  return required(objectiveRollup(ctx).load(objective.id), 'Objective');
}

@InputType()
export class SquadObjectivesFilter {
  @Field(() => ID, { nullable: true }) @GlobalIdOf('Cycle') @IsOptional() cycleId?: string;
}

@Resolver(() => Cycle)
export class CycleResolver {
  @Authorized()
  @Query(() => CycleConnection, { description: 'OKR cycles, latest first.' })
  cycles(
    @Arg('filter', () => CyclesFilter, { nullable: true }) filter: CyclesFilter | null,
    @Args() page: ConnectionArgs,
    @Ctx() ctx: Context,
  ) {
    return okrs.listCycles(ctx, filter ?? {}, page);
  }

  @Authorized(...ADMINS)
  @Mutation(() => CreateCyclePayload, { description: 'OWNER/ADMIN.' })
  createCycle(@Arg('input') input: CreateCycleInput, @Ctx() ctx: Context) {
    return okrs.createCycle(ctx, input);
  }

  @Authorized(...ADMINS)
  @Mutation(() => CloseCyclePayload, {
    description: 'OWNER/ADMIN. Scores every key result (progress rounded to 0.1) and freezes the cycle: later changes get CYCLE_CLOSED.',
  })
  closeCycle(@Arg('input') input: CloseCycleInput, @Ctx() ctx: Context) {
    return okrs.closeCycle(ctx, input);
  }

  @Authorized(...ADMINS)
  @Mutation(() => UpdateCyclePayload, { description: 'OWNER/ADMIN. Name and dates of an open cycle (closed: CYCLE_CLOSED). Stale expectedVersion: CONFLICT.' })
  updateCycle(@Arg('input') input: UpdateCycleInput, @Ctx() ctx: Context) {
    return okrs.updateCycle(ctx, input);
  }

  @FieldResolver(() => ObjectiveConnection, { description: 'Objectives of this cycle, oldest first.' })
  objectives(@Root() cycle: Cycle, @Args() page: ConnectionArgs, @Ctx() ctx: Context) {
    return objectivesOfCycle(ctx, cycle.id, page);
  }
}

@Resolver(() => Objective)
export class ObjectiveResolver {
  @Authorized()
  @Query(() => ObjectiveConnection, { description: 'Objectives, oldest first, filtered by cycle, squad, owner and status.' })
  objectives(
    @Arg('filter', () => ObjectivesFilter, { nullable: true }) filter: ObjectivesFilter | null,
    @Args() page: ConnectionArgs,
    @Ctx() ctx: Context,
  ) {
    return okrs.listObjectives(ctx, filter ?? {}, page);
  }

  @Authorized()
  @Query(() => Objective, { description: 'One objective; NOT_FOUND when it does not exist in this organisation.' })
  objective(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return okrs.requireObjective(ctx, fromGlobalId(id, 'Objective', 'id'));
  }

  @Authorized(...MANAGERS)
  @Mutation(() => CreateObjectivePayload, { description: 'OWNER/ADMIN, or a SQUAD_LEAD for a squad they lead.' })
  createObjective(@Arg('input') input: CreateObjectiveInput, @Ctx() ctx: Context) {
    return okrs.createObjective(ctx, input);
  }

  @Authorized(...MANAGERS)
  @Mutation(() => UpdateObjectivePayload, {
    description: 'OWNER/ADMIN, or the lead of its squad. Stale expectedVersion: CONFLICT. Alignment loops are refused.',
  })
  updateObjective(@Arg('input') input: UpdateObjectiveInput, @Ctx() ctx: Context) {
    return okrs.updateObjective(ctx, input);
  }

  @Authorized(...MANAGERS)
  @Mutation(() => ArchiveObjectivePayload, {
    description:
      'OWNER/ADMIN, or the lead of its squad. The objective leaves the default lists and its parent’s roll-up, and no longer changes (ARCHIVED). Stale expectedVersion: CONFLICT.',
  })
  archiveObjective(@Arg('input') input: ArchiveObjectiveInput, @Ctx() ctx: Context) {
    return okrs.archiveObjective(ctx, input);
  }

  @Authorized()
  @Subscription(() => Objective, {
    description: 'An objective’s progress, status or score may have changed (a check-in, a new key result, a re-alignment, the cycle closing).',
    ...planningSubscription<{ filter?: ObjectiveProgressChangedFilter }>([OKRS_EVENTS.OBJECTIVE_PROGRESS_CHANGED], (payload, args) =>
      metaMatches(payload, { cycleId: args.filter?.cycleId }),
    ),
  })
  async objectiveProgressChanged(
    @Root() payload: PlanningEventPayload,
    @Arg('filter', () => ObjectiveProgressChangedFilter, { nullable: true }) _filter: ObjectiveProgressChangedFilter | null,
    @Ctx() ctx: Context,
  ): Promise<Objective> {
    return required(objectiveById(ctx).load(payload.entityId), 'Objective');
  }

  @FieldResolver(() => Cycle)
  cycle(@Root() o: Objective, @Ctx() ctx: Context) {
    return required(cycleById(ctx).load(o.cycleId), 'Cycle');
  }

  @FieldResolver(() => User)
  owner(@Root() o: Objective, @Ctx() ctx: Context) {
    return required(referencedUserById(ctx).load(o.ownerId), 'User');
  }

  @FieldResolver(() => Squad, { nullable: true })
  squad(@Root() o: Objective, @Ctx() ctx: Context) {
    return o.squadId ? squadById(ctx).load(o.squadId) : null;
  }

  @FieldResolver(() => Objective, { nullable: true, description: 'The objective this one aligns to.' })
  parent(@Root() o: Objective, @Ctx() ctx: Context) {
    return o.parentId ? objectiveById(ctx).load(o.parentId) : null;
  }

  @FieldResolver(() => [Objective], { description: 'Objectives aligned to this one.' })
  async children(@Root() o: Objective, @Ctx() ctx: Context) {
    return (await childrenByParentId(ctx).load(o.id)) ?? [];
  }

  @FieldResolver(() => [KeyResult], { description: `Key results, oldest first (at most ${okrs.MAX_KEY_RESULTS}).` })
  async keyResults(@Root() o: Objective, @Ctx() ctx: Context) {
    return (await keyResultsByObjectiveId(ctx).load(o.id)) ?? [];
  }

  @FieldResolver(() => Float, { description: 'Weighted mean of its key results’ and aligned objectives’ progress, 0..1.' })
  progress(@Root() o: Objective) {
    return o.progress;
  }

  @FieldResolver(() => OkrStatus, { description: 'The weakest status of its key results and aligned objectives.' })
  status(@Root() o: Objective) {
    return statusOn(o, isoToday());
  }

  @FieldResolver(() => Float, { nullable: true, description: 'Weighted mean of key-result scores once the cycle is closed.' })
  async score(@Root() o: Objective, @Ctx() ctx: Context) {
    return (await rollup(ctx, o)).score;
  }
}

@Resolver(() => KeyResult)
export class KeyResultResolver {
  @Authorized(...MANAGERS)
  @Mutation(() => CreateKeyResultPayload, { description: 'OWNER/ADMIN, or the lead of the objective’s squad.' })
  createKeyResult(@Arg('input') input: CreateKeyResultInput, @Ctx() ctx: Context) {
    return okrs.createKeyResult(ctx, input);
  }

  @Authorized(...MANAGERS)
  @Mutation(() => UpdateKeyResultPayload, { description: 'OWNER/ADMIN, or the lead of the objective’s squad. Stale expectedVersion: CONFLICT.' })
  updateKeyResult(@Arg('input') input: UpdateKeyResultInput, @Ctx() ctx: Context) {
    return okrs.updateKeyResult(ctx, input);
  }

  @Authorized(...MANAGERS)
  @Mutation(() => ArchiveKeyResultPayload, {
    description:
      'OWNER/ADMIN, or the lead of the objective’s squad. The key result keeps its check-ins, leaves `keyResults` and the roll-up, and no longer changes (ARCHIVED).',
  })
  archiveKeyResult(@Arg('input') input: ArchiveKeyResultInput, @Ctx() ctx: Context) {
    return okrs.archiveKeyResult(ctx, input);
  }

  @Authorized(...MANAGERS)
  @Mutation(() => DeleteKeyResultPayload, {
    description:
      'OWNER/ADMIN, or the lead of the objective’s squad. Only without check-ins: otherwise KEY_RESULT_HAS_CHECK_INS (archive it instead). Linked tasks stay, unlinked.',
  })
  deleteKeyResult(@Arg('input') input: DeleteKeyResultInput, @Ctx() ctx: Context) {
    return okrs.deleteKeyResult(ctx, input);
  }

  @Authorized()
  @Mutation(() => CheckInKeyResultPayload, {
    description:
      'The key result’s owner, the lead of its squad or OWNER/ADMIN. Stale expectedVersion: CONFLICT (extensions.currentVersion); closed cycle: CYCLE_CLOSED.',
  })
  checkInKeyResult(@Arg('input') input: CheckInKeyResultInput, @Ctx() ctx: Context) {
    return okrs.checkInKeyResult(ctx, input);
  }

  @Authorized()
  @Subscription(() => KeyResultCheckedIn, {
    description: 'Check-ins as they are recorded; filter by squad or objective.',
    ...planningSubscription<{ filter?: KeyResultCheckedInFilter }>([OKRS_EVENTS.KEY_RESULT_CHECKED_IN], (payload, args) =>
      metaMatches(payload, { squadId: args.filter?.squadId, objectiveId: args.filter?.objectiveId }),
    ),
  })
  async keyResultCheckedIn(
    @Root() payload: PlanningEventPayload,
    @Arg('filter', () => KeyResultCheckedInFilter, { nullable: true }) _filter: KeyResultCheckedInFilter | null,
    @Ctx() ctx: Context,
  ): Promise<KeyResultCheckedIn> {
    const checkIn = await required(checkInById(ctx).load(payload.entityId), 'CheckIn');
    const keyResult = await required(keyResultById(ctx).load(checkIn.keyResultId), 'KeyResult');
    return { checkIn, keyResult };
  }

  @FieldResolver(() => Objective)
  objective(@Root() kr: KeyResult, @Ctx() ctx: Context) {
    return required(objectiveById(ctx).load(kr.objectiveId), 'Objective');
  }

  @FieldResolver(() => Kpi, { nullable: true, description: 'The KPI it follows: each new latest value of the KPI records a check-in (author null).' })
  kpi(@Root() kr: KeyResult, @Ctx() ctx: Context) {
    return kr.kpiId ? kpiById(ctx).load(kr.kpiId) : null;
  }

  @FieldResolver(() => User)
  owner(@Root() kr: KeyResult, @Ctx() ctx: Context) {
    return required(referencedUserById(ctx).load(kr.ownerId), 'User');
  }

  @FieldResolver(() => Float, { description: 'Progress 0..1 from current value (see KeyResultKind).' })
  async progress(@Root() kr: KeyResult, @Ctx() ctx: Context) {
    return (await keyResultEvaluation(ctx, kr)).progress;
  }

  @FieldResolver(() => OkrStatus)
  async status(@Root() kr: KeyResult, @Ctx() ctx: Context) {
    return (await keyResultEvaluation(ctx, kr)).status;
  }

  @FieldResolver(() => CheckIn, { nullable: true })
  latestCheckIn(@Root() kr: KeyResult, @Ctx() ctx: Context) {
    return latestCheckInByKeyResultId(ctx).load(kr.id);
  }

  @FieldResolver(() => CheckInConnection, { description: 'Check-in history, newest first.' })
  checkIns(@Root() kr: KeyResult, @Args() page: ConnectionArgs, @Ctx() ctx: Context) {
    return checkInsOfKeyResult(ctx, kr.id, page);
  }
}

@Resolver(() => CheckIn)
export class CheckInResolver {
  @FieldResolver(() => User, { nullable: true, description: 'Null for a user no longer in the organisation.' })
  author(@Root() c: CheckIn, @Ctx() ctx: Context) {
    return c.authorId ? referencedUserById(ctx).load(c.authorId) : null;
  }

  @FieldResolver(() => KeyResult)
  keyResult(@Root() c: CheckIn, @Ctx() ctx: Context) {
    return required(keyResultById(ctx).load(c.keyResultId), 'KeyResult');
  }
}

/** Squad.objectives lives here: squads know nothing of OKRs. */
@Resolver(() => Squad)
export class SquadObjectivesResolver {
  @FieldResolver(() => ObjectiveConnection, { description: 'The squad’s objectives, oldest first; optionally of one cycle.' })
  objectives(
    @Root() squad: Squad,
    @Arg('filter', () => SquadObjectivesFilter, { nullable: true }) filter: SquadObjectivesFilter | null,
    @Args() page: ConnectionArgs,
    @Ctx() ctx: Context,
  ) {
    return objectivesOfSquad(ctx, squad.id, page, { cycleId: filter?.cycleId });
  }

  @FieldResolver(() => OkrSummary, {
    description:
      'The squad’s active objectives of a cycle by status today, their weighted average progress and the key results not on track. Batched across a page of squads (two statements). NOT_FOUND for a cycle that is not in this organisation.',
  })
  async okrSummary(@Root() squad: Squad, @Arg('cycleId', () => ID) cycleId: string, @Ctx() ctx: Context): Promise<OkrSummary> {
    const cycle = await okrs.requireCycle(ctx, fromGlobalId(cycleId, 'Cycle', 'cycleId'));
    return required(okrSummaryOfSquad(ctx).load(`${squad.id}|${cycle.id}`), 'OkrSummary');
  }
}
