import { decodeGlobalId } from '../../../src/common/ids';
import { addBudgetLine, createBudget, recordExpense } from '../../support/budgets';
import { RECORD_RETURN, TRANSITION, createCampaign, transition } from '../../support/campaigns';
import { addMember, createOrg, type TestOrg } from '../../support/factories';
import { createSquad } from '../../support/planning';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const uuid = (globalId: string) => decodeGlobalId(globalId)!.id;

const CAMPAIGN = /* GraphQL */ `
  query($id: ID!) {
    campaign(id: $id) {
      id name status startsOn endsOn version squad { id } budgetLine { id }
      targets { kpi { id key } target actual }
      cost totalReturn roi
      returns { kind amount basis { gmv grossMargin newMembers lifetimeValue impressions cpm } recordedBy { id } }
      experiments { id name alpha decision variants { name users conversions rate } result { controlRate treatmentRate lift zScore pValue significant winner } }
      review { summary wentWell toImprove reviewedBy { id } }
      tasks { id title status dueOn assignee { id } squad { id } }
    }
  }
`;
const UPDATE = /* GraphQL */ `mutation($i: UpdateCampaignInput!) { updateCampaign(input: $i) { campaign { id name version budgetLine { id } targets { target } } } }`;
const REVIEW = /* GraphQL */ `
  mutation($i: ReviewCampaignInput!) { reviewCampaign(input: $i) { review { id summary } campaign { id status tasks { id title } } } }
`;
const CREATE_EXPERIMENT = /* GraphQL */ `mutation($i: CreateExperimentInput!) { createExperiment(input: $i) { experiment { id alpha metric { key } variants { name } result { lift } } } }`;
const RESULTS = /* GraphQL */ `
  mutation($i: RecordExperimentResultsInput!) {
    recordExperimentResults(input: $i) { experiment { id variants { name rate } result { controlRate treatmentRate lift zScore pValue significant winner } } }
  }
`;
const CONCLUDE = /* GraphQL */ `mutation($i: ConcludeExperimentInput!) { concludeExperiment(input: $i) { experiment { id decision concludedAt } } }`;

async function insertKpi(org: TestOrg, key: string, aggregation = 'SUM'): Promise<string> {
  const [row] = await app.ds.query(
    `INSERT INTO kpis (organization_id, key, name, layer, direction, aggregation) VALUES ($1, $2::text, $2::text, 'TACTICAL', 'HIGHER_IS_BETTER', $3) RETURNING id`,
    [uuid(org.organizationId), key, aggregation],
  );
  return row.id;
}

/** Tags an expense with a campaign in the database, beside the API. */
async function tagByHand(expenseId: string, campaignId: string): Promise<void> {
  await app.ds.query(`INSERT INTO campaign_expenses (organization_id, expense_id, campaign_id) SELECT organization_id, $1, $2 FROM campaigns WHERE id = $2`, [
    uuid(expenseId),
    uuid(campaignId),
  ]);
}

async function setup() {
  const org = await createOrg(app);
  const lead = await addMember(app, org, 'SQUAD_LEAD', '李娜');
  const finance = await addMember(app, org, 'FINANCE', '财务');
  const member = await addMember(app, org, 'MEMBER', '成员');
  const squadId = await createSquad(app, org, lead.userId);
  const budget = await createBudget(app, finance);
  const line = await addBudgetLine(app, finance, { budgetId: budget.id, name: '平台流量', planned: '400000.00' });
  const kol = await addBudgetLine(app, finance, { budgetId: budget.id, name: 'KOL 合作', planned: '300000.00' });
  return { org, lead, finance, member, squadId, budget, line, kol };
}

describe('campaign life cycle', () => {
  it('runs DRAFT → PLANNED → APPROVED → LIVE → COMPLETED with the roles the issue names', async () => {
    const { org, lead, finance, member, squadId, line } = await setup();
    const other = await addMember(app, org, 'SQUAD_LEAD', '别组组长');
    const c = await createCampaign(app, lead, { squadId });
    // No budget line yet, so no currency: its zero amounts are shown plainly.
    expect(ok(await app.gql(CAMPAIGN, { id: c.id }, member)).campaign).toMatchObject({ status: 'DRAFT', cost: '0', totalReturn: '0', roi: null, review: null, tasks: [] });

    // A lead of another squad, FINANCE and MEMBER do not run this squad's campaign.
    expect(errorCode(await transition(app, other, c.id, 'PLANNED'))).toBe('FORBIDDEN');
    expect(errorCode(await transition(app, finance, c.id, 'PLANNED'))).toBe('FORBIDDEN');
    expect(errorCode(await transition(app, member, c.id, 'PLANNED'))).toBe('FORBIDDEN');
    expect(ok(await transition(app, lead, c.id, 'PLANNED')).transitionCampaign.campaign).toMatchObject({ status: 'PLANNED', version: 2 });

    // Approval: FINANCE/ADMIN/OWNER only, and only with a budget line.
    expect(errorCode(await transition(app, lead, c.id, 'APPROVED'))).toBe('FORBIDDEN');
    const noLine = await transition(app, finance, c.id, 'APPROVED');
    expect(noLine.errors![0].extensions).toMatchObject({ code: 'INVALID_TRANSITION', field: 'budgetLineId' });
    ok(await app.gql(UPDATE, { i: { id: c.id, expectedVersion: 2, budgetLineId: line.id } }, lead));
    expect(ok(await transition(app, finance, c.id, 'APPROVED')).transitionCampaign.campaign.status).toBe('APPROVED');
    // Its line no longer changes once approved.
    const relined = await app.gql(UPDATE, { i: { id: c.id, expectedVersion: 4, budgetLineId: null } }, lead);
    expect(errorCode(relined)).toBe('INVALID_TRANSITION');

    // After approval the lead runs it again; refused moves name the allowed next states.
    const back = await transition(app, lead, c.id, 'DRAFT');
    expect(back.errors![0].message).toBe('A APPROVED campaign cannot move to DRAFT; allowed next: LIVE, CANCELLED');
    expect(back.errors![0].extensions).toMatchObject({ code: 'INVALID_TRANSITION', allowed: ['LIVE', 'CANCELLED'] });
    expect(ok(await transition(app, lead, c.id, 'LIVE')).transitionCampaign.campaign.status).toBe('LIVE');
    expect(ok(await transition(app, lead, c.id, 'COMPLETED')).transitionCampaign.campaign.status).toBe('COMPLETED');
    const cancel = await transition(app, org, c.id, 'CANCELLED');
    expect(cancel.errors![0]).toMatchObject({ message: expect.stringContaining('allowed next: REVIEWED'), extensions: { code: 'INVALID_TRANSITION' } });
    const reviewed = await transition(app, org, c.id, 'REVIEWED');
    expect(reviewed.errors![0]).toMatchObject({ message: expect.stringContaining('reviewCampaign'), extensions: { code: 'INVALID_TRANSITION' } });

    // A stale expectedVersion is CONFLICT.
    const stale = await app.gql(TRANSITION, { i: { id: c.id, to: 'CANCELLED', expectedVersion: 1 } }, org);
    expect(errorCode(stale)).toBe('INVALID_TRANSITION');
  });

  it('cancels from DRAFT, PLANNED, APPROVED and LIVE, and a cancelled campaign stays closed', async () => {
    const { org, lead, squadId, line } = await setup();
    for (const path of [[], ['PLANNED'], ['PLANNED', 'APPROVED'], ['PLANNED', 'APPROVED', 'LIVE']]) {
      const c = await createCampaign(app, lead, { squadId, budgetLineId: line.id });
      for (const to of path) ok(await transition(app, org, c.id, to));
      expect(ok(await transition(app, lead, c.id, 'CANCELLED')).transitionCampaign.campaign.status).toBe('CANCELLED');
      const again = await transition(app, org, c.id, 'PLANNED');
      expect(again.errors![0]).toMatchObject({ message: expect.stringContaining('CANCELLED is final'), extensions: { code: 'INVALID_TRANSITION' } });
      expect(errorCode(await app.gql(UPDATE, { i: { id: c.id, expectedVersion: path.length + 2, name: '改名' } }, org))).toBe('CAMPAIGN_CLOSED');
    }
  });

  it('creates and edits campaigns for the squads a lead leads, with KPI targets, and CONFLICT on a stale version', async () => {
    const { org, lead, finance, squadId } = await setup();
    const gmv = await insertKpi(org, 'gmv');
    await insertKpi(org, 'new_members');
    const otherSquad = await createSquad(app, org, (await addMember(app, org, 'SQUAD_LEAD')).userId, '别的小组');
    const notMine = await app.gql(`mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id } } }`, {
      i: { name: 'x', squadId: otherSquad, startsOn: '2026-05-01', endsOn: '2026-05-02' },
    }, lead);
    expect(errorCode(notMine)).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(`mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id } } }`, {
      i: { name: 'x', squadId, startsOn: '2026-05-01', endsOn: '2026-05-02' },
    }, finance))).toBe('FORBIDDEN');
    const backwards = await app.gql(`mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id } } }`, {
      i: { name: 'x', squadId, startsOn: '2026-05-02', endsOn: '2026-05-01' },
    }, lead);
    expect(backwards.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'endsOn' });
    const unknownKpi = await app.gql(`mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id } } }`, {
      i: { name: 'x', squadId, startsOn: '2026-05-01', endsOn: '2026-05-02', targets: [{ kpiKey: 'nope', target: '1' }] },
    }, lead);
    expect(unknownKpi.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'targets', keys: ['nope'] });

    const archivedSquad = await createSquad(app, org, lead.userId, '已归档小组');
    ok(await app.gql(`mutation($i: ArchiveSquadInput!) { archiveSquad(input: $i) { squad { id } } }`, { i: { id: archivedSquad } }, org));
    expect(errorCode(await app.gql(`mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id } } }`, {
      i: { name: 'x', squadId: archivedSquad, startsOn: '2026-05-01', endsOn: '2026-05-02' },
    }, lead))).toBe('ARCHIVED');

    const c = await createCampaign(app, lead, { squadId, startsOn: '2026-05-10', endsOn: '2026-06-20', targets: [{ kpiKey: 'gmv', target: '5000000' }, { kpiKey: 'new_members', target: '12000' }] });
    // Measurements in May and June count; April's does not.
    for (const [period, value] of [['2026-04-01', '999'], ['2026-05-01', '2000000.5'], ['2026-06-01', '1500000']]) {
      await app.ds.query(`INSERT INTO kpi_measurements (organization_id, kpi_id, period_start, value) VALUES ($1, $2, $3, $4)`, [uuid(org.organizationId), gmv, period, value]);
    }
    const read = ok(await app.gql(CAMPAIGN, { id: c.id }, lead)).campaign;
    expect(read.targets).toEqual([
      { kpi: { id: expect.any(String), key: 'gmv' }, target: '5000000', actual: '3500000.5' },
      { kpi: { id: expect.any(String), key: 'new_members' }, target: '12000', actual: null },
    ]);
    const edited = ok(await app.gql(UPDATE, { i: { id: c.id, expectedVersion: 1, name: '超级品牌日 2026', targets: [{ kpiKey: 'gmv', target: '6000000' }] } }, lead)).updateCampaign.campaign;
    expect(edited).toMatchObject({ name: '超级品牌日 2026', version: 2, targets: [{ target: '6000000' }] });
    const stale = await app.gql(UPDATE, { i: { id: c.id, expectedVersion: 1, name: '旧' } }, org);
    expect(stale.errors![0].extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 2 });
  });
});

describe('cost, returns and ROI', () => {
  it('adds the non-void expenses tagged with the campaign, computes returns from their basis and ROI exactly', async () => {
    const { org, lead, finance, member, squadId, line, kol } = await setup();
    const c = await createCampaign(app, lead, { squadId, budgetLineId: line.id });
    ok(await recordExpense(app, finance, { budgetLineId: line.id, amount: '400000.00', campaignId: c.id }));
    ok(await recordExpense(app, finance, { budgetLineId: kol.id, amount: '300000.00', campaignId: c.id }));
    const voided = ok(await recordExpense(app, finance, { budgetLineId: kol.id, amount: '0.01', campaignId: c.id })).recordExpense.expense.id;
    ok(await app.gql(`mutation($i: VoidExpenseInput!) { voidExpense(input: $i) { expense { id } } }`, { i: { id: voided, reason: '录错' } }, finance));
    ok(await recordExpense(app, finance, { budgetLineId: line.id, amount: '99.00' })); // not the campaign's

    const direct = ok(await app.gql(RECORD_RETURN, { i: { campaignId: c.id, kind: 'DIRECT', basis: { gmv: '3200000.10', grossMargin: '0.35' } } }, finance)).recordCampaignReturn;
    // 3,200,000.10 × 0.35 = 1,120,000.035, rounded half to even to the yuan's minor unit.
    expect(direct.campaignReturn).toMatchObject({ kind: 'DIRECT', amount: '1120000.04', basis: { gmv: '3200000.1', grossMargin: '0.35', newMembers: null }, recordedBy: { id: finance.userId } });
    expect(direct.campaign).toMatchObject({ cost: '700000.00', totalReturn: '1120000.04', roi: '0.6' });
    ok(await app.gql(RECORD_RETURN, { i: { campaignId: c.id, kind: 'INDIRECT', basis: { newMembers: 12000, lifetimeValue: '85.5' } } }, org));
    const brand = ok(await app.gql(RECORD_RETURN, { i: { campaignId: c.id, kind: 'BRAND', basis: { impressions: 20000000, cpm: '40' } } }, finance)).recordCampaignReturn;
    // 1120000.04 + 1026000 + 800000 = 2946000.04; (2946000.04 − 700000) ÷ 700000 = 3.2085714857…
    expect(brand.campaign).toMatchObject({ totalReturn: '2946000.04', roi: '3.208571' });
    const once = { campaignId: c.id, kind: 'BRAND', amount: '0.01', idempotencyKey: 'return-brand-0.01' };
    const amountOnly = ok(await app.gql(RECORD_RETURN, { i: once }, finance)).recordCampaignReturn;
    expect(amountOnly.campaignReturn.basis).toBeNull();
    // A retry with the same key records nothing more.
    const retried = ok(await app.gql(RECORD_RETURN, { i: once }, finance)).recordCampaignReturn;
    expect(retried.campaignReturn.id).toBe(amountOnly.campaignReturn.id);

    const read = ok(await app.gql(CAMPAIGN, { id: c.id }, member)).campaign;
    expect(read.returns.map((r: { kind: string; amount: string }) => [r.kind, r.amount])).toEqual([
      ['DIRECT', '1120000.04'],
      ['INDIRECT', '1026000.00'],
      ['BRAND', '800000.00'],
      ['BRAND', '0.01'],
    ]);

    // Returns: FINANCE/ADMIN/OWNER; a basis that is not the kind's, or disagrees with the amount, is refused.
    expect(errorCode(await app.gql(RECORD_RETURN, { i: { campaignId: c.id, kind: 'BRAND', amount: '1.00' } }, lead))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(RECORD_RETURN, { i: { campaignId: c.id, kind: 'BRAND', amount: '1.00' } }, member))).toBe('FORBIDDEN');
    const wrongBasis = await app.gql(RECORD_RETURN, { i: { campaignId: c.id, kind: 'BRAND', basis: { gmv: '1', grossMargin: '0.1' } } }, finance);
    expect(wrongBasis.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const disagree = await app.gql(RECORD_RETURN, { i: { campaignId: c.id, kind: 'BRAND', amount: '5', basis: { impressions: 1000, cpm: '4' } } }, finance);
    expect(disagree.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amount' });
    const nothing = await app.gql(RECORD_RETURN, { i: { campaignId: c.id, kind: 'BRAND' } }, finance);
    expect(errorCode(nothing)).toBe('BAD_USER_INPUT');
  });

  it('answers cost and roi null, never an error, when its expenses are in several currencies', async () => {
    const { finance, member, squadId, line, lead } = await setup();
    const c = await createCampaign(app, lead, { squadId, budgetLineId: line.id });
    ok(await recordExpense(app, finance, { budgetLineId: line.id, amount: '100.00', campaignId: c.id }));
    ok(await app.gql(RECORD_RETURN, { i: { campaignId: c.id, kind: 'DIRECT', amount: '150' } }, finance));
    // The write path never mixes currencies; a row tagged by hand (an import, a repair) may.
    const usd = await createBudget(app, finance, { name: 'USD', currency: 'USD' });
    const usdLine = await addBudgetLine(app, finance, { budgetId: usd.id, planned: '100' });
    const dollars = ok(await recordExpense(app, finance, { budgetLineId: usdLine.id, amount: '7.00' })).recordExpense.expense.id;
    await tagByHand(dollars, c.id);
    const r = await app.gql(`query($id: ID!) { campaign(id: $id) { cost totalReturn roi } }`, { id: c.id }, member);
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ campaign: { cost: null, totalReturn: '150.00', roi: null } });
  });

  it('books expenses only to open campaigns of the same budget', async () => {
    const { org, lead, finance, squadId, line } = await setup();
    const otherBudget = await createBudget(app, finance, { name: '另一预算' });
    const otherLine = await addBudgetLine(app, finance, { budgetId: otherBudget.id, name: '别的线' });
    const noLine = await createCampaign(app, lead, { squadId });
    expect(errorCode(await recordExpense(app, finance, { budgetLineId: line.id, campaignId: noLine.id }))).toBe('BAD_USER_INPUT');
    const c = await createCampaign(app, lead, { squadId, budgetLineId: line.id });
    const wrong = await recordExpense(app, finance, { budgetLineId: otherLine.id, campaignId: c.id });
    expect(wrong.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'campaignId' });
    // Once it has expenses, its line moves within its budget only.
    ok(await recordExpense(app, finance, { budgetLineId: line.id, amount: '10.00', campaignId: c.id }));
    const moved = await app.gql(UPDATE, { i: { id: c.id, expectedVersion: 1, budgetLineId: otherLine.id } }, org);
    expect(moved.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'budgetLineId' });
    const sibling = await addBudgetLine(app, finance, { budgetId: (await app.gql(`query($id: ID!) { node(id: $id) { ... on BudgetLine { budget { id } } } }`, { id: line.id }, finance)).data.node.budget.id, name: '同预算的线' });
    expect(ok(await app.gql(UPDATE, { i: { id: c.id, expectedVersion: 1, budgetLineId: sibling.id } }, org)).updateCampaign.campaign.budgetLine.id).toBe(sibling.id);
    ok(await transition(app, org, c.id, 'CANCELLED'));
    expect(errorCode(await recordExpense(app, finance, { budgetLineId: line.id, campaignId: c.id }))).toBe('CAMPAIGN_CLOSED');
    expect(errorCode(await app.gql(RECORD_RETURN, { i: { campaignId: c.id, kind: 'BRAND', amount: '1.00' } }, finance))).toBe('CAMPAIGN_CLOSED');
    // Nothing more was booked to it.
    expect(ok(await app.gql(CAMPAIGN, { id: c.id }, finance)).campaign.cost).toBe('10.00');
  });
});

describe('experiments', () => {
  it('test the treatment against the control, refuse impossible counts, and freeze once concluded', async () => {
    const { org, lead, member, squadId } = await setup();
    await insertKpi(org, 'checkout_conversion', 'AVERAGE');
    const c = await createCampaign(app, lead, { squadId });
    const e = ok(await app.gql(CREATE_EXPERIMENT, { i: { campaignId: c.id, name: '一键结账', hypothesis: '少一步，多成交', metricKpiKey: 'checkout_conversion' } }, lead)).createExperiment.experiment;
    expect(e).toMatchObject({ alpha: 0.05, metric: { key: 'checkout_conversion' }, variants: [], result: null });
    expect(errorCode(await app.gql(CREATE_EXPERIMENT, { i: { campaignId: c.id, name: 'x', hypothesis: 'y' } }, member))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(CREATE_EXPERIMENT, { i: { campaignId: c.id, name: 'x', hypothesis: 'y', alpha: 0.7 } }, lead))).toBe('BAD_USER_INPUT');
    const unknownMetric = await app.gql(CREATE_EXPERIMENT, { i: { campaignId: c.id, name: 'x', hypothesis: 'y', metricKpiKey: 'nope' } }, lead);
    expect(unknownMetric.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'metricKpiKey', keys: ['nope'] });
    expect(errorCode(await app.gql(CONCLUDE, { i: { experimentId: e.id, decision: 'ROLL_OUT' } }, lead))).toBe('BAD_USER_INPUT');

    const variants = (control: [number, number], treatment: [number, number]) => [
      { name: '原结账页', users: control[0], conversions: control[1], isControl: true },
      { name: '一键结账', users: treatment[0], conversions: treatment[1], isControl: false },
    ];
    for (const bad of [variants([0, 0], [10, 1]), variants([10, 11], [10, 1]), variants([10, 1], [-5, 0])]) {
      expect(errorCode(await app.gql(RESULTS, { i: { experimentId: e.id, variants: bad } }, lead))).toBe('BAD_USER_INPUT');
    }
    const noControl = variants([10, 1], [10, 2]).map((v) => ({ ...v, isControl: false }));
    expect(errorCode(await app.gql(RESULTS, { i: { experimentId: e.id, variants: noControl } }, lead))).toBe('BAD_USER_INPUT');

    const r = ok(await app.gql(RESULTS, { i: { experimentId: e.id, variants: variants([150000, 15000], [150000, 17700]) } }, lead)).recordExperimentResults.experiment;
    expect(r.variants).toEqual([{ name: '原结账页', rate: 0.1 }, { name: '一键结账', rate: 0.118 }]);
    expect(r.result.lift).toBe('0.18');
    expect(r.result).toMatchObject({ significant: true, winner: '一键结账' });
    expect(r.result.pValue).toBeLessThan(1e-10);

    expect(ok(await app.gql(CONCLUDE, { i: { experimentId: e.id, decision: 'ROLL_OUT' } }, lead)).concludeExperiment.experiment.decision).toBe('ROLL_OUT');
    expect(errorCode(await app.gql(RESULTS, { i: { experimentId: e.id, variants: variants([10, 1], [10, 2]) } }, lead))).toBe('EXPERIMENT_CONCLUDED');
    expect(errorCode(await app.gql(CONCLUDE, { i: { experimentId: e.id, decision: 'ITERATE' } }, org))).toBe('EXPERIMENT_CONCLUDED');
  });

  it('plans the sample size', async () => {
    const { member } = await setup();
    expect(ok(await app.gql(`{ experimentSampleSize(baselineRate: 0.1, minimumDetectableLift: 0.2) }`, {}, member)).experimentSampleSize).toBe(3841);
    const bad = await app.gql(`{ experimentSampleSize(baselineRate: 1.5, minimumDetectableLift: 0.2) }`, {}, member);
    expect(bad.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'baselineRate' });
  });
});

describe('reviews', () => {
  it('records the review, creates a task per action linked to the campaign, and moves it to REVIEWED in one transaction', async () => {
    const { org, lead, finance, member, squadId, line } = await setup();
    const viewer = await addMember(app, org, 'VIEWER');
    const c = await createCampaign(app, lead, { squadId, budgetLineId: line.id });
    const input = {
      campaignId: c.id,
      summary: 'GMV 超目标，拉新不足',
      wentWell: 'KOL 转化好',
      toImprove: '会员权益不够吸引',
      actions: [
        { title: '复盘会员权益', assigneeId: member.userId, dueOn: '2026-07-01' },
        { title: '整理 KOL 名单', assigneeId: lead.userId },
      ],
    };
    const early = await app.gql(REVIEW, { i: input }, lead);
    expect(early.errors![0]).toMatchObject({ message: expect.stringContaining('Only a COMPLETED campaign'), extensions: { code: 'INVALID_TRANSITION' } });
    for (const to of ['PLANNED', 'APPROVED', 'LIVE', 'COMPLETED']) ok(await transition(app, to === 'APPROVED' ? finance : lead, c.id, to));
    expect(errorCode(await app.gql(REVIEW, { i: input }, finance))).toBe('FORBIDDEN');
    // The squad's lead finds the review in myWork, due a week after the campaign ended.
    const WORK = `{ myWork(first: 20) { totalCount nodes { kind reason dueOn subject { ... on Campaign { id } } } } }`;
    const due = ok(await app.gql(WORK, {}, lead)).myWork;
    expect(due.nodes.filter((n: { kind: string }) => n.kind === 'CAMPAIGN_REVIEW_DUE')).toEqual([
      { kind: 'CAMPAIGN_REVIEW_DUE', reason: 'completed; ended 2026-05-31: record its review', dueOn: '2026-06-07', subject: { id: c.id } },
    ]);
    expect(ok(await app.gql(WORK, {}, member)).myWork.nodes.filter((n: { kind: string }) => n.kind === 'CAMPAIGN_REVIEW_DUE')).toEqual([]);

    // An action for a VIEWER fails the whole review: no review, no task, still COMPLETED.
    const tasksBefore = Number((await app.ds.query(`SELECT count(*) FROM tasks WHERE organization_id = $1`, [uuid(org.organizationId)]))[0].count);
    const bad = await app.gql(REVIEW, { i: { ...input, actions: [...input.actions, { title: '给观察者', assigneeId: viewer.userId }] } }, lead);
    expect(bad.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'actions.2.assigneeId' });
    expect(Number((await app.ds.query(`SELECT count(*) FROM tasks WHERE organization_id = $1`, [uuid(org.organizationId)]))[0].count)).toBe(tasksBefore);
    expect(ok(await app.gql(CAMPAIGN, { id: c.id }, member)).campaign).toMatchObject({ status: 'COMPLETED', review: null, tasks: [] });

    const done = ok(await app.gql(REVIEW, { i: input }, lead)).reviewCampaign;
    expect(done.campaign.status).toBe('REVIEWED');
    const read = ok(await app.gql(CAMPAIGN, { id: c.id }, member)).campaign;
    expect(read.review).toEqual({ summary: input.summary, wentWell: input.wentWell, toImprove: input.toImprove, reviewedBy: { id: lead.userId } });
    expect(read.tasks).toEqual([
      { id: expect.any(String), title: '复盘会员权益', status: 'TODO', dueOn: '2026-07-01', assignee: { id: member.userId }, squad: { id: squadId } },
      { id: expect.any(String), title: '整理 KOL 名单', status: 'TODO', dueOn: null, assignee: { id: lead.userId }, squad: { id: squadId } },
    ]);
    // The member finds the action among their tasks.
    const mine = ok(await app.gql(`{ myTasks(first: 10) { nodes { title } } }`, {}, member)).myTasks.nodes;
    expect(mine).toEqual([{ title: '复盘会员权益' }]);
    expect(errorCode(await app.gql(REVIEW, { i: input }, lead))).toBe('INVALID_TRANSITION');
    expect(ok(await app.gql(WORK, {}, lead)).myWork.nodes.filter((n: { kind: string }) => n.kind === 'CAMPAIGN_REVIEW_DUE')).toEqual([]);
  });
});

describe('campaign list', () => {
  const LIST = /* GraphQL */ `
    query($f: CampaignsFilter, $first: Int, $after: String) {
      campaigns(filter: $f, first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor }
        nodes { id name status cost totalReturn roi returns { kind amount } experiments { name result { lift pValue significant winner } } }
      }
    }
  `;

  it('filters by squad and status, pages, and costs the same statements for 2 and 12 campaigns', async () => {
    const { org, lead, finance, squadId, line } = await setup();
    const otherSquad = await createSquad(app, org, lead.userId, '第二小组');
    const statements: number[] = [];
    for (const count of [2, 12]) {
      const f = await setup();
      for (let i = 0; i < count; i++) {
        const c = await createCampaign(app, f.lead, { squadId: f.squadId, budgetLineId: f.line.id, name: `活动 ${i}`, startsOn: `2026-05-${String(i + 1).padStart(2, '0')}` });
        ok(await recordExpense(app, f.finance, { budgetLineId: f.line.id, amount: '100.00', campaignId: c.id }));
        ok(await app.gql(RECORD_RETURN, { i: { campaignId: c.id, kind: 'DIRECT', amount: '150' } }, f.finance));
        const e = ok(await app.gql(CREATE_EXPERIMENT, { i: { campaignId: c.id, name: 'AB', hypothesis: 'h' } }, f.lead)).createExperiment.experiment;
        ok(await app.gql(RESULTS, { i: { experimentId: e.id, variants: [{ name: 'A', users: 100, conversions: 10, isControl: true }, { name: 'B', users: 100, conversions: 20, isControl: false }] } }, f.lead));
        // The larger organisation has more expenses and returns per campaign too.
        for (let k = 0; count > 2 && i === 0 && k < 5; k++) {
          ok(await recordExpense(app, f.finance, { budgetLineId: f.line.id, amount: '1.00', campaignId: c.id }));
          ok(await app.gql(RECORD_RETURN, { i: { campaignId: c.id, kind: 'BRAND', amount: '1' } }, f.finance));
        }
      }
      const r = await app.gql(LIST, { first: 20 }, f.finance);
      expect(ok(r).campaigns.nodes).toHaveLength(count);
      expect(ok(r).campaigns.nodes[0]).toMatchObject({ name: `活动 ${count - 1}`, cost: '100.00', totalReturn: '150.00', roi: '0.5' });
      statements.push(r.statements);
    }
    expect(statements[1]).toBe(statements[0]);

    const a = await createCampaign(app, lead, { squadId, budgetLineId: line.id, startsOn: '2026-05-03' });
    await createCampaign(app, lead, { squadId, startsOn: '2026-05-02' });
    await createCampaign(app, org, { squadId: otherSquad, startsOn: '2026-05-01' });
    ok(await transition(app, lead, a.id, 'PLANNED'));
    expect(ok(await app.gql(LIST, { f: { squadId } }, finance)).campaigns.totalCount).toBe(2);
    expect(ok(await app.gql(LIST, { f: { status: 'PLANNED' } }, finance)).campaigns.nodes.map((n: { id: string }) => n.id)).toEqual([a.id]);
    const first = ok(await app.gql(LIST, { first: 2 }, finance)).campaigns;
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = ok(await app.gql(LIST, { first: 2, after: first.pageInfo.endCursor }, finance)).campaigns;
    expect(rest.nodes).toHaveLength(1);
    expect(rest.pageInfo.hasNextPage).toBe(false);
  });
});

describe('concurrent reviews', () => {
  it('let exactly one review through; the other writes nothing', async () => {
    const { org, lead, member, squadId, line } = await setup();
    const c = await createCampaign(app, lead, { squadId, budgetLineId: line.id });
    for (const to of ['PLANNED', 'APPROVED', 'LIVE', 'COMPLETED']) ok(await transition(app, org, c.id, to));
    const review = (summary: string) =>
      app.gql(REVIEW, { i: { campaignId: c.id, summary, wentWell: '', toImprove: '', actions: [{ title: `行动 ${summary}`, assigneeId: member.userId }] } }, lead);
    const results = await Promise.all([review('甲'), review('乙')]);
    expect(results.map((r) => (r.errors ? r.errors[0].extensions!.code : 'OK')).sort()).toEqual(['INVALID_TRANSITION', 'OK']);
    const read = ok(await app.gql(CAMPAIGN, { id: c.id }, member)).campaign;
    expect(read.status).toBe('REVIEWED');
    expect(read.tasks).toHaveLength(1);
    expect(read.tasks[0].title).toBe(`行动 ${read.review.summary}`);
    const [{ n }] = await app.ds.query(`SELECT count(*)::int AS n FROM tasks WHERE organization_id = $1 AND title LIKE '行动 %'`, [uuid(org.organizationId)]);
    expect(n).toBe(1);
  });
});
