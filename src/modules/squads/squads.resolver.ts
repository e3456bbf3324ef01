import { required } from '../../common/loaders';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ADMINS, MANAGERS } from '../../common/access';
import { ConnectionArgs } from '../../common/connection';
import type { Context } from '../../common/context';
import { isoToday } from '../../common/dates';
import { notFound } from '../../common/errors';
import { fromGlobalId } from '../../common/ids';
import { User, Viewer, referencedUserById } from '../identity';
import { Sprint, Squad, SquadMember } from './squad.entity';
import {
  AddSquadMemberInput,
  ArchiveSquadInput,
  CloseSprintInput,
  CreateSprintInput,
  CreateSquadInput,
  RemoveSquadMemberInput,
  SquadsFilter,
  UpdateSprintInput,
  UpdateSquadInput,
} from './squads.inputs';
import { currentSprintBySquadId, sprintsOfSquad, squadById, squadMembersBySquadId } from './squads.loaders';
import * as squads from './squads.service';
import { SprintStatus, sprintStatus } from './sprint-rules';
import {
  AddSquadMemberPayload,
  ArchiveSquadPayload,
  CloseSprintPayload,
  CreateSprintPayload,
  CreateSquadPayload,
  RemoveSquadMemberPayload,
  SprintConnection,
  SquadConnection,
  UpdateSprintPayload,
  UpdateSquadPayload,
} from './squads.types';

@Resolver(() => Squad)
export class SquadResolver {
  @Authorized()
  @Query(() => SquadConnection, { description: 'The organisation’s squads, oldest first: active ones unless filter.archived is true.' })
  squads(
    @Arg('filter', () => SquadsFilter, { nullable: true }) filter: SquadsFilter | null,
    @Args() page: ConnectionArgs,
    @Ctx() ctx: Context,
  ) {
    return squads.listSquads(ctx, filter ?? {}, page);
  }

  @Authorized()
  @Query(() => Squad, { description: 'One squad; NOT_FOUND when it does not exist in this organisation.' })
  squad(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return squads.requireSquad(ctx, fromGlobalId(id, 'Squad', 'id'));
  }

  @Authorized(...ADMINS)
  @Mutation(() => CreateSquadPayload, { description: 'OWNER/ADMIN. Creates a squad led by a member of the organisation.' })
  createSquad(@Arg('input') input: CreateSquadInput, @Ctx() ctx: Context) {
    return squads.createSquad(ctx, input);
  }

  @Authorized(...MANAGERS)
  @Mutation(() => UpdateSquadPayload, {
    description: 'OWNER/ADMIN or the squad’s lead (only OWNER/ADMIN change the lead). Stale expectedVersion: CONFLICT; archived: ARCHIVED.',
  })
  updateSquad(@Arg('input') input: UpdateSquadInput, @Ctx() ctx: Context) {
    return squads.updateSquad(ctx, input);
  }

  @Authorized(...ADMINS)
  @Mutation(() => ArchiveSquadPayload, {
    description: 'OWNER/ADMIN. The squad leaves the default `squads` list and no longer changes; its objectives, sprints and tasks stay.',
  })
  archiveSquad(@Arg('input') input: ArchiveSquadInput, @Ctx() ctx: Context) {
    return squads.archiveSquad(ctx, input);
  }

  @Authorized(...MANAGERS)
  @Mutation(() => AddSquadMemberPayload, { description: 'OWNER/ADMIN or the squad’s lead.' })
  addSquadMember(@Arg('input') input: AddSquadMemberInput, @Ctx() ctx: Context) {
    return squads.addSquadMember(ctx, input);
  }

  @Authorized(...MANAGERS)
  @Mutation(() => RemoveSquadMemberPayload, { description: 'OWNER/ADMIN or the squad’s lead.' })
  removeSquadMember(@Arg('input') input: RemoveSquadMemberInput, @Ctx() ctx: Context) {
    return squads.removeSquadMember(ctx, input);
  }

  @FieldResolver(() => User)
  lead(@Root() squad: Squad, @Ctx() ctx: Context) {
    return required(referencedUserById(ctx).load(squad.leadId), 'User');
  }

  @FieldResolver(() => [SquadMember], { description: `Members, oldest first (at most ${squads.MAX_SQUAD_MEMBERS}).` })
  async members(@Root() squad: Squad, @Ctx() ctx: Context) {
    return (await squadMembersBySquadId(ctx).load(squad.id)) ?? [];
  }

  @FieldResolver(() => SprintConnection, { description: 'Sprints, latest first.' })
  sprints(@Root() squad: Squad, @Args() page: ConnectionArgs, @Ctx() ctx: Context) {
    return sprintsOfSquad(ctx, squad.id, page);
  }

  @FieldResolver(() => Sprint, { nullable: true, description: 'The open sprint that started most recently.' })
  currentSprint(@Root() squad: Squad, @Ctx() ctx: Context) {
    return currentSprintBySquadId(ctx).load(squad.id);
  }
}

@Resolver(() => SquadMember)
export class SquadMemberResolver {
  @FieldResolver(() => User)
  user(@Root() m: SquadMember, @Ctx() ctx: Context) {
    return required(referencedUserById(ctx).load(m.userId), 'User');
  }

  @FieldResolver(() => Squad)
  async squad(@Root() m: SquadMember, @Ctx() ctx: Context) {
    const squad = await squadById(ctx).load(m.squadId);
    if (!squad) throw notFound('Squad');
    return squad;
  }
}

@Resolver(() => Sprint)
export class SprintResolver {
  @Authorized(...MANAGERS)
  @Mutation(() => CreateSprintPayload, {
    description: 'OWNER/ADMIN or the squad’s lead. Monthly by default: endsOn defaults to one month after startsOn.',
  })
  createSprint(@Arg('input') input: CreateSprintInput, @Ctx() ctx: Context) {
    return squads.createSprint(ctx, input);
  }

  @Authorized(...MANAGERS)
  @Mutation(() => CloseSprintPayload, { description: 'OWNER/ADMIN or the squad’s lead. Records the retrospective.' })
  closeSprint(@Arg('input') input: CloseSprintInput, @Ctx() ctx: Context) {
    return squads.closeSprint(ctx, input);
  }

  @Authorized(...MANAGERS)
  @Mutation(() => UpdateSprintPayload, {
    description: 'OWNER/ADMIN or the squad’s lead; open sprints only (closed: INVALID_TRANSITION), never overlapping another open sprint. Stale expectedVersion: CONFLICT.',
  })
  updateSprint(@Arg('input') input: UpdateSprintInput, @Ctx() ctx: Context) {
    return squads.updateSprint(ctx, input);
  }

  @FieldResolver(() => SprintStatus)
  status(@Root() sprint: Sprint): SprintStatus {
    return sprintStatus(sprint, isoToday());
  }

  @FieldResolver(() => Squad)
  async squad(@Root() sprint: Sprint, @Ctx() ctx: Context) {
    const squad = await squadById(ctx).load(sprint.squadId);
    if (!squad) throw notFound('Squad');
    return squad;
  }
}

/** `Viewer.squads`: declared here, so identity knows nothing of squads (squads imports identity). */
@Resolver(() => Viewer)
export class ViewerSquadsResolver {
  @FieldResolver(() => [Squad], {
    description:
      'The active squads of the organisation the request acts in that the caller leads or is a member of, oldest first (an API token: its owner). Empty without an organisation.',
  })
  squads(@Ctx() ctx: Context) {
    return squads.squadsOfUser(ctx, ctx.viewer!.userId);
  }
}
