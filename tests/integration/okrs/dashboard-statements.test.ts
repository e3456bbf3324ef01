import { decodeGlobalId } from '../../../src/common/ids';
import { addMember, createOrg } from '../../support/factories';
import { checkIn, createCycle, createKeyResult, createObjective, createSquad, createTask } from '../../support/planning';
import { ok, startTestApp, type GqlResult, type TestApp } from '../../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

/** The squad lead's weekly dashboard: squad → objectives → key results → latest check-in, plus open tasks. */
const DASHBOARD = /* GraphQL */ `
  query SquadDashboard($squadId: ID!, $cycleId: ID!) {
    squad(id: $squadId) {
      name
      lead { displayName }
      currentSprint { name endsOn status }
      members { function user { displayName } }
      objectives(filter: { cycleId: $cycleId }, first: 100) {
        totalCount
        nodes {
          id title progress status version
          owner { displayName }
          parent { title }
          keyResults {
            id title kind unit currentValue targetValue progress confidence status version
            owner { displayName }
            latestCheckIn { value confidence note createdAt author { displayName } }
          }
        }
      }
      tasks(filter: { status: [TODO, IN_PROGRESS, BLOCKED] }, first: 50) {
        totalCount
        nodes { id title status dueOn quadrant assignee { displayName } keyResult { title } sprint { name } }
      }
    }
  }
`;

const uuid = (globalId: string) => decodeGlobalId(globalId)!.id;

/**
 * Builds a squad plan with `objectives` objectives (2 key results each, one checked in) and
 * 3 open tasks per objective: the first through the API, the rest in bulk SQL with the same shape.
 */
async function plan(objectives: number) {
  const org = await createOrg(app);
  const lead = await addMember(app, org, 'SQUAD_LEAD', '张伟');
  const member = await addMember(app, org, 'MEMBER', 'Emily');
  const squadId = await createSquad(app, org, lead.userId);
  ok(await app.gql(`mutation($i: AddSquadMemberInput!) { addSquadMember(input: $i) { squad { id } } }`, { i: { squadId, userId: member.userId, function: 'CONTENT' } }, lead));
  const today = new Date().toISOString().slice(0, 10);
  const sprint = ok(
    await app.gql(`mutation($i: CreateSprintInput!) { createSprint(input: $i) { sprint { id } } }`, { i: { squadId, name: '本月', startsOn: today } }, lead),
  ).createSprint.sprint.id;
  const cycleId = await createCycle(app, org);
  const company = await createObjective(app, org, { cycleId, title: '公司目标' });
  const first = await createObjective(app, lead, { cycleId, squadId, parentId: company.id });
  const kr = await createKeyResult(app, lead, { objectiveId: first.id, ownerId: member.userId });
  await createKeyResult(app, lead, { objectiveId: first.id, kind: 'MILESTONE', startValue: null, targetValue: null });
  ok(await checkIn(app, member, kr.id, 1, '1100', 0.6, '进展顺利'));
  for (let i = 0; i < 3; i++) {
    await createTask(app, lead, { assigneeId: member.userId, keyResultId: kr.id, sprintId: sprint, dueOn: today, important: i % 2 === 0 });
  }
  const more = objectives - 1;
  if (more > 0) {
    const p = { org: uuid(org.organizationId), squad: uuid(squadId), cycle: uuid(cycleId), parent: uuid(company.id), lead: uuid(lead.userId), member: uuid(member.userId), sprint: uuid(sprint) };
    await app.ds.query(
      `WITH o AS (
         INSERT INTO objectives (organization_id, cycle_id, title, owner_id, squad_id, parent_id)
         SELECT $1, $2, '目标 ' || g, $3, $4, $5 FROM generate_series(1, $6) g RETURNING id),
       k AS (
         INSERT INTO key_results (organization_id, objective_id, cycle_id, title, kind, start_value, target_value, current_value, owner_id, confidence, last_check_in_at)
         SELECT $1, o.id, $2, '关键结果 ' || n, 'INCREASE_TO', 0, 100, 40, $7, 0.5, now() FROM o, generate_series(1, 2) n RETURNING id),
       c AS (
         INSERT INTO check_ins (organization_id, key_result_id, value, confidence, note, author_id)
         SELECT $1, k.id, 40, 0.5, '周报', $7 FROM k RETURNING key_result_id)
       INSERT INTO tasks (organization_id, title, assignee_id, reporter_id, status, due_on, key_result_id, sprint_id, squad_id)
       SELECT $1, '任务', $7, $3, 'TODO', current_date, c.key_result_id, $8, $4 FROM c, generate_series(1, 2) t`,
      [p.org, p.cycle, p.lead, p.squad, p.parent, more, p.member, p.sprint],
    );
  }
  return { lead, squadId, cycleId };
}

/**
 * Statements a request may cost beyond the small plan's: DataLoader dispatches a batch when the
 * event loop turns, so whether a by-id load finds its row already primed by another branch can
 * vary by a statement or two. What must not happen is growth with the number of items.
 */
const MARGIN = 3;

/** Every key result's first check-in page, through the nested connection (not latestCheckIn). */
const NESTED_CHECK_INS = /* GraphQL */ `
  query NestedCheckIns($squadId: ID!, $cycleId: ID!) {
    squad(id: $squadId) {
      objectives(filter: { cycleId: $cycleId }, first: 100) {
        totalCount
        nodes {
          title
          keyResults {
            title
            checkIns(first: 1) { totalCount pageInfo { hasNextPage endCursor } nodes { value note author { displayName } } }
          }
        }
      }
    }
  }
`;

/**
 * Runs the dashboard with a known request id, to read the statements the server recorded for it.
 * Through the resolvers and loaders (`x-read-planner: off`): these tests are about their
 * batching; the planned path has its own (platform/read-planner.test.ts).
 */
async function measured(p: { lead: { token: string }; squadId: string; cycleId: string }, query = DASHBOARD) {
  const requestId = `dashboard-${Math.random().toString(36).slice(2)}`;
  const res = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': requestId, authorization: `Bearer ${p.lead.token}`, 'x-read-planner': 'off' },
    body: JSON.stringify({ query, variables: { squadId: p.squadId, cycleId: p.cycleId } }),
  });
  const body = (await res.json()) as Pick<GqlResult, 'data' | 'errors'>;
  const scope = app.server.statementsFor(requestId)!;
  return { data: body.data, errors: body.errors, status: res.status, statements: scope.count, list: [...scope.statements] };
}

/** Table and shape of each statement, for failure messages. */
const shape = (list: string[]) => list.map((q) => q.replace(/\s+/g, ' ').replace(/ AS "[^"]+"/g, '').slice(0, 90)).sort();

describe('squad-lead dashboard', () => {
  it('costs no more SQL statements for 100 objectives than for 5 (plus a small fixed margin)', async () => {
    const small = await plan(5);
    const large = await plan(100);
    const s = await measured(small);
    const l = await measured(large);
    expect(ok(s).squad.objectives.nodes).toHaveLength(5);
    expect(ok(l).squad.objectives.nodes).toHaveLength(100);
    expect(ok(l).squad.objectives.nodes[99].keyResults).toHaveLength(2);
    expect(ok(l).squad.objectives.nodes[99].keyResults[0].latestCheckIn).toMatchObject({ value: '40', note: '周报' });
    expect(ok(l).squad.tasks.nodes).toHaveLength(50);
    expect(ok(l).squad.tasks.totalCount).toBe(3 + 99 * 2 * 2);
    expect(ok(s).squad.objectives.nodes[0]).toMatchObject({ parent: { title: '公司目标' } });
    expect(s.statements).toBeGreaterThan(0);
    // On failure, show both statement lists (table and shape only).
    if (l.statements > s.statements + MARGIN) expect(shape(l.list)).toEqual(shape(s.list));
    expect(l.statements).toBeLessThanOrEqual(s.statements + MARGIN);
  });

  it('batches a connection under a list: every key result\'s checkIns page and totalCount for 100 objectives as for 5', async () => {
    const small = await plan(5);
    const large = await plan(100);
    const s = await measured(small, NESTED_CHECK_INS);
    const l = await measured(large, NESTED_CHECK_INS);
    const objectives = ok(l).squad.objectives.nodes;
    expect(objectives).toHaveLength(100);
    // The API-made objective: one checked-in key result, one without check-ins.
    expect(objectives[0].keyResults[0].checkIns).toMatchObject({ totalCount: 1, pageInfo: { hasNextPage: false }, nodes: [{ value: '1100', note: '进展顺利' }] });
    expect(objectives[0].keyResults[1].checkIns).toMatchObject({ totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] });
    expect(objectives[99].keyResults[1].checkIns).toMatchObject({ totalCount: 1, nodes: [{ value: '40', note: '周报' }] });
    if (l.statements > s.statements + MARGIN) expect(shape(l.list)).toEqual(shape(s.list));
    expect(l.statements).toBeLessThanOrEqual(s.statements + MARGIN);
    // One statement for the pages of all key results' check-ins, one for their counts.
    expect(l.list.filter((q) => /FROM "check_ins"/.test(q))).toHaveLength(2);
  });

  it('reads an object once: lists and foreign-key loaders prime the by-id loaders', async () => {
    const p = await plan(5);
    const PRIMED = /* GraphQL */ `
      query Primed($squadId: ID!, $cycleId: ID!) {
        squad(id: $squadId) {
          objectives(filter: { cycleId: $cycleId }, first: 100) {
            nodes { title keyResults { title objective { title } latestCheckIn { value keyResult { title } } } }
          }
          tasks(first: 50) { nodes { title squad { name } } }
        }
      }
    `;
    const r = await measured(p, PRIMED);
    const objectives = ok(r).squad.objectives.nodes;
    expect(objectives[0].keyResults[0]).toMatchObject({ objective: { title: objectives[0].title }, latestCheckIn: { keyResult: { title: objectives[0].keyResults[0].title } } });
    // Objectives come from the squad's page, key results from their objectives: no by-id read of either.
    const byId = r.list.filter((q) => /FROM "?(objectives|key_results)"? \w+ WHERE \w+\.id = ANY/.test(q.replace(/\s+/g, ' ')));
    expect(byId).toEqual([]);
    expect(r.list.filter((q) => /FROM "?squads"?/.test(q))).toHaveLength(1);
  });
});
