/** The review (复盘) that closes a campaign. */
import { orgId } from '../../common/auth';
import { refuseTransition } from '../../common/rules';
import type { Context } from '../../common/context';
import { withIdempotency } from '../../db/idempotency';
import { createRecorded, updateRecorded } from '../audit';
import { createTaskInTransaction, type Task } from '../tasks';
import { CampaignReview, Campaign } from './campaign.entity';
import { CampaignStatus, allowedNext } from './campaign-rules';
import { assertRunsCampaign, campaignMeta, lockCampaign } from './campaign-access';
import { campaignById, campaignReviewById } from './campaigns.loaders';
import type { ReviewCampaignInput } from './campaigns.inputs';

/**
 * OWNER/ADMIN or the lead of the campaign's squad, on a COMPLETED campaign (else
 * INVALID_TRANSITION): records the review, turns each action into a task of the campaign's squad
 * linked to the campaign, and moves the campaign to REVIEWED — one transaction.
 */
export async function reviewCampaign(ctx: Context, input: ReviewCampaignInput) {
  return withIdempotency(ctx, 'reviewCampaign', input, async (tx) => {
    const campaign = await lockCampaign(tx, input.campaignId);
    await assertRunsCampaign(tx, campaign, 'review this campaign');
    if (campaign.status !== CampaignStatus.COMPLETED) {
      const next = allowedNext(campaign.status);
      throw refuseTransition(
        `Only a COMPLETED campaign is reviewed; this one is ${campaign.status}${next.length ? ` (allowed next: ${next.join(', ')})` : ''}`,
        undefined,
        { allowed: [...next] },
      );
    }
    const review = await createRecorded(
      tx,
      CampaignReview,
      {
        organizationId: orgId(tx),
        campaignId: campaign.id,
        summary: input.summary.trim(),
        wentWell: input.wentWell.trim(),
        toImprove: input.toImprove.trim(),
        reviewedBy: tx.viewer?.userId ?? null,
      },
      { action: 'campaign_review.created', meta: () => campaignMeta(campaign), prime: campaignReviewById },
    );
    const tasks: Task[] = [];
    for (const [i, action] of input.actions.entries()) {
      tasks.push(
        await createTaskInTransaction(
          tx,
          { title: action.title, assigneeId: action.assigneeId ?? null, dueOn: action.dueOn ?? null, squadId: campaign.squadId },
          `actions.${i}.assigneeId`,
        ),
      );
    }
    if (tasks.length) {
      await tx.manager.query(
        `INSERT INTO campaign_tasks (organization_id, campaign_id, task_id, position)
         SELECT $1, $2, t.id, t.position FROM unnest($3::uuid[], $4::int[]) AS t(id, position)`,
        [orgId(tx), campaign.id, tasks.map((t) => t.id), tasks.map((_, i) => i)],
      );
    }
    const reviewed: Campaign = await updateRecorded(tx, Campaign, campaign, null, { status: CampaignStatus.REVIEWED }, {
      action: 'campaign.transitioned',
      meta: (c) => ({ ...campaignMeta(c), from: campaign.status }),
      prime: campaignById,
      what: 'This campaign',
      after: (c) => ({ ...c, reviewId: review.id, taskIds: tasks.map((t) => t.id) }),
    });
    return { review, campaign: reviewed };
  });
}
