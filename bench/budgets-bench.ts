import crypto from 'node:crypto';

/**
 * Finance's monthly review as a bench workload: the organisation's budgets with their lines
 * (planned, spent, remaining), then `budgetBurn` by month of the large budget with its KPIs and
 * the cost per KPI unit; on a budget with 100,000 expenses. The floor answers it with one
 * hand-written statement over the same tables (the stored daily spend, the KPI measurements).
 *
 * The amounts are chosen so that both sides print the same exact decimals: plans are multiples
 * of 365 (the plan spread over the days divides evenly) and KPI values are 2^a·5^b (spend ÷
 * value terminates).
 */

export const BUDGET_EXPENSES = 100_000;

/** The bench budget's id, derived from the squad's (so the workload finds it without new ids). */
export function benchBudgetId(squadId: string): string {
  const h = crypto.createHash('md5').update(`bench-budget:${squadId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

type Sql = (text: string, params?: unknown[]) => Promise<Array<Record<string, any>>>;

/** Keys of their own: the KPI bench data (generated after this) holds the demo tree's new_users, gmv and visitors. */
const KPIS: Array<[string, number]> = [
  ['paid_new_users', 1],
  ['paid_gmv', 100],
  ['paid_visitors', 10],
];
const MONTHLY = [1000, 1250, 1600, 2000, 2500, 3125, 4000, 5000, 6250, 8000, 10000, 12500];
/** name, kind, planned (× 365), KPI keys */
const LINES: Array<[string, string, number, string[]]> = [
  ['人员', 'FIXED', 3000, []],
  ['系统与工具', 'FIXED', 400, []],
  ['平台流量', 'VARIABLE', 2000, ['paid_new_users', 'paid_visitors']],
  ['KOL 合作', 'VARIABLE', 1200, ['paid_gmv']],
  ['用户激励', 'VARIABLE', 800, ['paid_new_users']],
  ['内容制作', 'VARIABLE', 600, ['paid_visitors']],
  ['品牌活动', 'VARIABLE', 500, ['paid_gmv', 'paid_new_users']],
  ['实验资源池', 'VARIABLE', 300, []],
];

/** KPIs with a year of monthly values, a yearly budget with 8 lines and 100,000 expenses, and a small squad budget. */
export async function generateBudgets(sql: Sql, seed: string, org: string, squadId: string, leadId: string): Promise<void> {
  const kpi = (key: string) => `md5('${seed}:kpi:${key}')::uuid`;
  for (const [key, scale] of KPIS) {
    await sql(
      `INSERT INTO kpis (id, organization_id, key, name, layer, direction, aggregation) VALUES (${kpi(key)}, $1, $2::varchar, $2::text, 'TACTICAL', 'HIGHER_IS_BETTER', 'SUM')`,
      [org, key],
    );
    await sql(
      `INSERT INTO kpi_measurements (organization_id, kpi_id, period_start, value)
       SELECT $1, ${kpi(key)}, make_date(2026, m::int, 1), v * $2 FROM unnest($3::int[]) WITH ORDINALITY u(v, m)`,
      [org, scale, MONTHLY],
    );
  }
  const budget = benchBudgetId(squadId);
  const small = benchBudgetId(`${squadId}:small`);
  await sql(
    `INSERT INTO budgets (id, organization_id, name, squad_id, period_start, period_end, currency, hard_cap)
     VALUES ($1, $3, '2026 年度运营预算', NULL, '2026-01-01', '2026-12-31', 'CNY', false),
            ($2, $3, '小组 2026 预算', $4, '2026-01-01', '2026-12-31', 'CNY', true)`,
    [budget, small, org, squadId],
  );
  const lineIds: string[] = [];
  for (const [i, [name, kind, planned, keys]] of LINES.entries()) {
    const [{ id }] = await sql(
      `INSERT INTO budget_lines (organization_id, budget_id, name, category, kind, planned, kpi_keys, kpi_ids, reserve_pool, tolerated_loss, created_at)
       VALUES ($1, $2, $3, 'bench', $4, $5::numeric * 365, $6::text[],
               ARRAY(SELECT md5('${seed}:kpi:' || k)::uuid FROM unnest($6::text[]) k), $7, $8, timestamp '2026-01-01' + $9 * interval '1 second')
       RETURNING id`,
      [org, budget, name, kind, planned, keys, name === '实验资源池', name === '实验资源池' ? '0.3' : null, i],
    );
    lineIds.push(id);
  }
  for (const [i, name] of ['激励', '制作'].entries()) {
    await sql(
      `INSERT INTO budget_lines (organization_id, budget_id, name, category, kind, planned, created_at)
       VALUES ($1, $2, $3, 'bench', 'VARIABLE', 36500, timestamp '2026-01-01' + $4 * interval '1 second')`,
      [org, small, name, i],
    );
  }
  await sql(`UPDATE budgets b SET planned = (SELECT sum(planned) FROM budget_lines l WHERE l.budget_id = b.id) WHERE organization_id = $1`, [org]);
  // 100,000 expenses over the year and the lines, in one statement (the stored sums follow).
  await sql(
    `INSERT INTO expenses (organization_id, budget_id, budget_line_id, amount, incurred_on, description, vendor, recorded_by, created_at)
     SELECT $1, $2, ($3::uuid[])[1 + g % array_length($3::uuid[], 1)], ((g * 7919) % 20000) / 100.0 + 1,
            DATE '2026-01-01' + (g * 13) % 365, '费用 ' || g, (ARRAY['巨量引擎','小红书','阿里云','星辰工作室'])[1 + g % 4], $4,
            timestamp '2026-01-01' + g * interval '1 minute'
       FROM generate_series(1, $5) g`,
    [org, budget, lineIds, leadId, BUDGET_EXPENSES],
  );
  // The daily spend by line, day and campaign (Query.spend) of every expense inserted above and by
  // the campaigns' data (recordExpense keeps it; SQL inserts do not), as its migration backfills it.
  await sql(
    `INSERT INTO budget_daily_spend AS s (organization_id, budget_id, budget_line_id, day, campaign_id, amount, expense_count)
     SELECT e.organization_id, e.budget_id, e.budget_line_id, e.incurred_on, ce.campaign_id, sum(e.amount), count(*)
       FROM expenses e LEFT JOIN campaign_expenses ce ON ce.expense_id = e.id AND ce.organization_id = e.organization_id
      WHERE e.organization_id = $1 AND e.voided_at IS NULL
      GROUP BY 1, 2, 3, 4, 5
     ON CONFLICT ON CONSTRAINT budget_daily_spend_key DO UPDATE SET amount = EXCLUDED.amount, expense_count = EXCLUDED.expense_count`,
    [org],
  );
}

export const BUDGET_REVIEW = /* GraphQL */ `query BenchBudgetReview($budgetId: ID!) {
  budgets(first: 10) {
    nodes { id name currency planned spent remaining lines { id name kind planned spent remaining } }
  }
  budgetBurn(budgetId: $budgetId, grain: MONTH) {
    periodStart plannedCumulative spentCumulative
    kpiValues { kpi { key } value }
    costPerUnit { kpi { key } value }
  }
}`;

const gid = (type: string, col: string) => `translate(encode(convert_to('${type}:' || ${col}, 'UTF8'), 'base64'), '+/=', '-_')`;
const dec = (col: string) => `trim_scale(${col})::text`;
/** A positive ratio as the API gives it: rounded half to even to 6 places (PostgreSQL's round is half up). */
const ratio6 = (x: string) =>
  `CASE WHEN ${x} * 1000000 - trunc(${x} * 1000000) = 0.5 AND trunc(${x} * 1000000) % 2 = 0 THEN trunc(${x} * 1000000) / 1000000 ELSE round(${x}, 6) END`;
/** An amount in the bench's CNY, as the API shows it: at the currency's scale (2 decimals). */
const amt = (col: string) => `round(${col}, 2)::text`;

/** The review in one statement: $1 the caller, $2 the budget. */
export const BUDGET_REVIEW_FLOOR = `
WITH me AS (SELECT organization_id AS org FROM members WHERE user_id = $1 AND status = 'ACTIVE'),
listed AS (
  SELECT b.* FROM budgets b, me WHERE b.organization_id = me.org ORDER BY b.period_start DESC, b.id DESC LIMIT 10),
b AS (SELECT b.* FROM budgets b, me WHERE b.id = $2 AND b.organization_id = me.org),
buckets AS (
  SELECT gs::date AS start, (gs + interval '1 month' - interval '1 day')::date AS last
    FROM b, generate_series(date_trunc('month', b.period_start), b.period_end, interval '1 month') gs),
spend AS (
  SELECT s.budget_line_id AS line_id, s.day - (extract(day FROM s.day)::int - 1) AS bucket, sum(s.amount) AS amount
    FROM budget_spend_daily s JOIN b ON s.budget_id = b.id AND s.organization_id = b.organization_id
   GROUP BY 1, 2),
line_kpis AS (
  SELECT l.id AS line_id, u.kpi_id, row_number() OVER (ORDER BY l.created_at, l.id, u.pos) AS ord
    FROM budget_lines l JOIN b ON l.budget_id = b.id AND l.organization_id = b.organization_id,
         unnest(l.kpi_ids) WITH ORDINALITY u(kpi_id, pos)),
kpi_list AS (
  SELECT k.id, k.key, k.aggregation, min(lk.ord) AS ord
    FROM line_kpis lk JOIN kpis k ON k.id = lk.kpi_id, me WHERE k.organization_id = me.org
   GROUP BY k.id, k.key, k.aggregation ORDER BY min(lk.ord) LIMIT 20),
kv AS (
  SELECT m.kpi_id, date_trunc('month', m.period_start)::date AS bucket,
         CASE WHEN kl.aggregation = 'LAST' THEN (array_agg(m.value ORDER BY m.period_start DESC))[1] ELSE sum(m.value) END AS value
    FROM kpi_measurements m JOIN kpi_list kl ON kl.id = m.kpi_id, b
   WHERE m.organization_id = b.organization_id
     AND m.period_start >= date_trunc('month', b.period_start) AND m.period_start < date_trunc('month', b.period_end) + interval '1 month'
   GROUP BY m.kpi_id, kl.aggregation, 2),
bucket_spend AS (SELECT sp.bucket, sum(sp.amount) AS amount FROM spend sp GROUP BY sp.bucket),
kpi_spend AS (
  SELECT lk.kpi_id, sp.bucket, sum(sp.amount) AS amount
    FROM spend sp JOIN (SELECT DISTINCT line_id, kpi_id FROM line_kpis) lk ON lk.line_id = sp.line_id
   GROUP BY lk.kpi_id, sp.bucket),
points AS (
  SELECT bk.start, bk.last,
         CASE WHEN bk.last >= b.period_end THEN b.planned
              ELSE b.planned * (bk.last - b.period_start + 1) / (b.period_end - b.period_start + 1) END AS planned_cum,
         sum(coalesce(bs.amount, 0)) OVER (ORDER BY bk.start) AS spent_cum
    FROM buckets bk CROSS JOIN b LEFT JOIN bucket_spend bs ON bs.bucket = bk.start)
SELECT json_build_object(
  'budgets', json_build_object('nodes', coalesce((
    SELECT json_agg(json_build_object(
      'id', ${gid('Budget', 'x.id')}, 'name', x.name, 'currency', x.currency,
      'planned', ${amt('x.planned')}, 'spent', ${amt('x.spent')}, 'remaining', ${amt('x.planned - x.spent')},
      'lines', coalesce((
        SELECT json_agg(json_build_object(
          'id', ${gid('BudgetLine', 'l.id')}, 'name', l.name, 'kind', l.kind,
          'planned', ${amt('l.planned')}, 'spent', ${amt('l.spent')}, 'remaining', ${amt('l.planned - l.spent')}) ORDER BY l.created_at, l.id)
          FROM budget_lines l WHERE l.budget_id = x.id AND l.organization_id = x.organization_id), '[]'::json)
    ) ORDER BY x.period_start DESC, x.id DESC) FROM listed x), '[]'::json)),
  'budgetBurn', (
    SELECT json_agg(json_build_object(
      'periodStart', to_char(p.start, 'YYYY-MM-DD'),
      'plannedCumulative', ${amt('p.planned_cum')},
      'spentCumulative', ${amt('p.spent_cum')},
      'kpiValues', coalesce((
        SELECT json_agg(json_build_object('kpi', json_build_object('key', kl.key),
          'value', (SELECT ${dec('v.value')} FROM kv v WHERE v.kpi_id = kl.id AND v.bucket = p.start)) ORDER BY kl.ord)
          FROM kpi_list kl), '[]'::json),
      'costPerUnit', coalesce((
        SELECT json_agg(json_build_object('kpi', json_build_object('key', kl.key),
          'value', (SELECT CASE WHEN v.value > 0 THEN ${dec(ratio6(`q.x`))} END
                    FROM kv v CROSS JOIN LATERAL (SELECT coalesce((SELECT ks.amount FROM kpi_spend ks WHERE ks.kpi_id = kl.id AND ks.bucket = p.start), 0)
                                                  * 1.000000000000000000000000000000 / nullif(v.value, 0) AS x) q
                   WHERE v.kpi_id = kl.id AND v.bucket = p.start)) ORDER BY kl.ord)
          FROM kpi_list kl), '[]'::json)
    ) ORDER BY p.start) FROM points p)
) FROM b`;
