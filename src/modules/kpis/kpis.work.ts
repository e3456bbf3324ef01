import { defineWorkSource } from '../work';
import { KpiAlert } from './kpi.entity';
import { KpiAlertLevel, KpiAlertStatus } from './kpi-rules';

/** The KPI module's part of `myWork`: open alerts of the KPIs the caller owns. */
export const kpiAlertWork = defineWorkSource<KpiAlert>({
  kinds: {
    KPI_ALERT_OPEN: 'An open (unacknowledged) alert of a KPI you own, due the day it was raised (its reason says whether it is critical).',
  },
  entity: KpiAlert,
  items: ({ param, kind, organizationId, userId }) => `
    SELECT ${kind('KPI_ALERT_OPEN')} AS kind, (a.created_at AT TIME ZONE 'UTC')::date AS due_on, a.id
      FROM kpi_alerts a JOIN kpis k ON k.id = a.kpi_id AND k.organization_id = a.organization_id
     WHERE a.organization_id = ${param(organizationId)} AND a.status = ${param(KpiAlertStatus.OPEN)} AND k.owner_id = ${param(userId)} AND k.archived_at IS NULL`,
  reason: (_kind, _dueOn, a) => `${a.level === KpiAlertLevel.CRITICAL ? 'critical' : 'warning'}: ${a.message}`,
});
