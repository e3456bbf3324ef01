/**
 * The KPI part of a squad's week (the squad weekly report): for the KPIs given by id or by owner,
 * the latest measurement by the week's end with the one of the bucket before it, and the alerts
 * raised or resolved in the week. One statement each, whatever the number of KPIs.
 */
import Decimal from 'decimal.js';
import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { periodSql } from '../../common/periods';

type Row = Record<string, any>;

/** Which KPIs: the live ones among `kpiIds`, or owned by one of `ownerIds`. */
export interface KpiSelection {
  kpiIds: readonly string[];
  ownerIds: readonly string[];
}

/** The selected KPIs; parameters $1 organisation, $2 KPI ids, $3 owner ids. */
const SELECTED_KPIS = `
  SELECT k.id, k.key, k.name, k.unit, k.grain
  FROM kpis k
  WHERE k.organization_id = $1 AND k.archived_at IS NULL AND (k.id = ANY($2::uuid[]) OR k.owner_id = ANY($3::uuid[]))`;

/** The start of the bucket before `m.period_start` (itself a bucket start) of the KPI's grain, in SQL. */
const PREVIOUS_BUCKET = `CASE k.grain
    WHEN 'DAY' THEN m.period_start - 1
    WHEN 'WEEK' THEN m.period_start - 7
    WHEN 'MONTH' THEN (m.period_start::timestamp - interval '1 month')::date
    ELSE (m.period_start::timestamp - interval '3 months')::date END`;

const decOrNull = (v: unknown) => (v == null ? null : new Decimal(String(v)));

export interface KpiLatestBy {
  kpiId: string;
  key: string;
  name: string;
  unit: string | null;
  /** The latest measured bucket starting by the day (null: none). */
  periodStart: string | null;
  value: Decimal | null;
  /** The bucket before it, and its value when measured. */
  previousPeriodStart: string | null;
  previousValue: Decimal | null;
}

/** For each selected KPI (by key), its latest measurement of a bucket starting by `day` and the bucket before. One statement. */
export async function kpiLatestBy(ctx: Context, selection: KpiSelection, day: string): Promise<KpiLatestBy[]> {
  const rows: Row[] = await ctx.manager.query(
    `SELECT k.id, k.key, k.name, k.unit,
            ${periodSql.dayText('m.period_start')} AS period_start, m.value,
            ${periodSql.dayText(PREVIOUS_BUCKET)} AS previous_period_start, p.value AS previous_value
     FROM (${SELECTED_KPIS}) k
     LEFT JOIN LATERAL (
       SELECT km.period_start, km.value FROM kpi_measurements km
       WHERE km.organization_id = $1 AND km.kpi_id = k.id AND km.period_start <= $4::date
       ORDER BY km.period_start DESC LIMIT 1) m ON true
     LEFT JOIN kpi_measurements p ON p.organization_id = $1 AND p.kpi_id = k.id AND p.period_start = ${PREVIOUS_BUCKET}
     ORDER BY k.key`,
    [orgId(ctx), selection.kpiIds, selection.ownerIds, day],
  );
  return rows.map((r) => ({
    kpiId: r.id,
    key: r.key,
    name: r.name,
    unit: r.unit,
    periodStart: r.period_start ?? null,
    value: decOrNull(r.value),
    previousPeriodStart: r.previous_period_start ?? null,
    previousValue: decOrNull(r.previous_value),
  }));
}

export interface KpiAlertInWindow {
  alertId: string;
  kpiKey: string;
  kpiName: string;
  level: string;
  status: string;
  message: string;
  raisedAt: Date;
  resolvedAt: Date | null;
  raisedInWindow: boolean;
  resolvedInWindow: boolean;
}

/** The selected KPIs' alerts raised or resolved in the days `from`..`to` (UTC), oldest first. One statement. */
export async function kpiAlertsInWindow(ctx: Context, selection: KpiSelection, from: string, to: string): Promise<KpiAlertInWindow[]> {
  const FROM = `(($4::date)::timestamp AT TIME ZONE 'UTC')`;
  const UNTIL = `((($5::date) + 1)::timestamp AT TIME ZONE 'UTC')`;
  const rows: Row[] = await ctx.manager.query(
    `SELECT a.id, k.key, k.name, a.level, a.status, a.message, a.created_at, a.resolved_at,
            (a.created_at >= ${FROM} AND a.created_at < ${UNTIL}) AS raised_in_window,
            (a.resolved_at IS NOT NULL AND a.resolved_at >= ${FROM} AND a.resolved_at < ${UNTIL}) AS resolved_in_window
     FROM kpi_alerts a
     JOIN (${SELECTED_KPIS}) k ON k.id = a.kpi_id
     WHERE a.organization_id = $1
       AND ((a.created_at >= ${FROM} AND a.created_at < ${UNTIL}) OR (a.resolved_at >= ${FROM} AND a.resolved_at < ${UNTIL}))
     ORDER BY a.created_at, a.id`,
    [orgId(ctx), selection.kpiIds, selection.ownerIds, from, to],
  );
  return rows.map((r) => ({
    alertId: r.id,
    kpiKey: r.key,
    kpiName: r.name,
    level: r.level,
    status: r.status,
    message: r.message,
    raisedAt: new Date(r.created_at),
    resolvedAt: r.resolved_at ? new Date(r.resolved_at) : null,
    raisedInWindow: r.raised_in_window,
    resolvedInWindow: r.resolved_in_window,
  }));
}
