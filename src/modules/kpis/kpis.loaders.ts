import { orgId } from '../../common/auth';
import { defineNestedConnection } from '../../common/connection';
import { defineByIdLoader, defineChildLoader, defineLatestLoader, defineRowByKeyLoader } from '../../common/loaders';
import { Kpi, KpiAlert, KpiMeasurement } from './kpi.entity';

export const kpiById = defineByIdLoader(Kpi, 'Kpi');
export const kpiAlertById = defineByIdLoader(KpiAlert, 'KpiAlert');

/** `Kpi.children` lists at most this many (oldest first). */
export const MAX_CHILDREN = 100;

/** Active children of each KPI, oldest first (at most MAX_CHILDREN each); primes `kpiById`. One statement per batch. */
export const childrenOfKpi = defineChildLoader({
  name: 'kpis.childrenOfKpi',
  entity: Kpi,
  parentColumn: 'parent_id',
  parentOf: (k) => k.parentId!,
  orderBy: 'c.created_at, c.id',
  where: 'c.archived_at IS NULL',
  limitPerParent: MAX_CHILDREN,
});

/** Measurements by id (an alert's measurement). Not a node, so no by-id registration: a row by its `id` key. */
export const measurementById = defineRowByKeyLoader({ name: 'kpis.measurementById', entity: KpiMeasurement, keyColumn: 'id', prime: false });

/**
 * A KPI's most recent measurement: one index probe per KPI, however long the history
 * (`latestOf` for a transaction's own KPIs, kpi-state.ts).
 */
export const latestMeasurementOfKpi = defineLatestLoader({
  name: 'kpis.latestMeasurementOfKpi',
  entity: KpiMeasurement,
  keyColumn: 'kpi_id',
  // One measurement per KPI and period: the period orders them all.
  orderBy: 'c.period_start DESC',
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
});
