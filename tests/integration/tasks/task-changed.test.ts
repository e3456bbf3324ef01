import { addMember, createOrg } from '../../support/factories';
import { createSquad, createTask } from '../../support/planning';
import { ok, startTestApp, type TestApp } from '../../support/test-app';
import { settle, subscribe, wsClient } from '../../support/ws';

/** taskChanged: a board (squad, sprint) or a list (assignee) follows its tasks without a refetch. */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const SUB = `subscription($f: TaskChangedFilter) { taskChanged(filter: $f) { id title status version squad { id } sprint { id } assignee { id } } }`;
const UPDATE = `mutation($i: UpdateTaskInput!) { updateTask(input: $i) { task { id version } } }`;

describe('taskChanged', () => {
  it('delivers the committed task to the boards and lists it belongs to (or just left), and to every role that reads tasks', async () => {
    const org = await createOrg(app);
    const lead = await addMember(app, org, 'SQUAD_LEAD', '张伟');
    const member = await addMember(app, org, 'MEMBER', '李娜');
    const viewer = await addMember(app, org, 'VIEWER');
    const squadA = await createSquad(app, org, lead.userId, '甲组');
    const squadB = await createSquad(app, org, lead.userId, '乙组');
    const sprint = ok(
      await app.gql(`mutation($i: CreateSprintInput!) { createSprint(input: $i) { sprint { id } } }`, { i: { squadId: squadA, name: '五月', startsOn: '2026-05-01' } }, lead),
    ).createSprint.sprint.id;

    const clients = [wsClient(app.url, { authorization: `Bearer ${viewer.token}` }), wsClient(app.url, { authorization: `Bearer ${member.token}` })];
    try {
      const boardA = subscribe(clients[0], SUB, { f: { squadId: squadA } });
      const boardB = subscribe(clients[0], SUB, { f: { squadId: squadB } });
      const sprintBoard = subscribe(clients[0], SUB, { f: { sprintId: sprint } });
      const mine = subscribe(clients[1], SUB, { f: { assigneeId: member.userId } });
      const all = subscribe(clients[1], SUB);
      await settle();

      // Created in squad A's sprint, for the member.
      const task = await createTask(app, lead, { squadId: squadA, sprintId: sprint, assigneeId: member.userId, title: '写周报' });
      const created = { id: task.id, title: '写周报', status: 'TODO', squad: { id: squadA }, sprint: { id: sprint }, assignee: { id: member.userId } };
      for (const s of [boardA, sprintBoard, mine, all]) expect((await s.next()).taskChanged).toMatchObject(created);

      // The member moves it along: the status and version as committed.
      ok(await app.gql(`mutation($i: SetTaskStatusInput!) { setTaskStatus(input: $i) { task { id } } }`, { i: { id: task.id, status: 'IN_PROGRESS' } }, member));
      for (const s of [boardA, sprintBoard, mine, all]) expect((await s.next()).taskChanged).toMatchObject({ id: task.id, status: 'IN_PROGRESS', version: 2 });

      // Moved to squad B and reassigned to the lead: the boards and the list it left learn it, and B's board.
      ok(await app.gql(UPDATE, { i: { id: task.id, expectedVersion: 2, squadId: squadB, sprintId: null, assigneeId: lead.userId } }, org));
      const moved = { id: task.id, version: 3, squad: { id: squadB }, sprint: null, assignee: { id: lead.userId } };
      for (const s of [boardA, boardB, sprintBoard, mine, all]) expect((await s.next()).taskChanged).toMatchObject(moved);

      // A change in squad B only, now: squad A's board, the sprint board and the member's list hear nothing more.
      ok(await app.gql(UPDATE, { i: { id: task.id, expectedVersion: 3, title: '写月报' } }, lead));
      expect((await boardB.next()).taskChanged).toMatchObject({ id: task.id, title: '写月报', version: 4 });
      expect((await all.next()).taskChanged).toMatchObject({ id: task.id, title: '写月报' });
      await settle(300);
      expect([boardA.pending(), sprintBoard.pending(), mine.pending(), boardB.pending(), all.pending()]).toEqual([[], [], [], [], []]);
    } finally {
      await Promise.all(clients.map((c) => c.dispose()));
    }
  });
});
