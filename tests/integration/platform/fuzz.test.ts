/**
 * Schema-driven fuzzing: for EVERY root field of Query, Mutation and Subscription in the schema
 * the server serves (read by introspection, so a new field is fuzzed without editing this file),
 * fast-check generates arguments and sends them over HTTP (and graphql-ws) as the OWNER, as an
 * anonymous caller and with odd credentials. Values are chosen by what an argument means, from its
 * name, type and description, not only by its type (fuzz-grammars.ts): a `formula` gets KPI formulas
 * with huge literals (1e9999999, 39 significant digits) and deep nesting, a Decimal numbers at and
 * past its range and exponent notation, a Date edge days, weekdays other than Monday and far years,
 * `after`/`before` other lists' cursors and re-encoded ones, an ID a valid id of another type or of
 * another organisation. Three kinds of calls: `wild` (every value odd), `plausible` (every value
 * valid: the fixtures' ids of the type the argument names, their days, the current version for
 * `expectedVersion`, a formula over the KPI's own children) and `targeted` (plausible but for ONE odd
 * value, so that it reaches the services and the database; every grammar-typed position of every
 * field gets some).
 *
 * What counts as a finding:
 * - an INTERNAL_SERVER_ERROR, an HTTP 5xx, an error without `extensions.code`, a stack trace;
 * - a stall: the server's event loop blocked for FUZZ_STALL_MS (default 1000) or more again when
 *   the call is sent alone, or no answer within FUZZ_TIMEOUT_MS (default 10 000); the server process
 *   dying (its heap is capped, so an input that would take all memory kills it early). The server
 *   runs as a child process (the build in dist/: `npm test` builds it first) with an event-loop
 *   monitor, and is replaced after a stall or a death, so one bad input is reported with its call
 *   and the run goes on;
 * - a targeted call whose one odd value the API must refuse, answered with data: a formula literal
 *   out of the Decimal range, an id of another type, another organisation's id in a mutation;
 * - one call with a list as long as a request may be (200 000 invalid values, 800 kB) that blocks
 *   the event loop or kills the process;
 * - in the concurrency mode (pairs with two ids of one type swapped, waves of eight plausible calls,
 *   the calls that went through again, all at once): any of the above (a deadlock is an
 *   INTERNAL_SERVER_ERROR) and a broken invariant (a cycle in the KPI tree or the objectives'
 *   alignment, a budget whose stored spend is not the sum of its expenses).
 *
 * The run is deterministic: FUZZ_SEED (default 20260801) and a field's name pick its calls, so
 * FUZZ_FIELDS (a regular expression) replays a field's calls as in a full run; FUZZ_RUNS (default
 * 32) bounds the cases per field (fields with many grammar-typed positions get more); FUZZ_VERBOSE=1
 * prints the time per field (2: every call and answer). All findings are collected and reported
 * together, grouped by the cause the server logged, with one call each:
 *
 *     npm run build && FUZZ_FIELDS='^(createKpi|recordExpense)$' npx jest tests/integration/platform/fuzz.test.ts
 */
import fc from 'fast-check';
import jwt from 'jsonwebtoken';
import Decimal from 'decimal.js';
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import { decodeGlobalId } from '../../../src/common/ids';
import { signSession } from '../../../src/modules/identity/session-tokens';
import { addMember, createOrg, type TestOrg } from '../../support/factories';
import { startGuardedServer, type GuardedServer, type Sent } from '../../support/guarded-server';
import { readMailAt } from '../../support/mailbox';
import { createTestDatabase } from '../../support/test-db';
import { ok, type Caller, type GqlResult } from '../../support/test-app';
import { wsClient } from '../../support/ws';
import {
  cursorOdd,
  cursorPlausible,
  dateOdd,
  datePlausible,
  dateTimeOdd,
  decimalOdd,
  decimalPlausible,
  formulaOdd,
  formulaPlausible,
  grammarOf,
  idOdd,
  idTypeOf,
  kpiKeyOdd,
  type GrammarKind,
  type Odd,
  type Pools,
  type Slot,
} from './fuzz-grammars';

const SEED = Number(process.env.FUZZ_SEED ?? 20260801);
const RUNS = Number(process.env.FUZZ_RUNS ?? 32);
const ONLY = process.env.FUZZ_FIELDS ? new RegExp(process.env.FUZZ_FIELDS) : null;
const STALL_MS = Number(process.env.FUZZ_STALL_MS ?? 1000);
const TIMEOUT_MS = Number(process.env.FUZZ_TIMEOUT_MS ?? 10_000);
const PASSWORD = 'correct horse battery';

/** The seed of one field's calls: FUZZ_SEED and the field's name, so that FUZZ_FIELDS replays a field's calls as in a full run. */
const seedOf = (name: string, salt = 0) => {
  let h = SEED + salt;
  for (const ch of name) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h;
};

let server: GuardedServer;
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let schema: GraphQLSchema;
let owner: TestOrg;
let writeToken = '';
const pools: Pools = { own: {}, foreign: {}, kpiKeys: [], foreignKpiKeys: [], cursors: new Map(), days: [], nodeTypes: [] };

/** GraphQL against the current server process (it may have been replaced), for fixtures and checks. */
const api = {
  async gql<T = any>(query: string, variables: Record<string, unknown> = {}, as: Caller = {}): Promise<GqlResult<T>> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (as.token) headers.authorization = `Bearer ${as.token}`;
    if (as.organizationId) headers['x-organization-id'] = as.organizationId;
    const res = await fetch(`${server.url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }), signal: AbortSignal.timeout(TIMEOUT_MS) });
    return { ...((await res.json()) as GqlResult<T>), status: res.status, statements: -1 };
  },
  readMail: (to: string, kind?: string) => readMailAt(db.url, to, kind),
};

const put = (pool: Record<string, string[]>, type: string, id: string | null | undefined) => {
  if (id) (pool[type] ??= []).push(id);
};

// ------------------------------------------------------------------ fixtures

/**
 * A whole plan in `org`: members of every role, a squad with a sprint, OKRs, a task, KPIs (a
 * formula over measured children, roots that can move), two budgets of two lines each, a live campaign with a return
 * and an experiment, a RACI matrix, a published SOP. `tag` keeps the two organisations' KPI keys apart.
 */
async function buildPlan(org: TestOrg, pool: Record<string, string[]>, keys: string[], tag: string) {
  const m = async (query: string, i: Record<string, unknown>, as: Caller = org) => ok(await api.gql(query, { i }, as));
  put(pool, 'Organization', org.organizationId);
  put(pool, 'User', org.userId);
  const lead = await addMember(api, org, 'SQUAD_LEAD', '组长 Lead');
  const approver = await addMember(api, org, 'SQUAD_LEAD', '审批人 Approver');
  for (const p of [lead, approver]) {
    put(pool, 'User', p.userId);
    put(pool, 'Member', p.memberId);
  }
  const people: Record<string, string> = { MEMBER: approver.userId };
  // The other organisation needs objects of every type, not people of every role.
  for (const role of tag ? [] : ['ADMIN', 'FINANCE', 'MEMBER', 'VIEWER']) {
    const p = await addMember(api, org, role);
    put(pool, 'User', p.userId);
    put(pool, 'Member', p.memberId);
    people[role] = p.userId;
  }
  const squad = (await m(`mutation($i: CreateSquadInput!) { createSquad(input: $i) { squad { id } } }`, { name: '创作者增长小组', mission: '让创作更简单', leadId: lead.userId })).createSquad.squad.id;
  put(pool, 'Squad', squad);
  put(pool, 'SquadMember', (await m(`mutation($i: AddSquadMemberInput!) { addSquadMember(input: $i) { squadMember { id } } }`, { squadId: squad, userId: people.MEMBER, function: 'DATA' })).addSquadMember.squadMember.id);
  put(pool, 'Sprint', (await m(`mutation($i: CreateSprintInput!) { createSprint(input: $i) { sprint { id } } }`, { squadId: squad, name: '五月冲刺', startsOn: '2026-05-01' })).createSprint.sprint.id);

  const cycle = (await m(`mutation($i: CreateCycleInput!) { createCycle(input: $i) { cycle { id } } }`, { name: `${tag}2026-Q2`, startsOn: '2026-04-01', endsOn: '2026-06-30' })).createCycle.cycle.id;
  put(pool, 'Cycle', cycle);
  const objective = (await m(`mutation($i: CreateObjectiveInput!) { createObjective(input: $i) { objective { id } } }`, { cycleId: cycle, title: '提升用户创作活跃度', squadId: squad })).createObjective.objective.id;
  put(pool, 'Objective', objective);
  put(pool, 'Objective', (await m(`mutation($i: CreateObjectiveInput!) { createObjective(input: $i) { objective { id } } }`, { cycleId: cycle, title: '创作者留存', parentId: objective })).createObjective.objective.id);
  const kr = (await m(`mutation($i: CreateKeyResultInput!) { createKeyResult(input: $i) { keyResult { id version } } }`, {
    objectiveId: objective, title: '日均发布内容量提升30%', kind: 'INCREASE_TO', startValue: '1000', targetValue: '1300', ownerId: lead.userId,
  })).createKeyResult.keyResult;
  put(pool, 'KeyResult', kr.id);
  put(pool, 'CheckIn', (await m(`mutation($i: CheckInKeyResultInput!) { checkInKeyResult(input: $i) { checkIn { id } } }`, { keyResultId: kr.id, value: '1100', confidence: 0.6, note: '进展顺利', expectedVersion: kr.version })).checkInKeyResult.checkIn.id);
  const task = (await m(`mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }`, { title: '整理创作者激励名单', keyResultId: kr.id, assigneeId: lead.userId, dueOn: '2026-05-15' })).createTask.task.id;
  put(pool, 'Task', task);
  const token = (await m(`mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { apiToken { id } secret } }`, { name: '集成', scopes: ['READ', 'WRITE'] })).createApiToken;
  put(pool, 'ApiToken', token.apiToken.id);

  // KPIs: a north star, a formula KPI over two measured children, a refund rate with an alert.
  const kpi = async (i: Record<string, unknown>) => {
    const id = (await m(`mutation($i: CreateKpiInput!) { createKpi(input: $i) { kpi { id } } }`, { layer: 'OPERATIONAL', ...i })).createKpi.kpi.id;
    put(pool, 'Kpi', id);
    keys.push(i.key as string);
    return id;
  };
  const ns = await kpi({ key: `${tag}gmv`, name: 'GMV', layer: 'STRATEGIC', isNorthStar: true });
  const parent = await kpi({ key: `${tag}orders`, name: '订单数', layer: 'TACTICAL', parentId: ns });
  await kpi({ key: `${tag}c1`, name: '访客', parentId: parent });
  await kpi({ key: `${tag}c2`, name: '转化率', parentId: parent });
  await kpi({ key: `${tag}refund`, name: '退款率', direction: 'LOWER_IS_BETTER', thresholds: { criticalAbove: '8' } });
  // Roots nothing's formula uses: they can move under each other.
  for (const k of ['dau', 'mau', 'nps']) await kpi({ key: `${tag}${k}`, name: k.toUpperCase() });
  await m(`mutation($i: RecordMeasurementsInput!) { recordMeasurements(input: $i) { alertsRaised } }`, {
    measurements: [
      { kpiKey: `${tag}c1`, periodStart: '2026-03-30', value: '1200' },
      { kpiKey: `${tag}c1`, periodStart: '2026-04-06', value: '1300' },
      { kpiKey: `${tag}c2`, periodStart: '2026-04-06', value: '0.05' },
      { kpiKey: `${tag}refund`, periodStart: '2026-04-06', value: '12' },
    ],
  });
  await m(`mutation($i: UpdateKpiInput!) { updateKpi(input: $i) { kpi { id } } }`, { id: parent, expectedVersion: 1, formula: `${tag}c1 * ${tag}c2` });
  for (const a of ok(await api.gql(`{ kpiAlerts(first: 2) { nodes { id } } }`, {}, org)).kpiAlerts.nodes) put(pool, 'KpiAlert', a.id);

  // Budgets: one of the squad without a hard cap, one of the organisation with one; two lines each.
  const lines: string[] = [];
  for (const [name, extra] of [['2026 Q2 运营预算', { squadId: squad, hardCap: false, currency: 'CNY' }], ['品牌预算', { hardCap: true, currency: 'USD' }]] as const) {
    const budget = (await m(`mutation($i: CreateBudgetInput!) { createBudget(input: $i) { budget { id } } }`, { name, periodStart: '2026-04-01', periodEnd: '2026-06-30', ...extra })).createBudget.budget.id;
    put(pool, 'Budget', budget);
    for (const [line, kind] of [['平台流量', 'VARIABLE'], ['KOL 合作', 'FIXED']]) {
      const id = (await m(`mutation($i: AddBudgetLineInput!) { addBudgetLine(input: $i) { budgetLine { id } } }`, { budgetId: budget, name: line, category: 'media', kind, planned: '100000' })).addBudgetLine.budgetLine.id;
      put(pool, 'BudgetLine', id);
      lines.push(id);
    }
  }
  put(pool, 'Expense', (await m(`mutation($i: RecordExpenseInput!) { recordExpense(input: $i) { expense { id } } }`, { budgetLineId: lines[0], amount: '10', incurredOn: '2026-04-02' })).recordExpense.expense.id);
  put(pool, 'BudgetAdjustment', (await m(`mutation($i: RequestBudgetAdjustmentInput!) { requestBudgetAdjustment(input: $i) { budgetAdjustment { id } } }`, {
    budgetId: pool.Budget[pool.Budget.length - 2], fromLineId: lines[0], toLineId: lines[1], amount: '5', reason: '调整',
  })).requestBudgetAdjustment.budgetAdjustment.id);

  // A live campaign paid from the first line, with a return and an experiment.
  const campaign = (await m(`mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id } } }`, { name: '超级品牌日', squadId: squad, startsOn: '2026-05-01', endsOn: '2026-05-31', budgetLineId: lines[0] })).createCampaign.campaign.id;
  put(pool, 'Campaign', campaign);
  for (const to of ['PLANNED', 'APPROVED', 'LIVE']) await m(`mutation($i: TransitionCampaignInput!) { transitionCampaign(input: $i) { campaign { id } } }`, { id: campaign, to });
  put(pool, 'CampaignReturn', (await m(`mutation($i: RecordCampaignReturnInput!) { recordCampaignReturn(input: $i) { campaignReturn { id } } }`, { campaignId: campaign, kind: 'DIRECT', amount: '500' })).recordCampaignReturn.campaignReturn.id);
  put(pool, 'Experiment', (await m(`mutation($i: CreateExperimentInput!) { createExperiment(input: $i) { experiment { id } } }`, { campaignId: campaign, name: '结算页实验', hypothesis: '一步结算提升转化' })).createExperiment.experiment.id);

  // RACI and a published SOP whose step a task follows.
  const matrix = (await m(`mutation($i: CreateRaciMatrixInput!) { createRaciMatrix(input: $i) { raciMatrix { id } } }`, { name: '活动分工', subjectId: squad })).createRaciMatrix.raciMatrix.id;
  put(pool, 'RaciMatrix', matrix);
  const activity = (await m(`mutation($i: AddRaciActivityInput!) { addRaciActivity(input: $i) { activity { id } } }`, { matrixId: matrix, name: '投放' })).addRaciActivity.activity.id;
  put(pool, 'RaciActivity', activity);
  await m(`mutation($i: SetRaciAssignmentInput!) { setRaciAssignment(input: $i) { activity { id } } }`, { activityId: activity, userId: org.userId, role: 'ACCOUNTABLE' });
  const sop = (await m(`mutation($i: CreateSopInput!) { createSop(input: $i) { sop { id version } } }`, { title: '活动复盘 SOP', purpose: '沉淀经验', scope: '所有活动', reviewEveryDays: 30 })).createSop.sop;
  put(pool, 'Sop', sop.id);
  await m(`mutation($i: UpdateSopDraftInput!) { updateSopDraft(input: $i) { sop { id } } }`, { sopId: sop.id, expectedVersion: sop.version, steps: [{ title: '收集数据', instructions: '导出活动数据' }] });
  await m(`mutation($i: SubmitSopForReviewInput!) { submitSopForReview(input: $i) { sop { id } } }`, { sopId: sop.id });
  const published = (await m(`mutation($i: ApproveSopVersionInput!) { approveSopVersion(input: $i) { sop { currentVersion { id steps { id } } } } }`, { sopId: sop.id }, approver)).approveSopVersion.sop.currentVersion;
  put(pool, 'SopVersion', published.id);
  put(pool, 'SopStep', published.steps[0].id);
  await m(`mutation($i: LinkTaskToSopStepInput!) { linkTaskToSopStep(input: $i) { task { id } } }`, { taskId: task, sopStepId: published.steps[0].id });
  for (const e of ok(await api.gql(`{ auditEvents(first: 3) { nodes { id } } }`, {}, org)).auditEvents.nodes) put(pool, 'AuditEvent', e.id);
  return { writeToken: token.secret as string };
}

const isConnection = (t: GraphQLOutputType) => {
  const named = getNamedType(t);
  return isObjectType(named) && 'edges' in named.getFields() && 'pageInfo' in named.getFields();
};
const noRequiredArgs = (f: GraphQLField<unknown, unknown>) => !f.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined);

/** Cursors of every list the fixtures filled, by list: root connections and those of each type's first object. */
async function collectCursors() {
  const add = (list: string, edges: Array<{ cursor: string }> | undefined) => {
    if (edges?.length) pools.cursors.set(list, edges.map((e) => e.cursor));
  };
  const reads: Array<Promise<void>> = [];
  for (const f of Object.values(schema.getQueryType()!.getFields())) {
    if (!isConnection(f.type) || !noRequiredArgs(f)) continue;
    reads.push(api.gql(`{ list: ${f.name}(first: 3) { edges { cursor } } }`, {}, owner).then((r) => add(`Query.${f.name}`, r.data?.list?.edges)));
  }
  for (const [type, ids] of Object.entries(pools.own)) {
    const t = schema.getType(type);
    if (!t || !isObjectType(t)) continue;
    for (const f of Object.values(t.getFields())) {
      if (!isConnection(f.type) || !noRequiredArgs(f)) continue;
      const query = `query($id: ID!) { node(id: $id) { ... on ${type} { list: ${f.name}(first: 3) { edges { cursor } } } } }`;
      reads.push(api.gql(query, { id: ids[0] }, owner).then((r) => add(`${type}.${f.name}`, r.data?.node?.list?.edges)));
    }
  }
  await Promise.all(reads);
}

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startGuardedServer({
    env: { DATABASE_URL: db.url, SEED_DEMO: 'false', JWT_SECRET: process.env.JWT_SECRET, NODE_ENV: 'test', MAIL_POLL_INTERVAL_MS: '200' },
    stallMs: STALL_MS,
    timeoutMs: TIMEOUT_MS,
  });
  // The two organisations' plans are built side by side.
  owner = await createOrg(api, '模糊测试 Fuzz Org');
  const other = await createOrg(api, '别的组织 Other Org');
  [{ writeToken }] = await Promise.all([buildPlan(owner, pools.own, pools.kpiKeys, ''), buildPlan(other, pools.foreign, pools.foreignKpiKeys, 'x_')]);
  pools.days = ['2026-04-01', '2026-06-30', '2026-05-01', '2026-05-31', '2026-03-30', '2026-04-06'];
  const introspection = ok<IntrospectionQuery>(await api.gql(getIntrospectionQuery(), {}, owner));
  schema = buildClientSchema(introspection);
  pools.nodeTypes = Object.values(schema.getTypeMap())
    .filter((t) => isObjectType(t) && t.getInterfaces().some((i) => i.name === 'Node'))
    .map((t) => t.name);
  await collectCursors();
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

// ------------------------------------------------------------------ values

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
const NIL_UUID = '00000000-0000-4000-8000-000000000000';

const ODD_STRINGS = [
  '',
  ' ',
  ' \t\n ',
  '\u3000',
  '\u0000',
  'a\u0000b',
  'name\u0000',
  '\u202eevil\u202c',
  'abc\u2066\u2069',
  '\u200b\u200d\ufeff',
  '\u0007\u001b[31mred\u001b[0m',
  '\r\n\r\n',
  '😀👨‍👩‍👧‍👦🏳️‍🌈',
  '提升用户创作活跃度',
  '飞轮小组（运营）',
  '\ud800',
  '\udfff\ud800',
  "'; DROP TABLE squads; --",
  '%_\\',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  'null',
  'NaN',
  '-0',
];
const LENGTHS = [50, 51, 100, 101, 200, 201, 2000, 2001, 5001, 10001, 20001, 100_000];

const oddString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ODD_STRINGS.filter((x) => x.includes('\u0000'))) },
  { weight: 2, arbitrary: fc.constantFrom(...ODD_STRINGS.filter((x) => /[\u0001-\u001f\u007f\u200b-\u200d\u202a-\u202e\u2066-\u2069\ufeff]/.test(x))) },
  { weight: 1, arbitrary: fc.constantFrom(...ODD_STRINGS.filter((x) => x.trim() === '' || /^\s+$/.test(x))) },
  { weight: 2, arbitrary: fc.constantFrom(...ODD_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...LENGTHS), fc.constantFrom('x', '长', '😀', ' ', '\u0000')).map(([n, c]) => c.repeat(n)) },
);

/** Cursors no server made: wrong shapes, wrong arity, not base64. */
const tamperedCursor = fc.constantFrom(
  b64('[1,2]'),
  b64('["x","y"]'),
  b64('[null,null]'),
  b64('[{"a":1},[2]]'),
  b64('["2026-01-01T00:00:00.000Z","not-a-uuid"]'),
  b64('["not-a-date","00000000-0000-4000-8000-000000000000"]'),
  b64('["2026-13-45","00000000-0000-4000-8000-000000000000"]'),
  b64('[1e999,"00000000-0000-4000-8000-000000000000"]'),
  b64('["a","b","c"]'),
  b64('"just a string"'),
  b64('{"x":1}'),
  b64('[' + '1,'.repeat(5000) + '1]'),
  '!!!not-base64!!!',
  '',
);

const intArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(0, 1, -1, 2, 10, 99, 100, 101, 1000, 2147483647, -2147483648) },
  { weight: 2, arbitrary: fc.integer() },
  // Not Ints at all: GraphQL must refuse them at the edge.
  { weight: 1, arbitrary: fc.constantFrom(2147483648, -2147483649, 1e15, 1e300, 0.5, -0.0001) },
);
const floatArb = fc.oneof(
  fc.constantFrom(0, 1, -1, 0.5, 1.0000001, -0, 5e-324, 1e-300, 1e308, -1e308, 2, 100),
  fc.double(), // NaN and Infinity travel as null in JSON
);
/** The first generation's Decimal values: not numbers at all, odd notations, numbers as JSON numbers. */
const legacyDecimal = fc.oneof(
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '0x10', '1_000', '1,000', '١٢٣', '１２３', ' 1 ', '1e', '.', '+', '', '1.2.3', '--1', '1e30000000', '-1e-30000000'),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.bigInt().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const legacyDateTime = fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.integer());

const MALFORMED_IDS = fc.constantFrom(
  NIL_UUID,
  'nope',
  '',
  b64('Squad:'),
  b64(':' + NIL_UUID),
  b64('Squad:' + NIL_UUID + '\u0000'),
  b64('Squad:not-a-uuid'),
  b64('__proto__:' + NIL_UUID),
  b64('Squad:' + NIL_UUID).toUpperCase(),
  'x'.repeat(300),
  'a\u0000b',
);

/** Values of the wrong GraphQL type, for any position. */
const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant({}),
  fc.constant([]),
  fc.constant(JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}')),
  fc.constant([[[]]]),
  fc.string({ maxLength: 5 }),
  fc.constant(1.5),
);

const slotOf = (name: string, description: string | null | undefined, holder: string, named: GraphQLNamedType): Slot => ({ name, description, holder, scalar: named.name });
const ownIds = (type: string | null) => (type && pools.own[type]?.length ? pools.own[type] : Object.values(pools.own).flat());

/** A valid value for the slot (ids of the fuzzed organisation, days of its fixtures...); null: no such value. */
function plausibleLeaf(slot: Slot, named: GraphQLNamedType): fc.Arbitrary<unknown> | null {
  if (isEnumType(named)) return fc.constantFrom(...named.getValues().map((v) => v.name));
  if (!isScalarType(named)) return null;
  switch (grammarOf(slot)) {
    case 'formula':
      return formulaPlausible(pools);
    case 'decimal':
      return decimalPlausible;
    case 'date':
      return datePlausible(pools);
    case 'datetime':
      return fc.date({ min: new Date('2027-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }).map((d) => d.toISOString());
    case 'cursor':
      return cursorPlausible(pools, `Query.${slot.holder}`);
    case 'id':
      return fc.constantFrom(...ownIds(idTypeOf(slot, pools.nodeTypes)));
    case 'kpiKey':
      return fc.constantFrom(...pools.kpiKeys);
    case 'plain':
      break;
  }
  const name = slot.name;
  switch (named.name) {
    case 'String':
      if (/email/i.test(name)) return fc.uuid().map((u) => `fuzz-${u.slice(0, 8)}@example.test`);
      if (/password/i.test(name)) return fc.constant(PASSWORD);
      if (name === 'idempotencyKey') return fc.uuid();
      if (name === 'key') return fc.uuid().map((u) => `k_${u.slice(0, 8)}`);
      if (name === 'currency') return fc.constantFrom('CNY', 'USD', 'JPY');
      return fc.constantFrom('提升用户创作活跃度', 'Weekly check-in', '内容增长小组 Growth', '备注 😀', 'x');
    case 'Int':
      if (/^(first|last)$/.test(name)) return fc.integer({ min: 1, max: 20 });
      if (/version/i.test(name)) return fc.integer({ min: 1, max: 3 });
      return fc.integer({ min: 0, max: 30 });
    case 'Float':
      return fc.double({ min: 0, max: 1, noNaN: true });
    case 'Boolean':
      return fc.boolean();
    case 'JSON':
      return fc.constant({});
    default:
      return null;
  }
}

/** An odd value for the slot, chosen by its grammar (what it means), with what the API must do with it. */
function oddLeaf(slot: Slot, named: GraphQLNamedType): fc.Arbitrary<Odd> {
  const plain = (a: fc.Arbitrary<unknown>) => a.map((value) => ({ value }));
  if (isEnumType(named)) {
    const values = named.getValues().map((v) => v.name);
    return plain(fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...values) }, { weight: 1, arbitrary: fc.constantFrom(values[0].toLowerCase(), 'NOPE', '', values[0] + '\u0000') }));
  }
  if (!isScalarType(named)) return plain(wrongType);
  switch (grammarOf(slot)) {
    case 'formula':
      return fc.oneof({ weight: 5, arbitrary: formulaOdd(pools) }, { weight: 1, arbitrary: plain(oddString) });
    case 'decimal':
      return decimalOdd(legacyDecimal);
    case 'date':
      return dateOdd(pools);
    case 'datetime':
      return dateTimeOdd(legacyDateTime);
    case 'cursor':
      return fc.oneof({ weight: 5, arbitrary: cursorOdd(pools, `Query.${slot.holder}`, tamperedCursor) }, { weight: 1, arbitrary: plain(oddString) });
    case 'id':
      return idOdd(pools, idTypeOf(slot, pools.nodeTypes), fc.oneof({ weight: 3, arbitrary: MALFORMED_IDS }, { weight: 1, arbitrary: oddString }, { weight: 1, arbitrary: fc.integer() }));
    case 'kpiKey':
      return fc.oneof(kpiKeyOdd(pools), plain(oddString));
    case 'plain':
      break;
  }
  switch (named.name) {
    case 'String':
      if (/email/i.test(slot.name)) return plain(fc.oneof(oddString, fc.emailAddress(), fc.constantFrom('a@b', '@', 'x@example.test\u0000', owner.email, owner.email.toUpperCase())));
      if (/password/i.test(slot.name)) return plain(fc.oneof(oddString, fc.constant(PASSWORD)));
      return plain(oddString);
    case 'Int':
      return plain(intArb);
    case 'Float':
      return plain(floatArb);
    case 'Boolean':
      return plain(fc.oneof({ weight: 4, arbitrary: fc.boolean() }, { weight: 1, arbitrary: fc.constantFrom('true', 0, 1) }));
    case 'JSON':
      return plain(fc.jsonValue({ maxDepth: 3 }));
    default:
      // A scalar added later: strings and numbers of every kind.
      return plain(fc.oneof(oddString, intArb, floatArb, legacyDecimal));
  }
}

/**
 * `wild`: every value odd or invalid (most calls stop at the edge); `plausible`: every value valid
 * of its kind (own ids of the type the slot names, the fixtures' days...), so that calls succeed
 * and change the plan. `forced` (a path like `input.thresholds.criticalAbove`): the objects and
 * lists on the way to it are always present, for a targeted call to put its odd value there.
 */
type Mode = 'wild' | 'plausible';

function valueArb(type: GraphQLInputType, slot: { name: string; description?: string | null; holder: string }, depth: number, mode: Mode, path: string, forced: string | null = null): fc.Arbitrary<unknown> {
  const onForced = forced !== null && (forced === path || forced.startsWith(`${path}.`));
  // A targeted call leaves most optional values out: fewer other rules stand between its odd value and the service.
  const present = forced === null ? 3 : 1;
  const absent = forced === null ? 2 : 3;
  if (isNonNullType(type)) {
    const value = valueArb(type.ofType, slot, depth, mode, path, forced).filter((v) => v !== undefined);
    if (mode === 'plausible') return value;
    return fc.oneof({ weight: 24, arbitrary: value }, { weight: 1, arbitrary: fc.constantFrom(null, undefined) }, { weight: 1, arbitrary: wrongType });
  }
  let inner: fc.Arbitrary<unknown>;
  if (isListType(type)) {
    const itemSlot = { ...slot, name: slot.name.replace(/s$/, '') };
    const item = valueArb(type.ofType, itemSlot, depth + 1, mode, `${path}.0`, forced).map((v) => (v === undefined ? null : v));
    inner =
      mode === 'plausible'
        ? fc.array(item, { minLength: onForced ? 1 : 0, maxLength: 3 })
        : fc.oneof(
            { weight: 2, arbitrary: fc.constant([]) },
            { weight: 4, arbitrary: fc.array(item, { minLength: 1, maxLength: 5 }) },
            // Long lists of short items (a list as long as a request allows has a test of its own, below).
            { weight: 1, arbitrary: fc.tuple(item, fc.constantFrom(101, 1_000, 2_000)).map(([v, n]) => Array((JSON.stringify(v) ?? '').length > 200 ? 101 : n).fill(v)) },
            { weight: 1, arbitrary: item }, // a single value where a list is expected (GraphQL coerces it)
          );
  } else {
    inner = namedArb(type, slot, depth, mode, path, forced);
  }
  if (mode === 'plausible') return onForced ? inner : fc.oneof({ weight: present, arbitrary: inner }, { weight: absent, arbitrary: fc.constant(undefined) });
  return fc.oneof({ weight: 8, arbitrary: inner }, { weight: 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: wrongType });
}

function namedArb(type: GraphQLInputType, slot: { name: string; description?: string | null; holder: string }, depth: number, mode: Mode, path: string, forced: string | null): fc.Arbitrary<unknown> {
  const named = getNamedType(type);
  if (isInputObjectType(named)) {
    if (depth > 4) return fc.constant(null);
    const fields = Object.values(named.getFields());
    const entries = Object.fromEntries(
      fields.map((f) => [f.name, valueArb(f.type, { name: f.name, description: f.description, holder: named.name }, depth + 1, mode, `${path}.${f.name}`, forced)]),
    );
    const extras = mode === 'wild' ? [null, null, null, 'unknownField', 'idempotencyKey'] : [null];
    return fc.tuple(fc.record(entries), fc.constantFrom(...extras)).map(([record, extra]) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(record)) if (v !== undefined) out[k] = v;
      if (extra && !(extra in out)) out[extra] = 'x';
      return out;
    });
  }
  const leafSlot = slotOf(slot.name, slot.description, slot.holder, named);
  if (mode === 'plausible') {
    const p = plausibleLeaf(leafSlot, named);
    if (p) return p;
  }
  return oddLeaf(leafSlot, named).map((o) => o.value);
}

/** A position a targeted call may put its odd value in: its path from the argument, its slot, its grammar. */
interface Leaf {
  path: string;
  slot: Slot;
  named: GraphQLNamedType;
  list: boolean;
  kind: GrammarKind;
}

/** Every leaf position of a field's arguments (through input objects and lists), from the schema. */
function leavesOf(field: GraphQLField<unknown, unknown>): Leaf[] {
  const out: Leaf[] = [];
  const walk = (type: GraphQLInputType, name: string, description: string | null | undefined, holder: string, path: string, depth: number, list: boolean) => {
    if (isNonNullType(type)) return walk(type.ofType, name, description, holder, path, depth, list);
    if (isListType(type)) {
      const item = getNamedType(type);
      if (isInputObjectType(item)) return walk(type.ofType, name, description, holder, `${path}.0`, depth, false);
      return walk(type.ofType, name, description, holder, path, depth, true);
    }
    const named = getNamedType(type);
    if (isInputObjectType(named)) {
      if (depth > 3) return;
      for (const f of Object.values(named.getFields())) walk(f.type, f.name, f.description, named.name, `${path}.${f.name}`, depth + 1, false);
      return;
    }
    const slot = slotOf(name, description, holder, named);
    out.push({ path, slot, named, list, kind: isScalarType(named) ? grammarOf(slot) : 'plain' });
  };
  for (const a of field.args) walk(a.type, a.name, a.description, field.name, a.name, 0, false);
  return out;
}

/** A copy of `args` with `value` at `path` (`input.measurements.0.value`), making the objects and lists on the way. */
function setAt(args: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(args);
  const parts = path.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  let at: any = copy;
  parts.slice(0, -1).forEach((p, i) => {
    at[p] ??= typeof parts[i + 1] === 'number' ? [] : {};
    at = at[p];
  });
  at[parts[parts.length - 1]] = value;
  return copy;
}

/** The value at `path` of argument values. */
function pathValue(vals: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<any>((at, p) => (at == null ? undefined : at[/^\d+$/.test(p) ? Number(p) : p]), vals);
}

// ------------------------------------------------------------------ operations

/** `{ __typename <scalars> <objects with their scalars> }`: enough to run the field resolvers. */
function selection(type: GraphQLOutputType, depth = 0): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (!isObjectType(named) && !isInterfaceType(named)) return '{ __typename }';
  const parts = ['__typename'];
  for (const f of Object.values(named.getFields())) {
    if (f.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined)) continue;
    const fieldNamed = getNamedType(f.type);
    if (isLeafType(fieldNamed)) parts.push(f.name);
    else if (depth < 1) parts.push(`${f.name} ${selection(f.type, depth + 1)}`);
  }
  return `{ ${parts.join(' ')} }`;
}

/** Prints a value as a GraphQL literal of `type` (enum names bare), for the inline half of the cases. */
function literal(value: unknown, type: GraphQLInputType | null): string {
  const named = type ? getNamedType(type) : null;
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) {
    const itemType = type && isNonNullType(type) ? type.ofType : type;
    const of = itemType && isListType(itemType) ? itemType.ofType : null;
    return `[${value.map((v) => literal(v, of)).join(', ')}]`;
  }
  if (typeof value === 'object') {
    const fields = named && isInputObjectType(named) ? named.getFields() : {};
    return `{ ${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${/^[_A-Za-z][_0-9A-Za-z]*$/.test(k) ? k : 'bad'}: ${literal(v, fields[k]?.type ?? null)}`)
      .join(', ')} }`;
  }
  if (typeof value === 'string' && named && isEnumType(named) && /^[_A-Za-z][_0-9A-Za-z]*$/.test(value)) return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  return JSON.stringify(value);
}

type Kind = 'query' | 'mutation' | 'subscription';
type Who = 'owner' | 'anonymous' | 'WRITE token' | 'odd credentials';

interface Case {
  kind: Kind;
  field: GraphQLField<unknown, unknown>;
  /** The argument values, by argument name. */
  vals: Record<string, unknown>;
  /** Sent as literals in the document rather than as variables. */
  inline: boolean;
  who: Who;
  credentials: { headers: Record<string, string>; label: string } | null;
  /** For a targeted call: where its one odd value is, and why the API must refuse the call (if it must). */
  odd?: { path: string; refuse?: string; mutationsOnly?: boolean };
  /** What was sent (set by `prepare`). */
  ready?: Ready;
}

interface Ready {
  operation: string;
  /** The field and its arguments, for the report. */
  call: string;
  variables: Record<string, unknown>;
  headers: Record<string, string>;
  as: string;
}

/** Credentials a careless or hostile client sends (printable: fetch refuses control characters in headers). */
const oddCredentials: fc.Arbitrary<{ headers: Record<string, string>; label: string }> = fc
  .tuple(
    fc.constantFrom(
      '',
      'Bearer',
      'Bearer ',
      'Bearer x',
      'Bearer a.b.c',
      'Basic dXNlcjpwYXNz',
      'bearer pgt_' + 'x'.repeat(64),
      'Bearer pgt_',
      'Bearer ' + 'x'.repeat(8000),
      'jwt:no-exp',
      'jwt:sub-not-uuid',
      'jwt:sub-number',
      'jwt:other-issuer',
      'jwt:alg-none',
      'jwt:expired',
      'owner',
    ),
    fc.constantFrom('', 'own', 'foreign', 'not-an-org', 'x'.repeat(500), '%00', b64('Organization:' + NIL_UUID)),
  )
  .map(([auth, org]) => {
    const secret = process.env.JWT_SECRET!;
    const forge: Record<string, () => string> = {
      // The OWNER's own id, so that only the missing expiry is wrong.
      'jwt:no-exp': () => jwt.sign({}, secret, { algorithm: 'HS256', subject: decodeGlobalId(owner.userId)!.id, issuer: 'plangraph' }),
      'jwt:sub-not-uuid': () => jwt.sign({}, secret, { algorithm: 'HS256', subject: 'admin', issuer: 'plangraph', expiresIn: 600 }),
      'jwt:sub-number': () => jwt.sign({ sub: 42 } as object, secret, { algorithm: 'HS256', issuer: 'plangraph', expiresIn: 600 }),
      'jwt:other-issuer': () => jwt.sign({}, secret, { algorithm: 'HS256', subject: NIL_UUID, issuer: 'evil', expiresIn: 600 }),
      'jwt:alg-none': () => jwt.sign({}, '', { algorithm: 'none', subject: NIL_UUID, issuer: 'plangraph' } as jwt.SignOptions),
      'jwt:expired': () => jwt.sign({ exp: 1 }, secret, { algorithm: 'HS256', subject: NIL_UUID, issuer: 'plangraph' }),
    };
    const headers: Record<string, string> = {};
    if (auth === 'owner') headers.authorization = `Bearer ${owner.token}`;
    else if (forge[auth]) headers.authorization = `Bearer ${forge[auth]()}`;
    else if (auth) headers.authorization = auth;
    if (org === 'own') headers['x-organization-id'] = owner.organizationId;
    else if (org === 'foreign') headers['x-organization-id'] = pools.foreign.Organization[0];
    else if (org) headers['x-organization-id'] = org;
    return { headers, label: `authorization ${JSON.stringify(auth.length > 40 ? `${auth.slice(0, 20)}…` : auth)}, x-organization-id ${JSON.stringify(org.slice(0, 20))}` };
  });

const makeCase = (kind: Kind, field: GraphQLField<unknown, unknown>, vals: Record<string, unknown>, inline: boolean, who: Who, credentials: Case['credentials'] = null): Case => ({
  kind,
  field,
  vals,
  inline,
  who,
  credentials,
});

/** The operation for the case's argument values, as variables or inline literals. */
function render(c: Case): Ready {
  const decl: string[] = [];
  const use: string[] = [];
  const variables: Record<string, unknown> = {};
  for (const a of c.field.args as readonly GraphQLArgument[]) {
    const v = c.vals[a.name];
    if (v === undefined) continue;
    if (c.inline) {
      use.push(`${a.name}: ${literal(v, a.type)}`);
    } else {
      decl.push(`$${a.name}: ${String(a.type)}`);
      use.push(`${a.name}: $${a.name}`);
      variables[a.name] = v;
    }
  }
  const name = c.field.name;
  const operation = `${c.kind} Fuzz${decl.length ? `(${decl.join(', ')})` : ''} { ${name}${use.length ? `(${use.join(', ')})` : ''} ${selection(c.field.type)} }`;
  const headers: Record<string, string> =
    c.who === 'owner'
      ? { authorization: `Bearer ${owner.token}`, 'x-organization-id': owner.organizationId }
      : c.who === 'anonymous'
        ? {}
        : c.who === 'WRITE token'
          ? { authorization: `Bearer ${writeToken}` }
          : c.credentials!.headers;
  return { operation, call: `${name}(${use.join(', ')})`, variables, headers, as: c.who === 'odd credentials' ? `odd credentials (${c.credentials!.label})` : c.who };
}

/** Every object inside argument values (input objects, list items), for `prepare`. */
function objectsIn(value: unknown, out: Array<Record<string, unknown>> = []): Array<Record<string, unknown>> {
  if (Array.isArray(value)) for (const v of value) objectsIn(v, out);
  else if (value && typeof value === 'object') {
    out.push(value as Record<string, unknown>);
    for (const v of Object.values(value)) objectsIn(v, out);
  }
  return out;
}

/**
 * Fills in what an argument means at the moment it is sent: a formula's keys (`⟨a⟩`, `⟨b⟩`) become
 * the keys of the KPI's own children, as the formula language requires (a number for a KPI without
 * children), and a targeted formula goes to a KPI whose children have values; and, for the OWNER's plausible and targeted calls, `expectedVersion` becomes
 * the version of the object the input names, so that the call gets past the version check.
 */
async function prepare(c: Case): Promise<Ready> {
  if (c.ready) return c.ready;
  const vals = structuredClone(c.vals);
  for (const o of objectsIn(vals)) {
    if (typeof o.formula === 'string' && o.formula.includes('⟨')) {
      let keys: string[] = [];
      if (typeof o.id === 'string' && decodeGlobalId(o.id)?.type === 'Kpi' && c.odd?.path.endsWith('formula')) {
        // A targeted formula goes to a KPI whose children have values: there it is evaluated as soon as it is saved.
        const r = await api.gql(`{ kpis(first: 100) { nodes { id children { latest { value } } } } }`, {}, owner);
        const subjects: string[] = (r.data?.kpis?.nodes ?? []).filter((k: { children: Array<{ latest: unknown }> }) => k.children.some((ch) => ch.latest)).map((k: { id: string }) => k.id);
        if (subjects.length) o.id = subjects[o.formula.length % subjects.length];
      }
      const subject = typeof o.id === 'string' ? o.id : null;
      if (subject && decodeGlobalId(subject)?.type === 'Kpi') {
        const r = await api.gql(`query($id: ID!) { node(id: $id) { ... on Kpi { children { key latest { value } } } } }`, { id: subject }, owner);
        // Children with a value first: over them, the formula is evaluated as soon as it is saved.
        const children: Array<{ key: string; latest: unknown }> = r.data?.node?.children ?? [];
        keys = [...children.filter((k) => k.latest), ...children.filter((k) => !k.latest)].map((k) => k.key);
      }
      // A KPI without children takes no keys: a number keeps the formula's shape.
      const text: string = o.formula;
      o.formula = text.replace(/⟨([a-z])⟩/g, (_m, l: string) => (keys.length ? keys[(l.charCodeAt(0) - 97) % keys.length] : '2'));
    }
    const versioned = c.who === 'owner' && c.kind === 'mutation' && typeof o.expectedVersion === 'number' && !c.odd?.path.endsWith('expectedVersion');
    const target = typeof o.id === 'string' ? o.id : Object.entries(o).find(([k, v]) => /Id$/.test(k) && typeof v === 'string')?.[1];
    if (versioned && typeof target === 'string') {
      const type = decodeGlobalId(target)?.type;
      const t = type ? schema.getType(type) : null;
      if (t && isObjectType(t) && 'version' in t.getFields()) {
        const r = await api.gql(`query($id: ID!) { node(id: $id) { ... on ${type} { version } } }`, { id: target }, owner);
        const v = r.data?.node?.version;
        if (typeof v === 'number') o.expectedVersion = v;
      }
    }
  }
  c.ready = render({ ...c, vals });
  return c.ready;
}

const argsArb = (field: GraphQLField<unknown, unknown>, mode: Mode, forced: string | null = null) =>
  fc.record(Object.fromEntries(field.args.map((a) => [a.name, valueArb(a.type, { name: a.name, description: a.description, holder: field.name }, 0, mode, a.name, forced)])));

const whoArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Who>('owner') },
  { weight: 2, arbitrary: fc.constant<Who>('anonymous') },
  { weight: 1, arbitrary: fc.constant<Who>('WRITE token') },
  { weight: 1, arbitrary: fc.constant<Who>('odd credentials') },
);

/** Calls with every value odd (wild) or valid (plausible), by any caller. */
function randomCaseArb(kind: Kind, field: GraphQLField<unknown, unknown>, mode: Mode): fc.Arbitrary<Case> {
  return fc.tuple(argsArb(field, mode), fc.boolean(), whoArb, oddCredentials).map(([vals, inline, who, odd]) => makeCase(kind, field, vals, inline, who, odd));
}

/** Plausible calls as the OWNER but for one odd value at `leaf` (as variables, so the value reaches the resolver as sent). */
function targetedCaseArb(kind: Kind, field: GraphQLField<unknown, unknown>, leaf: Leaf): fc.Arbitrary<Case> {
  return fc.tuple(argsArb(field, 'plausible', leaf.path), oddLeaf(leaf.slot, leaf.named), fc.boolean()).map(([vals, o, inline]) => {
    const args = setAt(vals, leaf.path, leaf.list ? [o.value] : o.value);
    const c = makeCase(kind, field, args, inline && !o.refuse, 'owner');
    const mutationsOnly = o.refuse !== undefined && !/valid \w+ id where|formula/.test(o.refuse);
    return { ...c, odd: { path: leaf.path, refuse: o.refuse, mutationsOnly } };
  });
}

/** How many targeted calls each grammar-typed position of a field gets, at the least. */
const PER_LEAF: Record<GrammarKind, number> = { formula: 12, id: 3, decimal: 2, date: 2, cursor: 3, datetime: 1, kpiKey: 2, plain: 0 };
const LEAF_WEIGHT: Record<GrammarKind, number> = { formula: 6, id: 3, decimal: 3, date: 3, cursor: 3, datetime: 2, kpiKey: 2, plain: 1 };

/** The calls for one field: targeted ones for every grammar-typed position, then a random mix up to FUZZ_RUNS. */
function casesFor(kind: Kind, field: GraphQLField<unknown, unknown>, seed: number): Case[] {
  if (kind === 'subscription') return fc.sample(randomCaseArb(kind, field, 'wild'), { seed, numRuns: Math.ceil(RUNS / 8) });
  const leaves = leavesOf(field);
  const out: Case[] = [];
  leaves.forEach((leaf, i) => {
    const n = PER_LEAF[leaf.kind];
    if (n) out.push(...fc.sample(targetedCaseArb(kind, field, leaf), { seed: (seed * 31 + i) | 0, numRuns: n }));
  });
  const rest = Math.max(RUNS - out.length, Math.ceil(RUNS / 4));
  const arbs: Array<{ weight: number; arbitrary: fc.Arbitrary<Case> }> = [
    { weight: 2, arbitrary: randomCaseArb(kind, field, 'wild') },
    { weight: 1, arbitrary: randomCaseArb(kind, field, 'plausible') },
  ];
  if (leaves.length) {
    arbs.push({ weight: 3, arbitrary: fc.oneof(...leaves.map((leaf) => ({ weight: LEAF_WEIGHT[leaf.kind], arbitrary: targetedCaseArb(kind, field, leaf) }))) });
  }
  out.push(...fc.sample(fc.oneof(...arbs), { seed, numRuns: rest }));
  return out;
}

// ------------------------------------------------------------------ checks

interface Failure {
  field: string;
  problem: string;
  message: string;
  example: string;
}
const failures: Failure[] = [];

const STACK_FRAME = /\n\s+at \S|\bat (?:async )?[\w$.<>]+ \([^)]*:\d+:\d+\)|node_modules\/|\/src\/\w+.*\.(?:ts|js):\d+/;

/** What is wrong with an answer, if anything. */
function problemsOf(status: number, text: string): Array<{ problem: string; message: string }> {
  const out: Array<{ problem: string; message: string }> = [];
  if (/stacktrace/i.test(text) || STACK_FRAME.test(text)) out.push({ problem: 'stack trace in the answer', message: text.slice(0, 200) });
  let body: { errors?: Array<{ message?: string; extensions?: { code?: unknown } }> };
  try {
    body = JSON.parse(text);
  } catch {
    out.push({ problem: `answer is not JSON (HTTP ${status})`, message: text.slice(0, 120) });
    return out;
  }
  const internal = (body.errors ?? []).some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR');
  if (status >= 500 && !internal) out.push({ problem: `HTTP ${status}`, message: JSON.stringify(body).slice(0, 160) });
  for (const e of body.errors ?? []) {
    const code = e.extensions?.code;
    if (typeof code !== 'string') out.push({ problem: 'error without extensions.code', message: String(e.message) });
    else if (code === 'INTERNAL_SERVER_ERROR') out.push({ problem: 'INTERNAL_SERVER_ERROR', message: String(e.message) });
  }
  return out;
}

/** The call was carried out: no error, and the field answered something. */
function accepted(field: string, text: string): boolean {
  try {
    const body = JSON.parse(text) as { data?: Record<string, unknown> | null; errors?: unknown[] };
    return !body.errors?.length && body.data?.[field] != null;
  } catch {
    return false;
  }
}

/** The field answered something (it ran), whatever errors came with it. */
function carriedOut(field: string, text: string): boolean {
  try {
    return (JSON.parse(text) as { data?: Record<string, unknown> | null }).data?.[field] != null;
  } catch {
    return false;
  }
}

/** Request ids, uuids and quoted values vary from case to case: leave them out of the cause. */
const normalise = (m: string) =>
  m
    .replace(/\(request [^)]*\)/g, '(request …)')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
    .replace(/: ".*$/s, ': "…"')
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .slice(0, 160);

const shorten = (v: unknown) => {
  const s = JSON.stringify(v, (_k, x) => (typeof x === 'string' && x.length > 60 ? `${x.slice(0, 40)}…(${x.length} chars)` : Array.isArray(x) && x.length > 6 ? [...x.slice(0, 3), `…(${x.length} items)`] : x));
  return s.length > 400 ? s.slice(0, 400) + '…' : s;
};
const exampleOf = (c: Case) => {
  const r = c.ready ?? render(c);
  return `as ${r.as}: ${r.call.length > 400 ? r.call.slice(0, 400) + '…' : r.call}  variables ${shorten(r.variables)}${c.odd ? `  (odd value at ${c.odd.path})` : ''}`;
};

async function send(c: Case): Promise<Sent> {
  const r = await prepare(c);
  return server.post({ query: r.operation, variables: r.variables }, r.headers);
}

/** Records what is wrong with one outcome; true when the outcome says nothing (the process was replaced for another call). */
function record(label: string, c: Case, sent: Sent): boolean {
  const fail = (problem: string, message: string) => failures.push({ field: label, problem, message: normalise(message), example: exampleOf(c) });
  const o = sent.outcome;
  if (process.env.FUZZ_VERBOSE === '2') console.log(`${label} ${sent.endedAt - sent.startedAt} ms ${exampleOf(c).slice(0, 300)}\n   => ${o.kind === 'answer' ? o.text.slice(0, 200) : JSON.stringify(o)}`);
  if (o.kind === 'lost') return true;
  if (o.kind === 'timeout') {
    fail(`stall: no answer within ${TIMEOUT_MS} ms`, o.blocked ? 'the event loop was blocked (/healthz did not answer either): the server was replaced' : 'the server still answered /healthz (waiting on a lock or the database?)');
    return false;
  }
  if (o.kind === 'died') {
    failures.push({ field: label, problem: 'the server process died', message: o.detail.slice(0, 160), example: exampleOf(c) });
    return false;
  }
  if (c.kind === 'mutation' && carriedOut(c.field.name, o.text)) sessionMayHaveEnded = true;
  for (const p of problemsOf(o.status, o.text)) {
    const cause = server.causeOf(sent.requestId);
    fail(p.problem, cause ? `logged ${cause}` : p.message);
  }
  if (c.odd?.refuse && (!c.odd.mutationsOnly || c.kind === 'mutation') && o.status === 200 && accepted(c.field.name, o.text)) {
    fail('accepted a call it must refuse', c.odd.refuse);
  }
  return false;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const stallProblem = `stall: the event loop was blocked for ${STALL_MS} ms or more`;

/** The last calls sent, with when they ran: a stall the server reports is matched to them. */
const recent: Array<{ label: string; c: Case; sent: Sent }> = [];
const remember = (label: string, ran: Array<{ c: Case; sent: Sent }>) => {
  recent.push(...ran.map((r) => ({ label, ...r })));
  recent.splice(0, Math.max(0, recent.length - 64));
};

/**
 * Sends each call again, alone, as it is now (a fresh version...): a stall, a timeout or a death
 * among calls that ran together is thus pinned on the one call that causes it, and a stall is
 * reported only when it comes back (a busy machine or a garbage collection stalls once, not twice).
 */
async function pin(label: string, cases: Case[]): Promise<void> {
  for (const c of cases.slice(0, 8)) {
    c.ready = undefined;
    const sent = await send(c);
    remember(label, [{ c, sent }]);
    record(label, c, sent);
    await sleep(50);
    for (const s of server.takeStalls()) failures.push({ field: label, problem: stallProblem, message: `${s.stalledMs} ms`, example: exampleOf(c) });
  }
}

/** Matches the stalls the server's monitor reported to the calls running then, and sends those again one at a time. */
async function stallsSince(label: string, waitMs: number): Promise<void> {
  if (waitMs) await sleep(waitMs); // the monitor's line may come just after the answer
  for (const s of server.takeStalls()) {
    const during = recent.filter(({ sent }) => sent.startedAt <= s.until + 50 && sent.endedAt >= s.since - 50);
    if (process.env.FUZZ_VERBOSE) console.log(`stall of ${s.stalledMs} ms during ${during.length} calls (${label}): sending them again one at a time`);
    if (during.length) await pin(during[0].label, during.map((d) => d.c));
  }
}

/** Calls of one field sent together: parallel calls find races too, and keep the run short. */
const AT_ONCE = 6;

/**
 * Sends a field's calls six at a time. A timeout or a death among several calls running together
 * is pinned on one call at once, before later calls change the plan.
 */
async function runCases(label: string, cases: Case[]): Promise<void> {
  for (let i = 0; i < cases.length; i += AT_ONCE) {
    const batch = cases.slice(i, i + AT_ONCE);
    const results = await Promise.all(batch.map(async (c) => ({ c, sent: await send(c) })));
    remember(label, results);
    if (batch.length > 1 && results.some(({ sent }) => sent.outcome.kind !== 'answer')) await pin(label, batch);
    else for (const { c, sent } of results) record(label, c, sent);
    await stallsSince(label, 0);
  }
}

/** Set when a mutation went through: it may have ended the OWNER's session (logOut, changePassword). */
let sessionMayHaveEnded = false;

/** The OWNER's session may be ended by a fuzzed mutation (password change): sign in again. */
async function ensureOwnerSession() {
  if (!sessionMayHaveEnded) return;
  sessionMayHaveEnded = false;
  const probe = await api.gql(`{ viewer { __typename } }`, {}, owner);
  if (!probe.errors?.length) return;
  const r = await api.gql(`mutation($i: LogInInput!) { logIn(input: $i) { token } }`, { i: { email: owner.email, password: PASSWORD } });
  // The password may have been changed, or log-ins limited: then a session signed as the server does.
  owner.token = r.data?.logIn?.token ?? signSession(process.env.JWT_SECRET!, decodeGlobalId(owner.userId)!.id, 3600);
}

async function assertAlive(after: string) {
  const res = await api.gql<{ __typename: string }>('{ __typename }').catch(() => null);
  if (res?.data?.__typename !== 'Query') failures.push({ field: after, problem: 'server stopped answering', message: `HTTP ${res?.status}`, example: '' });
}

function report(): string {
  if (!failures.length) return '';
  const byCause = new Map<string, Map<string, Failure>>();
  for (const f of failures) {
    const cause = `${f.problem}${f.message ? `: ${f.message}` : ''}`;
    const fields = byCause.get(cause) ?? new Map<string, Failure>();
    if (!fields.has(f.field)) fields.set(f.field, f);
    byCause.set(cause, fields);
  }
  const lines = [`${failures.length} findings, ${byCause.size} distinct causes (FUZZ_SEED=${SEED}, FUZZ_RUNS=${RUNS}):`];
  for (const [cause, fields] of byCause) {
    lines.push('', `● ${cause}`, `  fields: ${[...fields.keys()].join(', ')}`);
    for (const f of [...fields.values()].slice(0, 3)) lines.push(`  e.g. ${f.field} ${f.example}`);
  }
  if (server.restarts.length) lines.push('', `The server process was replaced ${server.restarts.length} time(s): ${[...new Set(server.restarts)].join('; ')}`);
  return lines.join('\n');
}

/** Fails with the grouped report as the message (readable in CI logs, unlike an escaped diff). */
function assertNoFailures() {
  const text = report();
  if (text) throw new Error(text);
}

// ------------------------------------------------------------------ invariants

/** The first cycle in `parent` links, as the ids along it (empty without one). */
function cycleOf(parentOf: Map<string, string | null>): string[] {
  for (const start of parentOf.keys()) {
    const path: string[] = [];
    let at: string | null | undefined = start;
    while (at && parentOf.has(at) && !path.includes(at)) {
      path.push(at);
      at = parentOf.get(at);
    }
    if (at && path.includes(at)) return path.slice(path.indexOf(at));
  }
  return [];
}

/**
 * What must hold after any mix of mutations: each reads its part of one query (as the OWNER) and
 * says what is broken, if anything.
 */
type Broken = { message: string; ids?: string[] } | null;
const INVARIANTS: Array<{ name: string; query: string; broken(data: any): Promise<Broken> | Broken }> = [
  {
    name: 'the KPI tree has no cycle',
    query: `kpis(first: 100) { totalCount nodes { id key parent { id } } }`,
    async broken(d) {
      const nodes: Array<{ id: string; key: string; parent: { id: string } | null }> = d.kpis.nodes;
      const cycle = cycleOf(new Map(nodes.map((n) => [n.id, n.parent?.id ?? null])));
      if (!cycle.length) return null;
      const keys = cycle.map((id) => nodes.find((n) => n.id === id)!.key);
      const tree = await api.gql(`query($k: String) { kpiTree(rootKey: $k) { kpi { id } } }`, { k: keys[0] }, owner);
      const rows = tree.data?.kpiTree?.length ?? `an error (${tree.errors?.[0]?.message})`;
      return { message: `${[...keys, keys[0]].join(' → ')} (parent links); kpiTree(rootKey: "${keys[0]}") answers ${rows} rows for ${d.kpis.totalCount} KPIs`, ids: cycle };
    },
  },
  {
    name: 'objectives align without a loop',
    query: `objectives(first: 100) { nodes { id parent { id } } }`,
    broken(d) {
      const nodes: Array<{ id: string; parent: { id: string } | null }> = d.objectives.nodes;
      const cycle = cycleOf(new Map(nodes.map((n) => [n.id, n.parent?.id ?? null])));
      return cycle.length ? { message: `objectives ${cycle.join(' → ')} align to each other in a loop`, ids: cycle } : null;
    },
  },
  {
    name: 'a budget spends the sum of its expenses',
    query: `budgets(first: 20) { nodes { name spent lines { id spent } expenses(first: 100) { totalCount nodes { amount voidedAt line { id } } } } }`,
    broken(d) {
      for (const b of d.budgets.nodes) {
        if (b.expenses.totalCount > 100) continue;
        const sums = new Map<string, Decimal>();
        for (const e of b.expenses.nodes) if (!e.voidedAt) sums.set(e.line.id, (sums.get(e.line.id) ?? new Decimal(0)).plus(e.amount));
        for (const l of b.lines) {
          const sum = sums.get(l.id) ?? new Decimal(0);
          if (!sum.eq(l.spent)) return { message: `budget ${b.name}: a line's spent is ${l.spent}, its expenses sum to ${sum.toFixed()}`, ids: [l.id] };
        }
        const total = b.lines.reduce((sum: Decimal, l: { spent: string }) => sum.plus(l.spent), new Decimal(0));
        if (!total.eq(b.spent)) return { message: `budget ${b.name}: spent is ${b.spent}, its lines' sum to ${total.toFixed()}`, ids: b.lines.map((l: { id: string }) => l.id) };
      }
      return null;
    },
  },
];

/** The invariants broken now (name → what is wrong), read with one query. */
async function brokenInvariants(): Promise<Map<string, NonNullable<Broken>>> {
  const out = new Map<string, NonNullable<Broken>>();
  const query = `{ ${INVARIANTS.map((inv, i) => `i${i}: ${inv.query}`).join(' ')} }`;
  let r = await api.gql(query, {}, owner);
  if (r.errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) {
    // A call of the wave ended the OWNER's session (logOut, changePassword).
    await ensureOwnerSession();
    r = await api.gql(query, {}, owner);
  }
  if (r.errors?.length) out.set('the invariants can be read', { message: JSON.stringify(r.errors).slice(0, 200) });
  for (const [i, inv] of INVARIANTS.entries()) {
    const data = r.data?.[`i${i}`];
    if (!data) continue;
    const broken = await inv.broken({ [inv.query.split('(')[0]]: data });
    if (broken) out.set(inv.name, broken);
  }
  return out;
}

// ------------------------------------------------------------------ the run

const rootFields = (): Array<[Kind, GraphQLField<unknown, unknown>]> => {
  const roots: Array<[Kind, GraphQLField<unknown, unknown>]> = [];
  for (const [kind, type] of [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
    ['subscription', schema.getSubscriptionType()],
  ] as const) {
    for (const f of Object.values(type?.getFields() ?? {})) if (!ONLY || ONLY.test(f.name)) roots.push([kind, f]);
  }
  return roots;
};

/** Calls that end a life (archive, delete, close...) go last, so the others find the plan alive. */
const ENDS = /^(archive|delete|remove|close|revoke|reject|void|conclude|decline|changePassword)/;

describe('schema-driven fuzzing', () => {
  beforeEach(() => {
    failures.length = 0;
  });

  it('keeps its invariants and answers with a code when mutations on the same subjects run at once', async () => {
    // Runs first, on the fixtures as built: pairs with two ids of one type swapped (moveKpi X under
    // Y and Y under X), waves of eight plausible calls (expenses on the lines of one budget), and
    // each call twice at once (the same idempotency key, the same unique name).
    const mutations = Object.values(schema.getMutationType()?.getFields() ?? {})
      .filter((f) => !ONLY || ONLY.test(f.name))
      .sort((a, b) => Number(ENDS.test(a.name)) - Number(ENDS.test(b.name)));
    const brokenAlready = new Set<string>();
    for (const field of mutations) {
      const started = Date.now();
      const calls = fc.sample(argsArb(field, 'plausible'), { seed: seedOf(field.name, 2000), numRuns: 6 }).map((vals) => makeCase('mutation', field, vals, false, 'owner'));
      const idLeaves = leavesOf(field).filter((l) => l.kind === 'id' && !l.list);
      const sameType = idLeaves.flatMap((x, i) => idLeaves.slice(i + 1).filter((y) => idTypeOf(y.slot, pools.nodeTypes) === idTypeOf(x.slot, pools.nodeTypes) && idTypeOf(x.slot, pools.nodeTypes)).map((y) => [x, y] as const));
      // Eight at once: six plausible calls (expenses on the lines of one budget...), and the first two twice (the same unique name, the same idempotency key).
      const waves: Case[][] = [[...calls, calls[0], calls[1]]];
      if (sameType.length) {
        // Two ids of one type, swapped between the two calls of a pair: moveKpi X under Y and Y under X.
        const [x, y] = sameType[0];
        const chosen: Array<Record<string, unknown>> = [];
        const subjectsOf = (vals: Record<string, unknown>) => [pathValue(vals, x.path), pathValue(vals, y.path)];
        for (const [v, w] of fc.sample(fc.tuple(argsArb(field, 'plausible', x.path), argsArb(field, 'plausible', y.path)), { seed: seedOf(field.name, 3000), numRuns: 40 })) {
          const vals = setAt(v, y.path, pathValue(w, y.path));
          const [a, b] = subjectsOf(vals);
          // Pairs of one wave on different subjects: another pair moving X elsewhere would hide the cycle.
          if (a !== b && chosen.length < 8 && !chosen.some((o) => subjectsOf(o).some((id) => id === a || id === b))) chosen.push(vals);
        }
        const pairs = chosen.map((vals) => [
          makeCase('mutation', field, vals, false, 'owner'),
          makeCase('mutation', field, setAt(setAt(vals, x.path, pathValue(vals, y.path)), y.path, pathValue(vals, x.path)), false, 'owner'),
        ]);
        waves.unshift(pairs.slice(0, 4).flat(), pairs.slice(4).flat());
      }
      const siblings = waves[waves.length - 1];
      for (let w = 0; w < waves.length; w++) {
        const wave = waves[w];
        // Their lookups first (versions, formula keys), so that the calls of a wave reach the server together.
        await Promise.all(wave.map(prepare));
        const ran = await Promise.all(wave.map(async (c) => ({ c, sent: await send(c) })));
        for (const { c, sent } of ran) record(`${field.name} (at once)`, c, sent);
        remember(`${field.name} (at once)`, ran);
        await stallsSince(`${field.name} (at once)`, 0);
        // Where two or more calls on subjects (ids) went through, press harder: those calls again, eight
        // at once (with new idempotency keys, versions read again), on the subjects now known to take them.
        const through = ran.filter(({ sent }) => sent.outcome.kind === 'answer' && accepted(field.name, sent.outcome.text)).map(({ c }) => c);
        if (wave === siblings && idLeaves.length && new Set(through).size >= 2) {
          waves.push(
            Array.from({ length: 8 }, (_, i) => {
              const vals = structuredClone(through[i % through.length].vals);
              for (const o of objectsIn(vals)) if (typeof o.idempotencyKey === 'string') o.idempotencyKey = `again-${i}-${o.idempotencyKey}`.slice(0, 64);
              return makeCase('mutation', field, vals, false, 'owner');
            }),
          );
        }
        // After each wave that changed something: the next one may undo what this one broke (move X
        // out of the cycle). A broken invariant stays broken: it is reported after the wave that broke it, once.
        if (!through.length) continue;
        for (const [name, broken] of await brokenInvariants()) {
          if (brokenAlready.has(name)) continue;
          brokenAlready.add(name);
          // The calls that name what is broken (the pair that made the cycle), else the wave's first two.
          const naming = wave.filter((c) => broken.ids?.some((id) => JSON.stringify(c.vals).includes(id)));
          const shown = (naming.length ? naming : wave).slice(0, 2).map(exampleOf).join(' | ');
          failures.push({ field: `${field.name} (at once)`, problem: `invariant broken: ${name}`, message: broken.message, example: `${shown}  (sent at once with ${wave.length - 1} other calls)` });
        }
      }
      await ensureOwnerSession();
      if (process.env.FUZZ_VERBOSE) console.log(`${field.name} (at once): ${Date.now() - started} ms`);
    }
    await stallsSince('(after the last call)', 100);
    assertNoFailures();
  }, 120_000);

  it('answers every generated call to every root field with a coded client error or data, never a 500, a stall or a stack trace', async () => {
    // Subscriptions too: sent over HTTP POST they must be refused with a code, not fail.
    const roots = rootFields();
    expect(roots.length).toBeGreaterThan(0);
    for (const [kind, field] of roots) {
      const started = Date.now();
      const label = kind === 'subscription' ? `${field.name} (HTTP)` : field.name;
      await runCases(label, casesFor(kind, field, seedOf(field.name)));
      await ensureOwnerSession();
      if (process.env.FUZZ_VERBOSE) console.log(`${field.name}: ${Date.now() - started} ms`);
    }
    await stallsSince('(after the last call)', 100);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    assertNoFailures();
  }, 120_000 + RUNS * 2_000);

  it('keeps the event loop free for a list as long as a request may be, of values that are all invalid', async () => {
    // The first root field with a list argument of a scalar (`nodes(ids:)`), given 200 000 values
    // of the wrong kind: 800 kB of JSON, under the 1 MB a request may be. Answering it must cost
    // about what one invalid value costs, not one error per value.
    const field = Object.values(schema.getQueryType()!.getFields()).find((f) => f.args.some((a) => isListType(isNonNullType(a.type) ? a.type.ofType : a.type) && isLeafType(getNamedType(a.type))));
    expect(field).toBeDefined();
    const arg = field!.args.find((a) => isListType(isNonNullType(a.type) ? a.type.ofType : a.type) && isLeafType(getNamedType(a.type)))!;
    const wrong = getNamedType(arg.type).name === 'Float' || getNamedType(arg.type).name === 'Int' ? 'x' : 1.5;
    for (const who of ['anonymous', 'owner'] as const) {
      const c = makeCase('query', field!, { [arg.name]: Array(200_000).fill(wrong) }, false, who);
      const sent = await send(c);
      remember(field!.name, [{ c, sent }]);
      record(`${field!.name} (longest list)`, c, sent);
      await stallsSince(`${field!.name} (longest list)`, 100);
    }
    assertNoFailures();
  }, 120_000);

  it('answers every generated subscription over graphql-ws with data, nothing or a coded error, never a stack trace', async () => {
    const fields = Object.values(schema.getSubscriptionType()?.getFields() ?? {}).filter((f) => !ONLY || ONLY.test(f.name));
    const client = wsClient(server.url, { authorization: `Bearer ${owner.token}`, organizationId: owner.organizationId });
    try {
      for (const field of fields) {
        const cases = fc.sample(randomCaseArb('subscription', field, 'wild'), { seed: seedOf(field.name, 1000), numRuns: Math.max(4, Math.ceil(RUNS / 3)) });
        await Promise.all(
          cases.map(
            (c) =>
              new Promise<void>((resolve) => {
                c.ready = { ...render(c), as: 'owner (ws)' };
                const { operation, variables } = c.ready;
                const check = (payload: unknown) => {
                  const text = JSON.stringify(payload) ?? '';
                  const errors = Array.isArray(payload) ? payload : (payload as { errors?: unknown[] })?.errors;
                  for (const p of problemsOf(200, JSON.stringify({ errors: errors ?? [] }))) {
                    failures.push({ field: field.name, problem: p.problem, message: normalise(server.causeOf('ws') ? `logged ${server.causeOf('ws')}` : p.message), example: exampleOf(c) });
                  }
                  if (/stacktrace/i.test(text) || STACK_FRAME.test(text)) {
                    failures.push({ field: field.name, problem: 'stack trace in the answer', message: text.slice(0, 200), example: operation });
                  }
                };
                let done = false;
                const finish = () => {
                  if (done) return;
                  done = true;
                  dispose();
                  resolve();
                };
                const dispose = client.subscribe(
                  { query: operation, variables },
                  {
                    next: (v) => check(v),
                    error: (e) => {
                      if (Array.isArray(e)) check(e);
                      else failures.push({ field: field.name, problem: 'socket closed', message: String((e as { reason?: string })?.reason ?? e), example: operation });
                      finish();
                    },
                    complete: finish,
                  },
                );
                setTimeout(finish, 300);
              }),
          ),
        );
        await assertAlive(`${field.name} (ws)`);
      }
      // The socket survived all of it.
      const alive = await new Promise<boolean>((resolve) => {
        const dispose = client.subscribe(
          { query: 'subscription { taskAssigned { id } }' },
          { next: () => undefined, error: () => resolve(false), complete: () => resolve(true) },
        );
        setTimeout(() => {
          dispose();
          resolve(true);
        }, 200);
      });
      expect(alive).toBe(true);
    } finally {
      await client.dispose();
    }
    assertNoFailures();
  }, 60_000 + RUNS * 500);
});
