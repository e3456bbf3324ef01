/**
 * The bench workloads: each is a GraphQL operation sent to plangraph and, for the floor, one
 * hand-written SQL statement that produces the same `data` (same JSON shape and rows), run
 * through `pg` behind a bare `node:http` server (bench/floor.ts).
 *
 * Floor SQL conventions: `$1` is the caller's user id (from the verified session token); the
 * organisation is the caller's active membership, looked up in the same statement. Global ids
 * are `base64url("Type:uuid")` built in SQL; decimals are `trim_scale(x)::text` (what
 * decimal.js prints), timestamps ISO with milliseconds in UTC, dates YYYY-MM-DD.
 */
import { SOP_WORKLOADS } from './sops-workloads';
import { BUDGET_REVIEW, BUDGET_REVIEW_FLOOR, benchBudgetId } from './budgets-bench';
import { CAMPAIGNS_FINANCE } from './campaigns-bench';
import { LEDGER, SPEND } from './ledger-bench';
import { OVERVIEW } from './overview-bench';
import { KPI_WORKLOADS, type KpiWorkloadName } from './kpi-workloads';
import { SEARCH_WORKLOAD } from './search-bench';

export type WorkloadName = 'dashboardStored' | 'dashboardFull' | 'viewer' | 'myTasks' | 'checkIn' | KpiWorkloadName | 'budgetReview' | 'ledger' | 'spend' | 'campaignsFinance' | 'myWork' | 'overview' | 'search';

export interface Workload {
  name: WorkloadName;
  label: string;
  operationName: string;
  query: string;
  /** Floor SQL; parameters from `floorParams`. */
  floorSql: string;
  write?: boolean;
}

const gid = (type: string, col: string) => `translate(encode(convert_to('${type}:' || ${col}, 'UTF8'), 'base64'), '+/=', '-_')`;
const dec = (col: string) => `trim_scale(${col})::text`;
const ts = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const day = (col: string) => `to_char(${col}, 'YYYY-MM-DD')`;
const user = (col: string) =>
  `(SELECT json_build_object('id', ${gid('User', 'u.id')}, 'displayName', u.display_name) FROM users u WHERE u.id = ${col})`;

const ME = `me AS (SELECT organization_id AS org, role FROM members WHERE user_id = $1 AND status = 'ACTIVE')`;

export const OPEN_TASKS = `[TODO, IN_PROGRESS, BLOCKED]`;

const DASHBOARD_STORED = /* GraphQL */ `query BenchDashboardStored($squadId: ID!, $cycleId: ID!) {
  squad(id: $squadId) {
    id name mission
    lead { id displayName }
    objectives(filter: { cycleId: $cycleId }, first: 20) {
      nodes {
        id title description version
        keyResults {
          id title kind unit startValue targetValue currentValue confidence weight version lastCheckInAt
          latestCheckIn { id value confidence note createdAt }
        }
      }
    }
    tasks(filter: { status: ${OPEN_TASKS} }, first: 50) { nodes { id title status dueOn version } }
  }
}`;

const DASHBOARD_FULL = /* GraphQL */ `query BenchDashboardFull($squadId: ID!, $cycleId: ID!) {
  squad(id: $squadId) {
    id name mission
    lead { id displayName }
    members { function user { id displayName } }
    currentSprint { id name goal startsOn endsOn }
    objectives(filter: { cycleId: $cycleId }, first: 20) {
      nodes {
        id title description version progress status
        owner { id displayName }
        keyResults {
          id title kind unit startValue targetValue currentValue confidence weight version lastCheckInAt progress status
          owner { id displayName }
          latestCheckIn { id value confidence note createdAt author { id displayName } }
        }
      }
    }
    tasks(filter: { status: ${OPEN_TASKS} }, first: 50) {
      nodes { id title status dueOn version quadrant assignee { id displayName } }
    }
  }
}`;

/** Key-result progress (okr-rules.ts keyResultProgress), in SQL. */
const KR_PROGRESS = `CASE WHEN k.kind IN ('INCREASE_TO', 'DECREASE_TO')
    THEN greatest(0, least(1, (k.current_value - k.start_value) / (k.target_value - k.start_value)))
  WHEN k.kind = 'STAY_BELOW' THEN (k.current_value <= k.target_value)::int
  ELSE (k.current_value >= k.target_value)::int END`;
/** Share of the cycle elapsed today (okr-rules.ts elapsedShare). */
const ELAPSED = `greatest(0, least(1, ((now() AT TIME ZONE 'UTC')::date - cy.starts_on + 1)::numeric / nullif(cy.ends_on - cy.starts_on + 1, 0)))`;
/** Severity 0 ON_TRACK, 1 AT_RISK, 2 OFF_TRACK: from confidence, else from pace (keyResultStatus). */
const severity = (progress: string, confidence: string) => `CASE
    WHEN ${confidence} IS NOT NULL THEN CASE WHEN ${confidence} >= 0.7 THEN 0 WHEN ${confidence} >= 0.4 THEN 1 ELSE 2 END
    WHEN ${progress} >= 1 OR coalesce(${ELAPSED}, 1) <= 0 THEN 0
    WHEN ${progress} / coalesce(${ELAPSED}, 1) >= 0.7 THEN 0
    WHEN ${progress} / coalesce(${ELAPSED}, 1) >= 0.5 THEN 1 ELSE 2 END`;
const STATUS_OF = (sev: string) => `(ARRAY['ON_TRACK', 'AT_RISK', 'OFF_TRACK'])[${sev} + 1]`;

function dashboardSql(full: boolean): string {
  const latest = `(SELECT json_build_object('id', ${gid('CheckIn', 'c.id')}, 'value', ${dec('c.value')}, 'confidence', c.confidence::float8,
        'note', c.note, 'createdAt', ${ts('c.created_at')}${full ? `, 'author', ${user('c.author_id')}` : ''})
      FROM check_ins c WHERE c.organization_id = k.organization_id AND c.key_result_id = k.id
      ORDER BY c.created_at DESC, c.id DESC LIMIT 1)`;
  const kr = `json_build_object('id', ${gid('KeyResult', 'k.id')}, 'title', k.title, 'kind', k.kind, 'unit', k.unit,
        'startValue', ${dec('k.start_value')}, 'targetValue', ${dec('k.target_value')}, 'currentValue', ${dec('k.current_value')},
        'confidence', k.confidence::float8, 'weight', ${dec('k.weight')}, 'version', k.version, 'lastCheckInAt', ${ts('k.last_check_in_at')}
        ${full ? `, 'progress', kp.progress::float8, 'status', ${STATUS_OF('kp.sev')}, 'owner', ${user('k.owner_id')}` : ''},
        'latestCheckIn', ${latest})`;
  // The bench squad's objectives have key results and no aligned children: the roll-up is over key results.
  const objective = `json_build_object('id', ${gid('Objective', 'o.id')}, 'title', o.title, 'description', o.description, 'version', o.version
        ${full ? `, 'progress', coalesce(ks.progress, 0)::float8, 'status', ${STATUS_OF('coalesce(ks.sev, 2)')}, 'owner', ${user('o.owner_id')}` : ''},
        'keyResults', coalesce(ks.krs, '[]'))`;
  const task = `json_build_object('id', ${gid('Task', 't.id')}, 'title', t.title, 'status', t.status, 'dueOn', ${day('t.due_on')}, 'version', t.version
        ${full
          ? `, 'quadrant', CASE WHEN t.important THEN CASE WHEN t.urgent THEN 'DO_FIRST' ELSE 'SCHEDULE' END
                              ELSE CASE WHEN t.urgent THEN 'DELEGATE' ELSE 'ELIMINATE' END END,
             'assignee', ${user('t.assignee_id')}`
          : ''})`;
  return `WITH ${ME}
SELECT json_build_object('squad', (
  SELECT json_build_object('id', ${gid('Squad', 's.id')}, 'name', s.name, 'mission', s.mission, 'lead', ${user('s.lead_id')},
    ${full
      ? `'members', coalesce((SELECT json_agg(json_build_object('function', m.function, 'user', ${user('m.user_id')}) ORDER BY m.created_at, m.id)
           FROM squad_members m WHERE m.organization_id = me.org AND m.squad_id = s.id), '[]'),
         'currentSprint', (SELECT json_build_object('id', ${gid('Sprint', 'sp.id')}, 'name', sp.name, 'goal', sp.goal,
              'startsOn', ${day('sp.starts_on')}, 'endsOn', ${day('sp.ends_on')})
           FROM sprints sp WHERE sp.organization_id = me.org AND sp.squad_id = s.id AND sp.closed_at IS NULL
            AND sp.starts_on <= (now() AT TIME ZONE 'UTC')::date ORDER BY sp.starts_on DESC, sp.id DESC LIMIT 1),`
      : ''}
    'objectives', json_build_object('nodes', coalesce((
      SELECT json_agg(${objective} ORDER BY o.created_at, o.id)
        FROM (SELECT * FROM objectives WHERE organization_id = me.org AND squad_id = s.id AND cycle_id = $3
               ORDER BY created_at, id LIMIT 20) o
        JOIN okr_cycles cy ON cy.id = o.cycle_id
        LEFT JOIN LATERAL (
          SELECT json_agg(${kr} ORDER BY k.created_at, k.id) AS krs,
                 sum(k.weight * kp.progress) / nullif(sum(k.weight), 0) AS progress, max(kp.sev) AS sev
            FROM key_results k
            CROSS JOIN LATERAL (SELECT p.progress, ${severity('p.progress', 'k.confidence')} AS sev
                                  FROM (SELECT ${KR_PROGRESS} AS progress) p) kp
           WHERE k.organization_id = me.org AND k.objective_id = o.id) ks ON true), '[]')),
    'tasks', json_build_object('nodes', coalesce((
      SELECT json_agg(${task} ORDER BY coalesce(t.due_on, DATE '9999-12-31'), t.created_at, t.id)
        FROM (SELECT * FROM tasks WHERE organization_id = me.org AND squad_id = s.id AND status IN ('TODO', 'IN_PROGRESS', 'BLOCKED')
               ORDER BY coalesce(due_on, DATE '9999-12-31'), created_at, id LIMIT 50) t), '[]')))
    FROM squads s, me WHERE s.id = $2 AND s.organization_id = me.org)) AS data`;
}

export const WORKLOADS: Workload[] = [
  {
    name: 'dashboardStored',
    label: 'squad dashboard, stored fields',
    operationName: 'BenchDashboardStored',
    query: DASHBOARD_STORED,
    floorSql: dashboardSql(false),
  },
  {
    name: 'dashboardFull',
    label: 'squad dashboard, full',
    operationName: 'BenchDashboardFull',
    query: DASHBOARD_FULL,
    floorSql: dashboardSql(true),
  },
  {
    name: 'viewer',
    label: '`viewer { role user { id displayName } }`',
    operationName: 'BenchViewer',
    query: `query BenchViewer { viewer { role user { id displayName } } }`,
    floorSql: `SELECT json_build_object('viewer', json_build_object('role', m.role,
        'user', json_build_object('id', ${gid('User', 'u.id')}, 'displayName', u.display_name))) AS data
      FROM users u JOIN members m ON m.user_id = u.id AND m.status = 'ACTIVE' WHERE u.id = $1`,
  },
  {
    name: 'myTasks',
    label: '`myTasks(first: 20)`, open, with key result',
    operationName: 'BenchMyTasks',
    query: `query BenchMyTasks { myTasks(first: 20, filter: { status: ${OPEN_TASKS} }) {
      totalCount nodes { id title status dueOn quadrant keyResult { id title } } } }`,
    floorSql: `WITH ${ME}, t AS (
        SELECT t.*, count(*) OVER () AS total FROM tasks t, me
         WHERE t.organization_id = me.org AND t.assignee_id = $1 AND t.status IN ('TODO', 'IN_PROGRESS', 'BLOCKED')
         ORDER BY coalesce(t.due_on, DATE '9999-12-31'), t.created_at, t.id LIMIT 20)
      SELECT json_build_object('myTasks', json_build_object(
        'totalCount', coalesce((SELECT max(total) FROM t), (SELECT count(*) FROM tasks t2, me WHERE t2.organization_id = me.org
                        AND t2.assignee_id = $1 AND t2.status IN ('TODO', 'IN_PROGRESS', 'BLOCKED'))),
        'nodes', coalesce((SELECT json_agg(json_build_object('id', ${gid('Task', 't.id')}, 'title', t.title, 'status', t.status,
            'dueOn', ${day('t.due_on')},
            'quadrant', CASE WHEN t.important THEN CASE WHEN t.urgent THEN 'DO_FIRST' ELSE 'SCHEDULE' END
                             ELSE CASE WHEN t.urgent THEN 'DELEGATE' ELSE 'ELIMINATE' END END,
            'keyResult', (SELECT json_build_object('id', ${gid('KeyResult', 'k.id')}, 'title', k.title)
                            FROM key_results k WHERE k.id = t.key_result_id AND k.organization_id = t.organization_id))
          ORDER BY coalesce(t.due_on, DATE '9999-12-31'), t.created_at, t.id) FROM t), '[]'))) AS data`,
  },
  {
    name: 'checkIn',
    label: '`checkInKeyResult`',
    operationName: 'BenchCheckIn',
    write: true,
    query: `mutation BenchCheckIn($i: CheckInKeyResultInput!) { checkInKeyResult(input: $i) {
      checkIn { id value confidence note } keyResult { id currentValue confidence version } } }`,
    // Version check, owner/lead/admin permission, open cycle, check-in row, audit event and a
    // notification, in one statement. (No progress roll-up: the floor has nothing stored to update.)
    floorSql: `WITH ${ME},
      kr AS (
        UPDATE key_results k SET current_value = $3, confidence = $4, last_check_in_at = now(), version = k.version + 1, updated_at = now()
          FROM me
         WHERE k.id = $2 AND k.organization_id = me.org AND k.version = $5
           AND (k.owner_id = $1 OR me.role IN ('OWNER', 'ADMIN')
                OR EXISTS (SELECT 1 FROM objectives o JOIN squads s ON s.id = o.squad_id WHERE o.id = k.objective_id AND s.lead_id = $1))
           AND EXISTS (SELECT 1 FROM okr_cycles c WHERE c.id = k.cycle_id AND c.closed_at IS NULL)
        RETURNING k.*),
      ci AS (
        INSERT INTO check_ins (organization_id, key_result_id, value, confidence, note, author_id)
        SELECT organization_id, id, $3, $4, $6, $1 FROM kr RETURNING *),
      au AS (
        INSERT INTO audit_events (organization_id, actor_id, action, entity_type, entity_id, after)
        SELECT kr.organization_id, $1, 'key_result.checked_in', 'KeyResult', kr.id,
               jsonb_build_object('currentValue', kr.current_value, 'confidence', kr.confidence, 'checkIn', ci.id)
          FROM kr, ci RETURNING id),
      n AS (SELECT pg_notify('bench_floor', ci.id::text) AS sent FROM ci)
      SELECT json_build_object('checkInKeyResult', json_build_object(
        'checkIn', json_build_object('id', ${gid('CheckIn', 'ci.id')}, 'value', ${dec('ci.value')}, 'confidence', ci.confidence::float8, 'note', ci.note),
        'keyResult', json_build_object('id', ${gid('KeyResult', 'kr.id')}, 'currentValue', ${dec('kr.current_value')},
                                       'confidence', kr.confidence::float8, 'version', kr.version))) AS data
        FROM kr, ci, (SELECT count(*) FROM n) nn, (SELECT count(*) FROM au) na`,
  },
  ...KPI_WORKLOADS,
  SEARCH_WORKLOAD,
  {
    name: 'budgetReview',
    label: "finance's monthly review (budgets → lines → burn by month with cost per KPI unit; 100,000 expenses)",
    operationName: 'BenchBudgetReview',
    query: BUDGET_REVIEW,
    floorSql: BUDGET_REVIEW_FLOOR,
  },
  LEDGER,
  SPEND,
  CAMPAIGNS_FINANCE,
  OVERVIEW,
];

// Workloads of other modules, in their own files.
WORKLOADS.push(...SOP_WORKLOADS);

export interface BenchContext {
  squadId: string;
  cycleId: string;
}

/** GraphQL variables and floor SQL parameters of a read workload. */
export function readArgs(w: Workload, ctx: BenchContext, toGlobalId: (t: string, id: string) => string) {
  if (w.name === 'budgetReview' || w.name === 'ledger' || w.name === 'spend') return { variables: { budgetId: toGlobalId('Budget', benchBudgetId(ctx.squadId)) }, floorParams: [benchBudgetId(ctx.squadId)] };
  if (w.name === 'dashboardStored' || w.name === 'dashboardFull') {
    return {
      variables: { squadId: toGlobalId('Squad', ctx.squadId), cycleId: toGlobalId('Cycle', ctx.cycleId) },
      floorParams: [ctx.squadId, ctx.cycleId],
    };
  }
  return { variables: {}, floorParams: [] };
}
