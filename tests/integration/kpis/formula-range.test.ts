import { monitorEventLoopDelay } from 'node:perf_hooks';
import { decodeGlobalId } from '../../../src/common/ids';
import { addBudgetLine, createBudget } from '../../support/budgets';
import { createOrg, type TestOrg } from '../../support/factories';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';
import { createKpi, CREATE_KPI, record, setFormula, UPDATE_KPI } from './support';

/**
 * Formula literals and every value a formula computes stay in the documented Decimal range (38
 * significant digits, exponent from -40 to 40): out of range is BAD_USER_INPUT when a formula is
 * saved, and a null value with its reason when a period is evaluated, never a stalled server.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const VALUE = `query($k: String!, $p: Date!) { kpi(key: $k) { valueAt(periodStart: $p) valueReason(periodStart: $p) status latest { value } } }`;
const WEEK = '2026-03-02';
const RANGE = /out of the Decimal range \(at most 38 significant digits, exponent from -40 to 40\)/;

/** A formula KPI `top` over two measured children c1 and c2. */
async function tree(org: TestOrg) {
  const top = await createKpi(app, org, { key: 'top' });
  await createKpi(app, org, { key: 'c1', parentId: top.id });
  await createKpi(app, org, { key: 'c2', parentId: top.id });
  return top;
}

async function valueOf(org: TestOrg, key = 'top') {
  return ok(await app.gql(VALUE, { k: key, p: WEEK }, org)).kpi;
}

describe('formula literals', () => {
  let org: TestOrg;
  let top: { id: string; version: number; key: string };
  beforeAll(async () => {
    org = await createOrg(app);
    top = await tree(org);
  });

  it.each([
    '1e9000000000000000',
    '1e99999999',
    '1e9999999',
    '1e20000',
    '1e41',
    '1e-41',
    '0.00000000000000000000000000000000000000001',
    '1234567890123456789012345678901234567890',
  ])('refuses c1 * %s when saved, naming the formula, and stores nothing', async (literal) => {
    const before = ok(await app.gql(`{ kpi(key: "top") { formula version } }`, {}, org)).kpi;
    const r = await app.gql(UPDATE_KPI, { i: { id: top.id, expectedVersion: before.version, formula: `c1 * ${literal}` } }, org);
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].extensions!.field).toBe('formula');
    expect(r.errors![0].message).toMatch(/^The number .* is out of the Decimal range \(at most 38 significant digits, exponent from -40 to 40\)/);
    expect(r.errors![0].message.length).toBeLessThan(300);
    expect(ok(await app.gql(`{ kpi(key: "top") { formula version } }`, {}, org)).kpi).toEqual(before);
  });

  it('refuses them in createKpi too, before looking at the keys', async () => {
    const r = await app.gql(CREATE_KPI, { i: { key: 'huge', name: 'huge', layer: 'TACTICAL', formula: '2 * 1e9999999' } }, org);
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].extensions!.field).toBe('formula');
    expect(r.errors![0].message).toMatch(RANGE);
  });

  it('accepts the edges of the range', async () => {
    await setFormula(app, org, top, 'c1 * 9.9999999999999999999999999999999999999e40 + c2 * 0.00000000000000000000000000000000000000001e1');
    const later = '2026-03-09';
    ok(
      await record(app, org, [
        { kpiKey: 'c1', periodStart: WEEK, value: '1' },
        { kpiKey: 'c2', periodStart: WEEK, value: '0' },
        { kpiKey: 'c1', periodStart: later, value: '0' },
        { kpiKey: 'c2', periodStart: later, value: '1' },
      ]),
    );
    expect((await valueOf(org)).valueAt).toBe('99999999999999999999999999999999999999000');
    expect(ok(await app.gql(VALUE, { k: 'top', p: later }, org)).kpi.valueAt).toBe(`0.${'0'.repeat(39)}1`);
  });
});

describe('computed values', () => {
  it.each([
    ['c1 * c2', '1e30', '1e11', 'above: 1e41'],
    ['c1 + c2', '9e40', '9e40', 'above, by a sum'],
    ['c1 - c2', '-9e40', '9e40', 'below, by a difference'],
    ['c1 / c2', '1e30', '1e-30', 'above, by a division'],
    ['c1 * c2', '1e-30', '1e-30', 'under: 1e-60'],
    ['c1 / c2', '1e-30', '1e30', 'under, by a division'],
    ['c1 * 1e20 * 1e20 / 1e20', '10', '1', 'above in an inner step only'],
    ['-(c1 * c2)', '1e30', '1e30', 'above, negated'],
  ])('%s with c1 = %s and c2 = %s (%s) is null with the reason', async (formula, c1, c2) => {
    const org = await createOrg(app);
    const top = await tree(org);
    await setFormula(app, org, top, formula);
    ok(await record(app, org, [{ kpiKey: 'c1', periodStart: WEEK, value: c1 }, { kpiKey: 'c2', periodStart: WEEK, value: c2 }]));
    const v = await valueOf(org);
    expect(v.valueAt).toBeNull();
    expect(v.valueReason).toMatch(RANGE);
    expect(v.valueReason).toMatch(/^Out of range: /);
    expect(v).toMatchObject({ latest: null, status: 'NO_DATA' });
  });

  it('rounds a value to 38 significant digits, the range the API accepts back', async () => {
    const org = await createOrg(app);
    const top = await tree(org);
    await setFormula(app, org, top, 'c1 / c2');
    ok(await record(app, org, [{ kpiKey: 'c1', periodStart: WEEK, value: '2' }, { kpiKey: 'c2', periodStart: WEEK, value: '3' }]));
    const v = await valueOf(org);
    expect(v.valueAt).toBe(`0.${'6'.repeat(37)}7`);
    expect(v.latest).toEqual({ value: v.valueAt });
    // 38 digits times 38 digits: rounded, not 76 digits.
    await setFormula(app, org, top, 'c1 * c2');
    const n = '1.2345678901234567890123456789012345678';
    ok(await record(app, org, [{ kpiKey: 'c1', periodStart: WEEK, value: n }, { kpiKey: 'c2', periodStart: WEEK, value: n }]));
    expect((await valueOf(org)).valueAt).toBe('1.5241578753238836750495351562566681943');
  });
});

describe('a formula stored before the range was checked', () => {
  it('evaluates to null with the reason, without stalling the server, and leaves other organisations alone', async () => {
    const org = await createOrg(app);
    const other = await createOrg(app);
    const top = await tree(org);
    await setFormula(app, org, top, 'c1 * 2');
    await tree(other);
    // Written behind the API's back, as the API once accepted it.
    await app.ds.query(`UPDATE kpis SET formula = 'c1 * 1e9999999' WHERE id = $1`, [decodeGlobalId(top.id)!.id]);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const recorded = await record(app, org, [{ kpiKey: 'c1', periodStart: WEEK, value: '2' }]);
    delay.disable();
    expect(ok(recorded).recordMeasurements).toEqual({ inserted: 1, updated: 0, alertsRaised: 0 });
    // Far below the second that building the ten-million-digit value took (event-loop delay, in ns).
    expect(delay.max).toBeLessThan(500e6);
    const v = await valueOf(org);
    expect(v).toMatchObject({ valueAt: null, latest: null, status: 'NO_DATA' });
    expect(v.valueReason).toMatch(/^The number 1e9999999 is out of the Decimal range/);
    // The tree, the what-if and the other organisation keep answering.
    expect(ok(await app.gql(`{ kpiTree(rootKey: "top") { kpi { key latest { value } } } }`, {}, org)).kpiTree).toHaveLength(3);
    const whatIf = ok(
      await app.gql(`query($i: KpiWhatIfInput!) { kpiWhatIf(input: $i) { kpi { key } projected reason } }`, {
        i: { rootKey: 'top', periodStart: WEEK, changes: [{ kpiKey: 'c1', percent: '10' }] },
      }, org),
    ).kpiWhatIf;
    expect(whatIf.find((p: any) => p.kpi.key === 'top')).toMatchObject({ projected: null, reason: expect.stringMatching(/1e9999999 is out of the Decimal range/) });
    ok(await record(app, other, [{ kpiKey: 'c1', periodStart: WEEK, value: '2' }]));
    // It can be replaced.
    await setFormula(app, org, top, 'c1 * 3');
    expect((await valueOf(org)).valueAt).toBe('6');
  });
});

describe('what-if', () => {
  const Q = `query($i: KpiWhatIfInput!) { kpiWhatIf(input: $i) { kpi { key } baseline projected deltaPercent reason } }`;

  it('gives a projection past the range as null with the reason, and the formulas above it too', async () => {
    const org = await createOrg(app);
    const top = await tree(org);
    await setFormula(app, org, top, 'c1 + c2');
    ok(await record(app, org, [{ kpiKey: 'c1', periodStart: WEEK, value: '9e40' }, { kpiKey: 'c2', periodStart: WEEK, value: '1' }]));
    const r = ok(await app.gql(Q, { i: { rootKey: 'top', periodStart: WEEK, changes: [{ kpiKey: 'c1', percent: '100' }] } }, org)).kpiWhatIf;
    const by = Object.fromEntries(r.map((p: any) => [p.kpi.key, p]));
    expect(by.c1).toMatchObject({ baseline: '9'.padEnd(41, '0'), projected: null, deltaPercent: null, reason: expect.stringMatching(RANGE) });
    expect(by.top).toMatchObject({ projected: null, deltaPercent: null, reason: expect.stringMatching(/c1/) });
  });

  it('gives a change in percent past the range as null with the reason', async () => {
    const org = await createOrg(app);
    const top = await tree(org);
    await setFormula(app, org, top, 'c1 - c2');
    // Baseline 1; c1 × 101 (rounded to 38 digits) makes the top about 1e39, a change of about 1e41 %.
    ok(
      await record(app, org, [
        { kpiKey: 'c1', periodStart: WEEK, value: '10000000000000000000000000000000000001' },
        { kpiKey: 'c2', periodStart: WEEK, value: '10000000000000000000000000000000000000' },
      ]),
    );
    const r = ok(await app.gql(Q, { i: { rootKey: 'top', periodStart: WEEK, changes: [{ kpiKey: 'c1', percent: '10000' }] } }, org)).kpiWhatIf;
    const t = r.find((p: any) => p.kpi.key === 'top');
    expect(t).toMatchObject({ baseline: '1', projected: '1000000000000000000000000000000000000100', deltaPercent: null });
    expect(t.reason).toMatch(/deltaPercent/);
    expect(t.reason).toMatch(RANGE);
  });
});

describe('values per week or month', () => {
  it("gives a month whose measurements sum past the range as null, beside a budget's burn", async () => {
    const org = await createOrg(app);
    await createKpi(app, org, { key: 'gmv', aggregation: 'SUM' });
    const budget = await createBudget(app, org, { periodStart: '2026-04-01', periodEnd: '2026-05-31' });
    await addBudgetLine(app, org, { budgetId: budget.id, kpiKeys: ['gmv'] });
    ok(
      await record(app, org, [
        { kpiKey: 'gmv', periodStart: '2026-04-06', value: '6e40' },
        { kpiKey: 'gmv', periodStart: '2026-05-04', value: '6e40' },
        { kpiKey: 'gmv', periodStart: '2026-05-11', value: '6e40' },
      ]),
    );
    const burn = ok(
      await app.gql(`query($id: ID!) { budgetBurn(budgetId: $id, grain: MONTH) { periodStart kpiValues { value } } }`, { id: budget.id }, org),
    ).budgetBurn;
    expect(burn).toEqual([
      { periodStart: '2026-04-01', kpiValues: [{ value: '6'.padEnd(41, '0') }] },
      { periodStart: '2026-05-01', kpiValues: [{ value: null }] }, // 1.2e41
    ]);
  });
});
