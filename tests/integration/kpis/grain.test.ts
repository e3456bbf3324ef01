import 'reflect-metadata';
import { addDays, bucketStart, Grain, today } from '../../../src/common/periods';
import { createOrg, type TestOrg } from '../../support/factories';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';
import { CREATE_KPI, createKpi, gmvTree, record, setFormula, UPDATE_KPI } from './support';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const GRAIN = `query($k: String!) { kpi(key: $k) { key grain version } }`;

describe('KPI grain', () => {
  let org: TestOrg;
  beforeAll(async () => {
    org = await createOrg(app);
  });

  it('is WEEK by default, takes DAY, WEEK or MONTH and refuses QUARTER naming grain', async () => {
    await createKpi(app, org, { key: 'weekly' });
    expect(ok(await app.gql(GRAIN, { k: 'weekly' }, org)).kpi.grain).toBe('WEEK');
    await createKpi(app, org, { key: 'monthly', grain: 'MONTH' });
    expect(ok(await app.gql(GRAIN, { k: 'monthly' }, org)).kpi.grain).toBe('MONTH');
    const quarter = await app.gql(CREATE_KPI, { i: { key: 'quarterly', name: 'q', layer: 'TACTICAL', grain: 'QUARTER' } }, org);
    expect([errorCode(quarter), quarter.errors![0].extensions!.field]).toEqual(['BAD_USER_INPUT', 'grain']);
    const k = ok(await app.gql(GRAIN, { k: 'monthly' }, org)).kpi;
    const toQuarter = await app.gql(UPDATE_KPI, { i: { id: (await createKpi(app, org, { key: 'daily', grain: 'DAY' })).id, expectedVersion: 1, grain: 'QUARTER' } }, org);
    expect([errorCode(toQuarter), toQuarter.errors![0].extensions!.field]).toEqual(['BAD_USER_INPUT', 'grain']);
    expect(k.grain).toBe('MONTH');
  });

  it('changes only when every measurement starts a bucket of the new grain, saying how many block it', async () => {
    const kpi = await createKpi(app, org, { key: 'signups' });
    // Two Mondays; 2026-06-01 is also a month start, 2026-03-09 is not.
    ok(await record(app, org, [{ kpiKey: 'signups', periodStart: '2026-03-09', value: '1' }, { kpiKey: 'signups', periodStart: '2026-06-01', value: '2' }]));
    const blocked = await app.gql(UPDATE_KPI, { i: { id: kpi.id, expectedVersion: kpi.version, grain: 'MONTH' } }, org);
    expect([errorCode(blocked), blocked.errors![0].extensions!.field]).toEqual(['BAD_USER_INPUT', 'grain']);
    expect(blocked.errors![0].message).toMatch(/1 measurement .*2026-03-09/);
    // Every day starts a DAY bucket; back to WEEK, the Mondays fit again.
    const daily = ok(await app.gql(`mutation($i: UpdateKpiInput!) { updateKpi(input: $i) { kpi { grain version } } }`, { i: { id: kpi.id, expectedVersion: kpi.version, grain: 'DAY' } }, org)).updateKpi.kpi;
    expect(daily.grain).toBe('DAY');
    ok(await record(app, org, [{ kpiKey: 'signups', periodStart: '2026-06-03', value: '3' }]));
    const back = await app.gql(UPDATE_KPI, { i: { id: kpi.id, expectedVersion: daily.version, grain: 'WEEK' } }, org);
    expect(back.errors![0].message).toMatch(/1 measurement .*2026-06-03/);
  });

  it("keeps a formula KPI's grain equal to its inputs' grain", async () => {
    const total = await createKpi(app, org, { key: 'total' });
    const part = await createKpi(app, org, { key: 'part_a', parentId: total.id });
    const monthly = await createKpi(app, org, { key: 'part_m', parentId: total.id, grain: 'MONTH' });
    const mixed = await app.gql(UPDATE_KPI, { i: { id: total.id, expectedVersion: total.version, formula: 'part_a + part_m' } }, org);
    expect([errorCode(mixed), mixed.errors![0].extensions!.field]).toEqual(['BAD_USER_INPUT', 'formula']);
    expect(mixed.errors![0].message).toMatch(/part_m is measured monthly/);
    await setFormula(app, org, total, 'part_a * 2');
    // An input used by a formula keeps the formula's grain; the formula KPI keeps its inputs'.
    const input = await app.gql(UPDATE_KPI, { i: { id: part.id, expectedVersion: part.version, grain: 'MONTH' } }, org);
    expect([errorCode(input), input.errors![0].extensions!.field]).toEqual(['BAD_USER_INPUT', 'grain']);
    expect(input.errors![0].message).toMatch(/formula of total/);
    const formulaKpi = await app.gql(UPDATE_KPI, { i: { id: total.id, expectedVersion: total.version, grain: 'MONTH' } }, org);
    expect([errorCode(formulaKpi), formulaKpi.errors![0].extensions!.field]).toEqual(['BAD_USER_INPUT', 'grain']);
    expect(monthly.key).toBe('part_m');
  });
});

describe('measurements on period starts', () => {
  it('refuses a row off its KPI grain, naming the expected day, so the north star keeps its value', async () => {
    const org = await createOrg(app);
    await gmvTree(app, org);
    const monday = '2026-12-07';
    ok(
      await record(app, org, [
        { kpiKey: 'visitors', periodStart: monday, value: '1000' },
        { kpiKey: 'conversion_rate', periodStart: monday, value: '0.03' },
        { kpiKey: 'aov', periodStart: monday, value: '90' },
      ]),
    );
    const wednesday = await record(app, org, [
      { kpiKey: 'visitors', periodStart: '2026-12-14', value: '1100' },
      { kpiKey: 'aov', periodStart: '2026-12-09', value: '95' },
    ]);
    expect([errorCode(wednesday), wednesday.errors![0].extensions!.field]).toEqual(['BAD_USER_INPUT', 'measurements']);
    expect(wednesday.errors![0].extensions!.rows).toEqual([
      { index: 1, kpiKey: 'aov', message: 'aov is measured weekly: periods start on Mondays; 2026-12-09 is a Wednesday, its week starts 2026-12-07' },
    ]);
    // Nothing of the call was recorded: the north star still reads the week of 2026-12-07.
    const gmv = ok(await app.gql(`{ kpi(key: "gmv") { status latest { periodStart value } } }`, {}, org)).kpi;
    expect(gmv.latest).toEqual({ periodStart: monday, value: '2700' });
    expect(gmv.status).not.toBe('NO_DATA');
    // A monthly KPI takes month starts only.
    await createKpi(app, org, { key: 'mau', grain: 'MONTH' });
    const r = await record(app, org, [{ kpiKey: 'mau', periodStart: monday, value: '5' }]);
    expect(r.errors![0].extensions!.rows[0].message).toBe('mau is measured monthly: periods start on the 1st of a month; 2026-12-07 is the 7th, its month starts 2026-12-01');
    ok(await record(app, org, [{ kpiKey: 'mau', periodStart: '2026-12-01', value: '5' }]));
  });
});

describe('kpiWhatIf on any day', () => {
  const Q = `query($i: KpiWhatIfInput!) { kpiWhatIf(input: $i) { periodStart kpi { key } baseline projected } }`;

  it('maps a day to the period holding it, and takes the last complete period without one', async () => {
    const org = await createOrg(app);
    await gmvTree(app, org);
    const lastWeek = addDays(bucketStart(today(), Grain.WEEK), -7);
    const rows = (periodStart: string, visitors: string) => [
      { kpiKey: 'visitors', periodStart, value: visitors },
      { kpiKey: 'conversion_rate', periodStart, value: '0.03' },
      { kpiKey: 'aov', periodStart, value: '100' },
    ];
    ok(await record(app, org, [...rows('2026-03-30', '1000'), ...rows(lastWeek, '2000')]));
    const changes = [{ kpiKey: 'visitors', percent: '10' }];
    // 2026-04-01, a month start and a Wednesday, is in the week from Monday 2026-03-30.
    const april = ok(await app.gql(Q, { i: { periodStart: '2026-04-01', changes } }, org)).kpiWhatIf;
    expect(april[0]).toEqual({ periodStart: '2026-03-30', kpi: { key: 'gmv' }, baseline: '3000', projected: '3300' });
    // Omitted: the last week that ended before today.
    const latest = ok(await app.gql(Q, { i: { changes } }, org)).kpiWhatIf;
    expect(latest[0]).toEqual({ periodStart: lastWeek, kpi: { key: 'gmv' }, baseline: '6000', projected: '6600' });
    // A monthly tree maps to months.
    await createKpi(app, org, { key: 'mau', grain: 'MONTH' });
    ok(await record(app, org, [{ kpiKey: 'mau', periodStart: '2026-12-01', value: '50' }]));
    const mau = ok(await app.gql(Q, { i: { rootKey: 'mau', periodStart: '2026-12-15', changes: [{ kpiKey: 'mau', percent: '-10' }] } }, org)).kpiWhatIf;
    expect(mau).toEqual([{ periodStart: '2026-12-01', kpi: { key: 'mau' }, baseline: '50', projected: '45' }]);
  });
});
