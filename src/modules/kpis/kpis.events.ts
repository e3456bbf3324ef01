import { defineEventTypes, type EventTypesOf } from '../../common/event-types';

/** The change events the KPI module publishes (definitions, measurements, alerts). */
export const KPIS_EVENTS = defineEventTypes('kpis', {
  KPI_CREATED: { description: 'A KPI was defined.' },
  KPI_UPDATED: { description: 'A KPI’s definition (name, formula, thresholds, owner…) changed.' },
  KPI_MOVED: { description: 'A KPI moved to another parent in the driver tree.' },
  KPI_ARCHIVED: { description: 'A KPI was archived.' },
  KPI_MEASUREMENTS_RECORDED: { description: 'Measurements were recorded (one event per call; entityType Kpi, the first KPI).' },
  KPI_MEASUREMENTS_DELETED: { description: 'Measurements of a KPI were deleted (one event per call that deleted any; entityType Kpi).' },
  KPI_ALERT_ACKNOWLEDGED: { description: 'An alert was acknowledged.' },
  KPI_ALERT_RAISED: { description: 'A measurement raised an alert (entityType KpiAlert).' },
  KPI_ALERTS_RAISED_IN_BULK: { description: 'One recordMeasurements call raised more alerts than are announced one by one (KPI_ALERT_EVENTS_MAX): their summary, instead of KPI_ALERT_RAISED.' },
});

declare module '../../common/event-types' {
  interface PlanningEventTypeRegistry extends EventTypesOf<typeof KPIS_EVENTS> {}
}
