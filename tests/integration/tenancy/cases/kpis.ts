import { ok, type TestApp } from '../../../support/test-app';
import { registerTenancy, type TenantA } from '../registry';

const RECORD = `mutation($i: RecordMeasurementsInput!) { recordMeasurements(input: $i) { alertsRaised } }`;
let week = 0;

/** A measurement of A's refund rate past its critical threshold, in a new week each time. */
async function alertInA(app: TestApp, a: TenantA): Promise<void> {
  const periodStart = new Date(Date.UTC(2025, 0, 6 + 7 * week++)).toISOString().slice(0, 10);
  ok(await app.gql(RECORD, { i: { measurements: [{ kpiKey: 'a_refund_rate', periodStart, value: '12' }] } }, a.org));
}

/** 101 measurements of A's refund rate past its threshold, in new weeks: more alerts than are announced one by one. */
async function bulkAlertsInA(app: TestApp, a: TenantA): Promise<void> {
  const measurements = Array.from({ length: 101 }, () => ({
    kpiKey: 'a_refund_rate',
    periodStart: new Date(Date.UTC(2025, 0, 6 + 7 * week++)).toISOString().slice(0, 10),
    value: '12',
  }));
  ok(await app.gql(RECORD, { i: { measurements } }, a.org));
}

/** KPIs: A's north star with one driver, a refund rate with thresholds and one of its alerts. */
registerTenancy(
  async (app, org) => {
    const create = async (i: Record<string, unknown>) =>
      ok(await app.gql(`mutation($i: CreateKpiInput!) { createKpi(input: $i) { kpi { id } } }`, { i: { layer: 'TACTICAL', ...i } }, org)).createKpi.kpi.id;
    const kpi = await create({ key: 'a_gmv', name: 'A 的 GMV', layer: 'STRATEGIC', isNorthStar: true });
    const driver = await create({ key: 'a_visitors', name: 'A 访客', parentId: kpi });
    const kpiRefund = await create({ key: 'a_refund_rate', name: 'A 退款率', direction: 'LOWER_IS_BETTER', thresholds: { criticalAbove: '8' } });
    ok(await app.gql(RECORD, { i: { measurements: [{ kpiKey: 'a_refund_rate', periodStart: '2024-12-30', value: '10', source: 'A 的数仓' }] } }, org));
    const alert = ok(await app.gql(`{ kpiAlerts(first: 1) { nodes { id } } }`, {}, org)).kpiAlerts.nodes[0].id;
    return { kpi, kpiDriver: driver, kpiRefund, kpiAlert: alert };
  },
  {
    'Query.kpi': { operation: () => ({ query: `{ kpi(key: "a_gmv") { id name } }` }), expect: 'NULL' },
    'Query.kpis': { operation: () => ({ query: `{ kpis(first: 100) { totalCount nodes { id key name } } }` }), expect: 'ANY' },
    'Query.kpiTree': { operation: () => ({ query: `{ kpiTree(rootKey: "a_gmv") { kpi { id name } } }` }), expect: 'ANY' },
    'Query.kpiWhatIf': {
      operation: () => ({
        query: `query($i: KpiWhatIfInput!) { kpiWhatIf(input: $i) { kpi { id name } baseline } }`,
        variables: { i: { rootKey: 'a_gmv', periodStart: '2024-12-30', changes: [{ kpiKey: 'a_visitors', percent: '10' }] } },
      }),
      expect: 'ANY',
    },
    'Query.kpiAlerts': {
      operation: (a) => ({ query: `query($k: ID) { kpiAlerts(filter: { kpiId: $k }, first: 100) { totalCount nodes { id message } } }`, variables: { k: a.ids.kpi } }),
      expect: 'ANY',
    },
    'Mutation.createKpi': {
      operation: (a) => ({
        query: `mutation($i: CreateKpiInput!) { createKpi(input: $i) { kpi { id } } }`,
        variables: { i: { key: 'b_child', name: 'B', layer: 'TACTICAL', parentId: a.ids.kpi } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.updateKpi': {
      operation: (a) => ({ query: `mutation($i: UpdateKpiInput!) { updateKpi(input: $i) { kpi { id name } } }`, variables: { i: { id: a.ids.kpi, expectedVersion: 1, name: 'B' } } }),
      expect: 'NOT_FOUND',
    },
    'Mutation.moveKpi': {
      operation: (a) => ({ query: `mutation($i: MoveKpiInput!) { moveKpi(input: $i) { kpi { id } } }`, variables: { i: { id: a.ids.kpiDriver, parentId: null } } }),
      expect: 'NOT_FOUND',
    },
    'Mutation.archiveKpi': {
      operation: (a) => ({ query: `mutation($i: ArchiveKpiInput!) { archiveKpi(input: $i) { kpi { id } } }`, variables: { i: { id: a.ids.kpiDriver, expectedVersion: 1 } } }),
      expect: 'NOT_FOUND',
    },
    'Mutation.recordMeasurements': {
      operation: () => ({ query: RECORD, variables: { i: { measurements: [{ kpiKey: 'a_refund_rate', periodStart: '2025-01-06', value: '20' }] } } }),
      expect: 'ANY',
    },
    'Mutation.deleteMeasurements': {
      operation: (a) => ({
        query: `mutation($i: DeleteMeasurementsInput!) { deleteMeasurements(input: $i) { deleted kpi { id name } } }`,
        variables: { i: { kpiId: a.ids.kpiRefund, periodStarts: ['2024-12-30'] } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.acknowledgeKpiAlert': {
      operation: (a) => ({
        query: `mutation($i: AcknowledgeKpiAlertInput!) { acknowledgeKpiAlert(input: $i) { alert { id } } }`,
        variables: { i: { id: a.ids.kpiAlert, note: 'B' } },
      }),
      expect: 'NOT_FOUND',
    },
    'Subscription.kpiAlertRaised': {
      operation: () => ({ query: `subscription { kpiAlertRaised { id message kpi { id } } }` }),
      expect: 'ANY',
      trigger: alertInA,
    },
    'Subscription.kpiAlertsRaisedInBulk': {
      operation: () => ({ query: `subscription { kpiAlertsRaisedInBulk { count critical kpis actor { id displayName } } }` }),
      expect: 'ANY',
      trigger: bulkAlertsInA,
    },
  },
  {
    'Kpi.children': { parent: 'kpi', children: { table: 'kpis', set: { parent_id: 'kpi' } } },
    'Kpi.measurements': { parent: 'kpiRefund', children: { table: 'kpi_measurements', set: { kpi_id: 'kpiRefund' } } },
    'Kpi.alerts': { parent: 'kpiRefund', children: { table: 'kpi_alerts', set: { kpi_id: 'kpiRefund' } } },
    // A's measurements moved under B's KPI, their values shifted so that any sum, average or last value they entered would show.
    'Kpi.series': {
      parent: 'kpiRefund',
      children: { table: 'kpi_measurements', set: { kpi_id: 'kpiRefund' }, shift: 'value' },
      args: '(grain: WEEK, from: "2024-12-30", to: "2025-01-12")',
    },
  },
);
