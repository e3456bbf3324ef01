import type { EntityManager } from 'typeorm';
import { DEMO } from './ids';

const C = DEMO.campaigns;
const U = DEMO.users;

/** Fixed ids of the campaign demo's other rows: 0000…05xx. */
const rowId = (n: number) => `00000000-0000-4000-8000-${String(500 + n).padStart(12, '0')}`;
export const CAMPAIGN_DEMO = {
  budget: rowId(11),
  lineTraffic: rowId(21),
  lineKol: rowId(22),
  lineRewards: rowId(23),
  lineProduction: rowId(24),
  review: rowId(41),
  reviewTask: rowId(42),
} as const;

/**
 * The 超级品牌日 (Super Brand Day) campaign of the product brief, REVIEWED: its own 1,000,000 CNY
 * budget split over platform traffic, KOL partnerships, user rewards and production, expenses
 * tagged with the campaign on each line (cost 953,000), a direct, an indirect and a brand return
 * recorded from their basis (4,136,000 in all: ROI 3.339979), a review with one action turned
 * into a task, and the checkout A/B experiment (300,000 users, +18% conversion, concluded
 * ROLL_OUT). Idempotent: rows with these ids are inserted once and never overwritten.
 */
export async function seedCampaigns(m: EntityManager): Promise<void> {
  const org = DEMO.organizationId;
  const insert = (table: string, row: Record<string, unknown>) => {
    const cols = Object.keys(row);
    return m.query(
      `INSERT INTO ${table} (organization_id, ${cols.join(', ')}) VALUES ($1, ${cols.map((_, i) => `$${i + 2}`).join(', ')}) ON CONFLICT DO NOTHING RETURNING 1`,
      [org, ...Object.values(row)],
    );
  };

  const created = await insert('budgets', {
    id: CAMPAIGN_DEMO.budget, name: '超级品牌日专项预算', period_start: '2026-04-01', period_end: '2026-06-30', currency: 'CNY', planned: '1000000',
  });
  if (created.length === 0) return; // seeded before: never overwritten
  const lines: Array<[string, string, string, string]> = [
    [CAMPAIGN_DEMO.lineTraffic, '平台流量', 'media', '400000'],
    [CAMPAIGN_DEMO.lineKol, 'KOL 合作', 'media', '300000'],
    [CAMPAIGN_DEMO.lineRewards, '用户奖励', 'rewards', '200000'],
    [CAMPAIGN_DEMO.lineProduction, '内容制作', 'production', '100000'],
  ];
  for (const [id, name, category, planned] of lines) {
    await insert('budget_lines', { id, budget_id: CAMPAIGN_DEMO.budget, name, category, kind: 'VARIABLE', planned });
  }

  await insert('campaigns', {
    id: C.superBrandDay, name: '超级品牌日', squad_id: DEMO.plan.squadCheckout, status: 'REVIEWED', starts_on: '2026-05-18', ends_on: '2026-05-20',
    budget_line_id: CAMPAIGN_DEMO.lineTraffic, created_by: U.owner.id, version: 6,
  });
  // The lines' spend follows their expenses (the budgets module's triggers).
  const expenses: Array<[number, string, string, string, string]> = [
    [31, CAMPAIGN_DEMO.lineTraffic, '380000', '2026-05-15', '开屏 + 搜索广告'],
    [32, CAMPAIGN_DEMO.lineKol, '295000', '2026-05-16', '头部主播专场'],
    [33, CAMPAIGN_DEMO.lineRewards, '186000', '2026-05-20', '满减券与会员积分'],
    [34, CAMPAIGN_DEMO.lineProduction, '92000', '2026-05-10', '主视觉与短视频'],
  ];
  for (const [n, line, amount, on, description] of expenses) {
    await insert('expenses', {
      id: rowId(n), budget_id: CAMPAIGN_DEMO.budget, budget_line_id: line, amount, incurred_on: on, description, campaign_id: C.superBrandDay, recorded_by: U.finance.id,
    });
  }
  // DIRECT 6,800,000 × 0.32; INDIRECT 8,000 × 120; BRAND 25,000,000 ÷ 1000 × 40.
  const returns: Array<[number, string, string, Record<string, string | number>]> = [
    [35, 'DIRECT', '2176000', { gmv: '6800000', grossMargin: '0.32' }],
    [36, 'INDIRECT', '960000', { newMembers: 8000, lifetimeValue: '120' }],
    [37, 'BRAND', '1000000', { impressions: 25000000, cpm: '40' }],
  ];
  for (const [n, kind, amount, basis] of returns) {
    await insert('campaign_returns', { id: rowId(n), campaign_id: C.superBrandDay, kind, amount, basis: JSON.stringify(basis), recorded_by: U.finance.id, recorded_at: '2026-05-27T10:00:00Z' });
  }
  await insert('campaign_experiments', {
    id: C.checkoutExperiment, campaign_id: C.superBrandDay, name: '一键结账', hypothesis: '去掉确认页，结账转化率提升', alpha: '0.05',
    variants: JSON.stringify([
      { name: '原结账页', users: 150000, conversions: 15000, isControl: true },
      { name: '一键结账', users: 150000, conversions: 17700, isControl: false },
    ]),
    decision: 'ROLL_OUT', concluded_at: '2026-05-25T09:00:00Z', version: 3,
  });
  await insert('campaign_reviews', {
    id: CAMPAIGN_DEMO.review, campaign_id: C.superBrandDay, summary: 'GMV 超目标 13%，拉新低于预期', went_well: 'KOL 专场转化最好；一键结账全量后转化提升 18%',
    to_improve: '会员权益吸引力不足，新客留存待观察', reviewed_by: U.owner.id, created_at: '2026-05-28T08:00:00Z',
  });
  await insert('tasks', {
    id: CAMPAIGN_DEMO.reviewTask, title: '重新设计新客会员权益', assignee_id: U.member.id, reporter_id: U.owner.id, status: 'TODO', due_on: '2026-06-15',
    important: true, urgent: false, squad_id: DEMO.plan.squadCheckout,
  });
  await insert('campaign_tasks', { campaign_id: C.superBrandDay, task_id: CAMPAIGN_DEMO.reviewTask, position: 0 });
  // KPI targets, for the KPIs of these keys the demo holds (the KPI seed runs before this one).
  await m.query(
    `INSERT INTO campaign_targets (organization_id, campaign_id, kpi_id, target, position)
     SELECT $1, $2, k.id, t.target, t.position
       FROM (VALUES ('gmv', 6000000::numeric, 0), ('new_members', 10000::numeric, 1)) AS t(key, target, position)
       JOIN kpis k ON k.organization_id = $1 AND k.key = t.key
     ON CONFLICT DO NOTHING`,
    [org, C.superBrandDay],
  );
}
