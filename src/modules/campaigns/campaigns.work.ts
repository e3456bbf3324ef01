import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { LAST_DAY, periodSql } from '../../common/periods';
import { squadLedByCondition } from '../squads';
import { defineWorkSource } from '../work';
import { Campaign } from './campaign.entity';
import { CampaignStatus } from './campaign-rules';

/** Days after a campaign's end its review (复盘) is due (9999-12-31 at the latest). */
export const REVIEW_DUE_DAYS = 7;

function awaitingReview(ctx: Context, userId: string) {
  return ctx.manager
    .createQueryBuilder(Campaign, 'c')
    .where('c.organization_id = :org AND c.status = :completed', { org: orgId(ctx), completed: CampaignStatus.COMPLETED })
    .andWhere(...squadLedByCondition('c.squad_id', orgId(ctx), userId));
}

/** The campaigns module's part of `myWork`: completed campaigns of the caller's squads awaiting their review. */
export const campaignReviewWork = defineWorkSource<Campaign>({
  kinds: {
    CAMPAIGN_REVIEW_DUE: `A COMPLETED campaign of a squad you lead waits for its review (复盘), due ${REVIEW_DUE_DAYS} days after it ended.`,
  },
  query: awaitingReview,
  dueOn: `LEAST(${periodSql.addDays('c.ends_on', REVIEW_DUE_DAYS)}, DATE '${LAST_DAY}')`,
  reason: (c) => `completed; ended ${c.endsOn}: record its review`,
});
