import { addMember, createOrg, uniqueEmail } from '../../support/factories';
import { checkIn, createCycle, createKeyResult, createObjective } from '../../support/planning';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';
import { settle, subscribe, wsClient } from '../../support/ws';

/** API tokens act with the lower of their scope and their creator's CURRENT role, and end with the creator's membership. */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const CREATE_TOKEN = `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { secret apiToken { id } } }`;
const REVOKE_TOKEN = `mutation($id: ID!) { revokeApiToken(input: { id: $id }) { apiToken { id } } }`;
const ADD = `mutation($i: AddMemberInput!) { addMember(input: $i) { member { id } } }`;
const CHANGE = `mutation($i: ChangeMemberRoleInput!) { changeMemberRole(input: $i) { member { id role } } }`;
const REMOVE = `mutation($i: RemoveMemberInput!) { removeMember(input: $i) { removedMemberId } }`;
const TASK = `mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id title } } }`;
const CYCLE = `mutation($i: CreateCycleInput!) { createCycle(input: $i) { cycle { id } } }`;
const ROLE = `{ viewer { role organization { id } } }`;
const EVENTS = `subscription { planningEvents(filter: { types: [TASK_CREATED] }) { type entityId } }`;

async function tokenOf(as: { token: string; organizationId: string }, scopes: string[]) {
  const created = ok(await app.gql(CREATE_TOKEN, { i: { name: `token ${scopes.join('+')}`, scopes } }, as)).createApiToken;
  return { token: created.secret as string, id: created.apiToken.id as string };
}

async function setup() {
  const org = await createOrg(app);
  const admin = await addMember(app, org, 'ADMIN', '管理员');
  const write = await tokenOf(admin, ['READ', 'WRITE']);
  return { org, admin, write };
}

const cycleInput = () => ({ name: `C-${Math.random().toString(36).slice(2, 8)}`, startsOn: '2026-01-01', endsOn: '2026-12-31' });

describe('a WRITE token', () => {
  it('creates tasks and check-ins with its creator’s role, capped at ADMIN', async () => {
    const { org, write } = await setup();
    expect(ok(await app.gql(ROLE, {}, { token: write.token })).viewer.role).toBe('ADMIN');
    const task = ok(await app.gql(TASK, { i: { title: '令牌创建的任务' } }, { token: write.token })).createTask.task;
    expect(task.title).toBe('令牌创建的任务');
    const cycleId = await createCycle(app, org);
    const objective = await createObjective(app, org, { cycleId });
    const kr = await createKeyResult(app, org, { objectiveId: objective.id });
    const r = ok(await checkIn(app, { token: write.token }, kr.id, kr.version, '1100', 0.7, '令牌'));
    expect(r.checkInKeyResult.keyResult.currentValue).toBe('1100');
    // An OWNER's WRITE token acts as ADMIN; any READ token as VIEWER.
    const ownerWrite = await tokenOf(org, ['WRITE']);
    expect(ok(await app.gql(ROLE, {}, { token: ownerWrite.token })).viewer.role).toBe('ADMIN');
    const ownerRead = await tokenOf(org, ['READ']);
    expect(ok(await app.gql(ROLE, {}, { token: ownerRead.token })).viewer.role).toBe('VIEWER');
    expect(errorCode(await app.gql(TASK, { i: { title: 'x' } }, { token: ownerRead.token }))).toBe('FORBIDDEN');
  });

  it('never manages members or tokens, whatever its creator’s role', async () => {
    const { org, admin, write } = await setup();
    const as = { token: write.token };
    const member = await addMember(app, org, 'MEMBER');
    const other = await tokenOf(org, ['READ']);
    const refused = [
      await app.gql(ADD, { i: { email: uniqueEmail(), displayName: 'x', role: 'MEMBER' } }, as),
      await app.gql(CHANGE, { i: { memberId: member.memberId, role: 'VIEWER' } }, as),
      await app.gql(REMOVE, { i: { memberId: member.memberId } }, as),
      await app.gql(CREATE_TOKEN, { i: { name: 'more', scopes: ['READ'] } }, as),
      await app.gql(REVOKE_TOKEN, { id: other.id }, as),
      await app.gql(REVOKE_TOKEN, { id: write.id }, as),
    ];
    expect(refused.map(errorCode)).toEqual(Array(6).fill('FORBIDDEN'));
    // Nothing changed: the member keeps their role and both tokens still work.
    expect(ok(await app.gql(ROLE, {}, member)).viewer.role).toBe('MEMBER');
    expect(ok(await app.gql(ROLE, {}, { token: other.token })).viewer.role).toBe('VIEWER');
    expect(ok(await app.gql(ROLE, {}, as)).viewer.role).toBe('ADMIN');
    void admin;
  });

  it('follows its creator’s demotion at once: as SQUAD_LEAD no admin work, as VIEWER no writes at all', async () => {
    const { org, admin, write } = await setup();
    const as = { token: write.token };
    ok(await app.gql(CYCLE, { i: cycleInput() }, as));
    ok(await app.gql(TASK, { i: { title: 'while admin' } }, as));
    ok(await app.gql(CHANGE, { i: { memberId: admin.memberId, role: 'SQUAD_LEAD' } }, org));
    expect(ok(await app.gql(ROLE, {}, as)).viewer.role).toBe('SQUAD_LEAD');
    expect(errorCode(await app.gql(CYCLE, { i: cycleInput() }, as))).toBe('FORBIDDEN');
    ok(await app.gql(CHANGE, { i: { memberId: admin.memberId, role: 'VIEWER' } }, org));
    expect(ok(await app.gql(ROLE, {}, as)).viewer.role).toBe('VIEWER');
    const refused = await app.gql(TASK, { i: { title: 'demoted' } }, as);
    expect(errorCode(refused)).toBe('FORBIDDEN');
    expect(refused.errors![0].message).toMatch(/Viewers can read but not change/);
    // Reading still works, as for the creator.
    expect(ok(await app.gql(`{ cycles(first: 10) { totalCount } }`, {}, as)).cycles.totalCount).toBe(1);
  });

  it('ends with its creator’s removal, over HTTP and on an open subscription', async () => {
    const { org, admin, write } = await setup();
    const read = await tokenOf(admin, ['READ']);
    const client = wsClient(app.url, { authorization: `Bearer ${read.token}` });
    const sub = subscribe(client, EVENTS);
    const writeClient = wsClient(app.url, { authorization: `Bearer ${write.token}` });
    const writeSub = subscribe(writeClient, EVENTS);
    await settle();
    ok(await app.gql(TASK, { i: { title: 'before' } }, org));
    expect(((await sub.next()) as any).planningEvents.type).toBe('TASK_CREATED');
    expect(((await writeSub.next()) as any).planningEvents.type).toBe('TASK_CREATED');

    ok(await app.gql(REMOVE, { i: { memberId: admin.memberId } }, org));
    for (const token of [write.token, read.token]) {
      const r = await app.gql(ROLE, {}, { token });
      expect(errorCode(r)).toBe('UNAUTHENTICATED');
      expect(r.errors![0].message).toMatch(/creator left the organisation/);
    }
    expect(errorCode(await app.gql(TASK, { i: { title: 'after' } }, { token: write.token }))).toBe('UNAUTHENTICATED');
    ok(await app.gql(TASK, { i: { title: 'after removal' } }, org));
    await settle(400);
    expect(sub.pending()).toEqual([]);
    expect(writeSub.pending()).toEqual([]);
    // A new connection with the token is refused at once.
    const closed = new Promise<number>((resolve) => {
      const c = wsClient(app.url, { authorization: `Bearer ${read.token}` }, (code) => resolve(code));
      subscribe(c, EVENTS);
    });
    expect(await closed).toBe(4401);
    await client.dispose();
    await writeClient.dispose();
  });
});

describe('authentication of an API token', () => {
  it('takes one SQL statement, creator’s membership included', async () => {
    const { write } = await setup();
    await app.gql(ROLE, {}, { token: write.token }); // last_used_at: recorded off the path, once a minute
    const requestId = `token-${Math.random().toString(36).slice(2)}`;
    const res = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId, authorization: `Bearer ${write.token}` },
      body: JSON.stringify({ query: `{ __typename }` }),
    });
    expect(res.status).toBe(200);
    const statements = app.server.statementsFor(requestId)!.statements;
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/FROM api_tokens t\s+LEFT JOIN members m/);
  });
});
