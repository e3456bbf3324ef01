import Decimal from 'decimal.js';
import { defineByIdLoader, defineChildLoader, defineIdListLoader, defineLoader, defineRowByKeyLoader, defineSumLoader } from '../../common/loaders';
import { bucketStarts, Grain } from '../../common/periods';
import { sumExpensesThrough } from '../budgets';
import { kpiById, kpiValuesByPeriod, type Kpi } from '../kpis';
import type { Money } from '../../common/money';
import { Campaign, CampaignReturn, CampaignReview, CampaignTarget, CampaignTask, Experiment } from './campaign.entity';
import { combinePeriods } from './campaign-rules';

export const campaignById = defineByIdLoader(Campaign, 'Campaign');
export const campaignReturnById = defineByIdLoader(CampaignReturn, 'CampaignReturn');
export const experimentById = defineByIdLoader(Experiment, 'Experiment');
export const campaignReviewById = defineByIdLoader(CampaignReview, 'CampaignReview');

/** A campaign's returns, oldest first (at most MAX_RETURNS each); primes `campaignReturnById`. */
export const returnsByCampaignId = defineChildLoader({
  name: 'campaigns.returnsByCampaignId',
  entity: CampaignReturn,
  parentColumn: 'campaign_id',
  parentOf: (r) => r.campaignId,
  orderBy: 'c.recorded_at, c.id',
  prime: campaignReturnById,
});

/** The sum of each campaign's returns (0 without any), exact, summed by PostgreSQL. */
export const totalReturnByCampaignId = defineSumLoader({
  name: 'campaigns.totalReturnByCampaignId',
  table: CampaignReturn,
  keyColumn: 'campaign_id',
  sum: 'c.amount',
});

/**
 * A campaign's cost: its non-void expenses (tagged in `campaign_expenses`) summed per currency by
 * the budgets module, one statement per batch; none without expenses.
 */
export const campaignCostById = defineLoader<string, Money[]>('campaigns.costById', (ctx, ids) =>
  sumExpensesThrough(ctx, { table: 'campaign_expenses', keyColumn: 'campaign_id', expenseColumn: 'expense_id' }, ids),
);

/** A campaign's experiments, oldest first (at most MAX_EXPERIMENTS each); primes `experimentById`. */
export const experimentsByCampaignId = defineChildLoader({
  name: 'campaigns.experimentsByCampaignId',
  entity: Experiment,
  parentColumn: 'campaign_id',
  parentOf: (e) => e.campaignId,
  orderBy: 'c.created_at, c.id',
  prime: experimentById,
});

/** The review of each campaign, or null; primes `campaignReviewById`. */
export const reviewByCampaignId = defineRowByKeyLoader({
  name: 'campaigns.reviewByCampaignId',
  entity: CampaignReview,
  keyColumn: 'campaign_id',
});

/** The ids of the tasks linked to each campaign (a review's actions), in the order of the actions. */
export const taskIdsByCampaignId = defineIdListLoader({
  name: 'campaigns.taskIdsByCampaignId',
  table: CampaignTask,
  keyColumn: 'campaign_id',
  idColumn: 'task_id',
  orderBy: 'c.position',
});

/** A campaign's KPI targets in the order given (at most MAX_TARGETS each). */
export const targetsByCampaignId = defineChildLoader({
  name: 'campaigns.targetsByCampaignId',
  entity: CampaignTarget,
  parentColumn: 'campaign_id',
  parentOf: (t) => t.campaignId,
  orderBy: 'c.position',
});

/** The first days of the months from `from`'s to `to`'s (src/common/periods.ts); no limit on their number. */
const monthsOf = (from: string, to: string) => bucketStarts(from, to, Grain.MONTH, { max: Number.MAX_SAFE_INTEGER });

/**
 * A targeted KPI's actual over its campaign (see `combinePeriods`), by target id. The KPIs of a
 * batch are read with one `kpiValuesByPeriod` over the months every campaign of the batch spans
 * (campaigns are at most MAX_CAMPAIGN_DAYS long, but far apart ones could exceed the KPI
 * module's bucket limit: then one call per campaign).
 */
export const targetActual = defineLoader<CampaignTarget, Decimal>('campaigns.targetActual', async (ctx, targets) => {
  const campaigns = await campaignById(ctx).loadMany([...new Set(targets.map((t) => t.campaignId))]);
  const byId = new Map<string, Campaign>();
  for (const c of campaigns) if (c && !(c instanceof Error)) byId.set(c.id, c);
  const kpis = await kpiById(ctx).loadMany([...new Set(targets.map((t) => t.kpiId))]);
  const kpiOf = new Map<string, Kpi>();
  for (const k of kpis) if (k && !(k instanceof Error)) kpiOf.set(k.id, k);
  const spans = [...byId.values()];
  if (spans.length === 0) return targets.map(() => null);
  const from = spans.reduce((m, c) => (c.startsOn < m ? c.startsOn : m), spans[0].startsOn);
  const to = spans.reduce((m, c) => (c.endsOn > m ? c.endsOn : m), spans[0].endsOn);
  const kpiIds = [...kpiOf.keys()];
  let values: Map<string, Map<string, Decimal | null>>;
  const asMap = (m: Map<string, Array<{ periodStart: string; value: Decimal | null }>>) =>
    new Map([...m].map(([k, list]) => [k, new Map(list.map((p) => [p.periodStart, p.value]))]));
  if (monthsOf(from, to).length <= 1000) {
    values = asMap(await kpiValuesByPeriod(ctx, kpiIds, from, to, Grain.MONTH));
  } else {
    values = new Map();
    for (const c of spans) {
      const ids = [...new Set(targets.filter((t) => t.campaignId === c.id).map((t) => t.kpiId))];
      for (const [k, m] of asMap(await kpiValuesByPeriod(ctx, ids, c.startsOn, c.endsOn, Grain.MONTH))) {
        const all = values.get(k) ?? new Map();
        for (const [p, v] of m) all.set(p, v);
        values.set(k, all);
      }
    }
  }
  return targets.map((t) => {
    const c = byId.get(t.campaignId);
    const kpi = kpiOf.get(t.kpiId);
    if (!c || !kpi) return null;
    const months = monthsOf(c.startsOn, c.endsOn);
    return combinePeriods(kpi.aggregation, months.map((m) => values.get(kpi.id)?.get(m) ?? null));
  });
});
