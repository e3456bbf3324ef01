import { addMember } from '../../../support/factories';
import { ok } from '../../../support/test-app';
import { registerTenancy } from '../registry';

/** Squads: a squad with its lead as a member, and a sprint. */
registerTenancy(
  async (app, org, ids) => {
    const lead = await addMember(app, org, 'SQUAD_LEAD', 'A 的组长');
    const squad = ok(
      await app.gql(`mutation($i: CreateSquadInput!) { createSquad(input: $i) { squad { id } } }`, { i: { name: 'A 小组', leadId: lead.userId } }, org),
    ).createSquad.squad.id;
    ok(await app.gql(`mutation($i: AddSquadMemberInput!) { addSquadMember(input: $i) { squadMember { id } } }`, { i: { squadId: squad, userId: lead.userId, function: 'DATA' } }, org));
    // The owner (who runs the matrix's reads) is a member too: Viewer.squads has a row to show.
    ok(await app.gql(`mutation($i: AddSquadMemberInput!) { addSquadMember(input: $i) { squadMember { id } } }`, { i: { squadId: squad, userId: ids.owner, function: 'OTHER' } }, org));
    const sprint = ok(
      await app.gql(`mutation($i: CreateSprintInput!) { createSprint(input: $i) { sprint { id } } }`, { i: { squadId: squad, name: 'A 冲刺', startsOn: '2026-05-01' } }, org),
    ).createSprint.sprint.id;
    return { squad, sprint, squadLead: lead.userId };
  },
  {
    'Query.squads': { operation: () => ({ query: `{ squads(first: 100) { nodes { id name members { user { id } } } } }` }), expect: 'ANY' },
    'Query.squads(filter)': {
      operation: (a) => ({
        query: `query($f: SquadsFilter) { squads(filter: $f, first: 100) { nodes { id name } } }`,
        variables: { f: { leadId: a.ids.squadLead, memberId: a.ids.owner } },
      }),
      expect: 'ANY',
    },
    'Query.squad': { operation: (a) => ({ query: `query($id: ID!) { squad(id: $id) { id name } }`, variables: { id: a.ids.squad } }), expect: 'NOT_FOUND' },
    'Query.squadWeeklyReport': {
      operation: (a) => ({
        query: `query($s: ID!) { squadWeeklyReport(squadId: $s, weekOf: "2026-05-06") { weekStart checkIns { value } spend { spent } markdown } }`,
        variables: { s: a.ids.squad },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.createSquad': {
      operation: (a) => ({ query: `mutation($i: CreateSquadInput!) { createSquad(input: $i) { squad { id } } }`, variables: { i: { name: 'B', leadId: a.ids.squadLead } } }),
      expect: 'NOT_FOUND',
    },
    'Mutation.addSquadMember': {
      operation: (a) => ({
        query: `mutation($i: AddSquadMemberInput!) { addSquadMember(input: $i) { squadMember { id } } }`,
        variables: { i: { squadId: a.ids.squad, userId: a.ids.owner, function: 'DATA' } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.removeSquadMember': {
      operation: (a) => ({
        query: `mutation($i: RemoveSquadMemberInput!) { removeSquadMember(input: $i) { removedSquadMemberId } }`,
        variables: { i: { squadId: a.ids.squad, userId: a.ids.squadLead } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.createSprint': {
      operation: (a) => ({
        query: `mutation($i: CreateSprintInput!) { createSprint(input: $i) { sprint { id } } }`,
        variables: { i: { squadId: a.ids.squad, name: 'B', startsOn: '2031-01-01' } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.closeSprint': {
      operation: (a) => ({ query: `mutation($i: CloseSprintInput!) { closeSprint(input: $i) { sprint { id } } }`, variables: { i: { sprintId: a.ids.sprint } } }),
      expect: 'NOT_FOUND',
    },
    'Mutation.updateSquad': {
      operation: (a) => ({ query: `mutation($i: UpdateSquadInput!) { updateSquad(input: $i) { squad { id } } }`, variables: { i: { id: a.ids.squad, expectedVersion: 1, name: 'B' } } }),
      expect: 'NOT_FOUND',
    },
    'Mutation.archiveSquad': {
      operation: (a) => ({ query: `mutation($i: ArchiveSquadInput!) { archiveSquad(input: $i) { squad { id } } }`, variables: { i: { id: a.ids.squad } } }),
      expect: 'NOT_FOUND',
    },
    'Mutation.updateSprint': {
      operation: (a) => ({ query: `mutation($i: UpdateSprintInput!) { updateSprint(input: $i) { sprint { id } } }`, variables: { i: { id: a.ids.sprint, expectedVersion: 1, name: 'B' } } }),
      expect: 'NOT_FOUND',
    },
  },
  {
    'Squad.members': { parent: 'squad', children: { table: 'squad_members', set: { squad_id: 'squad' } } },
    'Squad.sprints': { parent: 'squad', children: { table: 'sprints', set: { squad_id: 'squad' } } },
    'SquadWeeklyReport.checkIns': { exempt: 'Not a Node: read through the root field squadWeeklyReport; tests/integration/reports/squad-weekly-report.test.ts moves one organisation’s rows under another’s squad and requires an empty report' },
    'SquadWeeklyReport.keyResults': { exempt: 'Not a Node: read through the root field squadWeeklyReport; tests/integration/reports/squad-weekly-report.test.ts moves one organisation’s rows under another’s squad and requires an empty report' },
    'SquadWeeklyReport.tasksDone': { exempt: 'Not a Node: read through the root field squadWeeklyReport; tests/integration/reports/squad-weekly-report.test.ts moves one organisation’s rows under another’s squad and requires an empty report' },
    'SquadWeeklyReport.tasksOverdue': { exempt: 'Not a Node: read through the root field squadWeeklyReport; tests/integration/reports/squad-weekly-report.test.ts moves one organisation’s rows under another’s squad and requires an empty report' },
    'SquadWeeklyReport.kpis': { exempt: 'Not a Node: read through the root field squadWeeklyReport; tests/integration/reports/squad-weekly-report.test.ts moves one organisation’s rows under another’s squad and requires an empty report' },
    'SquadWeeklyReport.alerts': { exempt: 'Not a Node: read through the root field squadWeeklyReport; tests/integration/reports/squad-weekly-report.test.ts moves one organisation’s rows under another’s squad and requires an empty report' },
    'SquadWeeklyReport.spend': { exempt: 'Not a Node: read through the root field squadWeeklyReport; tests/integration/reports/squad-weekly-report.test.ts moves one organisation’s rows under another’s squad and requires an empty report' },
    // A's memberships of A's owner moved to B's owner (their organization_id and squad stay A's): B's viewer must not see A's squad.
    'Viewer.squads': { parent: 'owner', root: 'viewer', children: { table: 'squad_members', set: { user_id: 'owner' } } },
  },
);
