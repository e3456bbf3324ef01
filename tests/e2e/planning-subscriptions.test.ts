import { addMember, createOrg } from '../support/factories';
import { checkIn, createCycle, createKeyResult, createObjective, createSquad, createTask } from '../support/planning';
import { ok, startTestApp, type TestApp } from '../support/test-app';
import { settle, subscribe, wsClient } from '../support/ws';

/** The domain subscriptions over a real graphql-ws connection to a started server. */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const CHECKED_IN = `subscription($f: KeyResultCheckedInFilter) { keyResultCheckedIn(filter: $f) {
  checkIn { id value confidence note author { id } } keyResult { id currentValue progress status version objective { id } } } }`;
const PROGRESS = `subscription($f: ObjectiveProgressChangedFilter) { objectiveProgressChanged(filter: $f) { id progress status } }`;
const ASSIGNED = `subscription { taskAssigned { id title assignee { id } squad { id } } }`;

describe('planning subscriptions', () => {
  it('deliver check-ins (filtered by squad and objective) and the progress they roll up to', async () => {
    const org = await createOrg(app);
    const lead = await addMember(app, org, 'SQUAD_LEAD');
    const squadA = await createSquad(app, org, lead.userId, 'A');
    const squadB = await createSquad(app, org, lead.userId, 'B');
    const cycleId = await createCycle(app, org);
    const otherCycle = await createCycle(app, org);
    const company = await createObjective(app, org, { cycleId, title: '公司目标' });
    const objA = await createObjective(app, lead, { cycleId, squadId: squadA, parentId: company.id });
    const objB = await createObjective(app, lead, { cycleId: otherCycle, squadId: squadB });
    const krA = await createKeyResult(app, lead, { objectiveId: objA.id, startValue: '0', targetValue: '100' });
    const krB = await createKeyResult(app, lead, { objectiveId: objB.id });

    const client = wsClient(app.url, { authorization: `Bearer ${org.token}` });
    const bySquad = subscribe(client, CHECKED_IN, { f: { squadId: squadA } });
    const byObjective = subscribe(client, CHECKED_IN, { f: { objectiveId: objB.id } });
    const progress = subscribe(client, PROGRESS, { f: { cycleId } });
    await settle(300);

    ok(await checkIn(app, lead, krA.id, 1, '50', 0.8, '进展顺利'));
    ok(await checkIn(app, lead, krB.id, 1, '1100', 0.5));

    const event = (await bySquad.next()) as any;
    expect(event.keyResultCheckedIn).toMatchObject({
      checkIn: { value: '50', confidence: 0.8, note: '进展顺利', author: { id: lead.userId } },
      keyResult: { id: krA.id, currentValue: '50', progress: 0.5, status: 'ON_TRACK', version: 2, objective: { id: objA.id } },
    });
    expect(((await byObjective.next()) as any).keyResultCheckedIn.keyResult.id).toBe(krB.id);
    const changed = [(await progress.next()) as any, (await progress.next()) as any].map((e) => e.objectiveProgressChanged);
    expect(changed).toEqual(
      expect.arrayContaining([
        { id: objA.id, progress: 0.5, status: 'ON_TRACK' },
        { id: company.id, progress: 0.5, status: 'ON_TRACK' },
      ]),
    );
    await settle(300);
    expect(bySquad.pending()).toEqual([]); // krB is in squad B
    expect(byObjective.pending()).toEqual([]);
    expect(progress.pending()).toEqual([]); // objB is in another cycle
    await client.dispose();
  });

  it('deliver task assignments to the assignee only, on creation and reassignment', async () => {
    const org = await createOrg(app);
    const lead = await addMember(app, org, 'SQUAD_LEAD');
    const emily = await addMember(app, org, 'MEMBER', 'Emily');
    const wei = await addMember(app, org, 'MEMBER', '伟');
    const squadId = await createSquad(app, org, lead.userId);
    const emilyClient = wsClient(app.url, { authorization: `Bearer ${emily.token}` });
    const weiClient = wsClient(app.url, { authorization: `Bearer ${wei.token}` });
    const forEmily = subscribe(emilyClient, ASSIGNED);
    const forWei = subscribe(weiClient, ASSIGNED);
    await settle(300);

    const task = await createTask(app, lead, { squadId, assigneeId: emily.userId, title: '写周报' });
    expect(((await forEmily.next()) as any).taskAssigned).toEqual({ id: task.id, title: '写周报', assignee: { id: emily.userId }, squad: { id: squadId } });
    await createTask(app, lead, { squadId, title: '无人认领' });
    ok(
      await app.gql(`mutation($i: UpdateTaskInput!) { updateTask(input: $i) { task { id } } }`, { i: { id: task.id, assigneeId: wei.userId, expectedVersion: 1 } }, lead),
    );
    expect(((await forWei.next()) as any).taskAssigned).toMatchObject({ id: task.id, assignee: { id: wei.userId } });
    await settle(300);
    expect(forEmily.pending()).toEqual([]);
    expect(forWei.pending()).toEqual([]);
    await emilyClient.dispose();
    await weiClient.dispose();
  });
});
