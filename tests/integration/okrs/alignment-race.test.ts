import { decodeGlobalId } from '../../../src/common/ids';
import { createOrg } from '../../support/factories';
import { createCycle, createKeyResult, createObjective } from '../../support/planning';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const UPDATE = `mutation($i: UpdateObjectiveInput!) { updateObjective(input: $i) { objective { id version parent { id } } } }`;
const PROGRESS = `query($id: ID!) { objective(id: $id) { id progress parent { id progress } children { id progress } } }`;
const LIST = `query($c: ID!) { objectives(filter: { cycleId: $c }, first: 100) { nodes { id progress status } } }`;

describe('alignment under concurrent re-parenting', () => {
  it('lets exactly one of two crossing re-alignments win, 20 rounds in a row, and progress keeps answering', async () => {
    const org = await createOrg(app);
    const cycleId = await createCycle(app, org);
    for (let round = 0; round < 20; round++) {
      const o1 = await createObjective(app, org, { cycleId, title: `O1-${round}` });
      const o2 = await createObjective(app, org, { cycleId, title: `O2-${round}` });
      const [a, b] = await Promise.all([
        app.gql(UPDATE, { i: { id: o1.id, parentId: o2.id, expectedVersion: o1.version } }, org),
        app.gql(UPDATE, { i: { id: o2.id, parentId: o1.id, expectedVersion: o2.version } }, org),
      ]);
      const outcomes = [a, b].map((r) => (r.errors ? errorCode(r) : 'OK')).sort();
      expect(outcomes).toEqual(['BAD_USER_INPUT', 'OK']);
      const p = ok(await app.gql(PROGRESS, { id: o1.id }, org));
      expect(typeof p.objective.progress).toBe('number');
    }
    const all = ok(await app.gql(LIST, { c: cycleId }, org));
    expect(all.objectives.nodes).toHaveLength(40);
  });

  it('answers a roll-up that meets a loop with an error instead of waiting on itself', async () => {
    const org = await createOrg(app);
    const cycleId = await createCycle(app, org);
    const o1 = await createObjective(app, org, { cycleId, title: 'loop A' });
    const o2 = await createObjective(app, org, { cycleId, title: 'loop B' });
    await createKeyResult(app, org, { objectiveId: o1.id });
    const outside = await createObjective(app, org, { cycleId, title: 'outside' });
    // A loop written behind the API's back (as a race once could): O1 → O2 → O1.
    await app.ds.query(`UPDATE objectives SET parent_id = $2 WHERE id = $1`, [decodeGlobalId(o1.id)!.id, decodeGlobalId(o2.id)!.id]);
    await app.ds.query(`UPDATE objectives SET parent_id = $2 WHERE id = $1`, [decodeGlobalId(o2.id)!.id, decodeGlobalId(o1.id)!.id]);
    // The score is rolled up when read: the loop is an error, not a wait.
    const one = await app.gql(`query($id: ID!) { objective(id: $id) { id score } }`, { id: o1.id }, org);
    expect(errorCode(one)).toBe('ALIGNMENT_LOOP');
    expect(one.errors![0].message).toMatch(/loop/);
    // Progress and status are stored (rolled up when written): they keep answering, loop included.
    expect(typeof ok(await app.gql(PROGRESS, { id: o1.id }, org)).objective.progress).toBe('number');
    expect(ok(await app.gql(LIST, { c: cycleId }, org)).objectives.nodes).toHaveLength(3);
    // Objectives outside the loop keep their progress.
    expect(ok(await app.gql(PROGRESS, { id: outside.id }, org)).objective.progress).toBe(0);
  });

  it('rolls up parents and children asked for in the same list', async () => {
    const org = await createOrg(app);
    const cycleId = await createCycle(app, org);
    const top = await createObjective(app, org, { cycleId, title: 'top' });
    const mid = await createObjective(app, org, { cycleId, title: 'mid', parentId: top.id });
    await createObjective(app, org, { cycleId, title: 'leaf', parentId: mid.id });
    const list = ok(await app.gql(LIST, { c: cycleId }, org));
    expect(list.objectives.nodes).toHaveLength(3);
  });
});
