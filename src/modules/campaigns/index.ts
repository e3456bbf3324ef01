// The event types this module publishes (PlanningEventType).
import './campaigns.events';
import { Campaign, CampaignExpense, CampaignReturn, CampaignReview, CampaignTarget, CampaignTask, Experiment } from './campaign.entity';
// The by-id loaders register Campaign, CampaignReturn, Experiment and CampaignReview for node(id:).
import './campaigns.loaders';
import { registerWorkSource } from '../work';
import { campaignReviewWork } from './campaigns.work';
import { CampaignResolver, CampaignReturnResolver, CampaignReviewResolver, CampaignTargetResolver, ExperimentResolver } from './campaigns.resolver';

// Wired into budgets' recordExpense by src/modules/composition.ts; seeds tag past expenses.
export { campaignExpenseLink, linkCampaignExpenses } from './campaign-expenses';

// The overviews' campaign part.
export { LiveCampaigns, liveCampaigns } from './campaign-overview';

// The impact lineage: campaigns by the KPIs they target, their rows and targets.
export { campaignById, targetsByCampaignId } from './campaigns.loaders';
export { campaignsTargetingKpis } from './campaign-kpis';
export const campaignsEntities = [Campaign, CampaignTarget, CampaignReturn, Experiment, CampaignReview, CampaignTask, CampaignExpense];
export const campaignsResolvers = [CampaignResolver, CampaignTargetResolver, CampaignReturnResolver, CampaignReviewResolver, ExperimentResolver] as const;

registerWorkSource(campaignReviewWork);

// What `search` finds of this module (registered in src/modules/composition.ts).
export { campaignSearch } from './campaigns.search';
export { campaignsExport } from './campaigns.export';
