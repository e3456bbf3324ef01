import { ok } from '../../../support/test-app';
import { registerTenancy } from '../registry';

/**
 * Campaigns: A's budget line, a LIVE campaign of A's squad with a KPI target, a return and an
 * experiment, a COMPLETED one to review and a reviewed one with an action task.
 */
registerTenancy(
  async (app, org, ids) => {
    const budget = ok(
      await app.gql(`mutation($i: CreateBudgetInput!) { createBudget(input: $i) { budget { id } } }`, {
        i: { name: 'A 活动预算', periodStart: '2026-04-01', periodEnd: '2026-06-30', currency: 'CNY', hardCap: false },
      }, org),
    ).createBudget.budget.id;
    const campaignLine = ok(
      await app.gql(`mutation($i: AddBudgetLineInput!) { addBudgetLine(input: $i) { budgetLine { id } } }`, {
        i: { budgetId: budget, name: 'A 平台流量', category: 'media', kind: 'VARIABLE', planned: '1000' },
      }, org),
    ).addBudgetLine.budgetLine.id;
    const create = async (name: string, targets: Array<{ kpiKey: string; target: string }> = []) =>
      ok(
        await app.gql(`mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id } } }`, {
          i: { name, squadId: ids.squad, startsOn: '2026-05-01', endsOn: '2026-05-31', budgetLineId: campaignLine, targets },
        }, org),
      ).createCampaign.campaign.id;
    const move = async (id: string, path: string[]) => {
      for (const to of path) ok(await app.gql(`mutation($i: TransitionCampaignInput!) { transitionCampaign(input: $i) { campaign { id } } }`, { i: { id, to } }, org));
    };
    const campaign = await create('A 超级品牌日', [{ kpiKey: 'a_gmv', target: '1000000' }]);
    await move(campaign, ['PLANNED', 'APPROVED', 'LIVE']);
    ok(await app.gql(`mutation($i: RecordCampaignReturnInput!) { recordCampaignReturn(input: $i) { campaignReturn { id } } }`, { i: { campaignId: campaign, kind: 'DIRECT', amount: '500' } }, org));
    const experiment = ok(
      await app.gql(`mutation($i: CreateExperimentInput!) { createExperiment(input: $i) { experiment { id } } }`, { i: { campaignId: campaign, name: 'A 实验', hypothesis: 'A 假设' } }, org),
    ).createExperiment.experiment.id;
    const completedCampaign = await create('A 已结束');
    await move(completedCampaign, ['PLANNED', 'APPROVED', 'LIVE', 'COMPLETED']);
    const reviewedCampaign = await create('A 已复盘');
    await move(reviewedCampaign, ['PLANNED', 'APPROVED', 'LIVE', 'COMPLETED']);
    ok(
      await app.gql(`mutation($i: ReviewCampaignInput!) { reviewCampaign(input: $i) { review { id } } }`, {
        i: { campaignId: reviewedCampaign, summary: 'A 复盘', wentWell: 'A 做得好', toImprove: 'A 待改进', actions: [{ title: 'A 行动项' }] },
      }, org),
    );
    return { campaign, campaignLine, experiment, completedCampaign, reviewedCampaign };
  },
  {
    'Query.campaigns': { operation: () => ({ query: `{ campaigns(first: 100) { totalCount nodes { id name cost roi } } }` }), expect: 'ANY' },
    'Query.campaign': { operation: (a) => ({ query: `query($id: ID!) { campaign(id: $id) { id name } }`, variables: { id: a.ids.campaign } }), expect: 'NOT_FOUND' },
    'Query.experimentSampleSize': { operation: () => ({ query: `{ experimentSampleSize(baselineRate: 0.1, minimumDetectableLift: 0.2) }` }), expect: 'ANY' },
    'Mutation.createCampaign': {
      operation: (a) => ({
        query: `mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id } } }`,
        variables: { i: { name: 'B', squadId: a.ids.squad, startsOn: '2026-05-01', endsOn: '2026-05-02' } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.updateCampaign': {
      operation: (a) => ({
        query: `mutation($i: UpdateCampaignInput!) { updateCampaign(input: $i) { campaign { id } } }`,
        variables: { i: { id: a.ids.campaign, expectedVersion: 4, name: 'B' } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.transitionCampaign': {
      operation: (a) => ({ query: `mutation($i: TransitionCampaignInput!) { transitionCampaign(input: $i) { campaign { id } } }`, variables: { i: { id: a.ids.campaign, to: 'CANCELLED' } } }),
      expect: 'NOT_FOUND',
    },
    'Mutation.recordCampaignReturn': {
      operation: (a) => ({
        query: `mutation($i: RecordCampaignReturnInput!) { recordCampaignReturn(input: $i) { campaignReturn { id } } }`,
        variables: { i: { campaignId: a.ids.campaign, kind: 'BRAND', amount: '1' } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.createExperiment': {
      operation: (a) => ({
        query: `mutation($i: CreateExperimentInput!) { createExperiment(input: $i) { experiment { id } } }`,
        variables: { i: { campaignId: a.ids.campaign, name: 'B', hypothesis: 'B' } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.recordExperimentResults': {
      operation: (a) => ({
        query: `mutation($i: RecordExperimentResultsInput!) { recordExperimentResults(input: $i) { experiment { id } } }`,
        variables: {
          i: {
            experimentId: a.ids.experiment,
            variants: [
              { name: 'A', users: 10, conversions: 1, isControl: true },
              { name: 'B', users: 10, conversions: 2, isControl: false },
            ],
          },
        },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.concludeExperiment': {
      operation: (a) => ({
        query: `mutation($i: ConcludeExperimentInput!) { concludeExperiment(input: $i) { experiment { id } } }`,
        variables: { i: { experimentId: a.ids.experiment, decision: 'ROLL_OUT' } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.reviewCampaign': {
      operation: (a) => ({
        query: `mutation($i: ReviewCampaignInput!) { reviewCampaign(input: $i) { review { id } } }`,
        variables: { i: { campaignId: a.ids.completedCampaign, summary: 'B', wentWell: '', toImprove: '', actions: [] } },
      }),
      expect: 'NOT_FOUND',
    },
    'Subscription.campaignChanged': {
      operation: () => ({ query: `subscription { campaignChanged { id name cost } }` }),
      expect: 'ANY',
      trigger: async (app, a) => {
        ok(await app.gql(`mutation($i: RecordCampaignReturnInput!) { recordCampaignReturn(input: $i) { campaignReturn { id } } }`, { i: { campaignId: a.ids.campaign, kind: 'BRAND', amount: '2' } }, a.org));
        ok(
          await app.gql(`mutation($i: RecordExpenseInput!) { recordExpense(input: $i) { expense { id } } }`, {
            i: { budgetLineId: a.ids.campaignLine, amount: '3', incurredOn: '2026-05-02', campaignId: a.ids.campaign },
          }, a.org),
        );
      },
    },
  },
  {
    'Campaign.returns': { parent: 'campaign', children: { table: 'campaign_returns', set: { campaign_id: 'campaign' } } },
    'Campaign.experiments': { parent: 'campaign', children: { table: 'campaign_experiments', set: { campaign_id: 'campaign' } } },
    'Campaign.targets': { parent: 'campaign', children: { table: 'campaign_targets', set: { campaign_id: 'campaign' } } },
    'Campaign.tasks': { parent: 'reviewedCampaign', children: { table: 'campaign_tasks', set: { campaign_id: 'reviewedCampaign' } } },
    'Experiment.variants': { exempt: "stored in the experiment's own row (a JSON column) and read with it" },
  },
);
