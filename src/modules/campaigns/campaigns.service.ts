/** Campaigns: listing, creation, edits, transitions, returns, and the expense check for budgets. */
import { orgId } from '../../common/auth';
import { refuseArchived, refuseTransition } from '../../common/rules';
import { paginate, type ConnectionArgs, type SortKey } from '../../common/connection';
import type { Context } from '../../common/context';
import { badInput, forbidden } from '../../common/errors';
import { assertBelowCap } from '../../db/caps';
import { withIdempotency } from '../../db/idempotency';
import { withTransaction } from '../../db/transaction';
import { createRecorded, updateRecorded } from '../audit';
import { budgetLineById, requireBudgetLine } from '../budgets';
import type { Money } from '../../common/money';
import { requireKpisByKeys } from '../kpis';
import { assertManagesSquad, requireSquad } from '../squads';
import { Campaign, CampaignReturn } from './campaign.entity';
import {
  CampaignStatus,
  allowedNext,
  canTransition,
  returnAmount,
  transitionForbidden,
  transitionRefusal,
} from './campaign-rules';
import { ADMINS, ADMINS_AND_FINANCE, canManage, hasRole } from '../../common/access';
import {
  assertOpen,
  assertRunsCampaign,
  campaignMeta,
  checkDates,
  managed,
  lockCampaign,
  campaignCurrency,
  requireCampaign,
} from './campaign-access';
import { campaignById, campaignCostById, campaignReturnById } from './campaigns.loaders';
import {
  MAX_RETURNS,
  type CampaignTargetInput,
  type CampaignsFilter,
  type CreateCampaignInput,
  type RecordCampaignReturnInput,
  type TransitionCampaignInput,
  type UpdateCampaignInput,
} from './campaigns.inputs';
import { CAMPAIGNS_EVENTS } from './campaigns.events';

export const CAMPAIGN_SORT: SortKey<Campaign>[] = [
  { column: 'c.starts_on', direction: 'DESC', value: (c) => c.startsOn },
  { column: 'c.id', direction: 'DESC', value: (c) => c.id },
];

/** Campaigns, latest start first, by squad and status. */
export async function listCampaigns(ctx: Context, filter: CampaignsFilter, page: ConnectionArgs) {
  const qb = ctx.manager.createQueryBuilder(Campaign, 'c').where('c.organization_id = :org', { org: orgId(ctx) });
  if (filter.squadId) qb.andWhere('c.squad_id = :squad', { squad: filter.squadId });
  if (filter.status) qb.andWhere('c.status = :status', { status: filter.status });
  return paginate(ctx, qb, page, CAMPAIGN_SORT, 'Query.campaigns');
}

/** Resolves target KPI keys (one statement) and writes the campaign's targets, replacing any. */
async function storeTargets(tx: Context, campaignId: string, targets: CampaignTargetInput[]): Promise<void> {
  const keys = targets.map((t) => t.kpiKey.trim());
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup) throw badInput(`KPI ${dup} is targeted twice`, 'targets');
  for (const t of targets) if (!t.target.isFinite()) throw badInput('target must be a number', 'targets');
  const kpis = keys.length ? await requireKpisByKeys(tx, keys, 'targets') : [];
  await tx.manager.query(`DELETE FROM campaign_targets WHERE campaign_id = $1 AND organization_id = $2`, [campaignId, orgId(tx)]);
  if (kpis.length === 0) return;
  await tx.manager.query(
    `INSERT INTO campaign_targets (organization_id, campaign_id, kpi_id, target, position)
     SELECT $1, $2, t.kpi_id, t.target, t.position FROM unnest($3::uuid[], $4::numeric[], $5::int[]) AS t(kpi_id, target, position)`,
    [orgId(tx), campaignId, kpis.map((k) => k.id), targets.map((t) => t.target.toFixed()), targets.map((_, i) => i)],
  );
}

const targetsSnapshot = (targets: CampaignTargetInput[] | undefined) =>
  targets?.map((t) => ({ kpiKey: t.kpiKey.trim(), target: t.target.toFixed() }));

export async function createCampaign(ctx: Context, input: CreateCampaignInput) {
  checkDates(input.startsOn, input.endsOn);
  return withIdempotency(ctx, 'createCampaign', input, async (tx) => {
    const squad = await requireSquad(tx, input.squadId);
    assertManagesSquad(tx, squad, 'create campaigns for this squad');
    if (squad.archivedAt) throw refuseArchived(`Squad "${squad.name}" is archived: it runs no new campaigns`, 'squadId');
    const line = input.budgetLineId ? await requireBudgetLine(tx, input.budgetLineId) : null;
    const campaign = await createRecorded(
      tx,
      Campaign,
      {
        organizationId: orgId(tx),
        name: input.name.trim(),
        squadId: squad.id,
        status: CampaignStatus.DRAFT,
        startsOn: input.startsOn,
        endsOn: input.endsOn,
        budgetLineId: line?.id ?? null,
        createdBy: tx.viewer?.userId ?? null,
        version: 1,
      },
      { action: 'campaign.created', meta: campaignMeta, prime: campaignById, after: (c) => ({ ...c, targets: targetsSnapshot(input.targets) }) },
    );
    if (input.targets?.length) await storeTargets(tx, campaign.id, input.targets);
    return { campaign };
  });
}

/** The budget line changes only before approval (approval is of the campaign's spend on it). */
const LINE_EDITABLE = new Set([CampaignStatus.DRAFT, CampaignStatus.PLANNED]);

export async function updateCampaign(ctx: Context, input: UpdateCampaignInput) {
  return withTransaction(ctx, async (tx) => {
    const campaign = await lockCampaign(tx, input.id);
    await assertRunsCampaign(tx, campaign, 'change this campaign');
    assertOpen(campaign);
    const set: Partial<Campaign> = {};
    if (input.name != null) set.name = input.name.trim();
    if (input.startsOn != null) set.startsOn = input.startsOn;
    if (input.endsOn != null) set.endsOn = input.endsOn;
    checkDates(set.startsOn ?? campaign.startsOn, set.endsOn ?? campaign.endsOn);
    if (input.budgetLineId !== undefined) {
      const line = input.budgetLineId ? await requireBudgetLine(tx, input.budgetLineId) : null;
      if ((line?.id ?? null) !== campaign.budgetLineId && !LINE_EDITABLE.has(campaign.status)) {
        throw refuseTransition(`The budget line of a ${campaign.status} campaign no longer changes: it was approved with it`, 'budgetLineId');
      }
      if ((line?.id ?? null) !== campaign.budgetLineId && campaign.budgetLineId) {
        // Its expenses were booked to the current line's budget: the line may move within that budget only.
        const cost: Money[] = (await campaignCostById(tx).load(campaign.id)) ?? [];
        const current = await budgetLineById(tx).load(campaign.budgetLineId);
        if (cost.some((c) => !c.amount.isZero()) && line?.budgetId !== current?.budgetId) {
          throw badInput("The campaign has expenses in its budget: its budget line may only move to another line of that budget", 'budgetLineId');
        }
      }
      set.budgetLineId = line?.id ?? null;
    }
    const updated = await updateRecorded(tx, Campaign, campaign, input.expectedVersion, set, {
      action: 'campaign.updated',
      meta: campaignMeta,
      prime: campaignById,
      what: 'This campaign',
      after: (c) => ({ ...c, targets: targetsSnapshot(input.targets) }),
    });
    if (input.targets) await storeTargets(tx, campaign.id, input.targets);
    return { campaign: updated };
  });
}

/**
 * Moves a campaign along its life cycle (INVALID_TRANSITION naming the allowed next states).
 * APPROVED: FINANCE/ADMIN/OWNER, with a budget line. The squad's lead runs the rest; REVIEWED
 * only through reviewCampaign, which records the review.
 */
export async function transitionCampaign(ctx: Context, input: TransitionCampaignInput) {
  return withTransaction(ctx, async (tx) => {
    const campaign = await lockCampaign(tx, input.id);
    const refusal = transitionForbidden(
      { admin: hasRole(tx, ADMINS), approver: hasRole(tx, ADMINS_AND_FINANCE), lead: await canManage(tx, managed(campaign)) },
      input.to,
    );
    if (refusal) throw forbidden(refusal);
    if (!canTransition(campaign.status, input.to)) {
      throw refuseTransition(transitionRefusal(campaign.status, input.to), undefined, { allowed: [...allowedNext(campaign.status)] });
    }
    if (input.to === CampaignStatus.REVIEWED) {
      throw refuseTransition('A campaign becomes REVIEWED through reviewCampaign, which records its review', undefined, {
        allowed: [...allowedNext(campaign.status)],
      });
    }
    if (input.to === CampaignStatus.APPROVED && !campaign.budgetLineId) {
      throw refuseTransition('A campaign needs a budget line to be approved: set budgetLineId first', 'budgetLineId');
    }
    const updated = await updateRecorded(tx, Campaign, campaign, input.expectedVersion ?? null, { status: input.to }, {
      action: 'campaign.transitioned',
      meta: (c) => ({ ...campaignMeta(c), from: campaign.status }),
      prime: campaignById,
      what: 'This campaign',
    });
    return { campaign: updated };
  });
}


/**
 * FINANCE/ADMIN/OWNER. The amount, or the basis it is computed from exactly (kept for audit).
 * Not on a REVIEWED or CANCELLED campaign (CAMPAIGN_CLOSED); at most MAX_RETURNS per campaign.
 */
export async function recordCampaignReturn(ctx: Context, input: RecordCampaignReturnInput) {
  return withIdempotency(ctx, 'recordCampaignReturn', input, async (tx) => {
    const campaign = await lockCampaign(tx, input.campaignId, 'campaignId');
    assertOpen(campaign);
    const currency = await campaignCurrency(tx, campaign);
    if (!currency) {
      throw badInput("The campaign has no budget line yet: its returns are in its budget's currency; give it a budget line first", 'campaignId');
    }
    const amount = returnAmount(input.kind, input.amount, input.basis, currency);
    // The campaign is locked: two returns added at once count each other. At most 100 returns of
    // at most 10^15 each: the total stays within the Decimal range.
    await assertBelowCap(tx, {
      table: CampaignReturn,
      parentColumn: 'campaign_id',
      parentId: campaign.id,
      max: MAX_RETURNS,
      field: 'campaignId',
      message: (max) => `A campaign holds at most ${max} returns`,
    });
    const basis = input.basis ? Object.fromEntries(Object.entries(input.basis).filter(([, v]) => v != null)) : null;
    const campaignReturn = await createRecorded(
      tx,
      CampaignReturn,
      { organizationId: orgId(tx), campaignId: campaign.id, kind: input.kind, amount, basis, recordedBy: tx.viewer?.userId ?? null },
      {
        action: 'campaign_return.recorded',
        meta: () => campaignMeta(campaign),
        prime: campaignReturnById,
        event: () => ({ type: CAMPAIGNS_EVENTS.CAMPAIGN_RETURN_RECORDED, entityType: 'Campaign', entityId: campaign.id }),
      },
    );
    return { campaignReturn, campaign };
  });
}

export { requireCampaign };
