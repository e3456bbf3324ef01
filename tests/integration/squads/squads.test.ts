import { addMember, createOrg } from '../../support/factories';
import { createSquad } from '../../support/planning';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const SQUAD = /* GraphQL */ `
  query($id: ID!) {
    squad(id: $id) {
      id name mission lead { id displayName }
      members { function user { id } }
      currentSprint { id name status }
      sprints(first: 10) { totalCount nodes { id name startsOn endsOn goal status retrospective } }
    }
  }
`;
const ADD = `mutation($i: AddSquadMemberInput!) { addSquadMember(input: $i) { squadMember { id function user { id } } squad { members { user { id } } } } }`;
const REMOVE = `mutation($i: RemoveSquadMemberInput!) { removeSquadMember(input: $i) { removedSquadMemberId squad { members { user { id } } } } }`;
const CREATE_SPRINT = `mutation($i: CreateSprintInput!) { createSprint(input: $i) { sprint { id name startsOn endsOn goal status } } }`;
const CLOSE_SPRINT = `mutation($i: CloseSprintInput!) { closeSprint(input: $i) { sprint { id status retrospective closedAt } } }`;

describe('squads', () => {
  it('are created by admins with a lead, and list members with their function', async () => {
    const org = await createOrg(app);
    const lead = await addMember(app, org, 'SQUAD_LEAD', '张伟');
    const member = await addMember(app, org, 'MEMBER', 'Emily');
    const squadId = await createSquad(app, org, lead.userId, '内容增长小组');

    const added = ok(await app.gql(ADD, { i: { squadId, userId: member.userId, function: 'CONTENT' } }, lead)).addSquadMember;
    expect(added.squadMember).toMatchObject({ function: 'CONTENT', user: { id: member.userId } });
    expect(errorCode(await app.gql(ADD, { i: { squadId, userId: member.userId, function: 'DATA' } }, lead))).toBe('CONFLICT');

    const squad = ok(await app.gql(SQUAD, { id: squadId }, member)).squad;
    expect(squad).toMatchObject({ name: '内容增长小组', mission: '让创作更简单', lead: { id: lead.userId, displayName: '张伟' } });
    expect(squad.members).toEqual([{ function: 'CONTENT', user: { id: member.userId } }]);

    const list = ok(await app.gql(`{ squads(first: 10) { totalCount nodes { id name } } }`, {}, member)).squads;
    expect(list).toEqual({ totalCount: 1, nodes: [{ id: squadId, name: '内容增长小组' }] });

    const removed = ok(await app.gql(REMOVE, { i: { squadId, userId: member.userId } }, lead)).removeSquadMember;
    expect(removed.squad.members).toEqual([]);
    expect(errorCode(await app.gql(REMOVE, { i: { squadId, userId: member.userId } }, lead))).toBe('NOT_FOUND');

    const audit = ok(await app.gql(`{ auditEvents(first: 20) { nodes { action entityType } } }`, {}, org)).auditEvents.nodes.map(
      (e: { action: string }) => e.action,
    );
    expect(audit).toEqual(expect.arrayContaining(['squad.created', 'squad.member_added', 'squad.member_removed']));
  });

  it('enforces who may manage them', async () => {
    const org = await createOrg(app);
    const lead = await addMember(app, org, 'SQUAD_LEAD');
    const otherLead = await addMember(app, org, 'SQUAD_LEAD');
    const member = await addMember(app, org, 'MEMBER');
    const viewer = await addMember(app, org, 'VIEWER');
    const create = `mutation($i: CreateSquadInput!) { createSquad(input: $i) { squad { id } } }`;
    expect(errorCode(await app.gql(create, { i: { name: 'x', leadId: lead.userId } }, lead))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(create, { i: { name: 'x', leadId: viewer.userId } }, org))).toBe('BAD_USER_INPUT');
    const squadId = await createSquad(app, org, lead.userId);
    const add = { i: { squadId, userId: member.userId, function: 'DATA' } };
    expect(errorCode(await app.gql(ADD, add, otherLead))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(ADD, add, member))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(ADD, add, viewer))).toBe('FORBIDDEN');
    ok(await app.gql(ADD, add, org));
    expect(errorCode(await app.gql(SQUAD, { id: 'U3F1YWQ6MDAwMDAwMDAtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDk5' }, member))).toBe('NOT_FOUND');
    expect(errorCode(await app.gql(SQUAD, { id: 'nope' }, member))).toBe('BAD_USER_INPUT');
  });
});

describe('sprints', () => {
  it('are monthly by default, become the current sprint, and close with a retrospective', async () => {
    const org = await createOrg(app);
    const lead = await addMember(app, org, 'SQUAD_LEAD');
    const squadId = await createSquad(app, org, lead.userId);
    const today = new Date().toISOString().slice(0, 10);
    const first = ok(await app.gql(CREATE_SPRINT, { i: { squadId, name: '五月：创作者激励计划', startsOn: '2026-05-01', goal: '上线激励方案' } }, lead))
      .createSprint.sprint;
    expect(first).toMatchObject({ startsOn: '2026-05-01', endsOn: '2026-05-31', goal: '上线激励方案' });
    const overlapping = await app.gql(CREATE_SPRINT, { i: { squadId, name: 'x', startsOn: '2026-05-20' } }, lead);
    expect(errorCode(overlapping)).toBe('BAD_USER_INPUT');
    const bad = await app.gql(CREATE_SPRINT, { i: { squadId, name: 'x', startsOn: '2026-08-02', endsOn: '2026-08-01' } }, lead);
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');

    const current = ok(await app.gql(CREATE_SPRINT, { i: { squadId, name: '本月冲刺', startsOn: today, endsOn: today } }, lead)).createSprint.sprint;
    expect(current.status).toBe('ACTIVE');
    const future = ok(await app.gql(CREATE_SPRINT, { i: { squadId, name: '下期', startsOn: '2999-01-01' } }, lead)).createSprint.sprint;
    expect(future.status).toBe('PLANNED');

    let squad = ok(await app.gql(SQUAD, { id: squadId }, lead)).squad;
    expect(squad.currentSprint.id).toBe(current.id);
    expect(squad.sprints.totalCount).toBe(3);
    expect(squad.sprints.nodes.map((s: { id: string }) => s.id)).toEqual([future.id, current.id, first.id]);

    const closed = ok(await app.gql(CLOSE_SPRINT, { i: { sprintId: current.id, retrospective: '复盘：素材不足' } }, lead)).closeSprint.sprint;
    expect(closed).toMatchObject({ status: 'CLOSED', retrospective: '复盘：素材不足' });
    expect(errorCode(await app.gql(CLOSE_SPRINT, { i: { sprintId: current.id } }, lead))).toBe('INVALID_TRANSITION');
    squad = ok(await app.gql(SQUAD, { id: squadId }, lead)).squad;
    expect(squad.currentSprint?.id).not.toBe(current.id);

    const member = await addMember(app, org, 'MEMBER');
    expect(errorCode(await app.gql(CREATE_SPRINT, { i: { squadId, name: 'x', startsOn: '2030-01-01' } }, member))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(CLOSE_SPRINT, { i: { sprintId: first.id } }, member))).toBe('FORBIDDEN');
  });
});

describe('refusals (the kit’s rules, access and codes)', () => {
  it('name the input field: an unknown squad or sprint is NOT_FOUND, an archived squad ARCHIVED, the member cap BAD_USER_INPUT with max', async () => {
    const org = await createOrg(app);
    const lead = await addMember(app, org, 'SQUAD_LEAD');
    const member = await addMember(app, org, 'MEMBER');
    const squadId = await createSquad(app, org, lead.userId);
    const missingSquad = 'U3F1YWQ6MDAwMDAwMDAtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDk5';
    const noSquad = await app.gql(CREATE_SPRINT, { i: { squadId: missingSquad, name: 'x', startsOn: '2030-01-01' } }, org);
    expect(noSquad.errors![0]).toMatchObject({ message: `Squad ${missingSquad} was not found`, extensions: { code: 'NOT_FOUND', field: 'squadId' } });
    const noSprint = await app.gql(CLOSE_SPRINT, { i: { sprintId: 'U3ByaW50OjAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDA5OQ' } }, org);
    expect(noSprint.errors![0].extensions).toEqual({ code: 'NOT_FOUND', field: 'sprintId' });
    const notMember = await app.gql(REMOVE, { i: { squadId, userId: member.userId } }, lead);
    expect(notMember.errors![0].extensions).toEqual({ code: 'NOT_FOUND', field: 'userId' });

    const sprint = ok(await app.gql(CREATE_SPRINT, { i: { squadId, name: '冲刺', startsOn: '2030-01-01' } }, lead)).createSprint.sprint;
    ok(await app.gql(CLOSE_SPRINT, { i: { sprintId: sprint.id } }, lead));
    const twice = await app.gql(CLOSE_SPRINT, { i: { sprintId: sprint.id } }, lead);
    expect(twice.errors![0]).toMatchObject({ message: 'Sprint "冲刺" is already closed', extensions: { code: 'INVALID_TRANSITION' } });

    // The lead may not change the lead: only OWNER/ADMIN, said so.
    const leadChange = await app.gql(`mutation($i: UpdateSquadInput!) { updateSquad(input: $i) { squad { id } } }`, { i: { id: squadId, expectedVersion: 1, leadId: member.userId } }, lead);
    expect(leadChange.errors![0]).toMatchObject({ message: 'Only OWNER/ADMIN may change a squad’s lead; you are SQUAD_LEAD', extensions: { code: 'FORBIDDEN' } });
    const otherLead = await addMember(app, org, 'SQUAD_LEAD');
    const notTheirs = await app.gql(ADD, { i: { squadId, userId: member.userId, function: 'DATA' } }, otherLead);
    expect(notTheirs.errors![0]).toMatchObject({ message: 'Only OWNER/ADMIN or the squad’s lead may add squad members', extensions: { code: 'FORBIDDEN' } });

    ok(await app.gql(`mutation($i: ArchiveSquadInput!) { archiveSquad(input: $i) { squad { id } } }`, { i: { id: squadId } }, org));
    const archived = await app.gql(CREATE_SPRINT, { i: { squadId, name: 'x', startsOn: '2031-01-01' } }, lead);
    expect(archived.errors![0]).toMatchObject({ message: expect.stringMatching(/^Squad ".*" is archived$/), extensions: { code: 'ARCHIVED', field: 'squadId' } });
  });

  it('refuses a 51st member as BAD_USER_INPUT naming squadId, with extensions.max', async () => {
    const org = await createOrg(app);
    const squadId = await createSquad(app, org, org.userId);
    const users = await Promise.all(Array.from({ length: 51 }, () => addMember(app, org, 'MEMBER')));
    for (const u of users.slice(0, 50)) ok(await app.gql(ADD, { i: { squadId, userId: u.userId, function: 'DATA' } }, org));
    const over = await app.gql(ADD, { i: { squadId, userId: users[50].userId, function: 'DATA' } }, org);
    expect(over.errors![0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'squadId', max: 50 });
  });
});
