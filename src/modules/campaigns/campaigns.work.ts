import { LAST_DAY, periodSql } from '../../common/periods';
import { squadsLedBy } from '../squads';
import { defineWorkSource } from '../work';
import { Campaign } from './campaign.entity';
import { CampaignStatus } from './campaign-rules';

/** Days after a campaign's end its review (复盘) is due (9999-12-31 at the latest). */
export const REVIEW_DUE_DAYS = 7;

/** The campaigns module's part of `myWork`: completed campaigns of the caller's squads awaiting their review. */
export const campaignReviewWork = defineWorkSource<Campaign>({
  kinds: {
    CAMPAIGN_REVIEW_DUE: `A COMPLETED campaign of a squad you lead waits for its review (复盘), due ${REVIEW_DUE_DAYS} days after it ended.`,
  },
  entity: Campaign,
  items: ({ param, kind, organizationId, userId }) => `
    SELECT ${kind('CAMPAIGN_REVIEW_DUE')} AS kind, LEAST(${periodSql.addDays('c.ends_on', REVIEW_DUE_DAYS)}, DATE '${LAST_DAY}') AS due_on, c.id
      FROM campaigns c
     WHERE c.organization_id = ${param(organizationId)} AND c.status = ${param(CampaignStatus.COMPLETED)}
       AND ${squadsLedBy('c.squad_id', organizationId, userId)(param)}`,
  reason: (_kind, _dueOn, c) => `completed; ended ${c.endsOn}: record its review`,
});
