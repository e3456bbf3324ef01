import { addMember, createOrg } from '../../support/factories';
import { createSquad } from '../../support/planning';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';

/** "Which squads are mine": viewer.squads and squads(filter: { leadId, memberId }). */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const ADD = `mutation($i: AddSquadMemberInput!) { addSquadMember(input: $i) { squadMember { id } } }`;
const MINE = `{ viewer { squads { id name } } }`;
const FILTERED = `query($f: SquadsFilter) { squads(filter: $f, first: 50) { totalCount nodes { id name } } }`;
const names = (list: Array<{ name: string }>) => list.map((s) => s.name);

describe('which squads are mine', () => {
  it('viewer.squads lists the active squads the caller leads or belongs to; squads(filter) by lead and member', async () => {
    const org = await createOrg(app);
    const lead = await addMember(app, org, 'SQUAD_LEAD', '张伟');
    const member = await addMember(app, org, 'MEMBER', '李娜');
    const other = await addMember(app, org, 'SQUAD_LEAD', '王芳');
    const led = await createSquad(app, org, lead.userId, '内容增长小组');
    const ledByMember = await createSquad(app, org, member.userId, '用户服务小组');
    const shared = await createSquad(app, org, lead.userId, '渠道小组');
    const notMine = await createSquad(app, org, other.userId, '数据小组');
    const archived = await createSquad(app, org, lead.userId, '旧小组');
    ok(await app.gql(ADD, { i: { squadId: shared, userId: member.userId, function: 'CHANNEL' } }, org));
    ok(await app.gql(ADD, { i: { squadId: led, userId: lead.userId, function: 'DATA' } }, org));
    ok(await app.gql(ADD, { i: { squadId: notMine, userId: other.userId, function: 'DATA' } }, org));
    ok(await app.gql(`mutation($i: ArchiveSquadInput!) { archiveSquad(input: $i) { squad { id } } }`, { i: { id: archived } }, org));

    expect(names(ok(await app.gql(MINE, {}, lead)).viewer.squads)).toEqual(['内容增长小组', '渠道小组']);
    expect(names(ok(await app.gql(MINE, {}, member)).viewer.squads)).toEqual(['用户服务小组', '渠道小组']);
    expect(ok(await app.gql(MINE, {}, org)).viewer.squads).toEqual([]);
    expect(ok(await app.gql(MINE, {}, member)).viewer.squads.map((s: { id: string }) => s.id)).toEqual([ledByMember, shared]);

    const byLead = ok(await app.gql(FILTERED, { f: { leadId: lead.userId } }, member)).squads;
    expect(byLead.totalCount).toBe(2);
    expect(names(byLead.nodes)).toEqual(['内容增长小组', '渠道小组']);
    expect(names(ok(await app.gql(FILTERED, { f: { memberId: member.userId } }, member)).squads.nodes)).toEqual(['渠道小组']);
    expect(names(ok(await app.gql(FILTERED, { f: { memberId: lead.userId } }, member)).squads.nodes)).toEqual(['内容增长小组']);
    expect(names(ok(await app.gql(FILTERED, { f: { leadId: lead.userId, memberId: member.userId } }, member)).squads.nodes)).toEqual(['渠道小组']);
    expect(names(ok(await app.gql(FILTERED, { f: { leadId: lead.userId, archived: true } }, member)).squads.nodes)).toEqual(['旧小组']);
    expect(ok(await app.gql(FILTERED, { f: { leadId: org.userId } }, member)).squads).toEqual({ totalCount: 0, nodes: [] });

    for (const field of ['leadId', 'memberId']) {
      const wrong = await app.gql(FILTERED, { f: { [field]: led } }, member);
      expect(errorCode(wrong)).toBe('BAD_USER_INPUT');
      expect(wrong.errors?.[0].extensions?.field).toBe(`filter.${field}`);
    }
  });

  it('viewer.squads keeps to the organisation the request acts in', async () => {
    const a = await createOrg(app, '甲组织');
    const b = await createOrg(app, '乙组织');
    // b's owner joins a, and leads a squad in each organisation.
    ok(await app.gql(`mutation($i: AddMemberInput!) { addMember(input: $i) { member { id } } }`, { i: { email: b.email, role: 'MEMBER' } }, a));
    const [inv] = ok(await app.gql(`{ viewer { invitations { id } } }`, {}, b)).viewer.invitations;
    ok(await app.gql(`mutation($id: ID!) { acceptInvitation(input: { invitationId: $id }) { member { id } } }`, { id: inv.id }, b));
    const inA = await createSquad(app, a, b.userId, '甲的小组');
    const inB = await createSquad(app, b, b.userId, '乙的小组');

    expect(ok(await app.gql(MINE, {}, b)).viewer.squads).toEqual([{ id: inB, name: '乙的小组' }]);
    expect(ok(await app.gql(MINE, {}, { token: b.token, organizationId: a.organizationId })).viewer.squads).toEqual([{ id: inA, name: '甲的小组' }]);
  });

  it('costs the same statements for 2 squads as for 8', async () => {
    const org = await createOrg(app);
    const lead = await addMember(app, org, 'SQUAD_LEAD');
    const member = await addMember(app, org, 'MEMBER');
    const query = `{ viewer { user { id } squads { id lead { id displayName } members { function user { id } } currentSprint { id } } } }`;
    const add = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const id = await createSquad(app, org, lead.userId, `小组 ${Math.random()}`);
        ok(await app.gql(ADD, { i: { squadId: id, userId: member.userId, function: 'CONTENT' } }, org));
      }
    };
    await add(2);
    const few = await app.gql(query, {}, lead);
    expect(ok(few).viewer.squads).toHaveLength(2);
    await add(6);
    const many = await app.gql(query, {}, lead);
    expect(ok(many).viewer.squads).toHaveLength(8);
    expect(many.statements).toBe(few.statements);
    const filtered = await app.gql(`query($f: SquadsFilter) { squads(filter: $f, first: 50) { nodes { id lead { id } } } }`, { f: { memberId: member.userId } }, lead);
    expect(ok(filtered).squads.nodes).toHaveLength(8);
  });
});
