import { createOrg } from '../../support/factories';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';
import { ARCHIVE_KPI, createKpi } from './support';

/** kpiTree in a combined dashboard query: a missing tree nulls only its own field, never the dashboard. */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const DASHBOARD = `query($k: String) { viewer { user { id } role } kpiTree(rootKey: $k) { depth kpi { key } } }`;

describe('kpiTree beside the rest of a dashboard', () => {
  it('answers null, with no error, in an organisation without a north star', async () => {
    const org = await createOrg(app);
    await createKpi(app, org, { key: 'dau', name: '日活' });
    const r = await app.gql(DASHBOARD, {}, org);
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ viewer: { user: { id: org.userId }, role: 'OWNER' }, kpiTree: null });
    // A root key still answers its tree without a north star.
    expect(ok(await app.gql(DASHBOARD, { k: 'dau' }, org)).kpiTree).toEqual([{ depth: 0, kpi: { key: 'dau' } }]);
  });

  it('answers NOT_FOUND naming rootKey for an unknown key, and ARCHIVED for an archived one, nulling only kpiTree', async () => {
    const org = await createOrg(app);
    const star = await createKpi(app, org, { key: 'gmv', name: 'GMV', isNorthStar: true, layer: 'STRATEGIC' });
    const old = await createKpi(app, org, { key: 'old_kpi', name: '旧指标', parentId: star.id });
    ok(await app.gql(ARCHIVE_KPI, { i: { id: old.id, expectedVersion: old.version } }, org));

    expect(ok(await app.gql(DASHBOARD, {}, org)).kpiTree).toEqual([{ depth: 0, kpi: { key: 'gmv' } }]);
    for (const [k, code] of [['nope', 'NOT_FOUND'], ['x'.repeat(300), 'NOT_FOUND'], ['old_kpi', 'ARCHIVED']]) {
      const r = await app.gql(DASHBOARD, { k }, org);
      expect(errorCode(r)).toBe(code);
      expect(r.errors).toHaveLength(1);
      expect(r.errors![0].extensions?.field).toBe('rootKey');
      expect(r.errors![0].path).toEqual(['kpiTree']);
      expect(r.data).toEqual({ viewer: { user: { id: org.userId }, role: 'OWNER' }, kpiTree: null });
    }
  });

  it('answers kpiWhatIf without a north star with NOT_FOUND naming rootKey and saying how to choose a tree', async () => {
    const org = await createOrg(app);
    await createKpi(app, org, { key: 'dau', name: '日活' });
    const WHAT_IF = `query($i: KpiWhatIfInput!) { kpiWhatIf(input: $i) { kpi { key } baseline } }`;
    const r = await app.gql(WHAT_IF, { i: { changes: [{ kpiKey: 'dau', percent: '10' }] } }, org);
    expect(errorCode(r)).toBe('NOT_FOUND');
    expect(r.errors![0].extensions?.field).toBe('rootKey');
    expect(r.errors![0].message).toMatch(/no north-star KPI: pass rootKey/);
    // The same organisation's tree by key answers.
    const byKey = ok(await app.gql(WHAT_IF, { i: { rootKey: 'dau', changes: [{ kpiKey: 'dau', percent: '10' }] } }, org)).kpiWhatIf;
    expect(byKey).toEqual([{ kpi: { key: 'dau' }, baseline: null }]);
  });
});
