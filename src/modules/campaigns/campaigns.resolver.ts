import Decimal from 'decimal.js';
import { Arg, Args, Authorized, Ctx, FieldResolver, Float, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { ConnectionArgs } from '../../common/connection';
import { ADMINS_AND_FINANCE, MANAGERS, MANAGERS_AND_FINANCE } from '../../common/access';
import type { Context } from '../../common/context';
import type { PlanningEventPayload } from '../../common/events';
import { fromGlobalId } from '../../common/ids';
import { nullOnError, required } from '../../common/loaders';
import { DecimalScalar, scaleOf } from '../../common/scalars';
import { BUDGETS_EVENTS, BudgetLine, budgetLineById } from '../budgets';
import { User, referencedUserById } from '../identity';
import { Kpi, kpiById } from '../kpis';
import { planningSubscription } from '../realtime';
import { Squad, squadById } from '../squads';
import { Task, taskById } from '../tasks';
import { Campaign, CampaignReturn, CampaignReview, CampaignTarget, Experiment, ExperimentVariant } from './campaign.entity';
import { CAMPAIGNS_EVENTS } from './campaigns.events';
import { experimentResult, roiOf, sampleSizePerArm } from './campaign-rules';
import { RATIO_PLACES, roundAmount } from '../../common/money';
import { campaignCurrency, requireCampaign } from './campaign-access';
import {
  ConcludeExperimentInput,
  CampaignChangedFilter,
  CampaignsFilter,
  CreateCampaignInput,
  CreateExperimentInput,
  MAX_EXPERIMENTS,
  MAX_RETURNS,
  MAX_REVIEW_ACTIONS,
  MAX_TARGETS,
  RecordCampaignReturnInput,
  RecordExperimentResultsInput,
  ReviewCampaignInput,
  TransitionCampaignInput,
  UpdateCampaignInput,
} from './campaigns.inputs';
import {
  campaignById,
  campaignCostById,
  experimentsByCampaignId,
  returnsByCampaignId,
  reviewByCampaignId,
  targetActual,
  targetsByCampaignId,
  taskIdsByCampaignId,
  totalReturnByCampaignId,
} from './campaigns.loaders';
import * as campaigns from './campaigns.service';
import * as experiments from './experiments.service';
import { reviewCampaign } from './reviews.service';
import {
  CampaignConnection,
  CampaignTargetView,
  ConcludeExperimentPayload,
  CreateCampaignPayload,
  CreateExperimentPayload,
  ExperimentResult,
  RecordCampaignReturnPayload,
  RecordExperimentResultsPayload,
  ReviewCampaignPayload,
  TransitionCampaignPayload,
  UpdateCampaignPayload,
} from './campaigns.types';

/** Events that change a campaign's status, plan, cost or returns (expenses carry `meta.campaignId`). */
const CAMPAIGN_EVENTS = [
  CAMPAIGNS_EVENTS.CAMPAIGN_CREATED,
  CAMPAIGNS_EVENTS.CAMPAIGN_UPDATED,
  CAMPAIGNS_EVENTS.CAMPAIGN_TRANSITIONED,
  CAMPAIGNS_EVENTS.CAMPAIGN_RETURN_RECORDED,
  BUDGETS_EVENTS.EXPENSE_RECORDED,
  BUDGETS_EVENTS.EXPENSE_VOIDED,
];

/** An amount of a campaign at its currency's scale; as stored while it has no currency (no budget line). */
const shownIn = (amount: Decimal, currency: string | null) => (currency ? roundAmount(amount, currency) : amount);

/**
 * A campaign's cost: its expenses' total at their currency's scale (0 in the campaign's currency
 * without any); null when they are in several currencies.
 */
async function campaignCost(ctx: Context, c: Campaign): Promise<Decimal | null> {
  const totals = (await campaignCostById(ctx).load(c.id)) ?? [];
  if (totals.length > 1) return null;
  if (totals.length === 1) return totals[0].amount;
  return shownIn(new Decimal(0), await campaignCurrency(ctx, c));
}

const campaignIdOf = (payload: PlanningEventPayload) => (payload.entityType === 'Campaign' ? payload.entityId : (payload.meta?.campaignId ?? null));

@Resolver(() => Campaign)
export class CampaignResolver {
  @Authorized()
  @Query(() => CampaignConnection, { description: 'Campaigns, latest start first, by squad and status.' })
  campaigns(
    @Arg('filter', () => CampaignsFilter, { nullable: true }) filter: CampaignsFilter | null,
    @Args() page: ConnectionArgs,
    @Ctx() ctx: Context,
  ) {
    return campaigns.listCampaigns(ctx, filter ?? {}, page);
  }

  @Authorized()
  @Query(() => Campaign, { description: 'One campaign; NOT_FOUND when it does not exist in this organisation.' })
  campaign(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return requireCampaign(ctx, fromGlobalId(id, 'Campaign', 'id'));
  }

  @Authorized()
  @Query(() => Int, {
    description:
      'Users needed per arm to detect a relative lift of the baseline conversion rate with a two-sided two-proportion z-test (pooled variance): n = (z₁₋α/₂ √(2p̄(1−p̄)) + z₁₋β √(p₁(1−p₁) + p₂(1−p₂)))² ÷ (p₂ − p₁)², rounded up.',
  })
  experimentSampleSize(
    @Arg('baselineRate', () => Float, { description: 'Conversion rate of the control, above 0 and below 1 (0.1 for 10%).' }) baselineRate: number,
    @Arg('minimumDetectableLift', () => Float, { description: 'Relative lift to detect (0.2 for +20%).' }) minimumDetectableLift: number,
    @Arg('alpha', () => Float, { defaultValue: 0.05 }) alpha: number,
    @Arg('power', () => Float, { defaultValue: 0.8 }) power: number,
  ): number {
    return sampleSizePerArm(baselineRate, minimumDetectableLift, alpha, power);
  }

  @Authorized(...MANAGERS)
  @Mutation(() => CreateCampaignPayload, { description: 'OWNER/ADMIN, or the lead of the squad. Starts as DRAFT.' })
  createCampaign(@Arg('input') input: CreateCampaignInput, @Ctx() ctx: Context) {
    return campaigns.createCampaign(ctx, input);
  }

  @Authorized(...MANAGERS)
  @Mutation(() => UpdateCampaignPayload, {
    description: 'OWNER/ADMIN, or the lead of its squad; not once REVIEWED or CANCELLED (CAMPAIGN_CLOSED). Stale expectedVersion: CONFLICT.',
  })
  updateCampaign(@Arg('input') input: UpdateCampaignInput, @Ctx() ctx: Context) {
    return campaigns.updateCampaign(ctx, input);
  }

  @Authorized(...MANAGERS_AND_FINANCE)
  @Mutation(() => TransitionCampaignPayload, {
    description:
      'DRAFT → PLANNED → APPROVED → LIVE → COMPLETED, and DRAFT/PLANNED/APPROVED/LIVE → CANCELLED; anything else is INVALID_TRANSITION naming the allowed next states. APPROVED: FINANCE/ADMIN/OWNER only, with a budget line. The lead of the squad runs the rest. REVIEWED: through reviewCampaign.',
  })
  transitionCampaign(@Arg('input') input: TransitionCampaignInput, @Ctx() ctx: Context) {
    return campaigns.transitionCampaign(ctx, input);
  }

  @Authorized(...ADMINS_AND_FINANCE)
  @Mutation(() => RecordCampaignReturnPayload, {
    description: 'FINANCE/ADMIN/OWNER. The amount, or its basis for the server to compute it exactly. Not on a REVIEWED or CANCELLED campaign.',
  })
  recordCampaignReturn(@Arg('input') input: RecordCampaignReturnInput, @Ctx() ctx: Context) {
    return campaigns.recordCampaignReturn(ctx, input);
  }

  @Authorized(...MANAGERS)
  @Mutation(() => ReviewCampaignPayload, {
    description:
      'OWNER/ADMIN, or the lead of its squad, on a COMPLETED campaign: records the review (复盘), turns each action into a task linked to the campaign, and moves it to REVIEWED, in one transaction.',
  })
  reviewCampaign(@Arg('input') input: ReviewCampaignInput, @Ctx() ctx: Context) {
    return reviewCampaign(ctx, input);
  }

  @Authorized()
  @Subscription(() => Campaign, {
    description: 'A campaign’s status, plan, cost (an expense tagged with it recorded or voided) or returns changed.',
    ...planningSubscription<{ filter?: CampaignChangedFilter }>(CAMPAIGN_EVENTS, async (payload, args, ctx) => {
      const campaignId = campaignIdOf(payload);
      if (!campaignId) return false;
      const squadId = args.filter?.squadId;
      if (!squadId) return true;
      if (payload.entityType === 'Campaign') return payload.meta?.squadId === squadId;
      return (await campaignById(ctx).load(campaignId))?.squadId === squadId;
    }),
  })
  async campaignChanged(
    @Root() payload: PlanningEventPayload,
    @Arg('filter', () => CampaignChangedFilter, { nullable: true }) _filter: CampaignChangedFilter | null,
    @Ctx() ctx: Context,
  ): Promise<Campaign> {
    return required(campaignById(ctx).load(campaignIdOf(payload)!), 'Campaign');
  }

  @FieldResolver(() => Squad)
  squad(@Root() c: Campaign, @Ctx() ctx: Context) {
    return required(squadById(ctx).load(c.squadId), 'Squad');
  }

  @FieldResolver(() => BudgetLine, { nullable: true, description: 'The budget line paying for it; needed before approval.' })
  budgetLine(@Root() c: Campaign, @Ctx() ctx: Context) {
    return c.budgetLineId ? budgetLineById(ctx).load(c.budgetLineId) : null;
  }

  @FieldResolver(() => [CampaignTargetView], { description: `KPIs targeted, in the order given (at most ${MAX_TARGETS}).` })
  async targets(@Root() c: Campaign, @Ctx() ctx: Context) {
    return (await targetsByCampaignId(ctx).load(c.id)) ?? [];
  }

  @FieldResolver(() => DecimalScalar, {
    nullable: true,
    description:
      'The sum of the campaign’s non-void expenses, exact, at its currency’s scale (0 without any); null when they are in more than one currency (amounts in different currencies are never added).',
  })
  async cost(@Root() c: Campaign, @Ctx() ctx: Context): Promise<Decimal | null> {
    return campaignCost(ctx, c);
  }

  @FieldResolver(() => [CampaignReturn], { description: `Returns recorded, oldest first (at most ${MAX_RETURNS}).` })
  async returns(@Root() c: Campaign, @Ctx() ctx: Context) {
    const [returns, currency] = await Promise.all([returnsByCampaignId(ctx).load(c.id), campaignCurrency(ctx, c)]);
    // Their amounts at the currency's scale once, here, so that CampaignReturn.amount answers
    // without reading the campaign again for each return.
    for (const r of returns ?? []) if (currency && scaleOf(r.amount) === undefined) r.amount = roundAmount(r.amount, currency);
    return returns ?? [];
  }

  @FieldResolver(() => DecimalScalar, { description: 'The sum of the returns, exact (0 without any).' })
  async totalReturn(@Root() c: Campaign, @Ctx() ctx: Context): Promise<Decimal> {
    const [total, currency] = await Promise.all([totalReturnByCampaignId(ctx).load(c.id), campaignCurrency(ctx, c)]);
    return shownIn(total ?? new Decimal(0), currency);
  }

  @FieldResolver(() => DecimalScalar, {
    nullable: true,
    description: `(totalReturn − cost) ÷ cost as a ratio (1.9 means 190%), rounded half to even to ${RATIO_PLACES} decimal places like every ratio; null while the cost is zero or unknown (several currencies), and when the ratio is out of the Decimal range.`,
  })
  async roi(@Root() c: Campaign, @Ctx() ctx: Context): Promise<Decimal | null> {
    const [cost, total] = await Promise.all([campaignCost(ctx, c), totalReturnByCampaignId(ctx).load(c.id)]);
    return cost ? roiOf(total ?? new Decimal(0), cost) : null;
  }

  @FieldResolver(() => [Experiment], { description: `A/B experiments, oldest first (at most ${MAX_EXPERIMENTS}).` })
  async experiments(@Root() c: Campaign, @Ctx() ctx: Context) {
    return (await experimentsByCampaignId(ctx).load(c.id)) ?? [];
  }

  @FieldResolver(() => CampaignReview, { nullable: true, description: 'The review (复盘), once recorded.' })
  review(@Root() c: Campaign, @Ctx() ctx: Context) {
    return reviewByCampaignId(ctx).load(c.id);
  }

  @FieldResolver(() => [Task], { description: `Tasks created from the review’s actions (at most ${MAX_REVIEW_ACTIONS}).` })
  async tasks(@Root() c: Campaign, @Ctx() ctx: Context) {
    const ids = (await taskIdsByCampaignId(ctx).load(c.id)) ?? [];
    return nullOnError(await taskById(ctx).loadMany(ids)).filter((t): t is Task => t != null);
  }
}

@Resolver(() => CampaignTargetView)
export class CampaignTargetResolver {
  @FieldResolver(() => Kpi)
  kpi(@Root() t: CampaignTarget, @Ctx() ctx: Context) {
    return required(kpiById(ctx).load(t.kpiId), 'Kpi');
  }

  @FieldResolver(() => DecimalScalar, {
    nullable: true,
    description:
      'The KPI over the campaign: its monthly values over the months the campaign’s dates touch, combined by its aggregation (SUM: sum; AVERAGE: mean of the months with a value; LAST: the latest month’s). Null without measurements (a formula KPI’s own measurements only), and when the result is out of the Decimal range.',
  })
  actual(@Root() t: CampaignTarget, @Ctx() ctx: Context) {
    return targetActual(ctx).load(t);
  }
}

@Resolver(() => CampaignReturn)
export class CampaignReturnResolver {
  @FieldResolver(() => DecimalScalar)
  amount(@Root() r: CampaignReturn, @Ctx() ctx: Context): Decimal | Promise<Decimal> {
    if (scaleOf(r.amount) !== undefined) return r.amount; // scaled by Campaign.returns
    return campaignById(ctx)
      .load(r.campaignId)
      .then(async (campaign) => shownIn(r.amount, campaign ? await campaignCurrency(ctx, campaign) : null));
  }

  @FieldResolver(() => User, { nullable: true })
  recordedBy(@Root() r: CampaignReturn, @Ctx() ctx: Context) {
    return r.recordedBy ? referencedUserById(ctx).load(r.recordedBy) : null;
  }

  @FieldResolver(() => Campaign)
  campaign(@Root() r: CampaignReturn, @Ctx() ctx: Context) {
    return required(campaignById(ctx).load(r.campaignId), 'Campaign');
  }
}

@Resolver(() => CampaignReview)
export class CampaignReviewResolver {
  @FieldResolver(() => User, { nullable: true })
  reviewedBy(@Root() r: CampaignReview, @Ctx() ctx: Context) {
    return r.reviewedBy ? referencedUserById(ctx).load(r.reviewedBy) : null;
  }

  @FieldResolver(() => Campaign)
  campaign(@Root() r: CampaignReview, @Ctx() ctx: Context) {
    return required(campaignById(ctx).load(r.campaignId), 'Campaign');
  }
}

@Resolver(() => Experiment)
export class ExperimentResolver {
  @Authorized(...MANAGERS)
  @Mutation(() => CreateExperimentPayload, { description: 'OWNER/ADMIN, or the lead of the campaign’s squad. alpha defaults to 0.05.' })
  createExperiment(@Arg('input') input: CreateExperimentInput, @Ctx() ctx: Context) {
    return experiments.createExperiment(ctx, input);
  }

  @Authorized(...MANAGERS)
  @Mutation(() => RecordExperimentResultsPayload, {
    description: 'OWNER/ADMIN, or the lead of the campaign’s squad: the running totals of the control and the treatment. users ≤ 0, conversions > users or no control: BAD_USER_INPUT.',
  })
  recordExperimentResults(@Arg('input') input: RecordExperimentResultsInput, @Ctx() ctx: Context) {
    return experiments.recordExperimentResults(ctx, input);
  }

  @Authorized(...MANAGERS)
  @Mutation(() => ConcludeExperimentPayload, { description: 'OWNER/ADMIN, or the lead of the campaign’s squad: records the decision; the results are frozen (EXPERIMENT_CONCLUDED).' })
  concludeExperiment(@Arg('input') input: ConcludeExperimentInput, @Ctx() ctx: Context) {
    return experiments.concludeExperiment(ctx, input);
  }

  @FieldResolver(() => Campaign)
  campaign(@Root() e: Experiment, @Ctx() ctx: Context) {
    return required(campaignById(ctx).load(e.campaignId), 'Campaign');
  }

  @FieldResolver(() => Kpi, { nullable: true, description: 'The KPI it measures.' })
  metric(@Root() e: Experiment, @Ctx() ctx: Context) {
    return e.metricKpiId ? kpiById(ctx).load(e.metricKpiId) : null;
  }

  @FieldResolver(() => [ExperimentVariant], { description: 'The control and the treatment (at most 2); empty before results are recorded.' })
  variants(@Root() e: Experiment): ExperimentVariant[] {
    return e.variants ?? [];
  }

  @FieldResolver(() => ExperimentResult, { nullable: true, description: 'The test of the latest results; null before any.' })
  result(@Root() e: Experiment): ExperimentResult | null {
    return e.variants ? experimentResult(e.variants, e.alpha) : null;
  }
}
