import { orgId } from '../../common/auth';
import { defineNestedConnection } from '../../common/connection';
import { byKeys, defineByIdLoader, defineLoader, groupByKeys, primeAll } from '../../common/loaders';
import { queryRows, rowShape } from '../../common/rows';
import { Kpi, KpiAlert, KpiMeasurement } from './kpi.entity';

export const kpiById = defineByIdLoader(Kpi, 'Kpi');
export const kpiAlertById = defineByIdLoader(KpiAlert, 'KpiAlert');

/** `Kpi.children` lists at most this many (oldest first). */
export const MAX_CHILDREN = 100;

/** Active children of each KPI, oldest first (at most MAX_CHILDREN each); primes `kpiById`. One statement per batch. */
export const childrenOfKpi = defineLoader<string, Kpi[]>('kpis.childrenOfKpi', async (ctx, ids) => {
  if (!ctx.organizationId) return ids.map(() => []);
  const shape = rowShape(ctx.manager.connection, Kpi);
  const rows = await queryRows(
    ctx.manager,
    Kpi,
    `SELECT * FROM (
       SELECT ${shape.columns('k')}, row_number() OVER (PARTITION BY k.parent_id ORDER BY k.created_at, k.id) AS rn
         FROM kpis k WHERE k.organization_id = $1 AND k.parent_id = ANY($2::uuid[]) AND k.archived_at IS NULL) k
      WHERE rn <= $3 ORDER BY k.parent_id, rn`,
    [ctx.organizationId, ids, MAX_CHILDREN],
  );
  primeAll(kpiById(ctx), rows);
  return groupByKeys(ids, rows, (k) => k.parentId!);
});

/** A KPI's most recent measurement: one index probe per KPI, however long the history. */
export const latestMeasurementOfKpi = defineLoader<string, KpiMeasurement>('kpis.latestMeasurementOfKpi', async (ctx, ids) => {
  if (!ctx.organizationId) return ids.map(() => null);
  const shape = rowShape(ctx.manager.connection, KpiMeasurement);
  const rows = await queryRows(
    ctx.manager,
    KpiMeasurement,
    `SELECT m.* FROM unnest($2::uuid[]) AS k(id)
       CROSS JOIN LATERAL (
         SELECT ${shape.columns('m')} FROM kpi_measurements m
          WHERE m.organization_id = $1 AND m.kpi_id = k.id
          ORDER BY m.period_start DESC LIMIT 1) m`,
    [ctx.organizationId, ids],
  );
  return byKeys(ids, rows, (m) => m.kpiId);
});

/** Measurements by id (an alert's measurement). */
export const measurementById = defineLoader<string, KpiMeasurement>('kpis.measurementById', async (ctx, ids) => {
  if (!ctx.organizationId) return ids.map(() => null);
  const shape = rowShape(ctx.manager.connection, KpiMeasurement);
  const rows = await queryRows(
    ctx.manager,
    KpiMeasurement,
    `SELECT ${shape.columns('m')} FROM kpi_measurements m WHERE m.organization_id = $1 AND m.id = ANY($2::uuid[])`,
    [ctx.organizationId, ids],
  );
  return byKeys(ids, rows, (m) => m.id);
});

/** A KPI's measurements, newest period first, optionally from/to a date: batched across KPIs. */
export const measurementsOfKpi = defineNestedConnection<KpiMeasurement, { from?: string | null; to?: string | null }>({
  name: 'kpis.measurementsOfKpi',
  query: (ctx, filter) => {
    const qb = ctx.manager.createQueryBuilder(KpiMeasurement, 'm').where('m.organization_id = :org', { org: orgId(ctx) });
    if (filter?.from) qb.andWhere('m.period_start >= :from', { from: filter.from });
    if (filter?.to) qb.andWhere('m.period_start <= :to', { to: filter.to });
    return qb;
  },
  parent: 'm.kpi_id',
  sort: [
    { column: 'm.period_start', direction: 'DESC', value: (m) => m.periodStart },
    { column: 'm.id', direction: 'DESC', value: (m) => m.id },
  ],
});

/** A KPI's alerts, newest first: batched across KPIs. */
export const alertsOfKpi = defineNestedConnection<KpiAlert>({
  name: 'kpis.alertsOfKpi',
  query: (ctx) => ctx.manager.createQueryBuilder(KpiAlert, 'a').where('a.organization_id = :org', { org: orgId(ctx) }),
  parent: 'a.kpi_id',
  sort: [
    { column: 'a.created_at', direction: 'DESC', value: (a) => a.createdAt },
    { column: 'a.id', direction: 'DESC', value: (a) => a.id },
  ],
  loaded: (ctx, rows) => primeAll(kpiAlertById(ctx), rows),
});
