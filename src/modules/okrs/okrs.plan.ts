import { Decimal } from '../../common/scalars';
import { dateSql, dateTimeSql, decimalSql, definePlannable, definePlannedRoot, extendPlannable, floatSql, globalIdSql, type PlanEnv } from '../../common/planner';
import { decodeGlobalId } from '../../common/ids';
import type { Cycle, KeyResult } from './okr.entity';
import { evaluateKeyResult } from './okrs.loaders';
import { statusCondition } from './okr-progress-store';
import type { ObjectivesFilter } from './okrs.inputs';

/**
 * Cycles, objectives, key results and check-ins for the read planner (same answers as
 * okrs.resolver.ts). A key result's progress and status are computed by the same TypeScript
 * rule as the resolver (`evaluateKeyResult`) from the values read in SQL, so the two cannot
 * differ in a floating-point digit; a key result whose progress throws (equal start and target)
 * makes the planner fall back to the resolvers and their error.
 */
const OLDEST_FIRST = (a: string) => `${a}.created_at, ${a}.id`;
const active = (a: string) => `${a}.archived_at IS NULL`;

/** The stored status dates read on today (okr-status-dates.ts `statusOn`). */
const statusOnSql = (a: string, env: PlanEnv) =>
  `CASE WHEN ${a}.off_track_from <= ${env.today()}::date THEN 'OFF_TRACK' WHEN ${a}.at_risk_from <= ${env.today()}::date THEN 'AT_RISK' ELSE 'ON_TRACK' END`;

/** What `evaluateKeyResult` reads, as text (decimals exact), with the key result's cycle (org-filtered, like cycleById). */
const evaluationInputs = (k: string, env: PlanEnv) =>
  `json_build_object('kind', ${k}.kind, 's', ${k}.start_value::text, 't', ${k}.target_value::text, 'c', ${k}.current_value::text,
     'conf', ${k}.confidence::text, 'score', ${k}.score::text,
     'cycle', (SELECT json_build_object('s', ${dateSql('cy.starts_on')}, 'e', ${dateSql('cy.ends_on')}) FROM okr_cycles cy
                WHERE cy.id = ${k}.cycle_id AND cy.organization_id = ${env.org}))`;

interface EvaluationInputs {
  kind: string;
  s: string;
  t: string;
  c: string;
  conf: string | null;
  score: string | null;
  cycle: { s: string; e: string } | null;
}

function evaluate(raw: EvaluationInputs) {
  const kr = {
    kind: raw.kind,
    startValue: new Decimal(raw.s),
    targetValue: new Decimal(raw.t),
    currentValue: new Decimal(raw.c),
    confidence: raw.conf == null ? null : Number(raw.conf),
    score: raw.score == null ? null : Number(raw.score),
  } as unknown as KeyResult;
  const cycle = raw.cycle ? ({ startsOn: raw.cycle.s, endsOn: raw.cycle.e } as Cycle) : null;
  return evaluateKeyResult(kr, cycle);
}

/** A global id argument of `type` as a uuid parameter; null (fall back: the resolvers answer BAD_USER_INPUT) when malformed. */
function idParam(value: unknown, type: string, env: PlanEnv): string | null {
  const d = decodeGlobalId(String(value));
  return d && d.type === type ? `${env.param(d.id)}::uuid` : null;
}

// objectives(filter) (objectives.service.ts listObjectives): active or archived, by cycle,
// squad, owner and stored status on today, oldest first.
definePlannedRoot({
  kind: 'connection',
  field: 'objectives',
  type: 'Objective',
  roles: [],
  where: () => 'true',
  filter: (args: { filter?: ObjectivesFilter | null }, o, env) => {
    const f = args.filter ?? {};
    const conditions = [f.archived ? `${o}.archived_at IS NOT NULL` : `${o}.archived_at IS NULL`];
    for (const [value, column, type] of [
      [f.cycleId, 'cycle_id', 'Cycle'],
      [f.squadId, 'squad_id', 'Squad'],
      [f.ownerId, 'owner_id', 'User'],
    ] as const) {
      if (value == null) continue;
      const id = idParam(value, type, env);
      if (id === null) return null;
      conditions.push(`${o}.${column} = ${id}`);
    }
    if (f.status) conditions.push(statusCondition(o, f.status).replaceAll(':today', `${env.today()}::date`));
    return conditions.join(' AND ');
  },
  orderBy: OLDEST_FIRST,
});

extendPlannable('Squad', {
  // objectivesOfSquad: active objectives, oldest first, optionally of one cycle.
  objectives: {
    kind: 'connection',
    type: 'Objective',
    parentColumn: 'squad_id',
    where: active,
    filter: (args, o, env) => {
      const cycleId = args.filter?.cycleId;
      if (cycleId == null) return 'true';
      const d = decodeGlobalId(String(cycleId));
      // A malformed id: the resolvers answer BAD_USER_INPUT.
      if (!d || d.type !== 'Cycle') return null;
      return `${o}.cycle_id = ${env.param(d.id)}::uuid`;
    },
    orderBy: OLDEST_FIRST,
  },
});

definePlannable({
  type: 'Cycle',
  table: 'okr_cycles',
  orgColumn: 'organization_id',
  fields: {
    id: { kind: 'column', sql: (cy) => globalIdSql('Cycle', `${cy}.id`) },
    name: { kind: 'column', sql: (cy) => `${cy}.name` },
    startsOn: { kind: 'column', sql: (cy) => dateSql(`${cy}.starts_on`) },
    endsOn: { kind: 'column', sql: (cy) => dateSql(`${cy}.ends_on`) },
    closedAt: { kind: 'column', sql: (cy) => dateTimeSql(`${cy}.closed_at`) },
    version: { kind: 'column', sql: (cy) => `${cy}.version` },
    createdAt: { kind: 'column', sql: (cy) => dateTimeSql(`${cy}.created_at`) },
    objectives: { kind: 'connection', type: 'Objective', parentColumn: 'cycle_id', where: active, orderBy: OLDEST_FIRST },
  },
});

definePlannable({
  type: 'Objective',
  table: 'objectives',
  orgColumn: 'organization_id',
  fields: {
    id: { kind: 'column', sql: (o) => globalIdSql('Objective', `${o}.id`) },
    title: { kind: 'column', sql: (o) => `${o}.title` },
    description: { kind: 'column', sql: (o) => `${o}.description` },
    weight: { kind: 'column', sql: (o) => decimalSql(`${o}.weight`) },
    version: { kind: 'column', sql: (o) => `${o}.version` },
    archivedAt: { kind: 'column', sql: (o) => dateTimeSql(`${o}.archived_at`) },
    createdAt: { kind: 'column', sql: (o) => dateTimeSql(`${o}.created_at`) },
    updatedAt: { kind: 'column', sql: (o) => dateTimeSql(`${o}.updated_at`) },
    // The stored roll-up (okr-progress-store.ts).
    progress: { kind: 'column', sql: (o) => floatSql(`${o}.progress`) },
    status: { kind: 'column', sql: statusOnSql },
    cycle: { kind: 'ref', type: 'Cycle', column: 'cycle_id' },
    owner: { kind: 'ref', type: 'User', column: 'owner_id' },
    squad: { kind: 'ref', type: 'Squad', column: 'squad_id', nullable: true },
    parent: { kind: 'ref', type: 'Objective', column: 'parent_id', nullable: true },
    children: { kind: 'list', type: 'Objective', parentColumn: 'parent_id', where: active, orderBy: OLDEST_FIRST },
    keyResults: { kind: 'list', type: 'KeyResult', parentColumn: 'objective_id', where: active, orderBy: OLDEST_FIRST },
  },
});

definePlannable({
  type: 'KeyResult',
  table: 'key_results',
  orgColumn: 'organization_id',
  fields: {
    id: { kind: 'column', sql: (k) => globalIdSql('KeyResult', `${k}.id`) },
    title: { kind: 'column', sql: (k) => `${k}.title` },
    kind: { kind: 'column', sql: (k) => `${k}.kind` },
    unit: { kind: 'column', sql: (k) => `${k}.unit` },
    startValue: { kind: 'column', sql: (k) => decimalSql(`${k}.start_value`) },
    targetValue: { kind: 'column', sql: (k) => decimalSql(`${k}.target_value`) },
    currentValue: { kind: 'column', sql: (k) => decimalSql(`${k}.current_value`) },
    confidence: { kind: 'column', sql: (k) => floatSql(`${k}.confidence`) },
    weight: { kind: 'column', sql: (k) => decimalSql(`${k}.weight`) },
    score: { kind: 'column', sql: (k) => floatSql(`${k}.score`) },
    lastCheckInAt: { kind: 'column', sql: (k) => dateTimeSql(`${k}.last_check_in_at`) },
    version: { kind: 'column', sql: (k) => `${k}.version` },
    archivedAt: { kind: 'column', sql: (k) => dateTimeSql(`${k}.archived_at`) },
    createdAt: { kind: 'column', sql: (k) => dateTimeSql(`${k}.created_at`) },
    updatedAt: { kind: 'column', sql: (k) => dateTimeSql(`${k}.updated_at`) },
    progress: { kind: 'derived', inputs: evaluationInputs, compute: (raw: EvaluationInputs) => evaluate(raw).progress },
    status: { kind: 'derived', inputs: evaluationInputs, compute: (raw: EvaluationInputs) => evaluate(raw).status },
    objective: { kind: 'ref', type: 'Objective', column: 'objective_id' },
    owner: { kind: 'ref', type: 'User', column: 'owner_id' },
    latestCheckIn: { kind: 'latest', type: 'CheckIn', parentColumn: 'key_result_id', orderBy: (c) => `${c}.created_at DESC, ${c}.id DESC` },
    checkIns: {
      kind: 'connection',
      type: 'CheckIn',
      parentColumn: 'key_result_id',
      orderBy: (c) => `${c}.created_at DESC, ${c}.id DESC`,
    },
  },
});

definePlannable({
  type: 'CheckIn',
  table: 'check_ins',
  orgColumn: 'organization_id',
  fields: {
    id: { kind: 'column', sql: (c) => globalIdSql('CheckIn', `${c}.id`) },
    value: { kind: 'column', sql: (c) => decimalSql(`${c}.value`) },
    confidence: { kind: 'column', sql: (c) => floatSql(`${c}.confidence`) },
    note: { kind: 'column', sql: (c) => `${c}.note` },
    createdAt: { kind: 'column', sql: (c) => dateTimeSql(`${c}.created_at`) },
    author: { kind: 'ref', type: 'User', column: 'author_id', nullable: true },
    keyResult: { kind: 'ref', type: 'KeyResult', column: 'key_result_id' },
  },
});
