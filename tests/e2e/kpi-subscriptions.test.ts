import { createOrg } from '../support/factories';
import { createCycle, createKeyResult, createObjective } from '../support/planning';
import { ok, startTestApp, type TestApp } from '../support/test-app';
import { settle, subscribe, wsClient } from '../support/ws';

/** A measurement, over a real graphql-ws connection: the alert it raises and the check-in of the key result following the KPI. */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const ALERT = `subscription($f: KpiAlertRaisedFilter) { kpiAlertRaised(filter: $f) { level status value periodStart message kpi { key } measurement { value source } } }`;
const CHECKED_IN = `subscription($f: KeyResultCheckedInFilter) { keyResultCheckedIn(filter: $f) {
  checkIn { value note author { id } } keyResult { id currentValue progress kpi { key } } } }`;

it('delivers the alert a measurement raises and the system check-in of the key result following the KPI', async () => {
  const org = await createOrg(app);
  const kpi = ok(
    await app.gql(`mutation($i: CreateKpiInput!) { createKpi(input: $i) { kpi { id } } }`, {
      i: { key: 'creator_retention', name: '创作者留存率', layer: 'TACTICAL', aggregation: 'AVERAGE', unit: '%', thresholds: { warningBelow: '38', criticalBelow: '35' } },
    }, org),
  ).createKpi.kpi;
  const other = ok(
    await app.gql(`mutation($i: CreateKpiInput!) { createKpi(input: $i) { kpi { id } } }`, { i: { key: 'other', name: 'other', layer: 'TACTICAL', thresholds: { criticalBelow: '1' } } }, org),
  ).createKpi.kpi;
  const cycleId = await createCycle(app, org);
  const objective = await createObjective(app, org, { cycleId });
  const kr = await createKeyResult(app, org, { objectiveId: objective.id, title: '创作者留存率提升15%', startValue: '40', targetValue: '46', unit: '%', kpiId: kpi.id });

  const client = wsClient(app.url, { authorization: `Bearer ${org.token}` });
  const alerts = subscribe(client, ALERT, { f: { kpiId: kpi.id } });
  const checkIns = subscribe(client, CHECKED_IN, { f: { objectiveId: objective.id } });
  await settle(300);

  ok(
    await app.gql(`mutation($i: RecordMeasurementsInput!) { recordMeasurements(input: $i) { inserted alertsRaised } }`, {
      i: {
        measurements: [
          { kpiKey: 'creator_retention', periodStart: '2026-03-02', value: '34.5', source: '数仓' },
          { kpiKey: 'other', periodStart: '2026-03-02', value: '0' },
        ],
      },
    }, org),
  );

  const alert = ((await alerts.next()) as any).kpiAlertRaised;
  expect(alert).toMatchObject({
    level: 'CRITICAL',
    status: 'OPEN',
    value: '34.5',
    periodStart: '2026-03-02',
    kpi: { key: 'creator_retention' },
    measurement: { value: '34.5', source: '数仓' },
  });
  expect(alert.message).toMatch(/below the critical threshold 35/);
  const checkIn = ((await checkIns.next()) as any).keyResultCheckedIn;
  expect(checkIn).toEqual({
    checkIn: { value: '34.5', note: expect.stringMatching(/creator_retention/), author: null },
    keyResult: { id: kr.id, currentValue: '34.5', progress: 0, kpi: { key: 'creator_retention' } },
  });
  await settle(300);
  expect(alerts.pending()).toEqual([]); // the other KPI's alert is filtered out
  expect(checkIns.pending()).toEqual([]);
  void other;
  await client.dispose();
});

it('announces the alerts of a call one by one up to KPI_ALERT_EVENTS_MAX (100), and a call raising more with one kpiAlertsRaisedInBulk event', async () => {
  const org = await createOrg(app);
  ok(
    await app.gql(`mutation($i: CreateKpiInput!) { createKpi(input: $i) { kpi { id } } }`, {
      i: { key: 'refund_rate', name: '退款率', layer: 'OPERATIONAL', direction: 'LOWER_IS_BETTER', thresholds: { warningAbove: '5', criticalAbove: '8' } },
    }, org),
  );
  const week = (n: number) => new Date(Date.UTC(2020, 0, 6 + 7 * n)).toISOString().slice(0, 10);
  // Weeks from..from+n: WARNING (6) on even weeks, CRITICAL (10) on odd ones.
  const rows = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ kpiKey: 'refund_rate', periodStart: week(from + i), value: (from + i) % 2 ? '10' : '6' }));
  const RECORD = `mutation($i: RecordMeasurementsInput!) { recordMeasurements(input: $i) { alertsRaised } }`;
  const client = wsClient(app.url, { authorization: `Bearer ${org.token}` });
  const one = subscribe(client, `subscription { kpiAlertRaised { level periodStart } }`);
  const bulk = subscribe(client, `subscription { kpiAlertsRaisedInBulk { count critical warning kpis at actor { displayName } } }`);
  const criticalOnly = subscribe(client, `subscription { kpiAlertsRaisedInBulk(filter: { level: CRITICAL }) { count } }`);
  const feed = subscribe(client, `subscription { planningEvents(filter: { types: [KPI_ALERT_RAISED, KPI_ALERTS_RAISED_IN_BULK] }) { type entityType } }`);
  await settle(300);
  try {
    expect(ok(await app.gql(RECORD, { i: { measurements: rows(0, 100) } }, org)).recordMeasurements.alertsRaised).toBe(100);
    const seen: string[] = [];
    for (let i = 0; i < 100; i++) seen.push(((await one.next(10_000)) as any).kpiAlertRaised.periodStart);
    expect(seen.sort()).toEqual(rows(0, 100).map((r) => r.periodStart));
    await settle(300);
    expect(bulk.pending()).toEqual([]);
    expect(feed.pending().map((e: any) => e.planningEvents.type)).toEqual(Array(100).fill('KPI_ALERT_RAISED'));

    // 101 warnings and no critical alert: one bulk event, which a filter on CRITICAL does not pass.
    const warnings = Array.from({ length: 101 }, (_, i) => ({ kpiKey: 'refund_rate', periodStart: week(200 + 2 * i), value: '6' }));
    expect(ok(await app.gql(RECORD, { i: { measurements: warnings } }, org)).recordMeasurements.alertsRaised).toBe(101);
    expect(((await bulk.next(10_000)) as any).kpiAlertsRaisedInBulk).toEqual({ count: 101, critical: 0, warning: 101, kpis: 1, at: expect.any(String), actor: { displayName: '负责人 Owner' } });
    expect(((await feed.next(10_000)) as any).planningEvents).toEqual({ type: 'KPI_ALERTS_RAISED_IN_BULK', entityType: 'Kpi' });

    expect(ok(await app.gql(RECORD, { i: { measurements: rows(1000, 150) } }, org)).recordMeasurements.alertsRaised).toBe(150);
    expect(((await bulk.next(10_000)) as any).kpiAlertsRaisedInBulk).toMatchObject({ count: 150, critical: 75, warning: 75, kpis: 1 });
    expect(((await criticalOnly.next(10_000)) as any).kpiAlertsRaisedInBulk).toEqual({ count: 150 });
    await settle(500);
    // The bulk calls announced no alert one by one.
    expect(one.pending()).toEqual([]);
    expect(criticalOnly.pending()).toEqual([]);
  } finally {
    await client.dispose();
  }
}, 60_000);
