import type { EntityManager } from 'typeorm';
import { addDays, addMonths } from '../src/common/periods';
import { type DemoCalendar } from './calendar';
import { DEMO } from './ids';

const B = DEMO.budgets;

/** Fixed ids of the demo budgets' lines (0000…041x), expenses (0000…045x) and adjustment (0000…0490). */
export const DEMO_BUDGET_ROWS = {
  lines: {
    people: '00000000-0000-4000-8000-000000000411',
    systems: '00000000-0000-4000-8000-000000000412',
    traffic: '00000000-0000-4000-8000-000000000413',
    kol: '00000000-0000-4000-8000-000000000414',
    reservePool: '00000000-0000-4000-8000-000000000415',
    creatorRewards: '00000000-0000-4000-8000-000000000416',
    production: '00000000-0000-4000-8000-000000000417',
    tools: '00000000-0000-4000-8000-000000000418',
  },
  adjustment: '00000000-0000-4000-8000-000000000490',
};
const L = DEMO_BUDGET_ROWS.lines;
/** Expense n of the demo (0 and 1: the 超级品牌日 campaign's media spend; 2…: the quarter's months, 8 slots each). */
export const expenseId = (n: number) => `00000000-0000-4000-8000-${String(450 + n).padStart(12, '0')}`;

/**
 * Finance's demo: the quarterly organisation budget (fixed people and systems, variable traffic
 * and KOL lines, an experiment reserve pool tolerating a 30 % loss) and the creators squad's
 * hard-capped budget, both over the quarter holding `today`, their lines linked to the KPIs
 * new_users, gmv, visitors and creator_retention (created by the KPI seed, which runs first; a key
 * it did not create is kept on the line without a link), the quarter's expenses up to today (the
 * 超级品牌日 campaign's media spend among them, see `demoCampaignDates`), and one pending
 * fast-track adjustment drawing on the reserve pool. The creators' rewards line follows creator
 * retention first, so its `budgetEfficiency` reads as a cost per retention point once the
 * quarter has measurements in two months. Idempotent: rows with these ids are inserted once and
 * never overwritten.
 */
export async function seedBudgets(m: EntityManager, cal: DemoCalendar): Promise<void> {
  const org = DEMO.organizationId;
  const { quarter } = cal;
  const kpiRows: Array<{ id: string; key: string }> = await m.query(
    `SELECT id, key FROM kpis WHERE organization_id = $1 AND key = ANY($2::text[])`,
    [org, ['new_users', 'gmv', 'visitors', 'creator_retention']],
  );
  const kpiIds = (keys: string[]) => keys.map((k) => kpiRows.find((r) => r.key === k)?.id).filter((id): id is string => Boolean(id));

  const budgets = [
    { id: B.organizationQ2, name: `${quarter.year} Q${quarter.number} 组织预算`, squad_id: null, hard_cap: false },
    { id: B.creatorsQ2, name: `创作者增长小组 ${quarter.year} Q${quarter.number} 预算`, squad_id: DEMO.plan.squadCreators, hard_cap: true },
  ];
  for (const b of budgets) {
    await m.query(
      `INSERT INTO budgets (id, organization_id, name, squad_id, period_start, period_end, currency, hard_cap)
       VALUES ($1, $2, $3, $4, $5, $6, 'CNY', $7) ON CONFLICT DO NOTHING`,
      [b.id, org, b.name, b.squad_id, quarter.start, quarter.end, b.hard_cap],
    );
  }
  const lines: Array<[string, string, string, string, 'FIXED' | 'VARIABLE', string, string[], boolean, string | null]> = [
    [L.people, B.organizationQ2, '人员', 'people', 'FIXED', '600000', [], false, null],
    [L.systems, B.organizationQ2, '系统与工具', 'systems', 'FIXED', '120000', [], false, null],
    [L.traffic, B.organizationQ2, '平台流量', 'media', 'VARIABLE', '400000', ['new_users', 'visitors'], false, null],
    [L.kol, B.organizationQ2, 'KOL 合作', 'media', 'VARIABLE', '250000', ['gmv'], false, null],
    [L.reservePool, B.organizationQ2, '实验资源池', 'experiments', 'VARIABLE', '200000', [], true, '0.3'],
    [L.creatorRewards, B.creatorsQ2, '创作者激励', 'rewards', 'VARIABLE', '150000', ['creator_retention', 'new_users'], false, null],
    [L.production, B.creatorsQ2, '内容制作', 'production', 'VARIABLE', '80000', ['visitors'], false, null],
    [L.tools, B.creatorsQ2, '创作工具订阅', 'systems', 'FIXED', '12000', [], false, null],
  ];
  for (const [id, budgetId, name, category, kind, planned, keys, pool, loss] of lines) {
    const inserted = await m.query(
      `INSERT INTO budget_lines (id, organization_id, budget_id, name, category, kind, planned, kpi_keys, kpi_ids, reserve_pool, tolerated_loss)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text[], $9::uuid[], $10, $11) ON CONFLICT DO NOTHING RETURNING id`,
      [id, org, budgetId, name, category, kind, planned, keys, kpiIds(keys), pool, loss],
    );
    if (inserted.length > 0) {
      await m.query(`UPDATE budgets SET planned = planned + $3 WHERE id = $1 AND organization_id = $2`, [budgetId, org, planned]);
    }
  }

  // The quarter's months up to today: salaries and tools monthly, media and rewards as campaigns
  // ran; each expense has its slot (its id), and only those dated up to today are recorded.
  const campaign = demoCampaignDates(cal);
  const expenses: Array<[number, string, string, string, string, string | null]> = [
    [0, L.traffic, '95000.00', campaign.spentOn, '超级品牌日 信息流投放', '巨量引擎'],
    [1, L.kol, '45000.00', campaign.spentOn, '超级品牌日 达人专场', '抖音'],
  ];
  const monthly: Array<[number, string, string[], number, string, string | null]> = [
    // [slot, line, amount in months 1, 2, 3 of the quarter ('' = none), day of the month, description, vendor]
    [0, L.people, ['198000.00', '198000.00', '198000.00'], 25, '月度薪资', null],
    [1, L.systems, ['36500.00', '36500.00', '36500.00'], 1, '云服务与数据平台', '阿里云'],
    [2, L.tools, ['3800.00', '3800.00', '3800.00'], 2, '剪辑与设计工具', 'Canva'],
    [3, L.traffic, ['80000.00', '72000.00', '88000.00'], 8, '信息流投放', '巨量引擎'],
    [4, L.kol, ['60000.00', '', '45000.00'], 20, '达人合作', '小红书'],
    [5, L.reservePool, ['', '18000.00', ''], 12, '新玩法小流量实验', null],
    [6, L.creatorRewards, ['42000.00', '51000.00', '38000.00'], 15, '创作者激励计划', null],
    [7, L.production, ['21000.00', '26500.00', ''], 22, '内容制作', '星辰工作室'],
  ];
  for (let month = 0; month < 3; month++) {
    for (const [slot, line, amounts, day, description, vendor] of monthly) {
      const on = addDays(addMonths(quarter.start, month), day - 1);
      if (amounts[month] && on <= cal.today) expenses.push([2 + month * 8 + slot, line, amounts[month], on, description, vendor]);
    }
  }
  for (const [i, lineId, amount, day, description, vendor] of expenses) {
    await m.query(
      `INSERT INTO expenses (id, organization_id, budget_id, budget_line_id, amount, incurred_on, description, vendor, recorded_by)
       SELECT $1, $2, l.budget_id, l.id, $4, $5, $6, $7, $8 FROM budget_lines l WHERE l.id = $3 AND l.organization_id = $2
       ON CONFLICT DO NOTHING`,
      [expenseId(i), org, lineId, amount, day, description, vendor, DEMO.users.finance.id],
    );
  }
  // What the seed's spend already reached is not announced later as newly crossed.
  await m.query(
    `UPDATE budget_lines SET crossed_80_at = COALESCE(crossed_80_at, now()) WHERE organization_id = $1 AND planned > 0 AND spent >= planned * 0.8`,
    [org],
  );
  await m.query(
    `UPDATE budget_lines SET crossed_100_at = COALESCE(crossed_100_at, now()) WHERE organization_id = $1 AND planned > 0 AND spent >= planned`,
    [org],
  );
  await m.query(
    `UPDATE budgets SET crossed_80_at = COALESCE(crossed_80_at, now()) WHERE organization_id = $1 AND planned > 0 AND spent >= planned * 0.8`,
    [org],
  );
  await m.query(
    `UPDATE budgets SET crossed_100_at = COALESCE(crossed_100_at, now()) WHERE organization_id = $1 AND planned > 0 AND spent >= planned`,
    [org],
  );
  // The demo organisation keeps the default fast-track deadline, set explicitly by finance.
  await m.query(
    `INSERT INTO budget_settings (organization_id, fast_track_hours, updated_by) VALUES ($1, 24, $2) ON CONFLICT DO NOTHING`,
    [org, DEMO.users.finance.id],
  );
  // The creators' lead asks, on the fast track, for 20,000 from the reserve pool for rewards.
  await m.query(
    `INSERT INTO budget_adjustments (id, organization_id, budget_id, from_line_id, to_line_id, amount, reason, fast_track, status, due_at, requested_by)
     VALUES ($1, $2, $3, $4, $5, 20000, '创作者激励第三期报名超出预期，申请从实验资源池追加', true, 'PENDING', now() + interval '24 hours', $6)
     ON CONFLICT DO NOTHING`,
    [DEMO_BUDGET_ROWS.adjustment, org, B.creatorsQ2, L.reservePool, L.creatorRewards, DEMO.users.lead.id],
  );
}

/**
 * The 超级品牌日 campaign's dates (the campaign seed uses them too): fifteen days ending eight days
 * before today, reviewed three days after its end. Its media spend is recorded on its third day,
 * or on the quarter's first day when it started before the quarter (the invoice came later), so
 * that it falls in the quarter's budget.
 */
export function demoCampaignDates(cal: DemoCalendar) {
  const endsOn = addDays(cal.today, -8);
  const startsOn = addDays(endsOn, -14);
  const third = addDays(startsOn, 2);
  return { startsOn, endsOn, spentOn: third < cal.quarter.start ? cal.quarter.start : third, reviewedOn: addDays(endsOn, 3) };
}

/**
 * The demo's stored daily spend (`budget_daily_spend`, read by `Query.spend`), recomputed from the
 * demo's expenses and their campaign tags. The API's `recordExpense` keeps it; the seeds insert
 * expenses in SQL, so this runs after the campaigns seed has tagged its expenses (it reads the
 * campaigns' tag table as the table's migration backfill does). Derived rows only: recomputing
 * them is idempotent and loses nothing a user entered.
 */
export async function seedBudgetDailySpend(m: EntityManager): Promise<void> {
  const org = DEMO.organizationId;
  await m.query(`UPDATE budget_daily_spend SET amount = 0, expense_count = 0 WHERE organization_id = $1`, [org]);
  await m.query(
    `INSERT INTO budget_daily_spend AS s (organization_id, budget_id, budget_line_id, day, campaign_id, amount, expense_count)
     SELECT e.organization_id, e.budget_id, e.budget_line_id, e.incurred_on, ce.campaign_id, sum(e.amount), count(*)
       FROM expenses e
       LEFT JOIN campaign_expenses ce ON ce.expense_id = e.id AND ce.organization_id = e.organization_id
      WHERE e.organization_id = $1 AND e.voided_at IS NULL
      GROUP BY 1, 2, 3, 4, 5
     ON CONFLICT ON CONSTRAINT budget_daily_spend_key DO UPDATE SET amount = EXCLUDED.amount, expense_count = EXCLUDED.expense_count`,
    [org],
  );
}
