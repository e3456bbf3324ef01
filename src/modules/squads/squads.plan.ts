import { dateSql, dateTimeSql, definePlannable, definePlannedRoot, globalIdSql } from '../../common/planner';

/** Squads, their members and sprints for the read planner (same answers as squads.resolver.ts). */
definePlannedRoot({ field: 'squad', type: 'Squad', idArg: 'id', roles: [] });

definePlannable({
  type: 'Squad',
  table: 'squads',
  orgColumn: 'organization_id',
  fields: {
    id: { kind: 'column', sql: (s) => globalIdSql('Squad', `${s}.id`) },
    name: { kind: 'column', sql: (s) => `${s}.name` },
    mission: { kind: 'column', sql: (s) => `${s}.mission` },
    version: { kind: 'column', sql: (s) => `${s}.version` },
    archivedAt: { kind: 'column', sql: (s) => dateTimeSql(`${s}.archived_at`) },
    createdAt: { kind: 'column', sql: (s) => dateTimeSql(`${s}.created_at`) },
    lead: { kind: 'ref', type: 'User', column: 'lead_id' },
    members: { kind: 'list', type: 'SquadMember', parentColumn: 'squad_id', orderBy: (m) => `${m}.created_at, ${m}.id` },
    // currentSprintBySquadId: the open sprint that started most recently.
    currentSprint: {
      kind: 'latest',
      type: 'Sprint',
      parentColumn: 'squad_id',
      where: (sp, env) => `${sp}.closed_at IS NULL AND ${sp}.starts_on <= ${env.today()}::date`,
      orderBy: (sp) => `${sp}.starts_on DESC, ${sp}.id DESC`,
    },
  },
});

definePlannable({
  type: 'SquadMember',
  table: 'squad_members',
  orgColumn: 'organization_id',
  fields: {
    id: { kind: 'column', sql: (m) => globalIdSql('SquadMember', `${m}.id`) },
    function: { kind: 'column', sql: (m) => `${m}.function` },
    createdAt: { kind: 'column', sql: (m) => dateTimeSql(`${m}.created_at`) },
    user: { kind: 'ref', type: 'User', column: 'user_id' },
    squad: { kind: 'ref', type: 'Squad', column: 'squad_id' },
  },
});

definePlannable({
  type: 'Sprint',
  table: 'sprints',
  orgColumn: 'organization_id',
  fields: {
    id: { kind: 'column', sql: (sp) => globalIdSql('Sprint', `${sp}.id`) },
    name: { kind: 'column', sql: (sp) => `${sp}.name` },
    goal: { kind: 'column', sql: (sp) => `${sp}.goal` },
    startsOn: { kind: 'column', sql: (sp) => dateSql(`${sp}.starts_on`) },
    endsOn: { kind: 'column', sql: (sp) => dateSql(`${sp}.ends_on`) },
    retrospective: { kind: 'column', sql: (sp) => `${sp}.retrospective` },
    closedAt: { kind: 'column', sql: (sp) => dateTimeSql(`${sp}.closed_at`) },
    version: { kind: 'column', sql: (sp) => `${sp}.version` },
    createdAt: { kind: 'column', sql: (sp) => dateTimeSql(`${sp}.created_at`) },
    // sprintStatus (sprint-rules.ts).
    status: {
      kind: 'column',
      sql: (sp, env) =>
        `CASE WHEN ${sp}.closed_at IS NOT NULL THEN 'CLOSED' WHEN ${env.today()}::date >= ${sp}.starts_on THEN 'ACTIVE' ELSE 'PLANNED' END`,
    },
    squad: { kind: 'ref', type: 'Squad', column: 'squad_id' },
  },
});
