import type { Workload } from './workloads';

/**
 * Finance's month end as bench workloads, on the yearly budget of budgets-bench.ts (100,000
 * expenses, generated there with one INSERT … SELECT):
 * - `ledger`: a filtered page of the organisation's ledger (`Query.expenses`: one budget, three
 *   months, a vendor) with totalCount and the total per currency;
 * - `spend`: `Query.spend` by MONTH grouped by LINE over the year (8 lines, 96 rows).
 * Each floor answers with one hand-written statement: the ledger's over the expenses, the
 * spend's over the stored daily spend and the lines.
 */

const gid = (type: string, col: string) => `translate(encode(convert_to('${type}:' || ${col}, 'UTF8'), 'base64'), '+/=', '-_')`;
const day = (col: string) => `to_char(${col}, 'YYYY-MM-DD')`;
/** An amount in the bench's CNY, as the API shows it: at the currency's scale (2 decimals). */
const amt = (col: string) => `round(${col}, 2)::text`;
const ME = `me AS (SELECT organization_id AS org FROM members WHERE user_id = $1 AND status = 'ACTIVE')`;

export const LEDGER: Workload = {
  name: 'ledger',
  label: 'the ledger: `expenses` of one budget over three months and a vendor, first 50, with totalCount and total (100,000 expenses)',
  operationName: 'BenchLedger',
  query: /* GraphQL */ `query BenchLedger($budgetId: ID!) {
  expenses(filter: { budgetIds: [$budgetId], from: "2026-03-01", to: "2026-05-31", vendor: "阿里云" }, first: 50) {
    totalCount
    total { currency amount }
    nodes { id amount incurredOn vendor }
    pageInfo { hasNextPage }
  }
}`,
  floorSql: `WITH ${ME},
    m AS (SELECT e.* FROM expenses e, me
           WHERE e.organization_id = me.org AND e.budget_id = $2 AND e.incurred_on BETWEEN DATE '2026-03-01' AND DATE '2026-05-31'
             AND lower(e.vendor) LIKE '%阿里云%'),
    page AS (SELECT * FROM m ORDER BY incurred_on DESC, created_at DESC, id DESC LIMIT 51)
    SELECT json_build_object('expenses', json_build_object(
      'totalCount', (SELECT count(*) FROM m),
      'total', COALESCE((
        SELECT json_agg(json_build_object('currency', t.currency, 'amount', ${amt('t.total')}) ORDER BY t.currency)
          FROM (SELECT trim(b.currency) AS currency, sum(m.amount) AS total
                  FROM m JOIN budgets b ON b.id = m.budget_id AND b.organization_id = m.organization_id
                 WHERE m.voided_at IS NULL GROUP BY 1) t), '[]'::json),
      'nodes', COALESCE((
        SELECT json_agg(json_build_object('id', ${gid('Expense', 'p.id')}, 'amount', ${amt('p.amount')}, 'incurredOn', ${day('p.incurred_on')}, 'vendor', p.vendor)
                        ORDER BY p.incurred_on DESC, p.created_at DESC, p.id DESC)
          FROM (SELECT * FROM page ORDER BY incurred_on DESC, created_at DESC, id DESC LIMIT 50) p), '[]'::json),
      'pageInfo', json_build_object('hasNextPage', (SELECT count(*) FROM page) > 50)))`,
};

export const SPEND: Workload = {
  name: 'spend',
  label: '`spend` by MONTH grouped by LINE over a year (one budget, 8 lines; 100,000 expenses)',
  operationName: 'BenchSpend',
  query: /* GraphQL */ `query BenchSpend($budgetId: ID!) {
  spend(filter: { budgetIds: [$budgetId], from: "2026-01-01", to: "2026-12-31" }, grain: MONTH, groupBy: [LINE]) {
    periodStart periodEnd currency planned spent variance variancePercent
    line { id name }
  }
}`,
  floorSql: `WITH ${ME},
    b AS (SELECT b.* FROM budgets b, me WHERE b.id = $2 AND b.organization_id = me.org),
    k AS (SELECT gs::date AS start, (gs + interval '1 month' - interval '1 day')::date AS last
            FROM generate_series(DATE '2026-01-01', DATE '2026-12-01', interval '1 month') gs),
    rows AS (
      SELECT k.start, k.last, l.id, l.name, l.created_at, b.currency,
             CASE WHEN l.kind = 'FIXED'
                  -- by months: the month's days in the period ÷ its days, over the period's months
                  THEN l.planned * ((least(k.last, b.period_end) - greatest(k.start, b.period_start) + 1)::numeric / (k.last - k.start + 1))
                       / (SELECT sum((least(b.period_end, (m + interval '1 month - 1 day')::date) - greatest(b.period_start, m::date) + 1)::numeric
                                     / ((m + interval '1 month')::date - m::date))
                            FROM generate_series(date_trunc('month', b.period_start::timestamp), b.period_end::timestamp, interval '1 month') m)
                  -- by days
                  ELSE l.planned * (least(k.last, b.period_end) - greatest(k.start, b.period_start) + 1) / (b.period_end - b.period_start + 1) END AS planned,
             (SELECT COALESCE(sum(d.amount), 0) FROM budget_daily_spend d
               WHERE d.organization_id = b.organization_id AND d.budget_line_id = l.id AND d.day BETWEEN k.start AND k.last) AS spent
        FROM b JOIN budget_lines l ON l.budget_id = b.id AND l.organization_id = b.organization_id
        JOIN k ON b.period_start <= k.last AND b.period_end >= k.start)
    SELECT json_build_object('spend', COALESCE(json_agg(json_build_object(
      'periodStart', ${day('r.start')}, 'periodEnd', ${day('r.last')}, 'currency', trim(r.currency),
      'planned', ${amt('r.planned')}, 'spent', ${amt('r.spent')}, 'variance', ${amt('r.spent - r.planned')},
      'variancePercent', CASE WHEN r.planned = 0 THEN NULL ELSE trim_scale(round((round(r.spent, 2) - round(r.planned, 2)) * 100 / round(r.planned, 2), 6))::text END,
      'line', json_build_object('id', ${gid('BudgetLine', 'r.id')}, 'name', r.name)) ORDER BY r.start, r.created_at, r.id), '[]'::json))
      FROM rows r`,
};
