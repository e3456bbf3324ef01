import { toGlobalId } from '../../../src/common/ids';
import { seedDemo } from '../../../seeds/demo';
import { DEMO } from '../../../seeds/ids';
import { ok, startTestApp, type TestApp } from '../../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

describe('campaign demo seed', () => {
  it('holds the reviewed 超级品牌日 with its cost, three kinds of return, ROI and the checkout A/B experiment', async () => {
    expect(await seedDemo(app.ds)).toBe(true);
    expect(await seedDemo(app.ds)).toBe(false);
    const finance = ok(await app.gql(`mutation($i: LogInInput!) { logIn(input: $i) { token } }`, { i: { email: DEMO.users.finance.email, password: DEMO.password } })).logIn;
    const campaign = ok(
      await app.gql(
        `query($id: ID!) { campaign(id: $id) { name status budgetLine { name budget { name } } cost totalReturn roi
          returns { kind amount } review { summary } tasks { title assignee { displayName } }
          experiments { id name decision metric { key } result { lift significant winner } }
          targets { kpi { key } target actual } } }`,
        { id: toGlobalId('Campaign', DEMO.campaigns.superBrandDay) },
        finance,
      ),
    ).campaign;
    expect(campaign).toMatchObject({
      name: '超级品牌日',
      status: 'REVIEWED',
      budgetLine: { name: '平台流量', budget: { name: '2026 Q2 组织预算' } },
      cost: '140000.00',
      totalReturn: '492000.00',
      roi: '2.514286',
      returns: [
        { kind: 'DIRECT', amount: '240000.00' },
        { kind: 'INDIRECT', amount: '102000.00' },
        { kind: 'BRAND', amount: '150000.00' },
      ],
      tasks: [{ title: '重新设计新客会员权益' }],
    });
    expect(campaign.review.summary).toContain('GMV');
    // Targets on the KPI seed's KPIs; actual: their May measurements (the month of the campaign's
    // dates). gmv is a formula (visitors × conversion_rate × aov): its May value is computed from
    // its inputs' May values.
    expect(campaign.targets).toEqual([
      { kpi: { key: 'gmv' }, target: '6000000', actual: expect.stringMatching(/^\d+(\.\d+)?$/) },
      { kpi: { key: 'new_users' }, target: '10000', actual: expect.stringMatching(/^\d+$/) },
    ]);
    const [experiment] = campaign.experiments;
    expect(experiment).toMatchObject({ id: toGlobalId('Experiment', DEMO.campaigns.checkoutExperiment), name: '一键结账', decision: 'ROLL_OUT', metric: { key: 'conversion_rate' }, result: { significant: true, winner: '一键结账' } });
    expect(experiment.result.lift).toBe('0.18');
    expect(campaign.tasks[0].assignee.displayName).toBe(DEMO.users.member.name);
  });
});
