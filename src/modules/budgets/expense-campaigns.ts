/**
 * How budgets reaches the module that tags expenses with campaigns. Budgets knows no campaigns:
 * `recordExpense(input: { campaignId })` hands the id to the link wired in the composition root
 * (src/modules/composition.ts), which the campaigns module fills; without one, a campaignId is
 * BAD_USER_INPUT ("campaigns are not available").
 */
import type { Context } from '../../common/context';
import type { Expense } from './budget.entity';
import type { ExpenseLink } from './budgets.loaders';

export interface ExpenseCampaignLink {
  /**
   * Inside `recordExpense`'s transaction, once the expense row is inserted (its budget and line
   * locked): checks that the expense may be tagged with the campaign and records the tag. A
   * refusal names `campaignId` (NOT_FOUND, CAMPAIGN_CLOSED, BAD_USER_INPUT) and rolls the
   * expense back with it.
   */
  tag(tx: Context, expense: Expense, campaignId: string): Promise<void>;
  /** The campaign an expense is tagged with, or null: the routing facts of its events (`meta.campaignId`). */
  campaignOf(ctx: Context, expenseId: string): Promise<string | null>;
  /** The link table (`Query.expenses(filter: { campaignIds })` keeps the expenses tagged through it). */
  table: ExpenseLink;
  /** NOT_FOUND naming `field` unless every id is a campaign of the caller's organisation (one statement). */
  requireCampaigns(ctx: Context, ids: readonly string[], field: string): Promise<void>;
}

let link: ExpenseCampaignLink | null = null;

/** Wires (or, with null, unwires) the link; called once by the composition root. */
export function setExpenseCampaignLink(next: ExpenseCampaignLink | null): void {
  if (next && link && link !== next) throw new Error('The expense campaign link is already wired');
  link = next;
}

/** The link wired, if any. */
export function expenseCampaignLink(): ExpenseCampaignLink | null {
  return link;
}
