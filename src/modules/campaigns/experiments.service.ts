/** A/B experiments of a campaign: creation, results (running totals) and conclusion. */
import { orgId } from '../../common/auth';
import { RuleViolation } from '../../common/rules';
import type { Context } from '../../common/context';
import { ErrorCode, badInput } from '../../common/errors';
import { assertBelowCap } from '../../db/caps';
import { withIdempotency } from '../../db/idempotency';
import { withTransaction } from '../../db/transaction';
import { createRecorded, updateRecorded } from '../audit';
import { requireKpisByKeys } from '../kpis';
import { Experiment, ExperimentVariant } from './campaign.entity';
import { validateAlpha, validateVariants } from './campaign-rules';
import { assertOpen, assertRunsCampaign, lockCampaign, requireExperiment } from './campaign-access';
import { experimentById } from './campaigns.loaders';
import { MAX_EXPERIMENTS, type ConcludeExperimentInput, type CreateExperimentInput, type RecordExperimentResultsInput } from './campaigns.inputs';

const experimentMeta = (e: Experiment, squadId: string) => ({ campaignId: e.campaignId, squadId });

function assertNotConcluded(e: Experiment): void {
  if (e.concludedAt) throw new RuleViolation(ErrorCode.EXPERIMENT_CONCLUDED, `Experiment ${e.name} is concluded (${e.decision}): its results no longer change`);
}

/** OWNER/ADMIN or the lead of the campaign's squad; not on a REVIEWED or CANCELLED campaign. */
export async function createExperiment(ctx: Context, input: CreateExperimentInput) {
  const alpha = input.alpha ?? 0.05;
  validateAlpha(alpha);
  return withIdempotency(ctx, 'createExperiment', input, async (tx) => {
    const campaign = await lockCampaign(tx, input.campaignId, 'campaignId');
    await assertRunsCampaign(tx, campaign, 'create experiments for this campaign');
    assertOpen(campaign);
    await assertBelowCap(tx, {
      table: Experiment,
      parentColumn: 'campaign_id',
      parentId: campaign.id,
      max: MAX_EXPERIMENTS,
      field: 'campaignId',
      message: (max) => `A campaign holds at most ${max} experiments`,
    });
    const metric = input.metricKpiKey ? (await requireKpisByKeys(tx, [input.metricKpiKey.trim()], 'metricKpiKey'))[0] : null;
    const experiment = await createRecorded(
      tx,
      Experiment,
      {
        organizationId: orgId(tx),
        campaignId: campaign.id,
        name: input.name.trim(),
        hypothesis: input.hypothesis.trim(),
        metricKpiId: metric?.id ?? null,
        alpha,
        variants: null,
        decision: null,
        concludedAt: null,
        version: 1,
      },
      { action: 'experiment.created', meta: (e) => experimentMeta(e, campaign.squadId), prime: experimentById },
    );
    return { experiment };
  });
}

/** Replaces the running totals of the two arms (BAD_USER_INPUT for impossible counts). */
export async function recordExperimentResults(ctx: Context, input: RecordExperimentResultsInput) {
  const variants = input.variants.map((v) => Object.assign(new ExperimentVariant(), { name: v.name.trim(), users: v.users, conversions: v.conversions, isControl: v.isControl }));
  validateVariants(variants);
  return withTransaction(ctx, async (tx) => {
    const found = await requireExperiment(tx, input.experimentId);
    const campaign = await lockCampaign(tx, found.campaignId);
    await assertRunsCampaign(tx, campaign, "record this experiment's results");
    assertOpen(campaign);
    experimentById(tx).clear(found.id);
    const experiment = await requireExperiment(tx, found.id);
    assertNotConcluded(experiment);
    const updated = await updateRecorded(tx, Experiment, experiment, null, { variants: variants as never }, {
      action: 'experiment.results_recorded',
      meta: (e) => experimentMeta(e, campaign.squadId),
      prime: experimentById,
      what: 'This experiment',
    });
    return { experiment: updated };
  });
}

/** Records the decision; the results are frozen from then on. Needs results. */
export async function concludeExperiment(ctx: Context, input: ConcludeExperimentInput) {
  return withTransaction(ctx, async (tx) => {
    const found = await requireExperiment(tx, input.experimentId);
    const campaign = await lockCampaign(tx, found.campaignId);
    await assertRunsCampaign(tx, campaign, 'conclude this experiment');
    assertOpen(campaign);
    experimentById(tx).clear(found.id);
    const experiment = await requireExperiment(tx, found.id);
    assertNotConcluded(experiment);
    if (!experiment.variants) throw badInput('Record the experiment’s results before concluding it', 'experimentId');
    const updated = await updateRecorded(tx, Experiment, experiment, null, { decision: input.decision, concludedAt: new Date() }, {
      action: 'experiment.concluded',
      meta: (e) => experimentMeta(e, campaign.squadId),
      prime: experimentById,
      what: 'This experiment',
    });
    return { experiment: updated };
  });
}
