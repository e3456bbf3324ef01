/**
 * A wall screen's organisation overview as a bench workload: `organizationOverview` with every
 * section, over the bench organisation's generated plan (its cycle contains today). The floor
 * answers it with one statement: the current cycle, the objectives by stored status and their
 * weighted progress, the key results not on track, KPIs by stored level with open alerts, the
 * budgets overlapping the cycle per currency, the LIVE campaigns' ROI, and the overdue tasks.
 */
import type { Workload } from './workloads';

const gid = (type: string, col: string) => `translate(encode(convert_to('${type}:' || ${col}, 'UTF8'), 'base64'), '+/=', '-_')`;
const dec = (col: string) => `trim_scale(${col})::text`;
const day = (col: string) => `to_char(${col}, 'YYYY-MM-DD')`;
/** An amount at its currency's scale (the bench's currencies have 2 decimals, JPY/KRW none). */
const money = (col: string, currency: string) => `round(${col}, CASE WHEN ${currency} IN ('JPY', 'KRW') THEN 0 ELSE 2 END)::text`;
const TODAY = `(now() AT TIME ZONE 'UTC')::date`;

const QUERY = /* GraphQL */ `query BenchOverview { organizationOverview {
  cycle { id name }
  okrs { objectiveCount averageProgress atRiskKeyResultCount byStatus { status count } atRiskKeyResults { id title } }
  kpis { kpiCount openAlertCount byLevel { level count openAlertCount } }
  budgets { currency budgetCount planned spent burnRate linesOverPlan }
  liveCampaigns { count best { roi campaign { id name } } worst { roi campaign { id name } } }
  overdueTasks { count first { id title dueOn } }
} }`;

const FLOOR = `WITH me AS (SELECT organization_id AS org FROM members WHERE user_id = $1 AND status = 'ACTIVE'),
  cy AS (SELECT c.* FROM okr_cycles c, me WHERE c.organization_id = me.org AND c.starts_on <= ${TODAY} AND c.ends_on >= ${TODAY}
          ORDER BY c.starts_on DESC, c.id LIMIT 1),
  obj AS (SELECT o.weight, o.progress,
                 CASE WHEN o.at_risk_from IS NULL OR o.at_risk_from > ${TODAY} THEN 'ON_TRACK'
                      WHEN o.off_track_from IS NULL OR o.off_track_from > ${TODAY} THEN 'AT_RISK' ELSE 'OFF_TRACK' END AS status
            FROM objectives o, me, cy WHERE o.organization_id = me.org AND o.cycle_id = cy.id AND o.archived_at IS NULL),
  krs AS (SELECT k.id, k.title, count(*) OVER () AS total,
                 row_number() OVER (ORDER BY coalesce(k.off_track_from <= ${TODAY}, false) DESC, k.progress, k.created_at, k.id) AS n
            FROM key_results k JOIN objectives o ON o.id = k.objective_id, me, cy
           WHERE k.organization_id = me.org AND o.organization_id = me.org AND k.cycle_id = cy.id AND k.archived_at IS NULL
             AND o.archived_at IS NULL AND k.at_risk_from <= ${TODAY}),
  kp AS (SELECT k.status, count(*)::int AS kpis,
                coalesce(sum((SELECT count(*) FROM kpi_alerts a WHERE a.organization_id = k.organization_id AND a.kpi_id = k.id AND a.status = 'OPEN')), 0)::int AS alerts
           FROM kpis k, me WHERE k.organization_id = me.org AND k.archived_at IS NULL GROUP BY k.status),
  levels AS (SELECT l.level, l.pos, coalesce(kp.kpis, 0) AS kpis, coalesce(kp.alerts, 0) AS alerts
               FROM (VALUES ('NORMAL', 1), ('WARNING', 2), ('CRITICAL', 3), ('NO_DATA', 4)) l(level, pos) LEFT JOIN kp ON kp.status = l.level),
  bud AS (SELECT trim(b.currency) AS currency, count(*)::int AS budgets, sum(b.planned) AS planned, sum(b.spent) AS spent,
                 coalesce(sum((SELECT count(*) FROM budget_lines l WHERE l.organization_id = b.organization_id AND l.budget_id = b.id AND l.spent > l.planned)), 0)::int AS over
            FROM budgets b, me WHERE b.organization_id = me.org
             AND b.period_start <= coalesce((SELECT ends_on FROM cy), ${TODAY}) AND b.period_end >= coalesce((SELECT starts_on FROM cy), ${TODAY})
           GROUP BY 1),
  live AS (SELECT c.id, c.name, c.starts_on,
                  (SELECT count(DISTINCT b2.currency) FROM campaign_expenses ce JOIN expenses e ON e.id = ce.expense_id JOIN budgets b2 ON b2.id = e.budget_id
                    WHERE ce.organization_id = c.organization_id AND ce.campaign_id = c.id AND e.voided_at IS NULL) AS currencies,
                  (SELECT sum(e.amount) FROM campaign_expenses ce JOIN expenses e ON e.id = ce.expense_id
                    WHERE ce.organization_id = c.organization_id AND ce.campaign_id = c.id AND e.voided_at IS NULL) AS cost,
                  (SELECT coalesce(sum(r.amount), 0) FROM campaign_returns r WHERE r.organization_id = c.organization_id AND r.campaign_id = c.id) AS ret
             FROM campaigns c, me WHERE c.organization_id = me.org AND c.status = 'LIVE'),
  roi AS (SELECT id, name, starts_on, round((ret - cost) / cost, 6) AS roi FROM live WHERE currencies = 1 AND cost <> 0),
  late AS (SELECT t.id, t.title, t.due_on, t.created_at, count(*) OVER () AS total FROM tasks t, me
            WHERE t.organization_id = me.org AND t.status <> 'DONE' AND t.due_on < ${TODAY}
            ORDER BY t.due_on, t.created_at, t.id LIMIT 5)
  SELECT json_build_object('organizationOverview', json_build_object(
    'cycle', (SELECT json_build_object('id', ${gid('Cycle', 'cy.id')}, 'name', cy.name) FROM cy),
    'okrs', (SELECT json_build_object(
        'objectiveCount', (SELECT count(*) FROM obj),
        'averageProgress', (SELECT CASE WHEN count(*) = 0 THEN NULL WHEN sum(weight) = 0 THEN avg(progress)::float8 ELSE (sum(weight * progress) / sum(weight))::float8 END FROM obj),
        'atRiskKeyResultCount', coalesce((SELECT max(total) FROM krs), 0),
        'byStatus', (SELECT json_agg(json_build_object('status', s.status, 'count', (SELECT count(*) FROM obj WHERE obj.status = s.status)) ORDER BY s.pos)
                       FROM (VALUES ('ON_TRACK', 1), ('AT_RISK', 2), ('OFF_TRACK', 3)) s(status, pos)),
        'atRiskKeyResults', coalesce((SELECT json_agg(json_build_object('id', ${gid('KeyResult', 'krs.id')}, 'title', krs.title) ORDER BY krs.n) FROM krs WHERE krs.n <= 5), '[]'))
      FROM cy),
    'kpis', json_build_object('kpiCount', (SELECT sum(kpis) FROM levels), 'openAlertCount', (SELECT sum(alerts) FROM levels),
      'byLevel', (SELECT json_agg(json_build_object('level', level, 'count', kpis, 'openAlertCount', alerts) ORDER BY pos) FROM levels)),
    'budgets', coalesce((SELECT json_agg(json_build_object('currency', currency, 'budgetCount', budgets, 'planned', ${money('planned', 'currency')},
        'spent', ${money('spent', 'currency')}, 'burnRate', CASE WHEN planned = 0 THEN NULL ELSE ${dec('round(spent / planned, 6)')} END, 'linesOverPlan', over)
        ORDER BY currency) FROM bud), '[]'),
    'liveCampaigns', json_build_object('count', (SELECT count(*) FROM live),
      'best', (SELECT json_build_object('roi', ${dec('r.roi')}, 'campaign', json_build_object('id', ${gid('Campaign', 'r.id')}, 'name', r.name))
                 FROM roi r ORDER BY r.roi DESC, r.starts_on, r.id LIMIT 1),
      'worst', (SELECT json_build_object('roi', ${dec('r.roi')}, 'campaign', json_build_object('id', ${gid('Campaign', 'r.id')}, 'name', r.name))
                 FROM roi r ORDER BY r.roi, r.starts_on, r.id LIMIT 1)),
    'overdueTasks', json_build_object('count', coalesce((SELECT max(total) FROM late), 0),
      'first', coalesce((SELECT json_agg(json_build_object('id', ${gid('Task', 'late.id')}, 'title', late.title, 'dueOn', ${day('late.due_on')})
                          ORDER BY late.due_on, late.created_at, late.id) FROM late), '[]'))
  )) AS data`;

export const OVERVIEW: Workload = {
  name: 'overview',
  label: '`organizationOverview` with every section (OKRs, KPIs, budgets, live campaigns, overdue tasks)',
  operationName: 'BenchOverview',
  query: QUERY,
  floorSql: FLOOR,
};
