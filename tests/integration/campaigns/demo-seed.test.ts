import Decimal from 'decimal.js';
import { toGlobalId } from '../../../src/common/ids';
import { demoCampaignDates } from '../../../seeds/budgets';
import { demoCalendar } from '../../../seeds/calendar';
import { seedDemo } from '../../../seeds/demo';
import { DEMO } from '../../../seeds/ids';
import { DEMO_DAYS, logInDemo } from '../../support/demo';
import { ok, startTestApp, type TestApp } from '../../support/test-app';

describe.each(DEMO_DAYS)('campaign demo seed loaded on %s', (today) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.stop());

  it('holds the reviewed 超级品牌日 with its cost, three kinds of return, ROI, the checkout A/B experiment and a review matching its numbers', async () => {
    expect(await seedDemo(app.ds, today)).toBe(true);
    expect(await seedDemo(app.ds, today)).toBe(false);
    const cal = demoCalendar(today);
    const finance = await logInDemo(app, DEMO.users.finance.email);
    const campaign = ok(
      await app.gql(
        `query($id: ID!) { campaign(id: $id) { name status startsOn endsOn budgetLine { name budget { name } } cost totalReturn roi
          returns { kind amount } review { summary createdAt } tasks { title assignee { displayName } }
          experiments { id name decision metric { key } result { lift significant winner } }
          targets { kpi { key } target actual } } }`,
        { id: toGlobalId('Campaign', DEMO.campaigns.superBrandDay) },
        finance,
      ),
    ).campaign;
    expect(campaign).toMatchObject({
      name: '超级品牌日',
      status: 'REVIEWED',
      startsOn: demoCampaignDates(cal).startsOn,
      endsOn: demoCampaignDates(cal).endsOn,
      budgetLine: { name: '平台流量', budget: { name: `${cal.quarter.year} Q${cal.quarter.number} 组织预算` } },
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
    // Over before today, reviewed after its end and before today.
    expect(campaign.endsOn < today).toBe(true);
    expect(campaign.review.createdAt.slice(0, 10) > campaign.endsOn && campaign.review.createdAt.slice(0, 10) < today).toBe(true);
    // Targets on the KPI seed's KPIs; actual: their values over the months the campaign's dates
    // touch. gmv is a formula (visitors × conversion_rate × aov), computed from its inputs.
    expect(campaign.targets).toEqual([
      { kpi: { key: 'gmv' }, target: expect.stringMatching(/^\d+$/), actual: expect.stringMatching(/^\d+(\.\d+)?$/) },
      { kpi: { key: 'new_users' }, target: expect.stringMatching(/^\d+$/), actual: expect.stringMatching(/^\d+$/) },
    ]);
    // The review says what the targets read: GMV above its target, new users short of theirs, by
    // the percentages it states (rounded to whole percents).
    const [gmv, newUsers] = campaign.targets.map((t: any) => ({ target: new Decimal(t.target), actual: new Decimal(t.actual) }));
    const above = campaign.review.summary.match(/GMV 超目标 (\d+)%/);
    const below = campaign.review.summary.match(/拉新低于目标 (\d+)%/);
    expect(above && below).toBeTruthy();
    expect(gmv.actual.gt(gmv.target)).toBe(true);
    expect(newUsers.actual.lt(newUsers.target)).toBe(true);
    expect(Number(above![1])).toBe(gmv.actual.div(gmv.target).minus(1).mul(100).round().toNumber());
    expect(Number(below![1])).toBe(new Decimal(1).minus(newUsers.actual.div(newUsers.target)).mul(100).round().toNumber());
    const [experiment] = campaign.experiments;
    expect(experiment).toMatchObject({ id: toGlobalId('Experiment', DEMO.campaigns.checkoutExperiment), name: '一键结账', decision: 'ROLL_OUT', metric: { key: 'conversion_rate' }, result: { significant: true, winner: '一键结账' } });
    expect(experiment.result.lift).toBeCloseTo(0.18, 10);
    expect(campaign.tasks[0].assignee.displayName).toBe(DEMO.users.member.name);
  });
});
