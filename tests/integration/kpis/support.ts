import { ok, type Caller, type TestApp } from '../../support/test-app';

/** GraphQL helpers for KPI tests. */
export const KPI_FIELDS = `id key name formula status version isNorthStar layer direction aggregation`;

export const CREATE_KPI = `mutation($i: CreateKpiInput!) { createKpi(input: $i) { kpi { ${KPI_FIELDS} } } }`;
export const UPDATE_KPI = `mutation($i: UpdateKpiInput!) { updateKpi(input: $i) { kpi { ${KPI_FIELDS} } } }`;
export const MOVE_KPI = `mutation($i: MoveKpiInput!) { moveKpi(input: $i) { kpi { ${KPI_FIELDS} parent { key } } } }`;
export const ARCHIVE_KPI = `mutation($i: ArchiveKpiInput!) { archiveKpi(input: $i) { kpi { id archivedAt } } }`;
export const RECORD = `mutation($i: RecordMeasurementsInput!) { recordMeasurements(input: $i) { inserted updated alertsRaised } }`;

export type Gql = Pick<TestApp, 'gql'>;

export async function createKpi(app: Gql, as: Caller, input: Record<string, unknown>): Promise<{ id: string; key: string; version: number }> {
  return ok(await app.gql(CREATE_KPI, { i: { name: String(input.key), layer: 'TACTICAL', ...input } }, as)).createKpi.kpi;
}

export async function setFormula(app: Gql, as: Caller, kpi: { id: string; version: number }, formula: string | null) {
  const r = ok(await app.gql(UPDATE_KPI, { i: { id: kpi.id, expectedVersion: kpi.version, formula } }, as)).updateKpi.kpi;
  kpi.version = r.version;
  return r;
}

export function record(app: Gql, as: Caller, rows: Array<{ kpiKey: string; periodStart: string; value: string; source?: string }>) {
  return app.gql(RECORD, { i: { measurements: rows } }, as);
}

/**
 * GMV = visitors × conversion_rate × aov under a north star, with the three drivers measured.
 */
export async function gmvTree(app: Gql, as: Caller) {
  const gmv = await createKpi(app, as, { key: 'gmv', name: 'GMV', layer: 'STRATEGIC', isNorthStar: true, unit: 'CNY' });
  const visitors = await createKpi(app, as, { key: 'visitors', name: '访客数', parentId: gmv.id, aggregation: 'SUM' });
  const conversion = await createKpi(app, as, {
    key: 'conversion_rate',
    name: '转化率',
    parentId: gmv.id,
    aggregation: 'AVERAGE',
    thresholds: { warningBelow: '0.02', criticalBelow: '0.01' },
  });
  const aov = await createKpi(app, as, { key: 'aov', name: '客单价', parentId: gmv.id, aggregation: 'AVERAGE', unit: 'CNY' });
  await setFormula(app, as, gmv, 'visitors * conversion_rate * aov');
  return { gmv, visitors, conversion, aov };
}
