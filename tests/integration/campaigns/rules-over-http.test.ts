import { addBudgetLine, createBudget } from '../../support/budgets';
import { createCampaign, transition } from '../../support/campaigns';
import { createOrg, type TestOrg } from '../../support/factories';
import { createSquad } from '../../support/planning';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';

/** The campaign life cycle's refusals and the A/B z-test, pinned over HTTP (the unit tests pin the rules). */
let app: TestApp;
let org: TestOrg;
let squadId: string;
let lineId: string;
beforeAll(async () => {
  app = await startTestApp();
  org = await createOrg(app);
  squadId = await createSquad(app, org, org.userId);
  lineId = (await addBudgetLine(app, org, { budgetId: (await createBudget(app, org)).id })).id;
});
afterAll(() => app.stop());

const STATUSES = ['DRAFT', 'PLANNED', 'APPROVED', 'LIVE', 'COMPLETED', 'REVIEWED', 'CANCELLED'] as const;
type Status = (typeof STATUSES)[number];
/** goal-setting → resource planning → design → execution → evaluation → review; cancelled until it completes. */
const NEXT: Record<Status, Status[]> = {
  DRAFT: ['PLANNED', 'CANCELLED'],
  PLANNED: ['APPROVED', 'CANCELLED'],
  APPROVED: ['LIVE', 'CANCELLED'],
  LIVE: ['COMPLETED', 'CANCELLED'],
  COMPLETED: ['REVIEWED'],
  REVIEWED: [],
  CANCELLED: [],
};
const PATH: Status[] = ['PLANNED', 'APPROVED', 'LIVE', 'COMPLETED'];
const READ = `query($id: ID!) { campaign(id: $id) { status version } }`;

/** A campaign brought to `status` through the API. */
async function campaignIn(status: Status): Promise<string> {
  const { id } = await createCampaign(app, org, { squadId, budgetLineId: lineId, name: `活动 ${status}` });
  if (status === 'CANCELLED') ok(await transition(app, org, id, 'CANCELLED'));
  for (const to of status === 'REVIEWED' ? PATH : PATH.slice(0, PATH.indexOf(status as Status) + 1)) ok(await transition(app, org, id, to));
  if (status === 'REVIEWED') {
    ok(
      await app.gql(`mutation($i: ReviewCampaignInput!) { reviewCampaign(input: $i) { campaign { status } } }`, {
        i: { campaignId: id, summary: '复盘', wentWell: '', toImprove: '', actions: [] },
      }, org),
    );
  }
  expect(ok(await app.gql(READ, { id }, org)).campaign.status).toBe(status);
  return id;
}

describe('campaign life cycle', () => {
  it.each(STATUSES)('refuses every transition not allowed from %s, naming the allowed ones, and changes nothing', async (from) => {
    const id = await campaignIn(from);
    const before = ok(await app.gql(READ, { id }, org)).campaign;
    // REVIEWED is allowed after COMPLETED, but only through reviewCampaign (which records the review).
    for (const to of STATUSES.filter((s) => !NEXT[from].includes(s) || s === 'REVIEWED')) {
      const r = await app.gql(`mutation($i: TransitionCampaignInput!) { transitionCampaign(input: $i) { campaign { status } } }`, { i: { id, to } }, org);
      expect([from, to, errorCode(r)]).toEqual([from, to, 'INVALID_TRANSITION']);
      expect(r.errors![0].extensions!.allowed).toEqual(NEXT[from]);
      const why = from === 'COMPLETED' && to === 'REVIEWED' ? 'through reviewCampaign' : NEXT[from].length ? `allowed next: ${NEXT[from].join(', ')}` : 'is final';
      expect(r.errors![0].message).toContain(why);
    }
    expect(ok(await app.gql(READ, { id }, org)).campaign).toEqual(before);
  });
});

describe('A/B z-test', () => {
  const CREATE = `mutation($i: CreateExperimentInput!) { createExperiment(input: $i) { experiment { id } } }`;
  const RESULTS = `mutation($i: RecordExperimentResultsInput!) {
    recordExperimentResults(input: $i) { experiment { result { controlRate treatmentRate lift zScore pValue significant winner } } } }`;

  async function result(alpha: number, control: [number, number], treatment: [number, number]) {
    const campaignId = (await createCampaign(app, org, { squadId, name: `实验 ${alpha} ${control} ${treatment}` })).id;
    const e = ok(await app.gql(CREATE, { i: { campaignId, name: '一键结账', hypothesis: '少一步', alpha } }, org)).createExperiment.experiment;
    const variants = [
      { name: '对照', users: control[0], conversions: control[1], isControl: true },
      { name: '实验', users: treatment[0], conversions: treatment[1], isControl: false },
    ];
    return ok(await app.gql(RESULTS, { i: { experimentId: e.id, variants } }, org)).recordExperimentResults.experiment.result;
  }

  // Expected values from the pooled two-proportion z-test written out independently:
  // p = (x₁ + x₂)/(n₁ + n₂), z = (p₂ − p₁)/√(p(1 − p)(1/n₁ + 1/n₂)), pValue = erfc(|z|/√2).
  it('gives the lift as an exact decimal string and the tiny p-value of a strong result, not 0', async () => {
    // 59 of 500 against 50 of 500: a float lift is 0.17999999999999988.
    const small = await result(0.05, [500, 50], [500, 59]);
    expect(small).toMatchObject({ controlRate: 0.1, treatmentRate: 0.118, lift: '0.18', significant: false, winner: null });
    // 1000 of 10,000 against 1400 of 10,000: z = 8.7039, where 2(1 − Φ(|z|)) is 0.
    const strong = await result(0.05, [10000, 1000], [10000, 1400]);
    expect(strong).toMatchObject({ controlRate: 0.1, treatmentRate: 0.14, lift: '0.4', significant: true, winner: '实验' });
    expect(strong.zScore).toBeCloseTo(8.703882797784894, 9);
    expect(strong.pValue).toBeGreaterThan(0);
    expect(Math.abs(strong.pValue - 3.2071825619971477e-18) / 3.2071825619971477e-18).toBeLessThan(1e-4);
  });

  it('tests 100 of 1000 against 130 of 1000: z 2.1027, p 0.0355, significant at 0.05 but not at 0.01', async () => {
    const at05 = await result(0.05, [1000, 100], [1000, 130]);
    expect(at05).toMatchObject({ controlRate: 0.1, treatmentRate: 0.13, significant: true, winner: '实验' });
    expect(at05.lift).toBe('0.3');
    expect(at05.zScore).toBeCloseTo(2.102740605622114, 9);
    expect(at05.pValue).toBeCloseTo(0.03548845046647473, 9);
    const at01 = await result(0.01, [1000, 100], [1000, 130]);
    expect(at01).toMatchObject({ significant: false, winner: null });
    expect(at01.pValue).toBeCloseTo(0.03548845046647473, 9);
  });

  it('names the control the winner when the treatment converts significantly worse, with arms of different sizes', async () => {
    const r = await result(0.1, [2000, 300], [1500, 195]);
    expect(r).toMatchObject({ controlRate: 0.15, treatmentRate: 0.13, significant: true, winner: '对照' });
    expect(r.lift).toBe('-0.133333');
    expect(r.zScore).toBeCloseTo(-1.6803502214830381, 9);
    expect(r.pValue).toBeCloseTo(0.09288919508966192, 9);
    expect(await result(0.05, [2000, 300], [1500, 195])).toMatchObject({ significant: false, winner: null });
  });

  it('gives no lift when the control converted nobody, and still tests', async () => {
    const r = await result(0.05, [1000, 0], [1000, 5]);
    expect(r).toMatchObject({ controlRate: 0, treatmentRate: 0.005, lift: null, significant: true, winner: '实验' });
    expect(r.zScore).toBeCloseTo(2.238868314198225, 9);
    expect(r.pValue).toBeCloseTo(0.025164485700318553, 9);
    // Nobody converting anywhere: no evidence of a difference.
    expect(await result(0.05, [1000, 0], [1000, 0])).toMatchObject({ zScore: 0, pValue: 1, significant: false, winner: null });
  });
});
