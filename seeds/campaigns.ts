import type { EntityManager } from 'typeorm';
import { systemContext } from '../src/db/system-context';
import { linkCampaignExpenses } from '../src/modules/campaigns';
import { DEMO_BUDGET_ROWS, expenseId as budgetExpenseId } from './budgets';
import { DEMO } from './ids';
import { insertRow } from './rows';
import { CAMPAIGN_REVIEW_TASK } from './tasks';

const C = DEMO.campaigns;
const U = DEMO.users;

/** Fixed ids of the campaign demo's other rows: 0000…05xx. */
const rowId = (n: number) => `00000000-0000-4000-8000-${String(500 + n).padStart(12, '0')}`;
export const CAMPAIGN_DEMO = {
  review: rowId(41),
  reviewTask: CAMPAIGN_REVIEW_TASK,
} as const;

/**
 * The 超级品牌日 (Super Brand Day) campaign of the product brief, REVIEWED, on the platform
 * traffic line of the organisation's Q2 budget (budgets seed, which runs first): the May traffic
 * and KOL expenses of that budget are tagged with it (cost 140,000), a direct, an indirect and a
 * brand return recorded from their basis (492,000 in all: ROI 2.514286), a review with one action
 * turned into a task (the task comes with the task seed, run first), KPI targets (gmv, new_users, when the KPI seed created them) and the
 * checkout A/B experiment on conversion_rate (300,000 users, +18% conversion, concluded ROLL_OUT). Idempotent: rows
 * with these ids are inserted once and never overwritten.
 */
export async function seedCampaigns(m: EntityManager): Promise<void> {
  const org = DEMO.organizationId;
  const created = await insertRow(m, 'campaigns', {
    id: C.superBrandDay, name: '超级品牌日', squad_id: DEMO.plan.squadCheckout, status: 'REVIEWED', starts_on: '2026-05-06', ends_on: '2026-05-20',
    budget_line_id: DEMO_BUDGET_ROWS.lines.traffic, created_by: U.owner.id, version: 6,
  });
  if (!created) return; // seeded before: never overwritten
  // Its cost: the budget's May media spend (the traffic and KOL expenses of May), tagged with the
  // campaign through the campaigns module.
  await linkCampaignExpenses(systemContext(m, org), C.superBrandDay, [budgetExpenseId(10), budgetExpenseId(13)]);
  // DIRECT 800,000 × 0.30; INDIRECT 1,200 × 85; BRAND 5,000,000 ÷ 1000 × 30.
  const returns: Array<[number, string, string, Record<string, string | number>]> = [
    [35, 'DIRECT', '240000', { gmv: '800000', grossMargin: '0.30' }],
    [36, 'INDIRECT', '102000', { newMembers: 1200, lifetimeValue: '85' }],
    [37, 'BRAND', '150000', { impressions: 5000000, cpm: '30' }],
  ];
  for (const [n, kind, amount, basis] of returns) {
    await insertRow(m, 'campaign_returns', { id: rowId(n), campaign_id: C.superBrandDay, kind, amount, basis: JSON.stringify(basis), recorded_by: U.finance.id, recorded_at: '2026-05-27T10:00:00Z' });
  }
  await insertRow(m, 'campaign_experiments', {
    id: C.checkoutExperiment, campaign_id: C.superBrandDay, name: '一键结账', hypothesis: '去掉确认页，结账转化率提升', alpha: '0.05',
    variants: JSON.stringify([
      { name: '原结账页', users: 150000, conversions: 15000, isControl: true },
      { name: '一键结账', users: 150000, conversions: 17700, isControl: false },
    ]),
    decision: 'ROLL_OUT', concluded_at: '2026-05-25T09:00:00Z', version: 3,
  });
  await m.query(
    `UPDATE campaign_experiments SET metric_kpi_id = (SELECT k.id FROM kpis k WHERE k.organization_id = $1 AND k.key = 'conversion_rate')
      WHERE id = $2 AND organization_id = $1`,
    [org, C.checkoutExperiment],
  );
  await insertRow(m, 'campaign_reviews', {
    id: CAMPAIGN_DEMO.review, campaign_id: C.superBrandDay, summary: 'GMV 超目标 13%，拉新低于预期', went_well: 'KOL 专场转化最好；一键结账全量后转化提升 18%',
    to_improve: '会员权益吸引力不足，新客留存待观察', reviewed_by: U.owner.id, created_at: '2026-05-28T08:00:00Z',
  });
  await insertRow(m, 'campaign_tasks', { campaign_id: C.superBrandDay, task_id: CAMPAIGN_DEMO.reviewTask, position: 0 });
  // KPI targets, for the KPIs of these keys the demo holds (the KPI seed runs first).
  await m.query(
    `INSERT INTO campaign_targets (organization_id, campaign_id, kpi_id, target, position)
     SELECT $1, $2, k.id, t.target, t.position
       FROM (VALUES ('gmv', 6000000::numeric, 0), ('new_users', 10000::numeric, 1)) AS t(key, target, position)
       JOIN kpis k ON k.organization_id = $1 AND k.key = t.key
     ON CONFLICT DO NOTHING`,
    [org, C.superBrandDay],
  );
}
