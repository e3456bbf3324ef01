/** The campaigns' KPI targets seen from either side, for the impact lineage: one statement each. */
import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';

/** (campaign, KPI) pairs of the campaigns targeting any of `kpiIds`, oldest campaign first, at most `limit`. */
export async function campaignsTargetingKpis(ctx: Context, kpiIds: readonly string[], limit: number): Promise<Array<{ campaignId: string; kpiId: string }>> {
  if (kpiIds.length === 0) return [];
  const rows: Array<{ campaign_id: string; kpi_id: string }> = await ctx.manager.query(
    `SELECT t.campaign_id, t.kpi_id FROM campaign_targets t
       JOIN campaigns c ON c.organization_id = t.organization_id AND c.id = t.campaign_id
      WHERE t.organization_id = $1 AND t.kpi_id = ANY($2::uuid[])
      ORDER BY c.created_at, c.id, t.position LIMIT $3`,
    [orgId(ctx), kpiIds, limit],
  );
  return rows.map((r) => ({ campaignId: r.campaign_id, kpiId: r.kpi_id }));
}
