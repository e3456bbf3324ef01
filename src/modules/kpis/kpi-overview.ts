/** The KPI part of the overviews: active KPIs by their stored level, with their open alerts. */
import { Field, Int, ObjectType } from 'type-graphql';
import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { KpiAlertStatus, KpiStatus } from './kpi-rules';

@ObjectType({ description: 'How many KPIs are at this level, and their open alerts.' })
export class KpiLevelCount {
  @Field(() => KpiStatus) level: KpiStatus;
  @Field(() => Int) count: number;
  @Field(() => Int, { description: 'OPEN alerts (not acknowledged, not resolved) of these KPIs.' }) openAlertCount: number;
}

@ObjectType({ description: 'Active KPIs by level (their `status`: the latest value against the normal range and thresholds).' })
export class KpiOverview {
  @Field(() => Int) kpiCount: number;
  @Field(() => [KpiLevelCount], { description: 'One entry per level (NORMAL, WARNING, CRITICAL, NO_DATA, in that order), zeros included.' })
  byLevel: KpiLevelCount[];
  @Field(() => Int, { description: 'OPEN alerts of these KPIs.' }) openAlertCount: number;
}

/**
 * Active KPIs (all of the organisation's, or those of `kpiIds`) by the level stored with their
 * latest value (kpi-state.ts `refreshKpiState`, with the rules of kpi-rules.ts `statusOf`), and
 * their OPEN alerts. One statement.
 */
export async function kpiOverview(ctx: Context, kpiIds: readonly string[] | null): Promise<KpiOverview> {
  const rows: Array<{ status: KpiStatus; kpis: number; open_alerts: number }> = await ctx.manager.query(
    `SELECT k.status, count(*)::int AS kpis,
            coalesce(sum((SELECT count(*) FROM kpi_alerts a WHERE a.organization_id = $1 AND a.kpi_id = k.id AND a.status = $3)), 0)::int AS open_alerts
       FROM kpis k
      WHERE k.organization_id = $1 AND k.archived_at IS NULL AND ($2::uuid[] IS NULL OR k.id = ANY($2::uuid[]))
      GROUP BY k.status`,
    [orgId(ctx), kpiIds, KpiAlertStatus.OPEN],
  );
  const byLevel = Object.values(KpiStatus).map((level) => {
    const r = rows.find((x) => x.status === level);
    return { level, count: r?.kpis ?? 0, openAlertCount: r?.open_alerts ?? 0 };
  });
  return {
    kpiCount: byLevel.reduce((n, l) => n + l.count, 0),
    byLevel,
    openAlertCount: byLevel.reduce((n, l) => n + l.openAlertCount, 0),
  };
}
