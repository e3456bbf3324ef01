import { Kpi, KpiAlert, KpiMeasurement } from './kpi.entity';
// The by-id loaders register Kpi and KpiAlert for node(id:).
import './kpis.loaders';

export { Kpi, KpiAlert, KpiMeasurement, KpiRange, KpiThresholds } from './kpi.entity';
export { KpiAggregation, KpiAlertLevel, KpiAlertStatus, KpiDirection, KpiLayer, KpiStatus } from './kpi-rules';
export { kpiById } from './kpis.loaders';
export { requireKpisByKeys } from './kpi-access';
export { kpiValuesByPeriod, type PeriodValue } from './kpi-values';

export const kpisEntities = [Kpi, KpiMeasurement, KpiAlert];
export const kpisResolvers = [] as const;
