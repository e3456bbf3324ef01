import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { addDays } from '../../common/dates';
import { SQUADS_LED_BY_SQL } from '../squads';
import { afterCondition, type WorkCursor, type WorkItemData, type WorkSource } from '../work';
import { Campaign } from './campaign.entity';
import { CampaignStatus } from './campaign-rules';

/** Days after a campaign's end its review (复盘) is due. */
export const REVIEW_DUE_DAYS = 7;

const CAMPAIGN_REVIEW_DUE = {
  name: 'CAMPAIGN_REVIEW_DUE',
  description: `A COMPLETED campaign of a squad you lead waits for its review (复盘), due ${REVIEW_DUE_DAYS} days after it ended.`,
  rank: 3,
};

const DUE_ON = `(c.ends_on + ${REVIEW_DUE_DAYS})`;

function awaitingReview(ctx: Context, userId: string) {
  return ctx.manager
    .createQueryBuilder(Campaign, 'c')
    .where('c.organization_id = :org AND c.status = :completed', { org: orgId(ctx), completed: CampaignStatus.COMPLETED })
    .andWhere(`c.squad_id IN (${SQUADS_LED_BY_SQL})`, { leadId: userId });
}

/** The campaigns module's part of `myWork`: completed campaigns of the caller's squads awaiting their review. */
export const campaignReviewWork: WorkSource = {
  kinds: [CAMPAIGN_REVIEW_DUE],
  async fetch(ctx: Context, userId: string, after: WorkCursor | null, limit: number): Promise<WorkItemData[]> {
    const qb = awaitingReview(ctx, userId);
    const cond = afterCondition(after, () => CAMPAIGN_REVIEW_DUE.rank, DUE_ON, 'c.id');
    if (cond) qb.andWhere(cond.sql, cond.params);
    const campaigns = await qb.orderBy(DUE_ON, 'ASC').addOrderBy('c.id', 'ASC').limit(limit).getMany();
    return campaigns.map((c) => ({
      kind: CAMPAIGN_REVIEW_DUE.name,
      reason: `completed; ended ${c.endsOn}: record its review`,
      dueOn: addDays(c.endsOn, REVIEW_DUE_DAYS),
      subject: c,
    }));
  },
  count(ctx: Context, userId: string): Promise<number> {
    return awaitingReview(ctx, userId).getCount();
  },
};
