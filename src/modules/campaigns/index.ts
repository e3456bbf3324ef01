// The event types this module publishes (PlanningEventType).
import './campaigns.events';
import { Campaign, CampaignReturn, CampaignReview, CampaignTarget, CampaignTask, Experiment } from './campaign.entity';
// The by-id loaders register Campaign, CampaignReturn, Experiment and CampaignReview for node(id:).
import './campaigns.loaders';
import { registerExpenseCampaignCheck } from '../budgets';
import { registerWorkSource } from '../work';
import { campaignReviewWork } from './campaigns.work';
import { checkExpenseCampaign } from './campaigns.service';
import { CampaignResolver, CampaignReturnResolver, CampaignReviewResolver, CampaignTargetResolver, ExperimentResolver } from './campaigns.resolver';

export { Campaign, CampaignReturn, CampaignReview, Experiment, ExperimentDecision } from './campaign.entity';
export { CampaignStatus, ReturnKind } from './campaign-rules';
export { campaignById } from './campaigns.loaders';
export { requireCampaign } from './campaign-access';

export const campaignsEntities = [Campaign, CampaignTarget, CampaignReturn, Experiment, CampaignReview, CampaignTask];
export const campaignsResolvers = [CampaignResolver, CampaignTargetResolver, CampaignReturnResolver, CampaignReviewResolver, ExperimentResolver] as const;

// Expenses tagged with a campaign are checked by this module (budgets cannot import campaigns).
registerExpenseCampaignCheck(checkExpenseCampaign);
registerWorkSource(campaignReviewWork);
