/**
 * Expenses tagged with a campaign (its cost), in this module's link table `campaign_expenses`.
 * The budgets module books the expense and hands the campaign id to `campaignExpenseLink`, which
 * the composition root (src/modules/composition.ts) wires into it: budgets knows no campaigns.
 */
import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { ErrorCode, badInput, notFound } from '../../common/errors';
import { toGlobalId } from '../../common/ids';
import { campaignById } from './campaigns.loaders';
import { RuleViolation } from '../../common/rules';
import { lockById } from '../../db/locks';
import { budgetLineById, type Expense, type ExpenseCampaignLink } from '../budgets';
import { Campaign } from './campaign.entity';
import { isClosed } from './campaign-rules';

/**
 * Inside `recordExpense`'s transaction, after the expense is inserted: an expense may be tagged
 * with a campaign of the organisation (else NOT_FOUND naming campaignId) that is not REVIEWED or
 * CANCELLED (CAMPAIGN_CLOSED), has a budget line, and whose line is in the expense's budget (a
 * campaign spends from several lines of its budget: traffic, KOL, rewards, production). The
 * campaign row is share-locked so that a concurrent cancellation or review waits for the
 * expense (and the other way round). Then the tag is recorded.
 */
async function tagExpense(tx: Context, expense: Expense, campaignId: string): Promise<void> {
  const campaign = await lockById(tx, Campaign, campaignId, { mode: 'SHARE', field: 'campaignId' });
  if (isClosed(campaign.status)) {
    throw new RuleViolation(ErrorCode.CAMPAIGN_CLOSED, `The campaign is ${campaign.status}: no more expenses are booked to it`, 'campaignId');
  }
  if (!campaign.budgetLineId) throw badInput('The campaign has no budget line yet: give it one before booking expenses to it', 'campaignId');
  if (campaign.budgetLineId !== expense.budgetLineId) {
    const own = await budgetLineById(tx).load(campaign.budgetLineId);
    if (!own || own.budgetId !== expense.budgetId) {
      throw badInput("The expense's budget line is not in the campaign's budget: book it to a line of the campaign's budget", 'campaignId');
    }
  }
  await linkCampaignExpenses(tx, campaign.id, [expense.id]);
}

/** The campaign an expense is tagged with, or null. */
async function campaignOfExpense(ctx: Context, expenseId: string): Promise<string | null> {
  const rows: Array<{ campaign_id: string }> = await ctx.manager.query(
    `SELECT campaign_id FROM campaign_expenses WHERE organization_id = $1 AND expense_id = $2`,
    [orgId(ctx), expenseId],
  );
  return rows[0]?.campaign_id ?? null;
}

/**
 * Records expenses of the organisation as tagged with a campaign, as given (an expense already
 * tagged keeps its campaign). Without the checks of `recordExpense`: for `tagExpense`, and for
 * seeds and imports that tag expenses booked before (a reviewed campaign's past spend).
 */
export async function linkCampaignExpenses(ctx: Context, campaignId: string, expenseIds: readonly string[]): Promise<void> {
  if (expenseIds.length === 0) return;
  await ctx.manager.query(
    `INSERT INTO campaign_expenses (organization_id, expense_id, campaign_id)
     SELECT $1, e.id, $2 FROM unnest($3::uuid[]) AS e(id)
     ON CONFLICT (expense_id) DO NOTHING`,
    [orgId(ctx), campaignId, expenseIds],
  );
}

/** What the budgets module calls for `recordExpense(input: { campaignId })` and its events' routing. */
export const campaignExpenseLink: ExpenseCampaignLink = {
  tag: tagExpense,
  campaignOf: campaignOfExpense,
  table: { table: 'campaign_expenses', keyColumn: 'campaign_id', expenseColumn: 'expense_id' },
  requireCampaigns: async (ctx, ids, field) => {
    const found = await campaignById(ctx).loadMany([...ids]);
    const missing = ids.findIndex((_, i) => found[i] == null || found[i] instanceof Error);
    if (missing >= 0) throw notFound('Campaign', toGlobalId('Campaign', ids[missing]), field);
  },
};
