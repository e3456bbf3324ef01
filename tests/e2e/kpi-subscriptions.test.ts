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
