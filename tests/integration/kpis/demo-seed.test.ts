import 'reflect-metadata';
import Decimal from 'decimal.js';
import { toGlobalId } from '../../../src/common/ids';
import { addDays } from '../../../src/common/periods';
import { demoCalendar } from '../../../seeds/calendar';
import { seedDemo } from '../../../seeds/demo';
import { DEMO } from '../../../seeds/ids';
import { DEMO_ANOMALY_WEEKS_AGO, demoKpiSeries } from '../../../seeds/kpis';
import { DEMO_DAYS, logInDemo } from '../../support/demo';
import { ok, startTestApp, type TestApp } from '../../support/test-app';

describe.each(DEMO_DAYS)('the KPI demo loaded on %s', (today) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.stop());

  it('seeds the AARRR driver tree, a year of weeks up to last week with one anomaly, and the key result following retention', async () => {
    await seedDemo(app.ds, today);
    await seedDemo(app.ds, today);
    const cal = demoCalendar(today);
    const lastWeek = addDays(today, -7 - ((new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7));
    expect(cal.weeks).toHaveLength(52);
    expect(cal.weeks[51]).toBe(lastWeek);
    const as = await logInDemo(app, DEMO.users.owner.email);
    const tree = ok(await app.gql(`{ kpiTree { depth kpi { key status latest { periodStart value } } } }`, {}, as)).kpiTree;
    expect(tree.map((n: any) => n.kpi.key).sort()).toEqual(
      ['aov', 'conversion_rate', 'creator_retention', 'dau', 'dau_mau', 'gmv', 'mau', 'new_users', 'refund_rate', 'visitors'].sort(),
    );
    const by = Object.fromEntries(tree.map((n: any) => [n.kpi.key, n.kpi]));
    // The north star's latest week is last week: visitors × conversion_rate × aov of that week.
    const rows: Array<{ key: string; period: string; value: string }> = await app.ds.query(
      `SELECT k.key, to_char(m.period_start, 'YYYY-MM-DD') AS period, m.value::text AS value FROM kpi_measurements m JOIN kpis k ON k.id = m.kpi_id ORDER BY k.key, m.period_start`,
    );
    const last = (key: string) => rows.filter((r) => r.key === key).at(-1)!;
    for (const key of ['visitors', 'conversion_rate', 'aov', 'new_users', 'dau', 'mau', 'refund_rate', 'creator_retention']) {
      const of = rows.filter((r) => r.key === key);
      expect(of.map((r) => r.period)).toEqual(cal.weeks); // 52 Mondays, the last one last week's
    }
    const gmv = new Decimal(last('visitors').value).mul(last('conversion_rate').value).mul(last('aov').value);
    expect(by.gmv.latest.periodStart).toBe(lastWeek);
    expect(new Decimal(by.gmv.latest.value).eq(gmv)).toBe(true);
    expect(by.refund_rate.status).toBe('NORMAL');
    // A plausible trend: a year of growth in visitors, noise but no week more than 5 % off its neighbours.
    const visitors = rows.filter((r) => r.key === 'visitors').map((r) => Number(r.value));
    expect(visitors[51] / visitors[0]).toBeGreaterThan(1.15);
    for (let i = 1; i < 52; i++) expect(Math.abs(visitors[i] / visitors[i - 1] - 1)).toBeLessThan(0.05);
    expect(new Set(visitors).size).toBeGreaterThan(40);
    // One anomaly: the refund-rate spike some weeks ago, its alert still open.
    const alerts = ok(await app.gql(`{ kpiAlerts(first: 10) { nodes { level periodStart kpi { key } } } }`, {}, as)).kpiAlerts.nodes;
    expect(alerts).toEqual([{ level: 'CRITICAL', periodStart: cal.weeks[51 - DEMO_ANOMALY_WEEKS_AGO], kpi: { key: 'refund_rate' } }]);
    const kr = ok(
      await app.gql(`query($id: ID!) { node(id: $id) { ... on KeyResult { title currentValue kpi { key latest { periodStart value } } } } }`, { id: toGlobalId('KeyResult', DEMO.plan.krRetention) }, as),
    ).node;
    expect(kr).toEqual({ title: '创作者留存率提升15%', currentValue: '41.5', kpi: { key: 'creator_retention', latest: { periodStart: lastWeek, value: '41.5' } } });
    const counts = await app.ds.query(`SELECT (SELECT count(*) FROM kpi_measurements)::int AS m, (SELECT count(*) FROM kpi_alerts)::int AS a`);
    expect(counts).toEqual([{ m: 8 * 52, a: 1 }]);
  });
});

describe('the KPI demo series', () => {
  it('are the same for the same day and differ from one day to another', () => {
    expect(demoKpiSeries(demoCalendar('2027-03-31'))).toEqual(demoKpiSeries(demoCalendar('2027-03-31')));
    expect(demoKpiSeries(demoCalendar('2027-03-31')).visitors).not.toEqual(demoKpiSeries(demoCalendar('2027-04-01')).visitors);
  });

  it('refuses a day that is not a date', () => {
    expect(() => demoCalendar('2027-02-29')).toThrow(/YYYY-MM-DD/);
  });
});
