import 'reflect-metadata';
import { createOrg, type TestOrg } from '../../support/factories';
import { ok, startTestApp, type TestApp } from '../../support/test-app';
import { createKpi, gmvTree, record, setFormula } from './support';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const SERIES = `query($k: String!, $g: Grain!, $f: Date!, $t: Date!) {
  kpi(key: $k) { key series(grain: $g, from: $f, to: $t) { periodStart periodEnd value reason } }
}`;

async function series(org: TestOrg, key: string, grain: string, from: string, to: string) {
  return ok(await app.gql(SERIES, { k: key, g: grain, f: from, t: to }, org)).kpi.series as Array<{
    periodStart: string;
    periodEnd: string;
    value: string | null;
    reason: string | null;
  }>;
}

const values = (points: Array<{ value: string | null }>) => points.map((p) => (p.value == null ? null : Number(p.value)));

describe('Kpi.series', () => {
  let org: TestOrg;
  beforeAll(async () => {
    org = await createOrg(app);
    const t = await gmvTree(app, org);
    // A LAST KPI and a ratio (refunds / orders) whose divisor is 0 one week.
    await createKpi(app, org, { key: 'mau', name: '月活', aggregation: 'LAST' });
    const ratio = await createKpi(app, org, { key: 'refund_ratio', name: '退款比' });
    await createKpi(app, org, { key: 'refunds', name: '退款单', parentId: ratio.id, aggregation: 'SUM' });
    await createKpi(app, org, { key: 'orders', name: '订单', parentId: ratio.id, aggregation: 'SUM' });
    await setFormula(app, org, ratio, 'refunds / orders');
    void t;
    // Mondays: 2026-03-02 … 2026-03-30 (five weeks of March), 2026-04-06, 2026-04-13.
    const rows = (key: string, byWeek: Record<string, string>) => Object.entries(byWeek).map(([periodStart, value]) => ({ kpiKey: key, periodStart, value }));
    ok(
      await record(app, org, [
        ...rows('visitors', { '2026-03-02': '100', '2026-03-09': '200', '2026-03-16': '300', '2026-03-23': '400', '2026-03-30': '500', '2026-04-06': '600' }),
        ...rows('conversion_rate', {
          '2026-03-02': '0.1',
          '2026-03-09': '0.2',
          '2026-03-16': '0.1',
          '2026-03-23': '0.2',
          '2026-03-30': '0.3',
          '2026-04-06': '0.1',
          '2026-04-13': '0.5',
        }),
        // No aov in the week of 2026-03-16.
        ...rows('aov', { '2026-03-02': '50', '2026-03-09': '60', '2026-03-23': '70', '2026-03-30': '80', '2026-04-06': '90' }),
        ...rows('mau', { '2026-03-02': '10', '2026-03-16': '20', '2026-03-30': '30' }),
        ...rows('refunds', { '2026-03-02': '5', '2026-03-09': '6' }),
        ...rows('orders', { '2026-03-02': '0', '2026-03-09': '3' }),
      ]),
    );
  });

  it('gives one point per ISO week covering from…to, measured (SUM) and formula KPIs alike, with the reason of each null', async () => {
    // From a Wednesday to a Wednesday: the weeks holding both ends.
    const visitors = await series(org, 'visitors', 'WEEK', '2026-03-04', '2026-04-08');
    expect(visitors.map((p) => [p.periodStart, p.periodEnd])).toEqual([
      ['2026-03-02', '2026-03-08'],
      ['2026-03-09', '2026-03-15'],
      ['2026-03-16', '2026-03-22'],
      ['2026-03-23', '2026-03-29'],
      ['2026-03-30', '2026-04-05'],
      ['2026-04-06', '2026-04-12'],
    ]);
    expect(values(visitors)).toEqual([100, 200, 300, 400, 500, 600]);
    expect(visitors.every((p) => p.reason === null)).toBe(true);

    // gmv = visitors × conversion_rate × aov, per week; no aov in the third week.
    const gmv = await series(org, 'gmv', 'WEEK', '2026-03-04', '2026-04-08');
    expect(values(gmv)).toEqual([500, 2400, null, 5600, 12000, 5400]);
    expect(gmv[2].reason).toMatch(/No value for aov in this period.*aov: No measurement in this period/);
    expect(gmv.filter((p) => p.reason != null)).toHaveLength(1);

    // A week without a measurement; a formula dividing by 0.
    const aov = await series(org, 'aov', 'WEEK', '2026-03-16', '2026-03-16');
    expect(aov).toEqual([{ periodStart: '2026-03-16', periodEnd: '2026-03-22', value: null, reason: 'No measurement in this period' }]);
    const ratio = await series(org, 'refund_ratio', 'WEEK', '2026-03-02', '2026-03-09');
    expect(values(ratio)).toEqual([null, 2]);
    expect(ratio[0].reason).toMatch(/Division by zero: orders is 0/);
  });

  it('combines the weeks of a calendar month by each KPI’s aggregation (SUM, AVERAGE, LAST) and computes formulas per month', async () => {
    const month = (key: string) => series(org, key, 'MONTH', '2026-03-15', '2026-04-30');
    const visitors = await month('visitors');
    expect(visitors.map((p) => [p.periodStart, p.periodEnd])).toEqual([
      ['2026-03-01', '2026-03-31'],
      ['2026-04-01', '2026-04-30'],
    ]);
    expect(values(visitors)).toEqual([1500, 600]);
    expect(values(await month('conversion_rate'))).toEqual([0.18, 0.3]);
    expect(values(await month('aov'))).toEqual([65, 90]);
    const mau = await month('mau');
    expect(values(mau)).toEqual([30, null]);
    expect(mau[1].reason).toBe('No measurement in this period');
    // 1500 × 0.18 × 65 and 600 × 0.3 × 90.
    const gmv = await month('gmv');
    expect(gmv.map((p) => p.value)).toEqual(['17550', '16200']);
    expect(gmv.map((p) => p.reason)).toEqual([null, null]);
    // Quarters: March in the first, April in the second.
    expect(values(await series(org, 'visitors', 'QUARTER', '2026-01-01', '2026-06-30'))).toEqual([1500, 600]);
  });

  it('refuses to before from and more buckets than the maximum, naming `to`', async () => {
    const r = await app.gql(SERIES, { k: 'gmv', g: 'WEEK', f: '2026-04-01', t: '2026-03-01' }, org);
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    expect(r.errors?.[0].message).toMatch(/to must be on or after from/);

    const long = await app.gql(SERIES, { k: 'gmv', g: 'DAY', f: '2020-01-01', t: '2026-01-01' }, org);
    expect(long.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to', max: 1100 });
    expect(long.errors?.[0].message).toMatch(/more than 1100/);

    // The last week of the calendar ends after 9999-12-31: refused, not an internal error.
    const end = await app.gql(SERIES, { k: 'gmv', g: 'WEEK', f: '9999-12-01', t: '9999-12-31' }, org);
    expect(end.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    // The same day for from and to: one bucket.
    expect(await series(org, 'visitors', 'DAY', '2026-03-02', '2026-03-02')).toEqual([
      { periodStart: '2026-03-02', periodEnd: '2026-03-02', value: '100', reason: null },
    ]);
  });
});

const PAGE = `query($f: Date!, $t: Date!) {
  kpis(first: 50) {
    nodes {
      key
      series(grain: WEEK, from: $f, to: $t) { periodStart periodEnd value reason }
      monthly: series(grain: MONTH, from: $f, to: $t) { periodStart value }
    }
  }
}`;

/** An organisation with the gmv tree and `extra` more SUM KPIs, every measured KPI measured each of `weeks` Mondays from 2025-01-06. */
async function orgWithHistory(extra: number, weeks: number): Promise<{ org: TestOrg; from: string; to: string }> {
  const org = await createOrg(app);
  await gmvTree(app, org);
  const keys = ['visitors', 'conversion_rate', 'aov'];
  for (let i = 0; i < extra; i++) keys.push((await createKpi(app, org, { key: `kpi_${i}`, name: `指标 ${i}`, aggregation: 'SUM' })).key);
  const monday = (w: number) => new Date(Date.UTC(2025, 0, 6 + 7 * w)).toISOString().slice(0, 10);
  const rows = keys.flatMap((kpiKey, k) => Array.from({ length: weeks }, (_, w) => ({ kpiKey, periodStart: monday(w), value: String(1 + ((k + w) % 7)) })));
  ok(await record(app, org, rows));
  return { org, from: monday(0), to: monday(weeks - 1) };
}

describe('Kpi.series on a page of KPIs', () => {
  it('costs the same few statements for 5 KPIs × 10 weeks and for 50 KPIs × 52 weeks', async () => {
    const small = await orgWithHistory(1, 10);
    const large = await orgWithHistory(46, 52);
    const s = await app.gql(PAGE, { f: small.from, t: small.to }, small.org);
    const l = await app.gql(PAGE, { f: large.from, t: large.to }, large.org);
    const sNodes = ok(s).kpis.nodes;
    const lNodes = ok(l).kpis.nodes;
    expect(sNodes).toHaveLength(5);
    expect(lNodes).toHaveLength(50);
    expect(sNodes.every((n: any) => n.series.length === 10)).toBe(true);
    expect(lNodes.every((n: any) => n.series.length === 52)).toBe(true);
    // The formula KPI has a value every week, like the measured ones.
    expect(lNodes.find((n: any) => n.key === 'gmv').series.every((p: any) => p.value != null && p.reason == null)).toBe(true);
    expect(s.statements).toBeGreaterThan(0);
    expect(l.statements).toBe(s.statements);
    // Authentication and the page, then per distinct (grain, from, to): the formula subtrees and the bucket sums (6 today).
    expect(l.statements).toBeLessThanOrEqual(8);
    // Priced by its buckets: well under the cost limit for a page of 50 weekly years.
    expect((l as any).extensions.cost.requested).toBeLessThan(10_000);
  });
});

const CHARTS = `query($f: Date!, $t: Date!) {
  kpis(first: 50) {
    nodes {
      key
      weekly: series(grain: WEEK, from: $f, to: $t) { periodStart periodEnd value reason }
      monthly: series(grain: MONTH, from: $f, to: $t) { periodStart periodEnd value reason }
      quarterly: series(grain: QUARTER, from: $f, to: $t) { periodStart periodEnd value reason }
    }
  }
}`;

const WEEKLY = `query($f: Date!, $t: Date!) {
  kpis(first: 50) { nodes { id key series(grain: WEEK, from: $f, to: $t) { periodStart periodEnd value reason } } }
}`;

describe('Kpi.series answers and statements for a dashboard of charts', () => {
  let org: TestOrg;
  beforeAll(async () => {
    org = await createOrg(app);
    await gmvTree(app, org);
    await createKpi(app, org, { key: 'mau', name: 'MAU', aggregation: 'LAST' });
    const ratio = await createKpi(app, org, { key: 'refund_ratio', name: 'Refund ratio' });
    await createKpi(app, org, { key: 'refunds', name: 'Refunds', parentId: ratio.id, aggregation: 'SUM' });
    await createKpi(app, org, { key: 'orders', name: 'Orders', parentId: ratio.id, aggregation: 'SUM' });
    await setFormula(app, org, ratio, 'refunds / orders');
    const rows = (key: string, byWeek: Record<string, string>) => Object.entries(byWeek).map(([periodStart, value]) => ({ kpiKey: key, periodStart, value }));
    ok(
      await record(app, org, [
        ...rows('visitors', { '2026-03-02': '100', '2026-03-09': '200.5', '2026-03-16': '300', '2026-03-30': '500', '2026-04-06': '600' }),
        ...rows('conversion_rate', { '2026-03-02': '0.1', '2026-03-09': '0.2', '2026-03-16': '0.1', '2026-03-30': '0.3', '2026-04-06': '0.1' }),
        ...rows('aov', { '2026-03-02': '50', '2026-03-09': '60', '2026-03-30': '80', '2026-04-06': '90.25' }),
        ...rows('mau', { '2026-03-02': '10', '2026-03-16': '20', '2026-03-30': '30' }),
        ...rows('refunds', { '2026-03-02': '5', '2026-03-09': '6', '2026-04-06': '1' }),
        ...rows('orders', { '2026-03-02': '0', '2026-03-09': '3', '2026-04-06': '7' }),
      ]),
    );
    // Another organisation with the same keys and other measurements: none of them may show.
    const other = await createOrg(app);
    await gmvTree(app, other);
    await createKpi(app, other, { key: 'mau', name: 'MAU', aggregation: 'LAST' });
    ok(await record(app, other, [...rows('visitors', { '2026-03-23': '999' }), ...rows('mau', { '2026-03-23': '99' }), ...rows('aov', { '2026-03-16': '9' })]));
  });

  it('answers weekly, monthly and quarterly series of measured and formula KPIs (empty buckets included) as before, in a fixed number of statements', async () => {
    const r = await app.gql(CHARTS, { f: '2026-02-25', t: '2026-04-14' }, org);
    expect(ok(r)).toMatchSnapshot();
    // Authentication and the page, then one statement per distinct (grain, from, to): the formula subtrees with the bucket sums.
    expect(r.statements).toBe(5);
  });

  it('answers the bench’s operation (one weekly series per KPI of the page) as before, in a fixed number of statements', async () => {
    const r = await app.gql(WEEKLY, { f: '2026-03-01', t: '2026-04-30' }, org);
    const data = ok(r);
    for (const n of data.kpis.nodes) delete n.id;
    expect(data).toMatchSnapshot();
    expect(r.statements).toBe(3);
  });
});
