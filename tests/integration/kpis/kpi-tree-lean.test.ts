import 'reflect-metadata';
import { seedDemo } from '../../../seeds/demo';
import { DEMO } from '../../../seeds/ids';
import { DEMO_DAYS, logInDemo } from '../../support/demo';
import { createOrg } from '../../support/factories';
import { ok, startTestApp, type Caller, type TestApp } from '../../support/test-app';
import { ARCHIVE_KPI, createKpi, record, setFormula } from './support';

/**
 * kpiTree read lean (only the asked columns, as text, no entities) answers exactly what the
 * entity read answers. Adding a field the lean read does not serve (`createdAt`) sends the same
 * operation down the entity read: both answers must be equal, nulls, Decimal text and dates
 * included, for the operation the bench sends and for the demo's north star.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

/** The fields of the bench's kpiTree operation (bench/kpi-workloads.ts). */
const BENCH_FIELDS = `depth parentKey kpi { id key name unit formula status latest { periodStart value } }`;
const WIDE_FIELDS = `__typename depth parentKey kpi { __typename id key name definition unit layer direction aggregation grain formula isNorthStar status version
  latest { __typename periodStart value source } }`;

/** The same selection, once lean and once through the entity read (a field the lean read does not serve). */
async function bothWays(fields: string, as: Caller, rootKey?: string) {
  const lean = await app.gql(`query T($k: String) { kpiTree(rootKey: $k) { ${fields} } }`, { k: rootKey }, as);
  const full = await app.gql(`query T($k: String) { kpiTree(rootKey: $k) { ${fields} kpi { createdAt } } }`, { k: rootKey }, as);
  const stripped = ok(full).kpiTree?.map((n: any) => {
    const { createdAt, ...kpi } = n.kpi;
    expect(typeof createdAt).toBe('string');
    return { ...n, kpi };
  });
  return { lean, leanTree: ok(lean).kpiTree, fullTree: stripped ?? null, full };
}

const isLean = (sql: string[] | undefined) => (sql ?? []).some((s) => s.includes('l_present') || s.includes('t.parent_key'));

describe('kpiTree, lean read', () => {
  it('answers what the entity read answers: measured and formula KPIs, no data, trailing zeros, negative and tiny values, archived branches', async () => {
    const org = await createOrg(app);
    const root = await createKpi(app, org, { key: 'gmv', name: 'GMV 成交额', layer: 'STRATEGIC', unit: 'CNY', isNorthStar: true });
    const visitors = await createKpi(app, org, { key: 'visitors', name: '访客数', parentId: root.id, aggregation: 'SUM' });
    const rate = await createKpi(app, org, { key: 'rate', name: '转化率', parentId: root.id, aggregation: 'AVERAGE', unit: '%' });
    await createKpi(app, org, { key: 'no_data', name: 'No data yet', parentId: visitors.id });
    const deep = await createKpi(app, org, { key: 'profit', name: 'Profit', parentId: rate.id });
    const sub = await createKpi(app, org, { key: 'sub_formula', name: 'Sub formula', parentId: rate.id });
    const a = await createKpi(app, org, { key: 'a', name: 'A', parentId: sub.id });
    const old = await createKpi(app, org, { key: 'old', name: 'Archived', parentId: visitors.id });
    ok(await app.gql(ARCHIVE_KPI, { i: { id: old.id, expectedVersion: old.version } }, org));
    ok(
      await record(app, org, [
        { kpiKey: 'visitors', periodStart: '2026-01-05', value: '1200.500', source: 'pipeline' },
        { kpiKey: 'visitors', periodStart: '2026-01-12', value: '1300.10' },
        { kpiKey: 'rate', periodStart: '2026-01-12', value: '0.0000125' },
        { kpiKey: 'profit', periodStart: '2026-01-12', value: '-42.000' },
        { kpiKey: 'a', periodStart: '2026-01-12', value: '100000000000000000000.5' },
      ]),
    );
    await setFormula(app, org, root, 'visitors * rate');
    // A formula over a KPI with no value yet: its latest stays null.
    await setFormula(app, org, sub, 'a / a');
    await setFormula(app, org, sub, null);
    void deep;

    for (const fields of [BENCH_FIELDS, WIDE_FIELDS, `kpi { key }`, `depth kpi { latest { value } }`]) {
      for (const rootKey of [undefined, 'rate', 'visitors']) {
        const r = await bothWays(fields, org, rootKey);
        expect(isLean(r.lean.sql)).toBe(true);
        expect(isLean(r.full.sql)).toBe(false);
        expect(r.leanTree).toEqual(r.fullTree);
      }
    }
    const tree = (await bothWays(BENCH_FIELDS, org)).leanTree;
    expect(tree.map((n: any) => [n.kpi.key, n.depth, n.parentKey, n.kpi.latest])).toEqual([
      ['gmv', 0, null, { periodStart: '2026-01-12', value: '0.01625125' }],
      ['visitors', 1, 'gmv', { periodStart: '2026-01-12', value: '1300.1' }],
      ['no_data', 2, 'visitors', null],
      ['rate', 1, 'gmv', { periodStart: '2026-01-12', value: '0.0000125' }],
      ['profit', 2, 'rate', { periodStart: '2026-01-12', value: '-42' }],
      ['sub_formula', 2, 'rate', null],
      ['a', 3, 'sub_formula', { periodStart: '2026-01-12', value: '100000000000000000000.5' }],
    ]);
  });

  it('costs the same fixed number of statements for 3 KPIs and for 60 with history', async () => {
    const Q = `query { kpiTree { ${BENCH_FIELDS} } }`;
    const small = await createOrg(app);
    const s0 = await createKpi(app, small, { key: 'top', name: 'Top', isNorthStar: true, layer: 'STRATEGIC' });
    await createKpi(app, small, { key: 'x', name: 'X', parentId: s0.id });
    await createKpi(app, small, { key: 'y', name: 'Y', parentId: s0.id });
    const s = await app.gql(Q, {}, small);
    expect(ok(s).kpiTree).toHaveLength(3);
    const big = await createOrg(app);
    const b0 = await createKpi(app, big, { key: 'top', name: 'Top', isNorthStar: true, layer: 'STRATEGIC' });
    let parent = b0.id;
    const rows: Array<{ kpiKey: string; periodStart: string; value: string }> = [];
    for (let i = 0; i < 59; i++) {
      const k = await createKpi(app, big, { key: `driver_${i}`, name: `Driver ${i}`, parentId: i % 3 === 0 ? b0.id : parent });
      if (i % 5 === 0) parent = k.id;
      for (let w = 0; w < 8; w++) rows.push({ kpiKey: k.key, periodStart: new Date(Date.UTC(2025, 0, 6 + 7 * w)).toISOString().slice(0, 10), value: `${i}.${w}0` });
    }
    ok(await record(app, big, rows));
    const b = await app.gql(Q, {}, big);
    expect(ok(b).kpiTree).toHaveLength(60);
    expect(isLean(b.sql)).toBe(true);
    // The caller's session, then the tree with its latest values: whatever the size of the tree.
    expect(s.statements).toBe(2);
    expect(b.statements).toBe(2);
    const r = await bothWays(BENCH_FIELDS, big);
    expect(r.leanTree).toEqual(r.fullTree);
  });

  it("answers the demo's north star as the entity read does", async () => {
    await seedDemo(app.ds, DEMO_DAYS[0]);
    const as = await logInDemo(app, DEMO.users.owner.email);
    for (const fields of [BENCH_FIELDS, WIDE_FIELDS]) {
      const r = await bothWays(fields, as);
      expect(isLean(r.lean.sql)).toBe(true);
      expect(r.leanTree).toHaveLength(10);
      expect(r.leanTree).toEqual(r.fullTree);
    }
  });

  it('reads entities when a field outside the lean set is asked, also through a fragment', async () => {
    const org = await createOrg(app);
    const top = await createKpi(app, org, { key: 'top', name: 'Top', isNorthStar: true, layer: 'STRATEGIC', thresholds: { warningBelow: '1.50' } });
    await createKpi(app, org, { key: 'child', name: 'Child', parentId: top.id });
    const q = `query { kpiTree { ...N } } fragment N on KpiTreeNode { depth kpi { key ...K } } fragment K on Kpi { thresholds { warningBelow } children { key } }`;
    const r = await app.gql(q, {}, org);
    expect(isLean(r.sql)).toBe(false);
    expect(ok(r).kpiTree).toEqual([
      { depth: 0, kpi: { key: 'top', thresholds: { warningBelow: '1.5' }, children: [{ key: 'child' }] } },
      { depth: 1, kpi: { key: 'child', thresholds: null, children: [] } },
    ]);
    const viaFragment = await app.gql(`query { kpiTree { ...N } } fragment N on KpiTreeNode { depth kpi { ... on Kpi { key latest { value } } } }`, {}, org);
    expect(isLean(viaFragment.sql)).toBe(true);
    expect(ok(viaFragment).kpiTree).toEqual([
      { depth: 0, kpi: { key: 'top', latest: null } },
      { depth: 1, kpi: { key: 'child', latest: null } },
    ]);
  });
});
