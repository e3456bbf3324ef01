// The event types this module publishes (PlanningEventType).
import './kpis.events';
import { registerWorkSource } from '../work';
import { Kpi, KpiAlert, KpiMeasurement } from './kpi.entity';
import { kpiAlertWork } from './kpis.work';
// The by-id loaders register Kpi and KpiAlert for node(id:).
import './kpis.loaders';
import { KpiAlertResolver, KpiAlertsRaisedInBulkResolver, KpiResolver } from './kpis.resolver';
import { KpiSeriesResolver } from './kpi-series.resolver';

// What other modules use (budgets, campaigns, okrs, the composition root) and the platform tests.
export { Kpi } from './kpi.entity';
export { childrenOfKpi, kpiById } from './kpis.loaders';
export { requireKpisByKeys } from './kpi-access';
export { kpiValuesByPeriod, type PeriodValue } from './kpi-values';
export { onKpiLatestChanged, type KpiLatestChange } from './kpi-latest-hook';
// For measurements written in bulk (the demo seed, bench): their alerts and the stored latest values.
export { alertMessage, breachOf, KpiDirection } from './kpi-rules';
export { refreshKpiState } from './kpi-state';

// The overviews' KPI part.
export { KpiOverview, kpiOverview } from './kpi-overview';
// The squad weekly report's KPI facts: latest values by a day, alerts of a window.
export { kpiAlertsInWindow, kpiLatestBy, type KpiSelection } from './kpi-weekly';

export const kpisEntities = [Kpi, KpiMeasurement, KpiAlert];
export const kpisResolvers = [KpiResolver, KpiAlertResolver, KpiAlertsRaisedInBulkResolver, KpiSeriesResolver] as const;

registerWorkSource(kpiAlertWork);


// What `search` finds of this module (registered in src/modules/composition.ts).
export { kpiSearch } from './kpis.search';
export { kpiSeriesExport } from './kpis.export';
