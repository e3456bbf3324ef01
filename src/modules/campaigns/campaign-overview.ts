/** The campaign part of the overviews: live campaigns, and the best and worst of them by ROI. */
import Decimal from 'decimal.js';
import { Field, Int, ObjectType } from 'type-graphql';
import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { primeById } from '../../common/loaders';
import { rowShape } from '../../common/rows';
import { DecimalScalar } from '../../common/scalars';
import { Campaign } from './campaign.entity';
import { CampaignStatus, roiOf } from './campaign-rules';
import { campaignCostById, totalReturnByCampaignId } from './campaigns.loaders';

@ObjectType({ description: 'A campaign and its ROI.' })
export class CampaignRoi {
  @Field(() => Campaign) campaign: Campaign;
  @Field(() => DecimalScalar, { description: 'As Campaign.roi: (totalReturn − cost) ÷ cost, a ratio.' }) roi: Decimal;
}

@ObjectType({ description: 'Campaigns in execution (LIVE).' })
export class LiveCampaigns {
  @Field(() => Int) count: number;
  @Field(() => CampaignRoi, { nullable: true, description: 'The highest ROI among them (ties: the earliest start); null when no LIVE campaign has an ROI yet (no cost, or costs in several currencies).' })
  best: CampaignRoi | null;
  @Field(() => CampaignRoi, { nullable: true, description: 'The lowest ROI among them; null as for best.' })
  worst: CampaignRoi | null;
}

/**
 * The LIVE campaigns of the organisation or of one squad, with their ROI by the campaign rules
 * (`roiOf` over the cost and returns `Campaign.roi` reads). Three statements whatever their
 * number: the campaigns, their costs, their returns (the loaders `Campaign.cost`/`roi` use).
 */
export async function liveCampaigns(ctx: Context, squadId: string | null): Promise<LiveCampaigns> {
  const shape = rowShape(ctx.manager.connection, Campaign);
  const rows: Array<Record<string, unknown>> = await ctx.manager.query(
    `SELECT ${shape.columns('c')} FROM campaigns c
      WHERE c.organization_id = $1 AND c.status = $2 AND ($3::uuid IS NULL OR c.squad_id = $3::uuid)
      ORDER BY c.starts_on, c.id`,
    [orgId(ctx), CampaignStatus.LIVE, squadId],
  );
  const campaigns = rows.map((r) => shape.map(r));
  primeById(ctx, Campaign, campaigns);
  if (campaigns.length === 0) return { count: 0, best: null, worst: null };
  const ids = campaigns.map((c) => c.id);
  const [costs, returns] = await Promise.all([campaignCostById(ctx).loadMany(ids), totalReturnByCampaignId(ctx).loadMany(ids)]);
  const scored: CampaignRoi[] = [];
  campaigns.forEach((campaign, i) => {
    const cost = costs[i];
    const total = returns[i];
    // One currency only (as Campaign.roi); no cost: no ROI.
    if (cost instanceof Error || total instanceof Error || !cost || cost.length !== 1) return;
    const roi = roiOf(total ?? new Decimal(0), cost[0].amount);
    if (roi) scored.push({ campaign, roi });
  });
  let best: CampaignRoi | null = null;
  let worst: CampaignRoi | null = null;
  for (const s of scored) {
    if (!best || s.roi.gt(best.roi)) best = s;
    if (!worst || s.roi.lt(worst.roi)) worst = s;
  }
  return { count: campaigns.length, best, worst };
}
