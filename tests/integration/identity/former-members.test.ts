import { addMember, createOrg } from '../../support/factories';
import { checkIn, createCycle, createKeyResult, createObjective, createSquad, createTask } from '../../support/planning';
import { ok, startTestApp, type TestApp } from '../../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const REMOVE = `mutation($i: RemoveMemberInput!) { removeMember(input: $i) { removedMemberId } }`;
const SQUAD = `query($id: ID!) {
  squad(id: $id) {
    name lead { id displayName membership { role } }
    objectives(first: 10) { nodes { title owner { id displayName }
      keyResults { title owner { displayName } latestCheckIn { value author { displayName } } } } }
    tasks(first: 10) { nodes { title assignee { displayName } reporter { displayName } } }
  }
}`;

/**
 * A member who leaves keeps their name on what they led, owned, wrote or were assigned: the
 * organisation's plan stays readable. Their user is still not reachable by id (`node`).
 */
describe('work of a member who left the organisation', () => {
  it('still resolves their name in every relation, and nothing else of them', async () => {
    const org = await createOrg(app);
    const lead = await addMember(app, org, 'SQUAD_LEAD', '离职的组长');
    const squadId = await createSquad(app, org, lead.userId);
    const cycleId = await createCycle(app, org);
    const objective = await createObjective(app, lead, { cycleId, squadId, ownerId: lead.userId });
    const kr = await createKeyResult(app, lead, { objectiveId: objective.id, ownerId: lead.userId });
    ok(await checkIn(app, lead, kr.id, kr.version, '1100', 0.8, '进展顺利'));
    await createTask(app, lead, { squadId, assigneeId: lead.userId });

    ok(await app.gql(REMOVE, { i: { memberId: lead.memberId } }, org));

    const squad = ok(await app.gql(SQUAD, { id: squadId }, org)).squad;
    expect(squad.lead).toEqual({ id: lead.userId, displayName: '离职的组长', membership: null });
    const o = squad.objectives.nodes[0];
    expect(o.owner.displayName).toBe('离职的组长');
    expect(o.keyResults[0].owner.displayName).toBe('离职的组长');
    expect(o.keyResults[0].latestCheckIn.author.displayName).toBe('离职的组长');
    expect(squad.tasks.nodes[0]).toMatchObject({ assignee: { displayName: '离职的组长' }, reporter: { displayName: '离职的组长' } });

    const node = ok(await app.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: lead.userId }, org));
    expect(node.node).toBeNull();
  });
});
