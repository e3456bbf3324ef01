import { In } from 'typeorm';
import { byKeys, defineLoader, groupByKeys } from '../../common/loaders';
import { isoToday } from '../../common/dates';
import { Sprint, Squad, SquadMember } from './squad.entity';

/** Squads of the request's organisation by id; other ids load as null. */
export const squadById = defineLoader<string, Squad>('squads.squadById', async (ctx, ids) => {
  if (!ctx.organizationId) return ids.map(() => null);
  const rows = await ctx.manager.find(Squad, { where: { id: In([...ids]), organizationId: ctx.organizationId } });
  return byKeys(ids, rows, (s) => s.id);
});

/** A squad's members, oldest first (a squad is small: see MAX_SQUAD_MEMBERS). */
export const squadMembersBySquadId = defineLoader<string, SquadMember[]>('squads.membersBySquadId', async (ctx, squadIds) => {
  if (!ctx.organizationId) return squadIds.map(() => []);
  const rows = await ctx.manager.find(SquadMember, {
    where: { squadId: In([...squadIds]), organizationId: ctx.organizationId },
    order: { createdAt: 'ASC', id: 'ASC' },
  });
  return groupByKeys(squadIds, rows, (m) => m.squadId);
});

export const sprintById = defineLoader<string, Sprint>('squads.sprintById', async (ctx, ids) => {
  if (!ctx.organizationId) return ids.map(() => null);
  const rows = await ctx.manager.find(Sprint, { where: { id: In([...ids]), organizationId: ctx.organizationId } });
  return byKeys(ids, rows, (s) => s.id);
});

/** The squad's current sprint: the open sprint that started most recently (null when none has started). */
export const currentSprintBySquadId = defineLoader<string, Sprint>('squads.currentSprintBySquadId', async (ctx, squadIds) => {
  if (!ctx.organizationId) return squadIds.map(() => null);
  const rows = await ctx.manager
    .createQueryBuilder(Sprint, 's')
    .distinctOn(['s.squad_id'])
    .where('s.organization_id = :org AND s.squad_id = ANY(:ids) AND s.closed_at IS NULL AND s.starts_on <= :today', {
      org: ctx.organizationId,
      ids: squadIds,
      today: isoToday(),
    })
    .orderBy('s.squad_id')
    .addOrderBy('s.starts_on', 'DESC')
    .addOrderBy('s.id', 'DESC')
    .getMany();
  return byKeys(squadIds, rows, (s) => s.squadId);
});
