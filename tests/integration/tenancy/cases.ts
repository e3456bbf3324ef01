import { addMember, uniqueEmail, type TestOrg } from '../../support/factories';
import { ok, type TestApp } from '../../support/test-app';

/**
 * The tenancy matrix: organisation A's data, and for EVERY root field an operation that a caller
 * of organisation B runs with A's ids. tenancy-matrix.test.ts walks the schema and fails for a
 * root field with no case here, so a new module must add:
 *  1. a fixture that creates A's data through GraphQL and returns its ids (global ids), and
 *  2. one case per new Query / Mutation / Subscription field.
 */
export interface TenantA {
  org: TestOrg;
  /** Global ids of A's objects, by name, from all fixtures. */
  ids: Record<string, string>;
}

export type Fixture = (app: TestApp, org: TestOrg) => Promise<Record<string, string>>;

export interface RootFieldCase {
  /** The operation B runs; it uses A's ids wherever the field takes one. */
  operation: (a: TenantA) => { query: string; variables?: Record<string, unknown> };
  /**
   * NOT_FOUND: the field names one of A's objects and must answer exactly as for an id that
   * does not exist (null for `node`/`nodes`). ANY: the field takes no id of A (lists, viewer,
   * sign-up...); whatever it answers must hold nothing of A.
   */
  expect: 'NOT_FOUND' | 'NULL' | 'ANY';
  /** The operation ends B's session (logOut...): the matrix runs it after every other case. */
  endsSession?: boolean;
  /** For subscriptions: a change in A, made by A, that B must not receive. */
  trigger?: (app: TestApp, a: TenantA) => Promise<void>;
}

const fixtures: Fixture[] = [];
const cases: Record<string, RootFieldCase> = {};

export function registerTenancy(fixture: Fixture | null, moduleCases: Record<string, RootFieldCase>): void {
  if (fixture) fixtures.push(fixture);
  Object.assign(cases, moduleCases);
}

export const tenancy = { fixtures, cases };

// ---------------------------------------------------------------- identity, audit, platform
registerTenancy(
  async (app, org) => {
    const member = await addMember(app, org, 'MEMBER', 'A 的成员');
    const token = ok(
      await app.gql(
        `mutation { createApiToken(input: { name: "A dashboard", scopes: [READ] }) { apiToken { id } } }`,
        {},
        org,
      ),
    ).createApiToken.apiToken;
    return { organization: org.organizationId, owner: org.userId, member: member.memberId, memberUser: member.userId, apiToken: token.id };
  },
  {
    'Query.node': { operation: (a) => ({ query: `query($id: ID!) { node(id: $id) { id } }`, variables: { id: a.ids.member } }), expect: 'NULL' },
    'Query.nodes': {
      operation: (a) => ({
        query: `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
        variables: { ids: Object.values(a.ids) },
      }),
      expect: 'NULL',
    },
    'Query.viewer': { operation: () => ({ query: `{ viewer { user { id email } organization { id name } organizations { id name } role } }` }), expect: 'ANY' },
    'Query.organization': { operation: () => ({ query: `{ organization { id name slug members(first: 100) { edges { node { id user { id email } } } } } }` }), expect: 'ANY' },
    'Query.apiTokens': { operation: () => ({ query: `{ apiTokens(first: 100) { nodes { id name } } }` }), expect: 'ANY' },
    'Query.auditEvents': {
      operation: (a) => ({
        query: `query($f: AuditEventsFilter) { auditEvents(filter: $f, first: 100) { nodes { id entityId before after actor { id } } } }`,
        variables: { f: { entityId: a.ids.member } },
      }),
      expect: 'ANY',
    },
    'Mutation.signUp': {
      operation: () => ({
        query: `mutation($i: SignUpInput!) { signUp(input: $i) { organization { id name } } }`,
        variables: { i: { email: `x-${Date.now()}-${Math.random()}@example.test`, password: 'correct horse battery', displayName: 'X', organizationName: 'X' } },
      }),
      expect: 'ANY',
    },
    'Mutation.logIn': {
      operation: (a) => ({ query: `mutation($i: LogInInput!) { logIn(input: $i) { token } }`, variables: { i: { email: a.org.email, password: 'wrong password!' } } }),
      expect: 'ANY',
    },
    'Mutation.acceptInvitation': {
      operation: () => ({ query: `mutation { acceptInvitation(input: { token: "pgi_forgedforgedforgedforgedforgedforgedforged0", password: "correct horse battery" }) { token } }` }),
      expect: 'ANY',
    },
    'Mutation.declineInvitation': {
      // A's member's id used as if it were an invitation: refused, nothing of A changes.
      operation: (a) => ({ query: `mutation($id: ID!) { declineInvitation(input: { invitationId: $id }) { declinedInvitationId } }`, variables: { id: a.ids.member } }),
      expect: 'ANY',
    },
    'Mutation.verifyEmail': {
      operation: () => ({ query: `mutation { verifyEmail(input: { token: "pgv_forgedforgedforgedforgedforgedforgedforged0" }) { user { id } } }` }),
      expect: 'ANY',
    },
    'Mutation.resendVerificationEmail': {
      operation: () => ({ query: `mutation { resendVerificationEmail { user { id email } } }` }),
      expect: 'ANY',
    },
    'Mutation.changePassword': {
      operation: () => ({
        query: `mutation { changePassword(input: { currentPassword: "wrong password!", newPassword: "another horse battery" }) { token } }`,
      }),
      expect: 'ANY',
    },
    'Mutation.logOutEverywhere': {
      operation: () => ({ query: `mutation { logOutEverywhere { sessionsValidAfter } }` }),
      expect: 'ANY',
      endsSession: true,
    },
    'Mutation.logOut': { operation: () => ({ query: `mutation { logOut { loggedOut } }` }), expect: 'ANY', endsSession: true },
    'Mutation.addMember': {
      operation: () => ({
        query: `mutation($i: AddMemberInput!) { addMember(input: $i) { member { id user { id email } } } }`,
        variables: { i: { email: uniqueEmail('b-invite'), displayName: 'B 的成员', role: 'VIEWER' } },
      }),
      expect: 'ANY',
    },
    'Mutation.changeMemberRole': {
      operation: (a) => ({ query: `mutation($id: ID!) { changeMemberRole(input: { memberId: $id, role: OWNER }) { member { id } } }`, variables: { id: a.ids.member } }),
      expect: 'NOT_FOUND',
    },
    'Mutation.removeMember': {
      operation: (a) => ({ query: `mutation($id: ID!) { removeMember(input: { memberId: $id }) { removedMemberId } }`, variables: { id: a.ids.member } }),
      expect: 'NOT_FOUND',
    },
    'Mutation.createApiToken': { operation: () => ({ query: `mutation { createApiToken(input: { name: "B", scopes: [READ] }) { apiToken { id } } }` }), expect: 'ANY' },
    'Mutation.revokeApiToken': {
      operation: (a) => ({ query: `mutation($id: ID!) { revokeApiToken(input: { id: $id }) { apiToken { id } } }`, variables: { id: a.ids.apiToken } }),
      expect: 'NOT_FOUND',
    },
    'Subscription.planningEvents': {
      operation: () => ({ query: `subscription { planningEvents { type entityId actor { id } } }` }),
      expect: 'ANY',
      trigger: async (app, a) => {
        await addMember(app, a.org, 'VIEWER', 'A 的新成员');
      },
    },
  },
);

// ---------------------------------------------------------------- squads, OKRs, tasks
async function checkInAsA(app: TestApp, a: TenantA): Promise<void> {
  const kr = ok(await app.gql(`query($id: ID!) { node(id: $id) { ... on KeyResult { version } } }`, { id: a.ids.keyResult }, a.org)).node;
  ok(
    await app.gql(
      `mutation($i: CheckInKeyResultInput!) { checkInKeyResult(input: $i) { checkIn { id } } }`,
      { i: { keyResultId: a.ids.keyResult, value: '1200', confidence: 0.6, expectedVersion: kr.version } },
      a.org,
    ),
  );
}

registerTenancy(
  async (app, org) => {
    const lead = await addMember(app, org, 'SQUAD_LEAD', 'A 的组长');
    const squad = ok(
      await app.gql(`mutation($i: CreateSquadInput!) { createSquad(input: $i) { squad { id } } }`, { i: { name: 'A 小组', leadId: lead.userId } }, org),
    ).createSquad.squad.id;
    ok(await app.gql(`mutation($i: AddSquadMemberInput!) { addSquadMember(input: $i) { squadMember { id } } }`, { i: { squadId: squad, userId: lead.userId, function: 'DATA' } }, org));
    const sprint = ok(
      await app.gql(`mutation($i: CreateSprintInput!) { createSprint(input: $i) { sprint { id } } }`, { i: { squadId: squad, name: 'A 冲刺', startsOn: '2026-05-01' } }, org),
    ).createSprint.sprint.id;
    const cycle = ok(
      await app.gql(`mutation($i: CreateCycleInput!) { createCycle(input: $i) { cycle { id } } }`, { i: { name: 'A-2026-Q2', startsOn: '2026-04-01', endsOn: '2026-06-30' } }, org),
    ).createCycle.cycle.id;
    const objective = ok(
      await app.gql(`mutation($i: CreateObjectiveInput!) { createObjective(input: $i) { objective { id } } }`, { i: { cycleId: cycle, title: 'A 目标', squadId: squad } }, org),
    ).createObjective.objective.id;
    const keyResult = ok(
      await app.gql(`mutation($i: CreateKeyResultInput!) { createKeyResult(input: $i) { keyResult { id } } }`, {
        i: { objectiveId: objective, title: 'A 关键结果', kind: 'INCREASE_TO', startValue: '1000', targetValue: '1300', ownerId: lead.userId },
      }, org),
    ).createKeyResult.keyResult.id;
    const checkIn = ok(
      await app.gql(`mutation($i: CheckInKeyResultInput!) { checkInKeyResult(input: $i) { checkIn { id } } }`, {
        i: { keyResultId: keyResult, value: '1100', confidence: 0.7, note: 'A 的备注', expectedVersion: 1 },
      }, lead),
    ).checkInKeyResult.checkIn.id;
    const task = ok(
      await app.gql(`mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }`, { i: { title: 'A 任务', assigneeId: lead.userId, keyResultId: keyResult, dueOn: '2026-05-01' } }, org),
    ).createTask.task.id;
    return { squad, sprint, cycle, objective, keyResult, checkIn, task, squadLead: lead.userId };
  },
  {
    'Query.squads': { operation: () => ({ query: `{ squads(first: 100) { nodes { id name members { user { id } } } } }` }), expect: 'ANY' },
    'Query.squad': { operation: (a) => ({ query: `query($id: ID!) { squad(id: $id) { id name } }`, variables: { id: a.ids.squad } }), expect: 'NOT_FOUND' },
    'Query.cycles': { operation: () => ({ query: `{ cycles(first: 100) { nodes { id name } } }` }), expect: 'ANY' },
    'Query.objectives': {
      operation: (a) => ({
        query: `query($f: ObjectivesFilter) { objectives(filter: $f, first: 100) { totalCount nodes { id title } } }`,
        variables: { f: { cycleId: a.ids.cycle, squadId: a.ids.squad } },
      }),
      expect: 'ANY',
    },
    'Query.objective': { operation: (a) => ({ query: `query($id: ID!) { objective(id: $id) { id title } }`, variables: { id: a.ids.objective } }), expect: 'NOT_FOUND' },
    'Query.myTasks': { operation: () => ({ query: `{ myTasks(first: 100) { nodes { id title } } }` }), expect: 'ANY' },
    'Query.myWork': { operation: () => ({ query: `{ myWork { kind reason subject { ... on Task { id title } ... on KeyResult { id title } } } }` }), expect: 'ANY' },
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
    'Mutation.createCycle': {
      operation: () => ({
        query: `mutation($i: CreateCycleInput!) { createCycle(input: $i) { cycle { id name } } }`,
        variables: { i: { name: `B-${Math.random().toString(36).slice(2)}`, startsOn: '2026-01-01', endsOn: '2026-03-31' } },
      }),
      expect: 'ANY',
    },
    'Mutation.closeCycle': {
      operation: (a) => ({ query: `mutation($i: CloseCycleInput!) { closeCycle(input: $i) { cycle { id } } }`, variables: { i: { cycleId: a.ids.cycle } } }),
      expect: 'NOT_FOUND',
    },
    'Mutation.createObjective': {
      operation: (a) => ({
        query: `mutation($i: CreateObjectiveInput!) { createObjective(input: $i) { objective { id } } }`,
        variables: { i: { cycleId: a.ids.cycle, title: 'B' } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.updateObjective': {
      operation: (a) => ({
        query: `mutation($i: UpdateObjectiveInput!) { updateObjective(input: $i) { objective { id title } } }`,
        variables: { i: { id: a.ids.objective, title: 'B', expectedVersion: 1 } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.createKeyResult': {
      operation: (a) => ({
        query: `mutation($i: CreateKeyResultInput!) { createKeyResult(input: $i) { keyResult { id } } }`,
        variables: { i: { objectiveId: a.ids.objective, title: 'B', kind: 'MILESTONE' } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.updateKeyResult': {
      operation: (a) => ({
        query: `mutation($i: UpdateKeyResultInput!) { updateKeyResult(input: $i) { keyResult { id title } } }`,
        variables: { i: { id: a.ids.keyResult, title: 'B', expectedVersion: 2 } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.checkInKeyResult': {
      operation: (a) => ({
        query: `mutation($i: CheckInKeyResultInput!) { checkInKeyResult(input: $i) { keyResult { id currentValue } } }`,
        variables: { i: { keyResultId: a.ids.keyResult, value: '1', confidence: 0.1, expectedVersion: 2 } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.createTask': {
      operation: (a) => ({
        query: `mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }`,
        variables: { i: { title: 'B', keyResultId: a.ids.keyResult } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.updateTask': {
      operation: (a) => ({
        query: `mutation($i: UpdateTaskInput!) { updateTask(input: $i) { task { id title } } }`,
        variables: { i: { id: a.ids.task, title: 'B', expectedVersion: 1 } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.setTaskStatus': {
      operation: (a) => ({ query: `mutation($i: SetTaskStatusInput!) { setTaskStatus(input: $i) { task { id } } }`, variables: { i: { id: a.ids.task, status: 'DONE' } } }),
      expect: 'NOT_FOUND',
    },
    'Subscription.keyResultCheckedIn': {
      operation: () => ({ query: `subscription { keyResultCheckedIn { checkIn { id note } keyResult { id title } } }` }),
      expect: 'ANY',
      trigger: checkInAsA,
    },
    'Subscription.objectiveProgressChanged': {
      operation: () => ({ query: `subscription { objectiveProgressChanged { id title progress } }` }),
      expect: 'ANY',
      trigger: checkInAsA,
    },
    'Subscription.taskAssigned': {
      operation: () => ({ query: `subscription { taskAssigned { id title } }` }),
      expect: 'ANY',
      trigger: async (app, a) => {
        ok(await app.gql(`mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }`, { i: { title: 'A 新任务', assigneeId: a.ids.squadLead, squadId: a.ids.squad } }, a.org));
      },
    },
  },
);
