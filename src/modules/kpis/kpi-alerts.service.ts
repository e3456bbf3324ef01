/** Threshold alerts: the list and acknowledging (the owner's `myWork` items are kpis.work.ts). */
import { assertCanManage } from '../../common/access';
import { orgId } from '../../common/auth';
import { paginate, type ConnectionArgs, type ConnectionResult, type SortKey } from '../../common/connection';
import type { Context } from '../../common/context';
import { requireById } from '../../common/loaders';
import { refuseTransition } from '../../common/rules';
import { withTransaction } from '../../db/transaction';
import { updateWhere } from '../audit';
import { KpiAlert } from './kpi.entity';
import { KpiAlertLevel, KpiAlertStatus } from './kpi-rules';
import type { AcknowledgeKpiAlertInput, KpiAlertsFilter } from './kpis.inputs';
import { kpiAlertById, kpiById } from './kpis.loaders';

const ALERT_SORT: SortKey<KpiAlert>[] = [
  { column: 'a.created_at', direction: 'DESC', value: (a) => a.createdAt },
  { column: 'a.id', direction: 'DESC', value: (a) => a.id },
];

/** `kpiAlerts`: newest first, filtered by status, level and KPI. */
export async function listKpiAlerts(ctx: Context, filter: KpiAlertsFilter, page: ConnectionArgs): Promise<ConnectionResult<KpiAlert>> {
  const qb = ctx.manager.createQueryBuilder(KpiAlert, 'a').where('a.organization_id = :org', { org: orgId(ctx) });
  if (filter.status) qb.andWhere('a.status = :status', { status: filter.status });
  if (filter.level) qb.andWhere('a.level = :level', { level: filter.level });
  if (filter.kpiId) qb.andWhere('a.kpi_id = :kpi', { kpi: filter.kpiId });
  return paginate(ctx, qb, page, ALERT_SORT, 'Query.kpiAlerts');
}

/** OWNER/ADMIN or the KPI's owner acknowledge an open alert (INVALID_TRANSITION when it already is). */
export async function acknowledgeKpiAlert(ctx: Context, input: AcknowledgeKpiAlertInput) {
  return withTransaction(ctx, async (tx) => {
    const alert = await requireById(kpiAlertById(tx), input.id, 'KpiAlert');
    const kpi = await kpiById(tx).load(alert.kpiId);
    await assertCanManage(tx, { kind: 'KPI', ownerId: kpi?.ownerId ?? null }, 'acknowledge the alerts of this KPI');
    // "Already acknowledged" is the update's condition, so two acknowledgements at once cannot both pass.
    const updated = await updateWhere(
      tx,
      KpiAlert,
      alert,
      (param) => `status = ${param(KpiAlertStatus.OPEN)}`,
      { status: KpiAlertStatus.ACKNOWLEDGED, acknowledgedBy: tx.viewer!.userId, acknowledgedAt: new Date(), note: input.note?.trim() || null },
      {
        action: 'kpi_alert.acknowledged',
        meta: { kpiId: alert.kpiId, level: alert.level },
        prime: kpiAlertById,
        unmet: async () => {
          const now = await kpiAlertById(tx).clear(alert.id).load(alert.id);
          if (now?.status === KpiAlertStatus.RESOLVED) {
            return refuseTransition(`This alert was resolved on ${now.resolvedAt?.toISOString() ?? 'an earlier day'}: its period was corrected or deleted`);
          }
          return refuseTransition(`This alert was already acknowledged on ${now?.acknowledgedAt?.toISOString() ?? 'an earlier day'}`);
        },
      },
    );
    return { alert: updated };
  });
}

/**
 * The UPDATE that resolves the OPEN and ACKNOWLEDGED alerts of KPI periods, by a user (null for
 * the system), returning their ids: `$org` the organisation, `$slots` a JSON array of
 * `{ kpi_id, period_start }`, `$by` the user (all SQL parameter references, such as `$1`). One
 * text for `resolveAlerts` and for recordMeasurements' alert statement (kpi-measurements.service.ts).
 */
export function resolveAlertsSql(p: { org: string; slots: string; by: string }): string {
  return `UPDATE kpi_alerts a
        SET status = '${KpiAlertStatus.RESOLVED}', resolved_at = now(), resolved_by = ${p.by}::uuid, version = a.version + 1, updated_at = now()
       FROM (SELECT DISTINCT * FROM json_to_recordset(${p.slots}::json) AS t(kpi_id uuid, period_start date)) s
      WHERE a.organization_id = ${p.org} AND a.kpi_id = s.kpi_id AND a.period_start = s.period_start
        AND a.status IN ('${KpiAlertStatus.OPEN}', '${KpiAlertStatus.ACKNOWLEDGED}')
      RETURNING a.id`;
}

/** The JSON of `resolveAlertsSql`'s `$slots`. */
export const alertSlotsJson = (slots: ReadonlyArray<{ kpiId: string; periodStart: string }>) =>
  JSON.stringify(slots.map((s) => ({ kpi_id: s.kpiId, period_start: s.periodStart })));

/**
 * Resolves the OPEN and ACKNOWLEDGED alerts of these KPI periods (measurements deleted), by the
 * caller (null for the system). One statement; returns the resolved alerts' ids. The by-id loader
 * forgets them.
 */
export async function resolveAlerts(tx: Context, slots: ReadonlyArray<{ kpiId: string; periodStart: string }>): Promise<string[]> {
  if (slots.length === 0) return [];
  // An UPDATE answers [rows, count].
  const [rows]: [Array<{ id: string }>, number] = await tx.manager.query(resolveAlertsSql({ org: '$1', slots: '$2', by: '$3' }), [
    orgId(tx),
    alertSlotsJson(slots),
    tx.viewer?.userId ?? null,
  ]);
  for (const r of rows) kpiAlertById(tx).clear(r.id);
  return rows.map((r) => r.id);
}
