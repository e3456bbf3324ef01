import { orgId } from '../../common/auth';
import { defineNestedConnection } from '../../common/connection';
import { isoToday } from '../../common/dates';
import { defineByIdLoader, defineChildLoader, defineLatestLoader, defineLoader, groupByKeys } from '../../common/loaders';
import { Sprint, Squad, SquadMember } from './squad.entity';

/** Squads of the request's organisation by id; other ids load as null. */
export const squadById = defineByIdLoader(Squad, 'Squad');
export const squadMemberById = defineByIdLoader(SquadMember, 'SquadMember');
export const sprintById = defineByIdLoader(Sprint, 'Sprint');

/** A squad's members, oldest first (a squad is small: see MAX_SQUAD_MEMBERS); primes `squadMemberById`. */
export const squadMembersBySquadId = defineChildLoader({
  name: 'squads.membersBySquadId',
  entity: SquadMember,
  parentColumn: 'squad_id',
  parentOf: (m) => m.squadId,
  orderBy: 'c.created_at, c.id',
});

/** The squad's current sprint: the open sprint that started most recently (null when none has started); primes `sprintById`. */
export const currentSprintBySquadId = defineLatestLoader({
  name: 'squads.currentSprintBySquadId',
  entity: Sprint,
  keyColumn: 'squad_id',
  orderBy: 'c.starts_on DESC, c.id DESC',
  where: (param) => `c.closed_at IS NULL AND c.starts_on <= ${param(isoToday())}`,
});

/** A squad's sprints, latest first: batched across squads (`Squad.sprints`). */
export const sprintsOfSquad = defineNestedConnection<Sprint>({
  name: 'squads.sprintsOfSquad',
  query: (ctx) => ctx.manager.createQueryBuilder(Sprint, 's').where('s.organization_id = :org', { org: orgId(ctx) }),
  parent: 's.squad_id',
  sort: [
    { column: 's.starts_on', direction: 'DESC', value: (s) => s.startsOn },
    { column: 's.id', direction: 'DESC', value: (s) => s.id },
  ],
});

/**
 * For each user, the users who share an active squad with them (its lead and members, the user
 * included), in one statement: who must acknowledge an SOP whose owner's squads decide it.
 */
export const squadMatesByUserId = defineLoader<string, string[]>('squads.squadMatesByUserId', async (ctx, userIds) => {
  if (!ctx.organizationId) return userIds.map(() => []);
  const rows: Array<{ uid: string; mate: string }> = await ctx.manager.query(
    `WITH people AS (
       SELECT s.id AS squad_id, s.lead_id AS user_id FROM squads s WHERE s.organization_id = $1 AND s.archived_at IS NULL
       UNION
       SELECT m.squad_id, m.user_id FROM squad_members m JOIN squads s ON s.id = m.squad_id AND s.organization_id = $1 AND s.archived_at IS NULL
        WHERE m.organization_id = $1
     )
     SELECT DISTINCT me.user_id AS uid, mate.user_id AS mate
       FROM people me JOIN people mate ON mate.squad_id = me.squad_id
      WHERE me.user_id = ANY($2::uuid[])
      ORDER BY 1, 2`,
    [ctx.organizationId, userIds],
  );
  return groupByKeys(userIds, rows, (r) => r.uid).map((list) => list.map((r) => r.mate));
});
