// The event types this module publishes (PlanningEventType).
import './kpis.events';
import { badInput, notFound } from '../../common/errors';
import { registerKeyResultKpiCheck } from '../okrs';
import { registerWorkSource } from '../work';
import { Kpi, KpiAlert, KpiMeasurement } from './kpi.entity';
import { kpiAlertWork } from './kpi-alerts.service';
// The by-id loaders register Kpi and KpiAlert for node(id:).
import { kpiById } from './kpis.loaders';
import { KeyResultKpiResolver, KpiAlertResolver, KpiAlertsRaisedInBulkResolver, KpiResolver } from './kpis.resolver';

export { Kpi, KpiAlert, KpiMeasurement, KpiRange, KpiThresholds } from './kpi.entity';
export { KpiAggregation, KpiAlertLevel, KpiAlertStatus, KpiDirection, KpiLayer, KpiStatus } from './kpi-rules';
export { kpiById } from './kpis.loaders';
export { requireKpisByKeys } from './kpi-access';
export { kpiValuesByPeriod, type PeriodValue } from './kpi-values';
// For measurements written in bulk (the demo seed, bench): their alerts and the stored latest values.
export { alertMessage, breachOf } from './kpi-rules';
export { refreshKpiState } from './kpi-state';

export const kpisEntities = [Kpi, KpiMeasurement, KpiAlert];
export const kpisResolvers = [KpiResolver, KpiAlertResolver, KpiAlertsRaisedInBulkResolver, KeyResultKpiResolver] as const;

registerWorkSource(kpiAlertWork);

// Key results follow KPIs: the OKR module asks this module whether a kpiId may be followed.
registerKeyResultKpiCheck(async (ctx, kpiId) => {
  const kpi = await kpiById(ctx).load(kpiId);
  if (!kpi) throw notFound('Kpi');
  if (kpi.archivedAt) throw badInput(`KPI ${kpi.key} is archived: a key result cannot follow it`, 'kpiId');
});
