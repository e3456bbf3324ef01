import { createOrg, type TestOrg } from '../../support/factories';
import { ok, startTestApp, type TestApp } from '../../support/test-app';
import { createKpi, record, setFormula, UPDATE_KPI } from './support';

/** Threshold comparisons, alert de-duplication and formula precedence, pinned over HTTP. */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const WEEK = '2026-03-02';
const ALERTS = `query($k: ID!) { kpiAlerts(filter: { kpiId: $k }, first: 10) { totalCount nodes { level value message periodStart } } }`;
const STATUS = `query($k: String!) { kpi(key: $k) { status } }`;

describe('thresholds', () => {
  // Each limit alone, with the value exactly at it, then just past it on its side.
  it.each<[string, Record<string, unknown>, string, string]>([
    ['thresholds.warningBelow', { thresholds: { warningBelow: '10' } }, '9.999', 'WARNING'],
    ['thresholds.criticalBelow', { thresholds: { criticalBelow: '10' } }, '9.999', 'CRITICAL'],
    ['thresholds.warningAbove', { thresholds: { warningAbove: '10' } }, '10.001', 'WARNING'],
    ['thresholds.criticalAbove', { thresholds: { criticalAbove: '10' } }, '10.001', 'CRITICAL'],
    ['normalRange.min (higher is better)', { normalRange: { min: '10' } }, '9.999', 'WARNING'],
    ['normalRange.max (lower is better)', { normalRange: { max: '10' }, direction: 'LOWER_IS_BETTER' }, '10.001', 'WARNING'],
  ])('%s: a value exactly at it raises nothing, one just past it raises its level', async (_name, limits, past, level) => {
    const org = await createOrg(app);
    const kpi = await createKpi(app, org, { key: 'metric', ...limits });
    expect(ok(await record(app, org, [{ kpiKey: 'metric', periodStart: WEEK, value: '10' }])).recordMeasurements.alertsRaised).toBe(0);
    expect(ok(await app.gql(STATUS, { k: 'metric' }, org)).kpi.status).toBe('NORMAL');
    expect(ok(await app.gql(ALERTS, { k: kpi.id }, org)).kpiAlerts.totalCount).toBe(0);
    expect(ok(await record(app, org, [{ kpiKey: 'metric', periodStart: '2026-03-09', value: past }])).recordMeasurements.alertsRaised).toBe(1);
    expect(ok(await app.gql(STATUS, { k: 'metric' }, org)).kpi.status).toBe(level);
    expect(ok(await app.gql(ALERTS, { k: kpi.id }, org)).kpiAlerts.nodes).toEqual([expect.objectContaining({ level, value: past, periodStart: '2026-03-09' })]);
  });
});

describe('alert de-duplication', () => {
  async function criticalAt8(org: TestOrg) {
    return createKpi(app, org, { key: 'refund_rate', direction: 'LOWER_IS_BETTER', thresholds: { criticalAbove: '8' } });
  }

  it('keeps the first alert of a period and level when the value changes but the level does not', async () => {
    const org = await createOrg(app);
    const kpi = await criticalAt8(org);
    expect(ok(await record(app, org, [{ kpiKey: 'refund_rate', periodStart: WEEK, value: '9' }])).recordMeasurements.alertsRaised).toBe(1);
    expect(ok(await record(app, org, [{ kpiKey: 'refund_rate', periodStart: WEEK, value: '10' }])).recordMeasurements).toEqual({
      inserted: 0,
      updated: 1,
      alertsRaised: 0,
    });
    const alerts = ok(await app.gql(ALERTS, { k: kpi.id }, org)).kpiAlerts;
    expect(alerts.totalCount).toBe(1);
    expect(alerts.nodes[0]).toMatchObject({ level: 'CRITICAL', value: '9', periodStart: WEEK, message: expect.stringMatching(/ is 9 for the period from 2026-03-02, above the critical threshold 8$/) });
  });

  it('raises nothing when a value recorded before the thresholds existed is recorded again; a new value does raise', async () => {
    const org = await createOrg(app);
    const kpi = await createKpi(app, org, { key: 'refund_rate', direction: 'LOWER_IS_BETTER' });
    ok(await record(app, org, [{ kpiKey: 'refund_rate', periodStart: WEEK, value: '9' }]));
    ok(await app.gql(UPDATE_KPI, { i: { id: kpi.id, expectedVersion: kpi.version, thresholds: { criticalAbove: '8' } } }, org));
    expect(ok(await app.gql(STATUS, { k: 'refund_rate' }, org)).kpi.status).toBe('CRITICAL');
    // The same value again: not a new measurement, no alert.
    expect(ok(await record(app, org, [{ kpiKey: 'refund_rate', periodStart: WEEK, value: '9' }])).recordMeasurements.alertsRaised).toBe(0);
    expect(ok(await app.gql(ALERTS, { k: kpi.id }, org)).kpiAlerts.totalCount).toBe(0);
    // A different value is.
    expect(ok(await record(app, org, [{ kpiKey: 'refund_rate', periodStart: WEEK, value: '9.5' }])).recordMeasurements.alertsRaised).toBe(1);
  });
});

describe('formula precedence', () => {
  it.each([
    ['a + b * c', '14'], // 2 + 3 × 4
    ['(a + b) * c', '20'],
    ['a * b + c', '10'],
    ['d - b - a', '7'], // (12 − 3) − 2, not 12 − (3 − 2)
    ['d / b / a', '2'], // (12 ÷ 3) ÷ 2
    ['d - b * a', '6'],
    ['d / a * b', '18'], // (12 ÷ 2) × 3
    ['-a * b', '-6'],
    ['a - -b', '5'],
    ['-(a + b) * c', '-20'],
    ['d − b × c ÷ a', '6'], // 12 − (3 × 4 ÷ 2)
    ['a + b * c - d / a', '8'], // 2 + 12 − 6
  ])('%s = %s', async (formula, value) => {
    const org = await createOrg(app);
    const top = await createKpi(app, org, { key: 'top' });
    for (const key of ['a', 'b', 'c', 'd']) await createKpi(app, org, { key, parentId: top.id });
    await setFormula(app, org, top, formula);
    ok(
      await record(app, org, [
        { kpiKey: 'a', periodStart: WEEK, value: '2' },
        { kpiKey: 'b', periodStart: WEEK, value: '3' },
        { kpiKey: 'c', periodStart: WEEK, value: '4' },
        { kpiKey: 'd', periodStart: WEEK, value: '12' },
      ]),
    );
    const v = ok(await app.gql(`{ kpi(key: "top") { valueAt(periodStart: "${WEEK}") latest { value } } }`, {}, org)).kpi;
    expect(v).toEqual({ valueAt: value, latest: { value } });
  });
});
