import { addBudgetLine, createBudget, recordExpense } from '../../support/budgets';
import { RECORD_RETURN, createCampaign } from '../../support/campaigns';
import { createOrg, type TestOrg } from '../../support/factories';
import { createSquad } from '../../support/planning';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';

/**
 * What a campaign computes from user input — a return from its basis, the sum of its returns,
 * ROI, a targeted KPI's actual — stays in the documented Decimal range (38 significant digits,
 * exponent from -40 to 40): out of range is BAD_USER_INPUT naming the field when written, null
 * when read.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const RANGE = /out of the Decimal range \(at most 38 significant digits, exponent from -40 to 40\)/;
const TOTALS = `query($id: ID!) { campaign(id: $id) { totalReturn roi returns { amount } targets { actual } } }`;

async function campaign(org: TestOrg, extra: Record<string, unknown> = {}) {
  return createCampaign(app, org, { squadId: await createSquad(app, org, org.userId), ...extra });
}

const recordReturn = (org: TestOrg, campaignId: string, input: Record<string, unknown>) =>
  app.gql(RECORD_RETURN, { i: { campaignId, kind: 'DIRECT', ...input } }, org);

describe('returns', () => {
  it('refuses a return that takes the total past the range, naming amount, and keeps the total', async () => {
    const org = await createOrg(app);
    const c = await campaign(org);
    ok(await recordReturn(org, c.id, { amount: '9e40' }));
    const second = await recordReturn(org, c.id, { amount: '9e40' });
    expect(errorCode(second)).toBe('BAD_USER_INPUT');
    expect(second.errors![0].extensions!.field).toBe('amount');
    expect(second.errors![0].message).toMatch(RANGE);
    // 9e40 + 1e-40 needs 81 significant digits.
    const tiny = await recordReturn(org, c.id, { amount: '1e-40' });
    expect(tiny.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amount' });
    // From a basis, the field named is the basis.
    const fromBasis = await recordReturn(org, c.id, { basis: { gmv: '9e40', grossMargin: '1' } });
    expect(fromBasis.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'basis' });
    const read = ok(await app.gql(TOTALS, { id: c.id }, org)).campaign;
    expect(read).toMatchObject({ totalReturn: '9'.padEnd(41, '0'), returns: [{ amount: '9'.padEnd(41, '0') }] });
    // Within the range, it adds up.
    ok(await recordReturn(org, c.id, { amount: '9.9e39' }));
    expect(ok(await app.gql(TOTALS, { id: c.id }, org)).campaign.totalReturn).toBe('999'.padEnd(41, '0'));
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ['DIRECT', { gmv: '1.2345678901234567890123456789012345678e30', grossMargin: '0.12345678901234567890123456789012345678' }, '76 significant digits', 'gmv × grossMargin'],
    ['DIRECT', { gmv: '1e-40', grossMargin: '0.5' }, 'under 1e-40', 'gmv × grossMargin'],
    ['INDIRECT', { newMembers: 1e15, lifetimeValue: '1e30' }, '1e45', 'newMembers × lifetimeValue'],
    ['BRAND', { impressions: 1e15, cpm: '1e30' }, '1e42', 'impressions ÷ 1000 × cpm'],
    ['BRAND', { impressions: 1, cpm: '1e-38' }, '1e-41', 'impressions ÷ 1000 × cpm'],
  ])('refuses a %s return whose basis gives %j (%s), naming the basis', async (kind, basis, _what, product) => {
    const org = await createOrg(app);
    const c = await campaign(org);
    const r = await recordReturn(org, c.id, { kind, basis });
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].extensions!.field).toBe('basis');
    expect(r.errors![0].message).toMatch(RANGE);
    expect(r.errors![0].message).toContain(`The ${product} of this basis`);
    expect(ok(await app.gql(TOTALS, { id: c.id }, org)).campaign).toMatchObject({ totalReturn: '0', returns: [] });
  });

  it('accepts a basis whose product is exactly at the edges of the range', async () => {
    const org = await createOrg(app);
    const c = await campaign(org);
    const r = ok(await recordReturn(org, c.id, { basis: { gmv: '9.9999999999999999999999999999999999999e40', grossMargin: '1' } })).recordCampaignReturn;
    expect(r.campaignReturn.amount).toBe('99999999999999999999999999999999999999000');
    const small = ok(await recordReturn(org, (await campaign(org)).id, { kind: 'BRAND', basis: { impressions: 1000, cpm: '1e-40' } })).recordCampaignReturn;
    expect(small.campaignReturn.amount).toBe(`0.${'0'.repeat(39)}1`);
  });
});

describe('reading', () => {
  it('gives a ROI past the range as null', async () => {
    const org = await createOrg(app);
    const budget = await createBudget(app, org);
    const line = await addBudgetLine(app, org, { budgetId: budget.id });
    const c = await campaign(org, { budgetLineId: line.id });
    ok(await recordExpense(app, org, { budgetLineId: line.id, amount: '0.01', campaignId: c.id }));
    ok(await recordReturn(org, c.id, { amount: '1e36' }));
    // (1e36 − 0.01) ÷ 0.01 = 1e38 − 1: 38 digits, in the range, exact.
    expect(ok(await app.gql(TOTALS, { id: c.id }, org)).campaign.roi).toBe('9'.repeat(38));
    ok(await recordReturn(org, c.id, { amount: '9.99e38' }));
    // (1e39 − 0.01) ÷ 0.01 ≈ 1e41.
    expect(ok(await app.gql(TOTALS, { id: c.id }, org)).campaign).toMatchObject({ totalReturn: '1'.padEnd(40, '0'), roi: null });
  });

  it("gives a targeted KPI's actual past the range as null", async () => {
    const org = await createOrg(app);
    ok(await app.gql(`mutation { createKpi(input: { key: "gmv", name: "GMV", layer: STRATEGIC, aggregation: SUM }) { kpi { id } } }`, {}, org));
    const c = await campaign(org, { startsOn: '2026-05-01', endsOn: '2026-06-30', targets: [{ kpiKey: 'gmv', target: '1' }] });
    const RECORD = `mutation($i: RecordMeasurementsInput!) { recordMeasurements(input: $i) { inserted } }`;
    ok(await app.gql(RECORD, { i: { measurements: [{ kpiKey: 'gmv', periodStart: '2026-05-04', value: '6e40' }] } }, org));
    expect(ok(await app.gql(TOTALS, { id: c.id }, org)).campaign.targets).toEqual([{ actual: '6'.padEnd(41, '0') }]);
    // Each month in the range, their sum over the campaign (1.2e41) not.
    ok(await app.gql(RECORD, { i: { measurements: [{ kpiKey: 'gmv', periodStart: '2026-06-01', value: '6e40' }] } }, org));
    expect(ok(await app.gql(TOTALS, { id: c.id }, org)).campaign.targets).toEqual([{ actual: null }]);
  });
});
