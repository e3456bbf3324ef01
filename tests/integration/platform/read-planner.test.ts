import { WORKLOADS } from '../../../bench/workloads';
import { decodeGlobalId } from '../../../src/common/ids';
import { plannableDeclarations, plannableType, type PlanType } from '../../../src/common/planner';
import { addMember, createOrg } from '../../support/factories';
import { checkIn, createCycle, createKeyResult, createObjective, createSquad, createTask } from '../../support/planning';
import { ok, startTestApp, type Caller, type GqlResult, type TestApp } from '../../support/test-app';

/**
 * The read planner answers exactly as the resolvers do: each operation is sent twice over HTTP,
 * once planned and once with `x-read-planner: off` (honoured under NODE_ENV=test only), and the
 * two bodies must be equal (nulls, order, Decimal text, dates, errors).
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const LOADERS = { 'x-read-planner': 'off' };
const uuid = (globalId: string) => decodeGlobalId(globalId)!.id;

/** What a client sees: data and errors (message, code, path). */
const seen = (r: GqlResult) => ({
  data: r.data,
  errors: r.errors?.map((e) => ({ message: e.message, code: e.extensions?.code, path: e.path })),
});

/** The answer came from the planner's one statement (not the resolvers). */
const wasPlanned = (r: GqlResult) => (r.sql ?? []).some((q) => q.startsWith('SELECT json_build_object('));

async function both(query: string, variables: Record<string, unknown>, as: Caller) {
  const planned = await app.gql(query, variables, as);
  const loaders = await app.gql(query, variables, as, LOADERS);
  // What the planner costs in statements: a planned answer no more than the resolvers; an
  // operation it does not plan nothing (a plan for `{ __typename }` once cost one where the
  // resolvers need none); a plan that found its root row missing, one more than the resolvers
  // (the plan, then the resolvers' NOT_FOUND).
  if (!wasPlanned(planned)) expect(planned.statements).toBe(loaders.statements);
  else if (planned.errors?.length) expect(planned.statements).toBe(loaders.statements + 1);
  else expect(planned.statements).toBeLessThanOrEqual(loaders.statements);
  return { planned, loaders };
}

interface World {
  lead: Caller & { userId: string };
  member: Caller & { userId: string };
  viewer: Caller;
  squadId: string;
  cycleId: string;
  otherSquadId: string;
}

/**
 * A squad with a member, a current and a planned sprint; objectives of two cycles (one archived,
 * one aligned to a company objective); key results with and without check-ins, decimals with
 * trailing zeros, one archived; tasks with and without assignee and due date, of every quadrant;
 * and another organisation's squad.
 */
async function world(): Promise<World> {
  const org = await createOrg(app);
  const lead = await addMember(app, org, 'SQUAD_LEAD', '张伟');
  const member = await addMember(app, org, 'MEMBER', 'Emily');
  const viewer = await addMember(app, org, 'VIEWER', '访客');
  const squadId = await createSquad(app, org, lead.userId);
  ok(await app.gql(`mutation($i: AddSquadMemberInput!) { addSquadMember(input: $i) { squad { id } } }`, { i: { squadId, userId: member.userId, function: 'CONTENT' } }, lead));
  const today = new Date().toISOString().slice(0, 10);
  const sprint = ok(
    await app.gql(`mutation($i: CreateSprintInput!) { createSprint(input: $i) { sprint { id } } }`, { i: { squadId, name: '本月', goal: '上线', startsOn: today } }, lead),
  ).createSprint.sprint.id;
  const cycleId = await createCycle(app, org);
  const otherCycle = await createCycle(app, org);
  const company = await createObjective(app, org, { cycleId, title: '公司目标' });
  const first = await createObjective(app, lead, { cycleId, squadId, parentId: company.id, description: '描述' });
  const second = await createObjective(app, lead, { cycleId, squadId, title: '第二个目标' });
  const archived = await createObjective(app, lead, { cycleId, squadId, title: '已归档' });
  await createObjective(app, lead, { cycleId: otherCycle, squadId, title: '另一周期' });
  const kr = await createKeyResult(app, lead, { objectiveId: first.id, ownerId: member.userId, startValue: '1000.00', targetValue: '1300.50', weight: '2.50' });
  await createKeyResult(app, lead, { objectiveId: first.id, kind: 'MILESTONE', startValue: null, targetValue: null, unit: null });
  await createKeyResult(app, lead, { objectiveId: second.id, kind: 'STAY_BELOW', startValue: '5', targetValue: '3.10' });
  const gone = await createKeyResult(app, lead, { objectiveId: second.id, title: '已归档关键结果' });
  ok(await checkIn(app, member, kr.id, 1, '1100', 0.6, '进展顺利'));
  ok(await checkIn(app, lead, kr.id, 2, '1150.50', 0.35));
  await app.ds.query(`UPDATE objectives SET archived_at = now() WHERE id = $1`, [uuid(archived.id)]);
  await app.ds.query(`UPDATE key_results SET archived_at = now() WHERE id = $1`, [uuid(gone.id)]);
  // Numerics as an import or a bulk writer leaves them (the API stores them trimmed): trailing zeros.
  await app.ds.query(`UPDATE key_results SET target_value = 1300.500, weight = 2.50 WHERE id = $1`, [uuid(kr.id)]);
  await app.ds.query(`UPDATE check_ins SET value = 1150.50 WHERE key_result_id = $1 AND value = 1150.5`, [uuid(kr.id)]);
  await createTask(app, lead, { squadId, title: '无负责人无日期' });
  await createTask(app, lead, { squadId, title: '紧急', assigneeId: member.userId, keyResultId: kr.id, sprintId: sprint, dueOn: today, important: true, urgent: true });
  await createTask(app, lead, { squadId, title: '重要', assigneeId: lead.userId, dueOn: '2030-01-31', important: true });
  await createTask(app, lead, { squadId, title: '委派', dueOn: '2020-05-01', urgent: true });
  const done = await createTask(app, lead, { squadId, title: '已完成', dueOn: '2020-01-01' });
  ok(await app.gql(`mutation($i: SetTaskStatusInput!) { setTaskStatus(input: $i) { task { id } } }`, { i: { id: done.id, status: 'DONE', expectedVersion: done.version } }, lead));
  const other = await createOrg(app, '另一个组织');
  const otherSquadId = await createSquad(app, other, other.userId);
  return { lead, member, viewer, squadId, cycleId, otherSquadId };
}

const workload = (name: string) => WORKLOADS.find((w) => w.name === name)!.query;

let w: World;
beforeAll(async () => {
  w = await world();
});

describe('planned reads: the bench dashboards', () => {
  for (const name of ['dashboardStored', 'dashboardFull']) {
    it(`${name}: the same answer as the resolvers, in at most 2 statements`, async () => {
      for (const as of [w.lead, w.viewer]) {
        const { planned, loaders } = await both(workload(name), { squadId: w.squadId, cycleId: w.cycleId }, as);
        expect(ok(loaders).squad.objectives.nodes.length).toBe(2);
        expect(seen(planned)).toEqual(seen(loaders));
        expect(planned.statements).toBeLessThanOrEqual(2);
        expect(wasPlanned(planned)).toBe(true);
        expect(wasPlanned(loaders)).toBe(false);
        expect(loaders.statements).toBeGreaterThan(2);
      }
    });
  }

  it('myTasks (the bench workload, filters, page sizes, every caller): the same answer in 2 statements', async () => {
    const me = w.member;
    // More of the member's tasks: due, undated, done, and one that belongs to nobody.
    await createTask(app, w.lead, { squadId: w.squadId, title: '未排期', assigneeId: me.userId });
    await createTask(app, w.lead, { squadId: w.squadId, title: '下周', assigneeId: me.userId, dueOn: '2031-03-01', important: true });
    await createTask(app, w.lead, { squadId: w.squadId, title: '上周', assigneeId: me.userId, dueOn: '2021-03-01', urgent: true });
    const query = `query Mine($first: Int, $filter: TasksFilter) {
      myTasks(first: $first, filter: $filter) { totalCount nodes { id title status dueOn quadrant completedAt assignee { displayName } keyResult { id title } } } }`;
    const cases: Array<Record<string, unknown>> = [
      {},
      { first: 0 },
      { first: 2 },
      { filter: { status: ['TODO', 'IN_PROGRESS', 'BLOCKED'] } },
      { filter: { status: ['DONE'] } },
      { filter: { dueBefore: '2025-01-01' } },
      { first: 1, filter: { status: ['TODO'], dueBefore: '2040-01-01' } },
    ];
    for (const as of [me, w.lead, w.viewer]) {
      const bench = await both(workload('myTasks'), {}, as);
      expect(seen(bench.planned)).toEqual(seen(bench.loaders));
      expect(wasPlanned(bench.planned)).toBe(true);
      for (const variables of cases) {
        const { planned, loaders } = await both(query, variables, as);
        expect(loaders.errors).toBeUndefined();
        expect(seen(planned)).toEqual(seen(loaders));
        expect(planned.statements).toBeLessThanOrEqual(2);
        expect(wasPlanned(planned)).toBe(true);
      }
    }
    // The member's own list has rows (the comparison is not between two empty lists).
    const mine = ok(await app.gql(query, {}, me)).myTasks;
    expect(mine.totalCount).toBe(4);
    expect(mine.nodes.map((t: { title: string }) => t.title)).toEqual(['上周', '紧急', '下周', '未排期']);
  });

  it('objectives (filters by cycle, squad, owner, status, archived; page sizes; a malformed id): the same answer', async () => {
    const query = `query Objectives($first: Int, $filter: ObjectivesFilter) {
      objectives(first: $first, filter: $filter) { totalCount nodes { id title progress status weight owner { displayName } squad { name }
        keyResults { title progress status latestCheckIn { value } } } } }`;
    const cases: Array<Record<string, unknown>> = [
      {},
      { first: 0 },
      { first: 2 },
      { filter: { cycleId: w.cycleId } },
      { filter: { squadId: w.squadId } },
      { filter: { ownerId: w.lead.userId } },
      { filter: { status: 'ON_TRACK' } },
      { filter: { status: 'AT_RISK' } },
      { filter: { status: 'OFF_TRACK' } },
      { filter: { archived: true } },
      { filter: { cycleId: w.cycleId, squadId: w.squadId, archived: false }, first: 1 },
    ];
    for (const as of [w.lead, w.viewer]) {
      for (const variables of cases) {
        const { planned, loaders } = await both(query, variables, as);
        expect(loaders.errors).toBeUndefined();
        expect(seen(planned)).toEqual(seen(loaders));
        expect(planned.statements).toBeLessThanOrEqual(2);
        expect(wasPlanned(planned)).toBe(true);
      }
    }
    const all = ok(await app.gql(query, {}, w.lead)).objectives;
    expect(all.totalCount).toBeGreaterThanOrEqual(4);
    expect(ok(await app.gql(query, { filter: { archived: true } }, w.lead)).objectives.totalCount).toBe(1);
    // A malformed id: the resolvers' BAD_USER_INPUT, whichever path.
    const bad = await both(query, { filter: { squadId: w.cycleId } }, w.lead);
    expect(bad.loaders.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(seen(bad.planned)).toEqual(seen(bad.loaders));
  });

  it('a query that reads nothing ({ __typename }, aliased, twice) costs only the authentication', async () => {
    for (const query of ['{ __typename }', '{ a: __typename b: __typename }']) {
      const { planned, loaders } = await both(query, {}, w.lead);
      expect(seen(planned)).toEqual(seen(loaders));
      expect(planned.statements).toBe(1);
      expect(wasPlanned(planned)).toBe(false);
    }
  });

  it('another organisation’s squad: the same NOT_FOUND', async () => {
    const { planned, loaders } = await both(workload('dashboardFull'), { squadId: w.otherSquadId, cycleId: w.cycleId }, w.lead);
    expect(loaders.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(seen(planned)).toEqual(seen(loaders));
  });

  it('a malformed cycle id: the same BAD_USER_INPUT', async () => {
    const { planned, loaders } = await both(workload('dashboardStored'), { squadId: w.squadId, cycleId: w.squadId }, w.lead);
    expect(loaders.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(seen(planned)).toEqual(seen(loaders));
  });

  it('aliases, fragments, @include/@skip, __typename and variables in the page size', async () => {
    const query = /* GraphQL */ `
      query Shaped($squadId: ID!, $n: Int, $withTasks: Boolean!, $noLead: Boolean!) {
        __typename
        s: squad(id: $squadId) {
          __typename
          ...Head
          boss: lead @skip(if: $noLead) { displayName }
          open: tasks(filter: { status: [TODO], dueBefore: "2030-01-01" }, first: $n) @include(if: $withTasks) { totalCount nodes { title t: dueOn } }
          all: tasks(first: 2) { totalCount nodes { ... on Task { title quadrant } } }
        }
      }
      fragment Head on Squad { id name objectives(first: 1) { totalCount nodes { title } } }`;
    for (const vars of [{ n: 1, withTasks: true, noLead: false }, { n: null, withTasks: false, noLead: true }]) {
      const { planned, loaders } = await both(query, { squadId: w.squadId, ...vars }, w.lead);
      expect(loaders.errors).toBeUndefined();
      expect(seen(planned)).toEqual(seen(loaders));
      expect(planned.statements).toBeLessThanOrEqual(2);
      expect(wasPlanned(planned)).toBe(true);
    }
  });

  it('falls back for what it does not plan (a cursor, an undeclared field) and answers the same', async () => {
    const query = /* GraphQL */ `query($squadId: ID!) { squad(id: $squadId) { name okrSummary(cycleId: "${w.cycleId}") { averageProgress } tasks(first: 101) { totalCount } } }`;
    const { planned, loaders } = await both(query, { squadId: w.squadId }, w.lead);
    expect(seen(planned)).toEqual(seen(loaders));
    expect(wasPlanned(planned)).toBe(false);
  });
});

/**
 * Every declared plannable field, reached from a planned root field by the shortest path of
 * declared fields: one query per field (its object fields select the target's column fields),
 * planned and loader answers compared. A new declaration is covered without a new test.
 */
describe('planned reads: every declared field equals the resolvers', () => {
  const { roots } = plannableDeclarations();
  const columns = (decl: PlanType) =>
    Object.entries(decl.fields)
      .filter(([, f]) => f.kind === 'column' || f.kind === 'derived')
      .map(([name]) => name)
      .join(' ');
  /** The selection of field `name` of `decl`, with the target's column fields. */
  const selectionOf = (decl: PlanType, name: string, inner?: string): string => {
    const f = decl.fields[name];
    if (f.kind === 'column' || f.kind === 'derived') return name;
    const target = plannableType(f.type)!;
    const body = inner ?? columns(target);
    if (f.kind === 'connection') return `${name}(first: 3) { totalCount nodes { ${body} } }`;
    return `${name} { ${body} }`;
  };

  for (const root of roots) {
    // Shortest path from the root's type to every declared type (breadth first).
    const paths = new Map<string, Array<[PlanType, string]>>([[root.type, []]]);
    const queue = [root.type];
    while (queue.length) {
      const type = queue.shift()!;
      const decl = plannableType(type)!;
      for (const [name, f] of Object.entries(decl.fields)) {
        if (f.kind === 'column' || f.kind === 'derived' || paths.has(f.type)) continue;
        paths.set(f.type, [...paths.get(type)!, [decl, name]]);
        queue.push(f.type);
      }
    }
    for (const [type, path] of paths) {
      const decl = plannableType(type)!;
      for (const name of Object.keys(decl.fields)) {
        it(`${root.field} … ${type}.${name}`, async () => {
          let selection = `id ${selectionOf(decl, name)}`;
          for (const [parent, field] of [...path].reverse()) selection = selectionOf(parent, field, selection);
          const query =
            root.kind === 'connection'
              ? `query Walk { ${root.field}(first: 5) { totalCount nodes { ${selection} } } }`
              : `query Walk($id: ID!) { ${root.field}(${root.idArg}: $id) { ${selection} } }`;
          const { planned, loaders } = await both(query, root.kind === 'connection' ? {} : { id: w.squadId }, w.lead);
          expect(loaders.errors).toBeUndefined();
          expect(seen(planned)).toEqual(seen(loaders));
          expect(planned.statements).toBeLessThanOrEqual(2);
          expect(wasPlanned(planned)).toBe(true);
        });
      }
    }
  }
});
