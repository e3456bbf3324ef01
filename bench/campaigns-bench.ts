/**
 * Campaigns in the bench: the data (a campaign budget, campaigns of the bench squad with tagged
 * expenses, returns and an A/B experiment each) and the workload a finance reviewer opens — the
 * campaign list with cost, returns, ROI and experiment results — with its floor statement.
 */
import type { Workload } from './workloads';

type Sql = (text: string, params?: unknown[]) => Promise<Array<Record<string, any>>>;

/** How much campaign data the bench organisation holds. */
export const CAMPAIGN_SHAPE = { campaigns: 60, expensesPerCampaign: 8, returnsPerCampaign: 3 } as const;

/** Campaign rows for the bench squad: deterministic from the seed ($1), in organisation $2. */
export async function generateCampaigns(sql: Sql, seed: string, org: string, squadId: string, leadId: string): Promise<void> {
  const p = [seed, org];
  const id = (label: string) => `md5($1 || ':${label}:' || g)::uuid`;
  const budget = (await sql(`SELECT md5($1 || ':campaign-budget')::uuid AS id`, [seed]))[0].id as string;
  const line = (await sql(`SELECT md5($1 || ':campaign-line')::uuid AS id`, [seed]))[0].id as string;
  const n = CAMPAIGN_SHAPE;
  const total = n.campaigns * n.expensesPerCampaign * 1000;
  await sql(
    `INSERT INTO budgets (id, organization_id, name, period_start, period_end, currency, planned)
     VALUES ($3, $2, '活动预算', current_date - 365, current_date + 365, 'CNY', $4)`,
    [...p, budget, total],
  );
  await sql(
    `INSERT INTO budget_lines (id, organization_id, budget_id, name, category, kind, planned)
     VALUES ($4, $2, $3, '活动投放', 'media', 'VARIABLE', $5)`,
    [...p, budget, line, total],
  );
  const statuses = `(ARRAY['DRAFT','PLANNED','APPROVED','LIVE','COMPLETED','REVIEWED','CANCELLED'])[1 + g % 7]`;
  await sql(
    `INSERT INTO campaigns (id, organization_id, name, squad_id, status, starts_on, ends_on, budget_line_id, created_by, created_at)
     SELECT ${id('campaign')}, $2, '活动 ' || g, $3, ${statuses}, current_date - 300 + g * 5, current_date - 300 + g * 5 + 7, $4, $5,
            timestamp '2026-01-01' + g * interval '1 hour'
       FROM generate_series(1, $6) g`,
    [...p, squadId, line, leadId, n.campaigns],
  );
  // Expenses: amounts with cents; one in eight of them voided.
  await sql(
    `INSERT INTO expenses (id, organization_id, budget_id, budget_line_id, amount, incurred_on, description, recorded_by, voided_at, created_at)
     SELECT md5($1 || ':expense:' || g)::uuid, $2, $3, $4, 100 + (g * 37 % 900) + (g % 100) / 100.0, current_date - 300 + (g / $7) * 5, '投放 ' || g,
            $5, CASE WHEN g % 8 = 3 THEN now() END, timestamp '2026-01-01' + g * interval '1 minute'
       FROM generate_series(0, $6 - 1) g`,
    [...p, budget, line, leadId, n.campaigns * n.expensesPerCampaign, n.expensesPerCampaign],
  );
  // Each tagged with its campaign (the campaigns module's link table).
  await sql(
    `INSERT INTO campaign_expenses (organization_id, expense_id, campaign_id)
     SELECT $2, md5($1 || ':expense:' || g)::uuid, md5($1 || ':campaign:' || (1 + g / $4))::uuid FROM generate_series(0, $3 - 1) g`,
    [...p, n.campaigns * n.expensesPerCampaign, n.expensesPerCampaign],
  );
  await sql(
    `INSERT INTO campaign_returns (organization_id, campaign_id, kind, amount, basis, recorded_by, recorded_at)
     SELECT $2, md5($1 || ':campaign:' || (1 + g / $4))::uuid, (ARRAY['DIRECT','INDIRECT','BRAND'])[1 + g % 3],
            CASE g % 3 WHEN 0 THEN (1000 + g * 53 % 5000) * 0.35 WHEN 1 THEN (g % 40) * 85.5 ELSE (100000 + g * 7919 % 900000) / 1000.0 * 40 END,
            CASE g % 3 WHEN 0 THEN jsonb_build_object('gmv', (1000 + g * 53 % 5000)::text, 'grossMargin', '0.35')
                       WHEN 1 THEN jsonb_build_object('newMembers', g % 40, 'lifetimeValue', '85.5')
                       ELSE jsonb_build_object('impressions', 100000 + g * 7919 % 900000, 'cpm', '40') END,
            $3, timestamp '2026-02-01' + g * interval '1 minute'
       FROM generate_series(0, $5 - 1) g`,
    [...p, leadId, n.returnsPerCampaign, n.campaigns * n.returnsPerCampaign],
  );
  // One experiment per campaign; every fifth has no results yet.
  await sql(
    `INSERT INTO campaign_experiments (id, organization_id, campaign_id, name, hypothesis, alpha, variants, created_at)
     SELECT ${id('experiment')}, $2, md5($1 || ':campaign:' || g)::uuid, '实验 ' || g, '新方案转化更高', 0.05,
            CASE WHEN g % 5 = 0 THEN NULL ELSE jsonb_build_array(
              jsonb_build_object('name', '对照', 'users', 10000 + g * 100, 'conversions', 1000 + g * 7, 'isControl', true),
              jsonb_build_object('name', '新方案', 'users', 10000 + g * 90, 'conversions', 1000 + g * 13 % 400, 'isControl', false)) END,
            timestamp '2026-02-01' + g * interval '1 hour'
       FROM generate_series(1, $3) g`,
    [...p, n.campaigns],
  );
}

const gid = (type: string, col: string) => `translate(encode(convert_to('${type}:' || ${col}, 'UTF8'), 'base64'), '+/=', '-_')`;
const dec = (col: string) => `trim_scale(${col})::text`;
/** An amount in the bench's CNY, as the API shows it: at the currency's scale (2 decimals). */
const amt = (col: string) => `round(${col}, 2)::text`;
const ME = `me AS (SELECT organization_id AS org, role FROM members WHERE user_id = $1 AND status = 'ACTIVE')`;
/** z at the two-sided 0.05 level: the floor's test for `significant` (every bench experiment has alpha 0.05). */
const Z_CRITICAL_05 = '1.959963984540054';
/** A ratio as the API gives it: rounded half to even to 6 places (PostgreSQL's round is half away from zero), in its shortest form. */
const ratio6 = (x: string) =>
  dec(`CASE WHEN abs(${x} * 1000000 - trunc(${x} * 1000000)) = 0.5 AND trunc(${x} * 1000000) % 2 = 0 THEN trunc(${x} * 1000000) / 1000000 ELSE round(${x}, 6) END`);

export const CAMPAIGNS_FINANCE: Workload = {
  name: 'campaignsFinance',
  label: '`campaigns(first: 20)` with cost, returns, ROI, experiments',
  operationName: 'BenchCampaignsFinance',
  query: /* GraphQL */ `query BenchCampaignsFinance {
  campaigns(first: 20) {
    totalCount
    nodes {
      id name status startsOn cost totalReturn roi
      returns { kind amount }
      experiments { name result { controlRate treatmentRate lift zScore significant winner } }
    }
  }
}`,
  floorSql: `WITH ${ME},
    page AS (SELECT c.* FROM campaigns c, me WHERE c.organization_id = me.org ORDER BY c.starts_on DESC, c.id DESC LIMIT 20)
    SELECT json_build_object('campaigns', json_build_object(
      'totalCount', (SELECT count(*) FROM campaigns c, me WHERE c.organization_id = me.org),
      'nodes', COALESCE((
        SELECT json_agg(json_build_object(
          'id', ${gid('Campaign', 'p.id')}, 'name', p.name, 'status', p.status, 'startsOn', to_char(p.starts_on, 'YYYY-MM-DD'),
          'cost', ${amt('co.cost')}, 'totalReturn', ${amt('re.total')},
          'roi', CASE WHEN co.cost = 0 THEN NULL ELSE ${dec('round((re.total - co.cost) / co.cost, 6)')} END,
          'returns', re.list, 'experiments', ex.list) ORDER BY p.starts_on DESC, p.id DESC)
          FROM page p
          CROSS JOIN LATERAL (SELECT COALESCE(sum(e.amount), 0) AS cost
                                FROM campaign_expenses t JOIN expenses e ON e.id = t.expense_id AND e.organization_id = t.organization_id
                               WHERE t.organization_id = p.organization_id AND t.campaign_id = p.id AND e.voided_at IS NULL) co
          CROSS JOIN LATERAL (SELECT COALESCE(sum(r.amount), 0) AS total,
                                     COALESCE(json_agg(json_build_object('kind', r.kind, 'amount', ${amt('r.amount')}) ORDER BY r.recorded_at, r.id), '[]') AS list
                                FROM campaign_returns r WHERE r.organization_id = p.organization_id AND r.campaign_id = p.id) re
          CROSS JOIN LATERAL (
            SELECT COALESCE(json_agg(json_build_object('name', x.name, 'result', CASE WHEN x.variants IS NULL THEN NULL ELSE json_build_object(
                     'controlRate', v.cr, 'treatmentRate', v.tr, 'lift', CASE WHEN v.cx = 0 THEN NULL ELSE ${ratio6('(v.tx * v.cu - v.cx * v.tu) / (v.cx * v.tu)')} END,
                     'zScore', v.z, 'significant', abs(v.z) > ${Z_CRITICAL_05},
                     'winner', CASE WHEN abs(v.z) > ${Z_CRITICAL_05} THEN CASE WHEN v.tr > v.cr THEN v.tname ELSE v.cname END END) END)
                     ORDER BY x.created_at, x.id), '[]') AS list
              FROM campaign_experiments x
              LEFT JOIN LATERAL (
                SELECT s.cr, s.tr, s.cname, s.tname, s.cu::numeric AS cu, s.cx::numeric AS cx, s.tu::numeric AS tu, s.tx::numeric AS tx,
                       CASE WHEN s.se = 0 THEN 0 ELSE (s.tr - s.cr) / s.se END AS z
                  FROM (SELECT cx / cu AS cr, tx / tu AS tr, cname, tname, cu, cx, tu, tx,
                               sqrt(((cx + tx) / (cu + tu)) * (1 - (cx + tx) / (cu + tu)) * (1 / cu + 1 / tu)) AS se
                          FROM (SELECT (cv->>'users')::float8 AS cu, (cv->>'conversions')::float8 AS cx, cv->>'name' AS cname,
                                       (tv->>'users')::float8 AS tu, (tv->>'conversions')::float8 AS tx, tv->>'name' AS tname
                                  FROM jsonb_array_elements(x.variants) cv, jsonb_array_elements(x.variants) tv
                                 WHERE (cv->>'isControl')::boolean AND NOT (tv->>'isControl')::boolean) a) s) v ON true
             WHERE x.organization_id = p.organization_id AND x.campaign_id = p.id) ex
      ), '[]'))) AS data`,
};
