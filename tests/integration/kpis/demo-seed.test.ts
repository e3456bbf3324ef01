import 'reflect-metadata';
import { toGlobalId } from '../../../src/common/ids';
import { seedDemo } from '../../../seeds/demo';
import { DEMO } from '../../../seeds/ids';
import { ok, startTestApp, type TestApp } from '../../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

it('seeds the AARRR driver tree, twelve weeks with one anomaly, and the key result following retention', async () => {
  await seedDemo(app.ds);
  await seedDemo(app.ds);
  const token = ok(await app.gql(`mutation($i: LogInInput!) { logIn(input: $i) { token } }`, { i: { email: DEMO.users.owner.email, password: DEMO.password } })).logIn.token;
  const as = { token };
  const tree = ok(await app.gql(`{ kpiTree { depth kpi { key status latest { periodStart value } } } }`, {}, as)).kpiTree;
  expect(tree.map((n: any) => n.kpi.key).sort()).toEqual(
    ['aov', 'conversion_rate', 'creator_retention', 'dau', 'dau_mau', 'gmv', 'mau', 'new_users', 'refund_rate', 'visitors'].sort(),
  );
  const by = Object.fromEntries(tree.map((n: any) => [n.kpi.key, n.kpi]));
  // Week 12: 136000 × 0.028 × 92 = 350336 exactly.
  expect(by.gmv.latest).toEqual({ periodStart: '2026-05-18', value: '350336' });
  expect(by.dau_mau.latest.value).toBe('0.18031746031746031746031746031746031746'); // rounded to 38 significant digits
  expect(by.refund_rate.status).toBe('NORMAL');
  const alerts = ok(await app.gql(`{ kpiAlerts(first: 10) { nodes { level periodStart kpi { key } } } }`, {}, as)).kpiAlerts.nodes;
  expect(alerts).toEqual([{ level: 'CRITICAL', periodStart: '2026-04-27', kpi: { key: 'refund_rate' } }]);
  const kr = ok(
    await app.gql(`query($id: ID!) { node(id: $id) { ... on KeyResult { title currentValue kpi { key latest { value } } } } }`, { id: toGlobalId('KeyResult', DEMO.plan.krRetention) }, as),
  ).node;
  expect(kr).toEqual({ title: '创作者留存率提升15%', currentValue: '41.5', kpi: { key: 'creator_retention', latest: { value: '41.5' } } });
  const counts = await app.ds.query(`SELECT (SELECT count(*) FROM kpi_measurements)::int AS m, (SELECT count(*) FROM kpi_alerts)::int AS a`);
  expect(counts).toEqual([{ m: 96, a: 1 }]);
});
