import { decodeGlobalId } from '../../../src/common/ids';
import { addMember, createOrg } from '../../support/factories';
import { createCycle, createKeyResult, createObjective, createSquad, createTask } from '../../support/planning';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const TASK = `query($id: ID!) { node(id: $id) { ... on Task { id title description status dueOn important urgent quadrant version completedAt
  assignee { id } reporter { id } keyResult { id } sprint { id } squad { id } } } }`;
const UPDATE = `mutation($i: UpdateTaskInput!) { updateTask(input: $i) { task { id title dueOn urgent quadrant version assignee { id } squad { id } } } }`;
const STATUS = `mutation($i: SetTaskStatusInput!) { setTaskStatus(input: $i) { task { id status completedAt version } } }`;
const MY_TASKS = `query($f: TasksFilter, $first: Int, $after: String) { myTasks(filter: $f, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } nodes { title status dueOn } } }`;
const iso = (offsetDays: number) => new Date(Date.now() + offsetDays * 86400000).toISOString().slice(0, 10);

async function squadSetup() {
  const org = await createOrg(app);
  const lead = await addMember(app, org, 'SQUAD_LEAD', '张伟');
  const member = await addMember(app, org, 'MEMBER', 'Emily');
  const squadId = await createSquad(app, org, lead.userId);
  return { org, lead, member, squadId };
}

describe('tasks', () => {
  it('link to what they serve, with the squad following from the sprint or the key result', async () => {
    const { org, lead, member, squadId } = await squadSetup();
    const sprint = ok(
      await app.gql(`mutation($i: CreateSprintInput!) { createSprint(input: $i) { sprint { id } } }`, { i: { squadId, name: '六月', startsOn: '2026-06-01' } }, lead),
    ).createSprint.sprint.id;
    const cycleId = await createCycle(app, org);
    const objective = await createObjective(app, lead, { cycleId, squadId });
    const kr = await createKeyResult(app, lead, { objectiveId: objective.id });

    const viaKr = await createTask(app, lead, { title: '设计激励方案', keyResultId: kr.id, assigneeId: member.userId, important: true, urgent: true, dueOn: '2026-06-10' });
    const t = ok(await app.gql(TASK, { id: viaKr.id }, member)).node;
    expect(t).toMatchObject({
      status: 'TODO', quadrant: 'DO_FIRST', version: 1, dueOn: '2026-06-10',
      assignee: { id: member.userId }, reporter: { id: lead.userId }, keyResult: { id: kr.id }, squad: { id: squadId }, sprint: null,
    });
    const viaSprint = await createTask(app, lead, { sprintId: sprint, important: true });
    expect(ok(await app.gql(TASK, { id: viaSprint.id }, lead)).node).toMatchObject({ squad: { id: squadId }, sprint: { id: sprint }, quadrant: 'SCHEDULE' });

    const otherSquad = await createSquad(app, org, lead.userId, '另一个小组');
    const mismatch = await app.gql(`mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }`, { i: { title: 'x', sprintId: sprint, squadId: otherSquad } }, org);
    expect(errorCode(mismatch)).toBe('BAD_USER_INPUT');
    const toViewer = await app.gql(`mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }`, {
      i: { title: 'x', squadId, assigneeId: (await addMember(app, org, 'VIEWER')).userId },
    }, org);
    expect(errorCode(toViewer)).toBe('BAD_USER_INPUT');

    const squadTasks = ok(await app.gql(`query($id: ID!) { squad(id: $id) { tasks(first: 10) { totalCount nodes { id quadrant } } } }`, { id: squadId }, member)).squad.tasks;
    expect(squadTasks.totalCount).toBe(2);
  });

  it('are updated with expectedVersion (CONFLICT when stale), and their status set by the assignee', async () => {
    const { org, lead, member, squadId } = await squadSetup();
    const task = await createTask(app, lead, { squadId, assigneeId: member.userId });
    const updated = ok(await app.gql(UPDATE, { i: { id: task.id, title: '新标题', dueOn: '2026-07-01', urgent: true, expectedVersion: 1 } }, member)).updateTask.task;
    expect(updated).toMatchObject({ title: '新标题', dueOn: '2026-07-01', quadrant: 'DELEGATE', version: 2 });
    const stale = await app.gql(UPDATE, { i: { id: task.id, title: '旧', expectedVersion: 1 } }, lead);
    expect(stale.errors![0].extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 2 });
    const cleared = ok(await app.gql(UPDATE, { i: { id: task.id, dueOn: null, expectedVersion: 2 } }, member)).updateTask.task;
    expect(cleared.dueOn).toBeNull();

    // The assignee may not reassign or move the task.
    expect(errorCode(await app.gql(UPDATE, { i: { id: task.id, assigneeId: lead.userId, expectedVersion: 3 } }, member))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(UPDATE, { i: { id: task.id, squadId: null, expectedVersion: 3 } }, member))).toBe('FORBIDDEN');

    const started = ok(await app.gql(STATUS, { i: { id: task.id, status: 'IN_PROGRESS' } }, member)).setTaskStatus.task;
    expect(started).toMatchObject({ status: 'IN_PROGRESS', completedAt: null, version: 4 });
    const done = ok(await app.gql(STATUS, { i: { id: task.id, status: 'DONE', expectedVersion: 4 } }, member)).setTaskStatus.task;
    expect(done.completedAt).toBeTruthy();
    expect(errorCode(await app.gql(STATUS, { i: { id: task.id, status: 'TODO', expectedVersion: 4 } }, member))).toBe('CONFLICT');
    const reopened = ok(await app.gql(STATUS, { i: { id: task.id, status: 'TODO' } }, lead)).setTaskStatus.task;
    expect(reopened).toMatchObject({ status: 'TODO', completedAt: null });

    const audit = ok(await app.gql(`query($f: AuditEventsFilter) { auditEvents(filter: $f, first: 20) { nodes { action } } }`, { f: { entityId: task.id } }, org));
    expect(audit.auditEvents.nodes.map((e: { action: string }) => e.action).sort()).toEqual(
      ['task.created', 'task.status_changed', 'task.status_changed', 'task.status_changed', 'task.updated', 'task.updated'],
    );
  });

  it('enforce who may create and change them', async () => {
    const { org, lead, member, squadId } = await squadSetup();
    const otherLead = await addMember(app, org, 'SQUAD_LEAD');
    const otherMember = await addMember(app, org, 'MEMBER');
    const viewer = await addMember(app, org, 'VIEWER');
    const create = `mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }`;
    expect(errorCode(await app.gql(create, { i: { title: 'x', squadId } }, otherLead))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(create, { i: { title: 'x' } }, lead))).toBe('FORBIDDEN'); // no squad
    expect(errorCode(await app.gql(create, { i: { title: 'x', squadId } }, member))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(create, { i: { title: 'x', squadId } }, viewer))).toBe('FORBIDDEN');
    ok(await app.gql(create, { i: { title: 'company-wide' } }, org));
    const task = await createTask(app, lead, { squadId, assigneeId: member.userId });
    expect(errorCode(await app.gql(STATUS, { i: { id: task.id, status: 'DONE' } }, otherMember))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(STATUS, { i: { id: task.id, status: 'DONE' } }, otherLead))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(STATUS, { i: { id: task.id, status: 'DONE' } }, viewer))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(UPDATE, { i: { id: task.id, title: 'x', expectedVersion: 1 } }, otherMember))).toBe('FORBIDDEN');
    const reassigned = ok(await app.gql(UPDATE, { i: { id: task.id, assigneeId: otherMember.userId, expectedVersion: 1 } }, lead)).updateTask.task;
    expect(reassigned.assignee.id).toBe(otherMember.userId);
    ok(await app.gql(STATUS, { i: { id: task.id, status: 'BLOCKED' } }, otherMember));
    expect(errorCode(await app.gql(STATUS, { i: { id: task.id, status: 'DONE' } }, member))).toBe('FORBIDDEN');
  });
});

describe('the team member’s week', () => {
  it('myTasks lists my tasks by due date, filtered by status and due date', async () => {
    const { lead, member, squadId } = await squadSetup();
    await createTask(app, lead, { squadId, assigneeId: member.userId, title: 'later', dueOn: '2026-09-01' });
    await createTask(app, lead, { squadId, assigneeId: member.userId, title: 'no date' });
    const soon = await createTask(app, lead, { squadId, assigneeId: member.userId, title: 'soon', dueOn: '2026-06-01' });
    await createTask(app, lead, { squadId, assigneeId: lead.userId, title: 'not mine', dueOn: '2026-01-01' });
    ok(await app.gql(STATUS, { i: { id: soon.id, status: 'DONE' } }, member));
    const titles = async (f: Record<string, unknown> | null) => ok(await app.gql(MY_TASKS, { f }, member)).myTasks.nodes.map((n: { title: string }) => n.title);
    expect(await titles(null)).toEqual(['soon', 'later', 'no date']);
    expect(await titles({ status: ['TODO', 'IN_PROGRESS', 'BLOCKED'] })).toEqual(['later', 'no date']);
    expect(await titles({ status: 'DONE' })).toEqual(['soon']);
    expect(await titles({ dueBefore: '2026-09-01' })).toEqual(['soon']);
    const page1 = ok(await app.gql(MY_TASKS, { first: 2 }, member)).myTasks;
    expect(page1).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true } });
    const page2 = ok(await app.gql(MY_TASKS, { first: 2, after: page1.pageInfo.endCursor }, member)).myTasks;
    expect(page2.nodes.map((n: { title: string }) => n.title)).toEqual(['no date']);
  });

  it('myWork lists overdue and due tasks and key results waiting for a check-in', async () => {
    const { org, lead, member, squadId } = await squadSetup();
    const overdue = await createTask(app, lead, { squadId, assigneeId: member.userId, title: '逾期任务', dueOn: iso(-3) });
    const today = await createTask(app, lead, { squadId, assigneeId: member.userId, title: '今天到期', dueOn: iso(0) });
    await createTask(app, lead, { squadId, assigneeId: member.userId, title: '下周', dueOn: iso(7) });
    const finished = await createTask(app, lead, { squadId, assigneeId: member.userId, title: '已完成', dueOn: iso(-1) });
    ok(await app.gql(STATUS, { i: { id: finished.id, status: 'DONE' } }, member));
    const cycleId = await createCycle(app, org);
    const objective = await createObjective(app, lead, { cycleId, squadId });
    const stale = await createKeyResult(app, lead, { objectiveId: objective.id, ownerId: member.userId, title: '创作者留存率提升15%' });
    await createKeyResult(app, lead, { objectiveId: objective.id, ownerId: member.userId, title: 'fresh' });
    await app.ds.query(`UPDATE key_results SET created_at = now() - interval '9 days' WHERE id = $1`, [decodeGlobalId(stale.id)!.id]);

    const work = ok(
      await app.gql(`{ myWork { totalCount nodes { kind reason dueOn subject { __typename ... on Task { id } ... on KeyResult { id title } } } } }`, {}, member),
    ).myWork.nodes;
    expect(work.map((w: { kind: string }) => w.kind)).toEqual(['TASK_OVERDUE', 'CHECK_IN_DUE', 'TASK_DUE_TODAY']);
    expect(work[0]).toMatchObject({ subject: { __typename: 'Task', id: overdue.id }, dueOn: iso(-3) });
    expect(work[0].reason).toMatch(/overdue since/);
    expect(work[1]).toMatchObject({ subject: { __typename: 'KeyResult', id: stale.id } });
    expect(work[2]).toMatchObject({ subject: { id: today.id }, reason: 'due today' });
    // A connection: pages forward with keyset cursors across the contributing modules.
    const kinds: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 4; i++) {
      const page: any = ok(await app.gql(`query($a: String) { myWork(first: 1, after: $a) { totalCount nodes { kind } pageInfo { hasNextPage endCursor } } }`, { a: after }, member)).myWork;
      expect(page.totalCount).toBe(3);
      kinds.push(...page.nodes.map((n: { kind: string }) => n.kind));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(kinds).toEqual(['TASK_OVERDUE', 'CHECK_IN_DUE', 'TASK_DUE_TODAY']);
    // totalCount costs no statement: the count is in the page's one statement, whether the page
    // holds every item or not (here the tasks: 2 items, a page of 1).
    const listed = await app.gql(`{ myWork(first: 10) { nodes { kind } } }`, {}, member);
    const counted = await app.gql(`{ myWork(first: 10) { totalCount nodes { kind } } }`, {}, member);
    expect(ok(counted).myWork.totalCount).toBe(3);
    expect(counted.statements).toBe(listed.statements);
    const onePage = await app.gql(`{ myWork(first: 1) { nodes { kind } } }`, {}, member);
    const onePageCounted = await app.gql(`{ myWork(first: 1) { totalCount nodes { kind } } }`, {}, member);
    expect(ok(onePageCounted).myWork.totalCount).toBe(3);
    expect(onePageCounted.statements).toBe(onePage.statements);
    expect(errorCode(await app.gql(`{ myWork(first: 101) { nodes { kind } } }`, {}, member))).toBe('BAD_USER_INPUT');
    expect(errorCode(await app.gql(`{ myWork(after: "bm9wZQ") { nodes { kind } } }`, {}, member))).toBe('BAD_USER_INPUT');
  });
});
