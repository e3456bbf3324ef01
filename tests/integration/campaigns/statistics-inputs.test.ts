import { createCampaign } from '../../support/campaigns';
import { createOrg, type TestOrg } from '../../support/factories';
import { createSquad } from '../../support/planning';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';

/**
 * Degenerate statistics inputs — rates, alpha and power at or beyond 0 and 1, denormal numbers,
 * counts that cannot be — are BAD_USER_INPUT naming the field, not a number computed from them.
 */
let app: TestApp;
let org: TestOrg;
beforeAll(async () => {
  app = await startTestApp();
  org = await createOrg(app);
});
afterAll(() => app.stop());

const SAMPLE = `query($b: Float!, $l: Float!, $a: Float!, $p: Float!) { experimentSampleSize(baselineRate: $b, minimumDetectableLift: $l, alpha: $a, power: $p) }`;
const usual = { b: 0.1, l: 0.2, a: 0.05, p: 0.8 };
const CREATE = `mutation($i: CreateExperimentInput!) { createExperiment(input: $i) { experiment { id alpha } } }`;
const RESULTS = `mutation($i: RecordExperimentResultsInput!) { recordExperimentResults(input: $i) { experiment { id } } }`;

describe('experimentSampleSize', () => {
  it.each<[string, Partial<typeof usual>]>([
    ['baselineRate', { b: 0 }],
    ['baselineRate', { b: 1 }],
    ['baselineRate', { b: -0.1 }],
    ['baselineRate', { b: 1.5 }],
    ['baselineRate', { b: 5e-324 }],
    ['baselineRate', { b: 1e-300 }],
    ['baselineRate', { b: 0.99999999, l: -0.2 }],
    ['minimumDetectableLift', { l: 0 }],
    ['minimumDetectableLift', { l: 1e-320 }],
    ['minimumDetectableLift', { l: -1 }],
    ['minimumDetectableLift', { l: 1e308 }],
    ['alpha', { a: 0 }],
    ['alpha', { a: 1e-320 }],
    ['alpha', { a: 1e-10 }],
    ['alpha', { a: 0.5 }],
    ['alpha', { a: 1 }],
    ['power', { p: 0 }],
    ['power', { p: 0.49 }],
    ['power', { p: 1 }],
    ['power', { p: 0.9999999999999999 }],
    ['power', { p: 1e-320 }],
  ])('refuses a degenerate %s (%j), naming it', async (field, args) => {
    const r = await app.gql(SAMPLE, { ...usual, ...args }, org);
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].extensions!.field).toBe(field);
    expect(r.errors![0].message).toMatch(new RegExp(field));
  });

  it('answers at the edges of each range', async () => {
    const n = async (args: Partial<typeof usual>) => ok(await app.gql(SAMPLE, { ...usual, ...args }, org)).experimentSampleSize;
    expect(await n({})).toBe(3841);
    for (const args of [{ a: 0.000001 }, { a: 0.4999 }, { p: 0.5 }, { p: 0.999999 }, { b: 0.999999, l: -0.5 }, { b: 0.01 }]) {
      expect([args, Number.isInteger(await n(args))]).toEqual([args, true]);
    }
  });
});

describe('experiments', () => {
  it.each([0, -0.05, 1e-320, 1e-10, 0.5, 2])('refuses alpha %p when created, naming alpha, and creates nothing', async (alpha) => {
    const campaignId = (await createCampaign(app, org, { squadId: await createSquad(app, org, org.userId, `小组 α ${alpha}`) })).id;
    const r = await app.gql(CREATE, { i: { campaignId, name: '一键结账', hypothesis: '少一步', alpha } }, org);
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].extensions!.field).toBe('alpha');
    const n = ok(await app.gql(`query($id: ID!) { campaign(id: $id) { experiments { id } } }`, { id: campaignId }, org)).campaign.experiments.length;
    expect(n).toBe(0);
  });

  it.each<[string, [number, number], [number, number]]>([
    ['variants.0.users', [0, 0], [10, 1]],
    ['variants.1.users', [10, 1], [-5, 0]],
    ['variants.0.users', [5e-324, 0], [10, 1]],
    ['variants.1.users', [10, 1], [10.5, 1]],
    ['variants.0.conversions', [10, 11], [10, 1]],
    ['variants.1.conversions', [10, 1], [10, 1e-320]],
    ['variants.1.conversions', [10, 1], [10, -1]],
  ])('refuses counts that cannot be, naming %s', async (field, control, treatment) => {
    const e = ok(await app.gql(CREATE, { i: { campaignId: (await createCampaign(app, org, { squadId: await createSquad(app, org, org.userId, `小组 ${field}`) })).id, name: 'A/B', hypothesis: 'h' } }, org))
      .createExperiment.experiment;
    const variants = [
      { name: '对照', users: control[0], conversions: control[1], isControl: true },
      { name: '实验', users: treatment[0], conversions: treatment[1], isControl: false },
    ];
    const r = await app.gql(RESULTS, { i: { experimentId: e.id, variants } }, org);
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].extensions!.field).toBe(field);
  });
});
