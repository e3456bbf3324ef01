import { createOrg } from '../../support/factories';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';
import { ARCHIVE_KPI, createKpi, MOVE_KPI, UPDATE_KPI } from './support';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const TREE = `query($k: String!) { kpiTree(rootKey: $k) { depth kpi { key } } }`;
const PAIRS = 15;

describe('moveKpi under concurrent moves', () => {
  it(`lets exactly one of two crossing moves win, for ${PAIRS} pairs at once, and the tree stays a tree`, async () => {
    const org = await createOrg(app);
    const pairs = await Promise.all(
      Array.from({ length: PAIRS }, async (_, i) => ({ x: await createKpi(app, org, { key: `x${i}` }), y: await createKpi(app, org, { key: `y${i}` }) })),
    );
    // Every pair at once: x under y and y under x.
    const results = await Promise.all(
      pairs.flatMap(({ x, y }) => [
        app.gql(MOVE_KPI, { i: { id: x.id, parentId: y.id, expectedVersion: x.version } }, org),
        app.gql(MOVE_KPI, { i: { id: y.id, parentId: x.id, expectedVersion: y.version } }, org),
      ]),
    );
    for (let i = 0; i < PAIRS; i++) {
      const pair = [results[2 * i], results[2 * i + 1]];
      expect(pair.map((r) => (r.errors ? errorCode(r) : 'OK')).sort()).toEqual(['BAD_USER_INPUT', 'OK']);
      expect(pair.find((r) => r.errors)!.errors![0].message).toMatch(/would make a cycle/);
      // The winner's new parent is the root of a two-KPI tree.
      const winner = pair.findIndex((r) => !r.errors);
      const [child, parent] = winner === 0 ? [`x${i}`, `y${i}`] : [`y${i}`, `x${i}`];
      expect(ok(await app.gql(TREE, { k: parent }, org)).kpiTree).toEqual([
        { depth: 0, kpi: { key: parent } },
        { depth: 1, kpi: { key: child } },
      ]);
      // The parent's formula may use the child; the child's may not use its parent.
      const byKey = Object.fromEntries(pairs.flatMap(({ x, y }, n) => [[`x${n}`, x], [`y${n}`, y]]));
      const kpis = ok(await app.gql(`{ kpis(first: 100) { nodes { key id version } } }`, {}, org)).kpis.nodes;
      const current = (key: string) => kpis.find((k: { key: string }) => k.key === key);
      const refused = await app.gql(UPDATE_KPI, { i: { id: byKey[child].id, expectedVersion: current(child).version, formula: `${parent} * 2` } }, org);
      expect(errorCode(refused)).toBe('BAD_USER_INPUT');
      // Both can be archived, the child first.
      ok(await app.gql(ARCHIVE_KPI, { i: { id: byKey[child].id, expectedVersion: current(child).version } }, org));
      ok(await app.gql(ARCHIVE_KPI, { i: { id: byKey[parent].id, expectedVersion: current(parent).version } }, org));
    }
  });
});
