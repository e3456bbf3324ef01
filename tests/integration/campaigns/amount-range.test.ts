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

/** A campaign on a line of a CNY budget (its returns are in its budget's currency). */
async function campaign(org: TestOrg, extra: Record<string, unknown> = {}) {
  const budget = await createBudget(app, org);
  const line = await addBudgetLine(app, org, { budgetId: budget.id });
  return createCampaign(app, org, { squadId: await createSquad(app, org, org.userId), budgetLineId: line.id, ...extra });
}

const recordReturn = (org: TestOrg, campaignId: string, input: Record<string, unknown>) =>
  app.gql(RECORD_RETURN, { i: { campaignId, kind: 'DIRECT', ...input } }, org);

describe('returns', () => {
  it('takes an amount like every amount: plain notation, at most 10^15, no finer than the currency; none without a budget line', async () => {
    const org = await createOrg(app);
    const c = await campaign(org);
    for (const [amount, message] of [
      ['1e3', /plain decimal notation/],
      ['1000000000000000.01', /at most 1000000000000000/],
      ['0.001', /more decimals than CNY allows \(2\)/],
      ['-1', /0 or more/],
    ] as const) {
      const r = await recordReturn(org, c.id, { amount });
      expect(r.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amount' });
      expect(r.errors![0].message).toMatch(message);
    }
    ok(await recordReturn(org, c.id, { amount: '1000000000000000' }));
    ok(await recordReturn(org, c.id, { amount: '0.10' }));
    expect(ok(await app.gql(TOTALS, { id: c.id }, org)).campaign).toMatchObject({
      totalReturn: '1000000000000000.10',
      returns: [{ amount: '1000000000000000.00' }, { amount: '0.10' }],
    });
    const noLine = await createCampaign(app, org, { squadId: await createSquad(app, org, org.userId, '无预算') });
    const refused = await recordReturn(org, noLine.id, { amount: '1' });
    expect(refused.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'campaignId' });
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
    expect(ok(await app.gql(TOTALS, { id: c.id }, org)).campaign).toMatchObject({ totalReturn: '0.00', returns: [] });
  });

  it('rounds a basis product half to even to the minor unit, and refuses one above 10^15 naming the basis', async () => {
    const org = await createOrg(app);
    const c = await campaign(org);
    const r = ok(await recordReturn(org, c.id, { basis: { gmv: '1000000000000000', grossMargin: '1' } })).recordCampaignReturn;
    expect(r.campaignReturn.amount).toBe('1000000000000000.00');
    const over = await recordReturn(org, c.id, { basis: { gmv: '1000000000000000.02', grossMargin: '1' } });
    expect(over.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'basis', max: '1000000000000000' });
    // 1,000 impressions at 0.005 per thousand: 0.005 → 0.00; at 0.015: 0.015 → 0.02.
    expect(ok(await recordReturn(org, c.id, { kind: 'BRAND', basis: { impressions: 1000, cpm: '0.005' } })).recordCampaignReturn.campaignReturn.amount).toBe('0.00');
    expect(ok(await recordReturn(org, c.id, { kind: 'BRAND', basis: { impressions: 1000, cpm: '0.015' } })).recordCampaignReturn.campaignReturn.amount).toBe('0.02');
  });
});

describe('reading', () => {
  it('gives the ROI of the largest return on the smallest cost exactly', async () => {
    const org = await createOrg(app);
    const budget = await createBudget(app, org);
    const line = await addBudgetLine(app, org, { budgetId: budget.id });
    const c = await createCampaign(app, org, { squadId: await createSquad(app, org, org.userId), budgetLineId: line.id });
    ok(await recordExpense(app, org, { budgetLineId: line.id, amount: '0.01', campaignId: c.id }));
    ok(await recordReturn(org, c.id, { amount: '1000000000000000' }));
    // (10^15 − 0.01) ÷ 0.01 = 10^17 − 1.
    expect(ok(await app.gql(TOTALS, { id: c.id }, org)).campaign.roi).toBe('9'.repeat(17));
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
