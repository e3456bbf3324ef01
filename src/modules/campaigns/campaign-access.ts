/** Shared by the campaign services: lookups, permissions, locks and rule errors. */
import { assertCanManage, type Managed } from '../../common/access';
import { RuleViolation } from '../../common/rules';
import type { Context } from '../../common/context';
import { ErrorCode } from '../../common/errors';
import { requireById } from '../../common/loaders';
import { lockById } from '../../db/locks';
import { checkDateRange } from '../../common/periods';
import { budgetByLineId } from '../budgets';
import { Campaign } from './campaign.entity';
import { isClosed } from './campaign-rules';
import { campaignById, campaignCostById, experimentById } from './campaigns.loaders';

export function requireCampaign(ctx: Context, id: string) {
  return requireById(campaignById(ctx), id, 'Campaign');
}

export function requireExperiment(ctx: Context, id: string) {
  return requireById(experimentById(ctx), id, 'Experiment');
}

/**
 * Reads the campaign with a row lock (`lockById`, FOR UPDATE), so that changes to one campaign (a
 * transition, a review, a return, an expense tagged with it) queue instead of racing. NOT_FOUND
 * names `field` when given.
 */
export function lockCampaign(tx: Context, id: string, field?: string): Promise<Campaign> {
  return lockById(tx, Campaign, id, { field });
}

/** The campaign as the kit's "may manage" rule sees it: OWNER/ADMIN, or the lead of its squad. */
export const managed = (campaign: Campaign): Managed => ({ kind: 'campaign', squadId: campaign.squadId });

/** OWNER/ADMIN, or the lead of the campaign's squad (`assertCanManage`). */
export function assertRunsCampaign(ctx: Context, campaign: Campaign, action: string): Promise<void> {
  return assertCanManage(ctx, managed(campaign), action);
}

/** A REVIEWED or CANCELLED campaign no longer changes. */
export function assertOpen(campaign: Campaign, what = 'This campaign'): void {
  if (isClosed(campaign.status)) {
    throw new RuleViolation(ErrorCode.CAMPAIGN_CLOSED, `${what} is ${campaign.status}: its plan, returns and experiments no longer change`);
  }
}

/** A campaign covers at most this many days, counting its first and last (about three years). */
export const MAX_CAMPAIGN_DAYS = 1097;

export function checkDates(startsOn: string, endsOn: string): void {
  checkDateRange(startsOn, endsOn, { startField: 'startsOn', endField: 'endsOn', maxDays: MAX_CAMPAIGN_DAYS, what: 'A campaign' });
}

/**
 * The currency of a campaign's money (its returns, its cost): the currency of the budget its
 * budget line belongs to (which its expenses, booked to that budget, share: their cost, loaded
 * beside it, tells it without another statement); null while it has no budget line.
 */
export async function campaignCurrency(ctx: Context, campaign: Campaign): Promise<string | null> {
  if (!campaign.budgetLineId) return null;
  const cost = (await campaignCostById(ctx).load(campaign.id)) ?? [];
  if (cost.length === 1) return cost[0].currency;
  return (await budgetByLineId(ctx).load(campaign.budgetLineId))?.currency ?? null;
}

/** The routing facts of a campaign's events. */
export const campaignMeta = (c: Campaign) => ({ campaignId: c.id, squadId: c.squadId, status: c.status });
