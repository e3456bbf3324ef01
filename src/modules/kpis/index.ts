// The event types this module publishes (PlanningEventType).
import './kpis.events';
import { registerWorkSource } from '../work';
import { Kpi, KpiAlert, KpiMeasurement } from './kpi.entity';
import { kpiAlertWork } from './kpi-alerts.service';
// The by-id loaders register Kpi and KpiAlert for node(id:).
import './kpis.loaders';
import { KpiAlertResolver, KpiAlertsRaisedInBulkResolver, KpiResolver } from './kpis.resolver';

export { Kpi, KpiAlert, KpiMeasurement, KpiRange, KpiThresholds } from './kpi.entity';
export { KpiAggregation, KpiAlertLevel, KpiAlertStatus, KpiDirection, KpiLayer, KpiStatus } from './kpi-rules';
export { kpiById } from './kpis.loaders';
export { requireKpisByKeys } from './kpi-access';
export { kpiValuesByPeriod, type PeriodValue } from './kpi-values';
export { onKpiLatestChanged, type KpiLatestChange, type KpiLatestChangedHandler } from './kpi-latest-hook';

export const kpisEntities = [Kpi, KpiMeasurement, KpiAlert];
export const kpisResolvers = [KpiResolver, KpiAlertResolver, KpiAlertsRaisedInBulkResolver] as const;

registerWorkSource(kpiAlertWork);

