import { decodeGlobalId } from '../../../src/common/ids';
import { orgTopic, type PlanningEventPayload } from '../../../src/common/events';
import { addMember, createOrg, type TestOrg } from '../../support/factories';
import { CHECK_IN, createCycle, createKeyResult, createObjective, createSquad, createTask } from '../../support/planning';
import { errorCode, ok, startTestApp, type Caller, type TestApp } from '../../support/test-app';

/**
 * The life cycles users expect beside create: update, archive, delete. Each is permissioned like
 * its siblings, refuses a stale version, is audited and announced (planningEvents).
 */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

/** Events published for `org` from now on (in process: the same bus the subscriptions read). */
function recordEvents(org: TestOrg) {
  const seen: PlanningEventPayload[] = [];
  const iterator = app.events.pubSub.subscribe(orgTopic(decodeGlobalId(org.organizationId)!.id))[Symbol.asyncIterator]();
  let open = true;
  void (async () => {
    while (open) {
      const next = await iterator.next();
      if (next.done) return;
      seen.push(next.value);
    }
  })();
  return {
    async types(): Promise<string[]> {
      await new Promise((r) => setTimeout(r, 50));
      return seen.map((e) => e.type);
    },
    stop() {
      open = false;
      void iterator.return?.();
    },
  };
}

async function auditActions(org: TestOrg, entityId: string): Promise<string[]> {
  const page = ok(await app.gql(`query($f: AuditEventsFilter) { auditEvents(filter: $f, first: 50) { nodes { action } } }`, { f: { entityId } }, org));
  return page.auditEvents.nodes.map((n: { action: string }) => n.action);
}

async function setup() {
  const org = await createOrg(app, '生命周期');
  const lead = await addMember(app, org, 'SQUAD_LEAD', '组长');
  const member = await addMember(app, org, 'MEMBER', '成员');
  const squadId = await createSquad(app, org, lead.userId);
  return { org, lead, member, squadId };
}

const gqlAs = (query: string, i: Record<string, unknown>, as: Caller) => app.gql(query, { i }, as);

const UPDATE_SQUAD = `mutation($i: UpdateSquadInput!) { updateSquad(input: $i) { squad { id name mission version lead { id } archivedAt } } }`;
const ARCHIVE_SQUAD = `mutation($i: ArchiveSquadInput!) { archiveSquad(input: $i) { squad { id version archivedAt } } }`;
const UPDATE_SPRINT = `mutation($i: UpdateSprintInput!) { updateSprint(input: $i) { sprint { id name goal startsOn endsOn version } } }`;
const UPDATE_CYCLE = `mutation($i: UpdateCycleInput!) { updateCycle(input: $i) { cycle { id name startsOn endsOn version } } }`;
const ARCHIVE_OBJECTIVE = `mutation($i: ArchiveObjectiveInput!) { archiveObjective(input: $i) { objective { id version archivedAt } } }`;
const ARCHIVE_KR = `mutation($i: ArchiveKeyResultInput!) { archiveKeyResult(input: $i) { keyResult { id version archivedAt } } }`;
const DELETE_KR = `mutation($i: DeleteKeyResultInput!) { deleteKeyResult(input: $i) { deletedKeyResultId objective { id progress } } }`;
const DELETE_TASK = `mutation($i: DeleteTaskInput!) { deleteTask(input: $i) { deletedTaskId } }`;

describe('squads', () => {
  it('are updated by their lead (the lead itself only by OWNER/ADMIN), with expectedVersion', async () => {
    const { org, lead, member, squadId } = await setup();
    const events = recordEvents(org);
    const updated = ok(await gqlAs(UPDATE_SQUAD, { id: squadId, expectedVersion: 1, name: ' 内容增长小组 ', mission: null }, lead)).updateSquad.squad;
    expect(updated).toMatchObject({ name: '内容增长小组', mission: null, version: 2 });
    const stale = await gqlAs(UPDATE_SQUAD, { id: squadId, expectedVersion: 1, name: 'x' }, lead);
    expect(errorCode(stale)).toBe('CONFLICT');
    expect(stale.errors![0].extensions!.currentVersion).toBe(2);
    expect(errorCode(await gqlAs(UPDATE_SQUAD, { id: squadId, expectedVersion: 2, leadId: member.userId }, lead))).toBe('FORBIDDEN');
    expect(errorCode(await gqlAs(UPDATE_SQUAD, { id: squadId, expectedVersion: 2, name: 'x' }, member))).toBe('FORBIDDEN');
    expect(ok(await gqlAs(UPDATE_SQUAD, { id: squadId, expectedVersion: 2, leadId: member.userId }, org)).updateSquad.squad.lead.id).toBe(member.userId);
    expect(await auditActions(org, squadId)).toEqual(['squad.updated', 'squad.updated', 'squad.created']);
    expect(await events.types()).toEqual(['SQUAD_UPDATED', 'SQUAD_UPDATED']);
    events.stop();
  });

  it('are archived by OWNER/ADMIN: out of the default list, frozen', async () => {
    const { org, lead, member, squadId } = await setup();
    const other = await createSquad(app, org, lead.userId, '另一个小组');
    expect(errorCode(await gqlAs(ARCHIVE_SQUAD, { id: squadId }, lead))).toBe('FORBIDDEN');
    const events = recordEvents(org);
    const archived = ok(await gqlAs(ARCHIVE_SQUAD, { id: squadId, expectedVersion: 1 }, org)).archiveSquad.squad;
    expect(archived).toMatchObject({ version: 2, archivedAt: expect.any(String) });
    const list = async (archivedOnly?: boolean) =>
      ok(await app.gql(`query($f: SquadsFilter) { squads(filter: $f, first: 10) { totalCount nodes { id } } }`, { f: archivedOnly === undefined ? null : { archived: archivedOnly } }, member)).squads;
    expect((await list()).nodes.map((s: { id: string }) => s.id)).toEqual([other]);
    expect((await list(false)).totalCount).toBe(1);
    expect((await list(true)).nodes.map((s: { id: string }) => s.id)).toEqual([squadId]);
    expect(ok(await app.gql(`query($id: ID!) { squad(id: $id) { id archivedAt } }`, { id: squadId }, member)).squad.archivedAt).not.toBeNull();
    expect(errorCode(await gqlAs(UPDATE_SQUAD, { id: squadId, expectedVersion: 2, name: 'x' }, org))).toBe('ARCHIVED');
    expect(errorCode(await gqlAs(ARCHIVE_SQUAD, { id: squadId }, org))).toBe('ARCHIVED');
    expect(errorCode(await app.gql(`mutation($i: AddSquadMemberInput!) { addSquadMember(input: $i) { squadMember { id } } }`, { i: { squadId, userId: member.userId, function: 'DATA' } }, org))).toBe('ARCHIVED');
    expect(await auditActions(org, squadId)).toEqual(['squad.archived', 'squad.created']);
    expect(await events.types()).toEqual(['SQUAD_ARCHIVED']);
    events.stop();
  });
});

describe('sprints', () => {
  it('are updated while open, without overlapping another open sprint', async () => {
    const { org, lead, member, squadId } = await setup();
    const create = async (name: string, startsOn: string) =>
      ok(await gqlAs(`mutation($i: CreateSprintInput!) { createSprint(input: $i) { sprint { id version } } }`, { squadId, name, startsOn }, lead)).createSprint.sprint;
    const june = await create('六月', '2026-06-01');
    const july = await create('七月', '2026-07-01');
    const events = recordEvents(org);
    const updated = ok(await gqlAs(UPDATE_SPRINT, { id: june.id, expectedVersion: 1, goal: '完成激励计划', endsOn: '2026-06-28' }, lead)).updateSprint.sprint;
    expect(updated).toMatchObject({ name: '六月', goal: '完成激励计划', startsOn: '2026-06-01', endsOn: '2026-06-28', version: 2 });
    expect(errorCode(await gqlAs(UPDATE_SPRINT, { id: june.id, expectedVersion: 2, endsOn: '2026-07-05' }, lead))).toBe('BAD_USER_INPUT');
    expect(errorCode(await gqlAs(UPDATE_SPRINT, { id: june.id, expectedVersion: 2, endsOn: '2026-05-01' }, lead))).toBe('BAD_USER_INPUT');
    expect(errorCode(await gqlAs(UPDATE_SPRINT, { id: june.id, expectedVersion: 1, name: 'x' }, lead))).toBe('CONFLICT');
    expect(errorCode(await gqlAs(UPDATE_SPRINT, { id: june.id, expectedVersion: 2, name: 'x' }, member))).toBe('FORBIDDEN');
    ok(await gqlAs(`mutation($i: CloseSprintInput!) { closeSprint(input: $i) { sprint { id } } }`, { sprintId: july.id }, lead));
    expect(errorCode(await gqlAs(UPDATE_SPRINT, { id: july.id, expectedVersion: 2, name: 'x' }, lead))).toBe('INVALID_TRANSITION');
    expect(await auditActions(org, june.id)).toEqual(['sprint.updated', 'sprint.created']);
    expect(await events.types()).toEqual(['SPRINT_UPDATED', 'SPRINT_CLOSED']);
    events.stop();
  });
});

describe('cycles', () => {
  it('are renamed and re-dated by OWNER/ADMIN while open', async () => {
    const { org, lead } = await setup();
    const cycleId = await createCycle(app, org, { name: '2026-Q2', startsOn: '2026-04-01', endsOn: '2026-06-30' });
    await createCycle(app, org, { name: '2026-Q3', startsOn: '2026-07-01', endsOn: '2026-09-30' });
    const objective = await createObjective(app, org, { cycleId });
    const events = recordEvents(org);
    const updated = ok(await gqlAs(UPDATE_CYCLE, { id: cycleId, expectedVersion: 1, name: '2026 第二季度', endsOn: '2026-07-15' }, org)).updateCycle.cycle;
    expect(updated).toMatchObject({ name: '2026 第二季度', startsOn: '2026-04-01', endsOn: '2026-07-15', version: 2 });
    expect(errorCode(await gqlAs(UPDATE_CYCLE, { id: cycleId, expectedVersion: 2, name: '2026-Q3' }, org))).toBe('BAD_USER_INPUT');
    expect(errorCode(await gqlAs(UPDATE_CYCLE, { id: cycleId, expectedVersion: 2, startsOn: '2026-08-01' }, org))).toBe('BAD_USER_INPUT');
    expect(errorCode(await gqlAs(UPDATE_CYCLE, { id: cycleId, expectedVersion: 1, name: 'x' }, org))).toBe('CONFLICT');
    expect(errorCode(await gqlAs(UPDATE_CYCLE, { id: cycleId, expectedVersion: 2, name: 'x' }, lead))).toBe('FORBIDDEN');
    ok(await gqlAs(`mutation($i: CloseCycleInput!) { closeCycle(input: $i) { cycle { id } } }`, { cycleId }, org));
    expect(errorCode(await gqlAs(UPDATE_CYCLE, { id: cycleId, expectedVersion: 3, name: 'x' }, org))).toBe('CYCLE_CLOSED');
    expect(await auditActions(org, cycleId)).toEqual(['cycle.closed', 'cycle.updated', 'cycle.created']);
    // New dates change the objectives' pace: their progress/status is announced.
    expect(await events.types()).toEqual(['CYCLE_UPDATED', 'OBJECTIVE_PROGRESS_CHANGED', 'CYCLE_CLOSED', 'OBJECTIVE_PROGRESS_CHANGED']);
    expect(objective.id).toBeTruthy();
    events.stop();
  });
});

describe('objectives', () => {
  it('are archived by their managers: out of the default lists and the parent’s roll-up, frozen', async () => {
    const { org, lead, member, squadId } = await setup();
    const cycleId = await createCycle(app, org);
    const parent = await createObjective(app, org, { cycleId, title: '公司目标' });
    const done = await createObjective(app, lead, { cycleId, squadId, parentId: parent.id, title: '已完成的' });
    const open = await createObjective(app, lead, { cycleId, squadId, parentId: parent.id, title: '进行中的' });
    const krDone = await createKeyResult(app, lead, { objectiveId: done.id, startValue: '0', targetValue: '10' });
    ok(await app.gql(CHECK_IN, { i: { keyResultId: krDone.id, value: '10', confidence: 0.9, expectedVersion: 1 } }, lead));
    await createKeyResult(app, lead, { objectiveId: open.id, startValue: '0', targetValue: '10' });
    const progress = async () => ok(await app.gql(`query($id: ID!) { objective(id: $id) { progress children { id } } }`, { id: parent.id }, member)).objective;
    expect(await progress()).toMatchObject({ progress: 0.5 });

    expect(errorCode(await gqlAs(ARCHIVE_OBJECTIVE, { id: done.id, expectedVersion: 1 }, member))).toBe('FORBIDDEN');
    const events = recordEvents(org);
    const archived = ok(await gqlAs(ARCHIVE_OBJECTIVE, { id: done.id, expectedVersion: 1 }, lead)).archiveObjective.objective;
    expect(archived).toMatchObject({ version: 2, archivedAt: expect.any(String) });
    expect(await progress()).toEqual({ progress: 0, children: [{ id: open.id }] });
    const list = async (f: Record<string, unknown>) =>
      ok(await app.gql(`query($f: ObjectivesFilter) { objectives(filter: $f, first: 10) { totalCount nodes { id } } }`, { f }, member)).objectives;
    expect((await list({ cycleId })).nodes.map((o: { id: string }) => o.id)).toEqual([parent.id, open.id]);
    expect((await list({ cycleId, archived: true })).nodes.map((o: { id: string }) => o.id)).toEqual([done.id]);
    const viaSquad = ok(await app.gql(`query($id: ID!) { squad(id: $id) { objectives(first: 10) { nodes { id } } } }`, { id: squadId }, member)).squad.objectives;
    expect(viaSquad.nodes).toEqual([{ id: open.id }]);
    expect(errorCode(await app.gql(`mutation($i: UpdateObjectiveInput!) { updateObjective(input: $i) { objective { id } } }`, { i: { id: done.id, expectedVersion: 2, title: 'x' } }, lead))).toBe('ARCHIVED');
    expect(errorCode(await app.gql(CHECK_IN, { i: { keyResultId: krDone.id, value: '9', confidence: 0.9, expectedVersion: 2 } }, lead))).toBe('ARCHIVED');
    expect(errorCode(await gqlAs(ARCHIVE_OBJECTIVE, { id: done.id, expectedVersion: 2 }, lead))).toBe('ARCHIVED');
    expect(await auditActions(org, done.id)).toEqual(['objective.archived', 'objective.created']);
    expect(await events.types()).toEqual(['OBJECTIVE_ARCHIVED', 'OBJECTIVE_PROGRESS_CHANGED']);
    events.stop();
  });
});

describe('key results', () => {
  it('are deleted only without check-ins (KEY_RESULT_HAS_CHECK_INS: archive instead), and archived', async () => {
    const { org, lead, member, squadId } = await setup();
    const cycleId = await createCycle(app, org);
    const objective = await createObjective(app, lead, { cycleId, squadId });
    const mistake = await createKeyResult(app, lead, { objectiveId: objective.id, title: '写错的', startValue: '0', targetValue: '10' });
    const kept = await createKeyResult(app, lead, { objectiveId: objective.id, title: '有记录的', startValue: '0', targetValue: '10' });
    const task = await createTask(app, lead, { keyResultId: mistake.id });
    ok(await app.gql(CHECK_IN, { i: { keyResultId: kept.id, value: '5', confidence: 0.7, expectedVersion: 1 } }, lead));

    const events = recordEvents(org);
    expect(errorCode(await gqlAs(DELETE_KR, { id: mistake.id, expectedVersion: 1 }, member))).toBe('FORBIDDEN');
    const stale = await gqlAs(DELETE_KR, { id: mistake.id, expectedVersion: 7 }, lead);
    expect(errorCode(stale)).toBe('CONFLICT');
    expect(stale.errors![0].extensions!.currentVersion).toBe(1);
    const deleted = ok(await gqlAs(DELETE_KR, { id: mistake.id, expectedVersion: 1 }, lead)).deleteKeyResult;
    expect(deleted).toEqual({ deletedKeyResultId: mistake.id, objective: { id: objective.id, progress: 0.5 } });
    expect(ok(await app.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: mistake.id }, lead)).node).toBeNull();
    // The task stays, unlinked.
    expect(ok(await app.gql(`query($id: ID!) { node(id: $id) { ... on Task { id keyResult { id } } } }`, { id: task.id }, lead)).node).toEqual({ id: task.id, keyResult: null });

    const refused = await gqlAs(DELETE_KR, { id: kept.id, expectedVersion: 2 }, lead);
    expect(errorCode(refused)).toBe('KEY_RESULT_HAS_CHECK_INS');
    expect(refused.errors![0].message).toMatch(/archive it instead/);

    const archived = ok(await gqlAs(ARCHIVE_KR, { id: kept.id, expectedVersion: 2 }, lead)).archiveKeyResult.keyResult;
    expect(archived).toMatchObject({ version: 3, archivedAt: expect.any(String) });
    expect(ok(await app.gql(`query($id: ID!) { objective(id: $id) { keyResults { id } } }`, { id: objective.id }, member)).objective.keyResults).toEqual([]);
    const history = ok(await app.gql(`query($id: ID!) { node(id: $id) { ... on KeyResult { archivedAt checkIns(first: 5) { totalCount } } } }`, { id: kept.id }, member)).node;
    expect(history).toMatchObject({ archivedAt: expect.any(String), checkIns: { totalCount: 1 } });
    expect(errorCode(await app.gql(CHECK_IN, { i: { keyResultId: kept.id, value: '6', confidence: 0.7, expectedVersion: 3 } }, lead))).toBe('ARCHIVED');
    expect(errorCode(await gqlAs(ARCHIVE_KR, { id: kept.id, expectedVersion: 3 }, lead))).toBe('ARCHIVED');

    expect(await auditActions(org, mistake.id)).toEqual(['key_result.deleted', 'key_result.created']);
    expect(await auditActions(org, kept.id)).toEqual(['key_result.archived', 'key_result.checked_in', 'key_result.created']);
    expect(await events.types()).toEqual(['KEY_RESULT_DELETED', 'OBJECTIVE_PROGRESS_CHANGED', 'KEY_RESULT_ARCHIVED', 'OBJECTIVE_PROGRESS_CHANGED']);
    events.stop();
  });
});

describe('tasks', () => {
  it('are deleted by the squad’s lead or OWNER/ADMIN, not by their assignee', async () => {
    const { org, lead, member, squadId } = await setup();
    const task = await createTask(app, lead, { squadId, assigneeId: member.userId });
    const events = recordEvents(org);
    expect(errorCode(await gqlAs(DELETE_TASK, { id: task.id }, member))).toBe('FORBIDDEN');
    expect(errorCode(await gqlAs(DELETE_TASK, { id: task.id, expectedVersion: 5 }, lead))).toBe('CONFLICT');
    expect(ok(await gqlAs(DELETE_TASK, { id: task.id, expectedVersion: 1 }, lead)).deleteTask).toEqual({ deletedTaskId: task.id });
    expect(ok(await app.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: task.id }, member)).node).toBeNull();
    expect(ok(await app.gql(`{ myTasks(first: 10) { totalCount } }`, {}, member)).myTasks.totalCount).toBe(0);
    expect(errorCode(await gqlAs(DELETE_TASK, { id: task.id }, lead))).toBe('NOT_FOUND');
    expect(await auditActions(org, task.id)).toEqual(['task.deleted', 'task.created']);
    expect(await events.types()).toEqual(['TASK_DELETED']);
    events.stop();
  });
});
