import { WORK_KIND_RANKS as RANK } from '../src/modules/work/work-ranks';
import type { Workload } from './workloads';

/**
 * `myWork` for the bench squad's lead, whose items come from every module: tasks, OKRs, SOPs
 * (pending acknowledgements, overdue reviews, approvals waiting), KPI alerts, budget adjustments
 * (FINANCE/OWNER) and campaign reviews. The floor computes the same merged, ordered page in one
 * statement.
 */
const gid = (type: string, col: string) => `translate(encode(convert_to(${type} || ':' || ${col}, 'UTF8'), 'base64'), '+/=', '-_')`;

const TODAY = `(now() AT TIME ZONE 'UTC')::date`;

const MY_WORK_SQL = `WITH me AS (SELECT organization_id AS org, role FROM members WHERE user_id = $1 AND status = 'ACTIVE'),
  people AS (
    SELECT s.id AS squad_id, s.lead_id AS user_id FROM squads s, me WHERE s.organization_id = me.org AND s.archived_at IS NULL
    UNION
    SELECT m.squad_id, m.user_id FROM squad_members m JOIN squads s ON s.id = m.squad_id AND s.archived_at IS NULL, me
     WHERE m.organization_id = me.org AND s.organization_id = me.org),
  mates AS (SELECT DISTINCT mate.user_id FROM people mine JOIN people mate ON mate.squad_id = mine.squad_id WHERE mine.user_id = $1),
  items AS (
    SELECT CASE WHEN t.due_on < ${TODAY} THEN 'TASK_OVERDUE' ELSE 'TASK_DUE_TODAY' END AS kind,
           CASE WHEN t.due_on < ${TODAY} THEN ${RANK.TASK_OVERDUE} ELSE ${RANK.TASK_DUE_TODAY} END AS rank, t.due_on, t.id, 'Task' AS type
      FROM tasks t, me
     WHERE t.organization_id = me.org AND t.assignee_id = $1 AND t.status IN ('TODO', 'IN_PROGRESS', 'BLOCKED') AND t.due_on <= ${TODAY}
    UNION ALL
    SELECT 'CHECK_IN_DUE', ${RANK.CHECK_IN_DUE}, (COALESCE(k.last_check_in_at, k.created_at) AT TIME ZONE 'UTC')::date + 7, k.id, 'KeyResult'
      FROM key_results k JOIN okr_cycles c ON c.id = k.cycle_id AND c.organization_id = k.organization_id, me
     WHERE k.organization_id = me.org AND k.owner_id = $1 AND c.closed_at IS NULL AND k.archived_at IS NULL
       AND COALESCE(k.last_check_in_at, k.created_at) < now() - interval '7 days'
    UNION ALL
    SELECT 'SOP_ACKNOWLEDGEMENT_DUE', ${RANK.SOP_ACKNOWLEDGEMENT_DUE}, (v.published_at AT TIME ZONE 'UTC')::date, s.id, 'Sop'
      FROM sops s JOIN sop_versions v ON v.id = s.current_version_id, me
     WHERE s.organization_id = me.org AND s.archived_at IS NULL AND me.role <> 'VIEWER'
       AND NOT EXISTS (SELECT 1 FROM sop_acknowledgements k WHERE k.organization_id = me.org AND k.version_id = s.current_version_id AND k.user_id = $1)
       AND (EXISTS (SELECT 1 FROM raci_assignments r WHERE r.organization_id = me.org AND r.matrix_id = s.raci_matrix_id AND r.user_id = $1)
            OR (s.owner_id IN (SELECT user_id FROM mates)
                AND NOT EXISTS (SELECT 1 FROM raci_assignments r WHERE r.organization_id = me.org AND r.matrix_id = s.raci_matrix_id)))
    UNION ALL
    SELECT 'SOP_REVIEW_OVERDUE', ${RANK.SOP_REVIEW_OVERDUE}, s.review_due_on, s.id, 'Sop'
      FROM sops s, me WHERE s.organization_id = me.org AND s.owner_id = $1 AND s.archived_at IS NULL AND s.review_due_on < ${TODAY} AND me.role <> 'VIEWER'
    UNION ALL
    SELECT 'SOP_APPROVAL_PENDING', ${RANK.SOP_APPROVAL_PENDING}, (v.submitted_at AT TIME ZONE 'UTC')::date, s.id, 'Sop'
      FROM sops s JOIN sop_versions v ON v.id = s.draft_version_id, me
     WHERE me.role IN ('OWNER', 'ADMIN', 'SQUAD_LEAD') AND s.organization_id = me.org AND s.status = 'IN_REVIEW'
       AND s.archived_at IS NULL AND v.author_id IS DISTINCT FROM $1
    UNION ALL
    SELECT 'KPI_ALERT_OPEN', ${RANK.KPI_ALERT_OPEN}, (a.created_at AT TIME ZONE 'UTC')::date, a.id, 'KpiAlert'
      FROM kpi_alerts a JOIN kpis k ON k.id = a.kpi_id AND k.organization_id = a.organization_id, me
     WHERE a.organization_id = me.org AND a.status = 'OPEN' AND k.owner_id = $1 AND k.archived_at IS NULL
    UNION ALL
    SELECT 'BUDGET_ADJUSTMENT_PENDING', ${RANK.BUDGET_ADJUSTMENT_PENDING}, (a.due_at AT TIME ZONE 'UTC')::date, a.id, 'BudgetAdjustment'
      FROM budget_adjustments a, me
     WHERE me.role IN ('OWNER', 'FINANCE') AND a.organization_id = me.org AND a.status = 'PENDING' AND a.requested_by IS DISTINCT FROM $1
    UNION ALL
    SELECT 'CAMPAIGN_REVIEW_DUE', ${RANK.CAMPAIGN_REVIEW_DUE}, c.ends_on + 7, c.id, 'Campaign'
      FROM campaigns c, me
     WHERE c.organization_id = me.org AND c.status = 'COMPLETED'
       AND c.squad_id IN (SELECT s.id FROM squads s WHERE s.organization_id = me.org AND s.lead_id = $1))
  SELECT json_build_object('myWork', json_build_object(
    'totalCount', (SELECT count(*) FROM items),
    'nodes', coalesce((SELECT json_agg(json_build_object('kind', i.kind, 'dueOn', to_char(i.due_on, 'YYYY-MM-DD'),
                                                        'subject', json_build_object('id', ${gid('i.type', 'i.id')}))
                                       ORDER BY i.due_on, i.rank, i.id)
                         FROM (SELECT * FROM items ORDER BY due_on, rank, id LIMIT 20) i), '[]'))) AS data`;

export const SOP_WORKLOADS: Workload[] = [
  {
    name: 'myWork',
    label: '`myWork(first: 20)`: items of every module (tasks, check-ins, SOPs, KPI alerts, adjustments, campaign reviews)',
    operationName: 'BenchMyWork',
    query: `query BenchMyWork { myWork(first: 20) { totalCount nodes { kind dueOn subject { id } } } }`,
    floorSql: MY_WORK_SQL,
  },
];
