import { toGlobalId } from '../../../src/common/ids';
import { seedDemo } from '../../../seeds/demo';
import { DEMO } from '../../../seeds/ids';
import { ok, startTestApp, type TestApp } from '../../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

async function logIn(email: string) {
  const token = ok(await app.gql(`mutation($i: LogInInput!) { logIn(input: $i) { token } }`, { i: { email, password: DEMO.password } })).logIn.token;
  return { token };
}

describe('demo seed', () => {
  it('loads the Q2 content-platform plan once, consistent with the rules', async () => {
    expect(await seedDemo(app.ds)).toBe(true);
    expect(await seedDemo(app.ds)).toBe(false);
    const [{ n }] = await app.ds.query(`SELECT count(*)::int AS n FROM tasks WHERE organization_id = $1`, [DEMO.organizationId]);
    expect(n).toBe(8); // the plan's 7 and the 超级品牌日 review's action (seeds/campaigns.ts)

    const lead = await logIn(DEMO.users.lead.email);
    const squad = ok(
      await app.gql(
        `query($id: ID!) { squad(id: $id) { name lead { displayName } members { function }
          sprints(first: 5) { nodes { name status } }
          objectives(first: 5) { nodes { title progress keyResults { title progress currentValue version checkIns(first: 5) { totalCount } } } } } }`,
        { id: toGlobalId('Squad', DEMO.plan.squadCreators) },
        lead,
      ),
    ).squad;
    expect(squad).toMatchObject({ name: '创作者增长小组', lead: { displayName: '张伟' } });
    expect(squad.sprints.nodes).toEqual([
      { name: '5月：内容分发算法优化', status: 'ACTIVE' },
      { name: '4月：创作者激励计划', status: 'CLOSED' },
    ]);
    const [objective] = squad.objectives.nodes;
    expect(objective.title).toBe('提升用户创作活跃度');
    expect(objective.keyResults).toEqual([
      { title: '日均发布内容量提升30%', progress: expect.closeTo(1600 / 3000, 12), currentValue: '11600', version: 3, checkIns: { totalCount: 2 } },
      { title: '创作者留存率提升15%', progress: 0.25, currentValue: '41.5', version: 2, checkIns: { totalCount: 1 } },
    ]);
    expect(objective.progress).toBeCloseTo((1600 / 3000 + 0.25) / 2, 12);

    // The team member can check in on the key result they own, with the seeded version.
    const member = await logIn(DEMO.users.member.email);
    const checkedIn = ok(
      await app.gql(`mutation($i: CheckInKeyResultInput!) { checkInKeyResult(input: $i) { keyResult { progress version } } }`, {
        i: { keyResultId: toGlobalId('KeyResult', DEMO.plan.krRetention), value: '43', confidence: 0.6, expectedVersion: 2 },
      }, member),
    ).checkInKeyResult.keyResult;
    expect(checkedIn).toEqual({ progress: 0.5, version: 3 });
    const english = ok(await app.gql(`{ squads(first: 10) { nodes { name } } }`, {}, member)).squads.nodes.map((s: { name: string }) => s.name);
    expect(english).toEqual(expect.arrayContaining(['创作者增长小组', 'Checkout Conversion Squad']));
  });
});
