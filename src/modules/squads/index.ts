// Its plannable types and fields (the read planner).
import './squads.plan';
// The event types this module publishes (PlanningEventType).
import './squads.events';
import { registerSquadLeadLookup } from '../../common/access';
import { Sprint, Squad, SquadMember } from './squad.entity';
import { squadById } from './squads.loaders';
import { SprintResolver, SquadMemberResolver, SquadResolver, ViewerSquadsResolver } from './squads.resolver';
// The by-id loaders register Squad, SquadMember and Sprint for node(id:).
import './squads.loaders';

export { Squad, Sprint } from './squad.entity';
export { squadById, sprintById, squadMatesByUserId, squadMembersBySquadId } from './squads.loaders';
export { assertManagesSquad, requireSquad, requireSprint, squadLeadSql, squadMateOf, squadsLedBy } from './squads.service';

export const squadsEntities = [Squad, SquadMember, Sprint];
export const squadsResolvers = [SquadResolver, SquadMemberResolver, SprintResolver, ViewerSquadsResolver] as const;

/** The kit's "lead of the subject's squad" rule (src/common/access.ts) finds squads through their loader. */
registerSquadLeadLookup((ctx, squadId) => squadById(ctx).load(squadId));
