import { In } from 'typeorm';
import { byKeys, defineLoader, nullOnError } from '../../common/loaders';
import { registerNodeType } from '../../common/node';
import { Sprint, Squad, SquadMember } from './squad.entity';
import { SprintResolver, SquadMemberResolver, SquadResolver } from './squads.resolver';
import { sprintById, squadById } from './squads.loaders';

export { Squad, SquadMember, Sprint } from './squad.entity';
export { squadById, sprintById } from './squads.loaders';
export { assertManagesSquad, leadsSquad, requireSquad, requireSprint } from './squads.service';

const squadMemberById = defineLoader<string, SquadMember>('squads.squadMemberById', async (ctx, ids) => {
  if (!ctx.organizationId) return ids.map(() => null);
  const rows = await ctx.manager.find(SquadMember, { where: { id: In([...ids]), organizationId: ctx.organizationId } });
  return byKeys(ids, rows, (m) => m.id);
});

export const squadsEntities = [Squad, SquadMember, Sprint];
export const squadsResolvers = [SquadResolver, SquadMemberResolver, SprintResolver] as const;

registerNodeType('Squad', (ctx, ids) => squadById(ctx).loadMany(ids).then(nullOnError));
registerNodeType('SquadMember', (ctx, ids) => squadMemberById(ctx).loadMany(ids).then(nullOnError));
registerNodeType('Sprint', (ctx, ids) => sprintById(ctx).loadMany(ids).then(nullOnError));
