import { toGlobalId } from '../../../src/common/ids';
import { seedDemo } from '../../../seeds/demo';
import { CAMPAIGN_DEMO } from '../../../seeds/campaigns';
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
          experiments { id name decision result { lift significant winner } } } }`,
        { id: toGlobalId('Campaign', DEMO.campaigns.superBrandDay) },
        finance,
      ),
    ).campaign;
    expect(campaign).toMatchObject({
      name: '超级品牌日',
      status: 'REVIEWED',
      budgetLine: { name: '平台流量', budget: { name: '超级品牌日专项预算' } },
      cost: '953000',
      totalReturn: '4136000',
      roi: '3.339979',
      returns: [
        { kind: 'DIRECT', amount: '2176000' },
        { kind: 'INDIRECT', amount: '960000' },
        { kind: 'BRAND', amount: '1000000' },
      ],
      tasks: [{ title: '重新设计新客会员权益' }],
    });
    expect(campaign.review.summary).toContain('GMV');
    const [experiment] = campaign.experiments;
    expect(experiment).toMatchObject({ id: toGlobalId('Experiment', DEMO.campaigns.checkoutExperiment), name: '一键结账', decision: 'ROLL_OUT', result: { significant: true, winner: '一键结账' } });
    expect(experiment.result.lift).toBeCloseTo(0.18, 10);
    const line = ok(await app.gql(`query($id: ID!) { node(id: $id) { ... on BudgetLine { spent } } }`, { id: toGlobalId('BudgetLine', CAMPAIGN_DEMO.lineTraffic) }, finance)).node;
    expect(line.spent).toBe('380000');
  });
});
