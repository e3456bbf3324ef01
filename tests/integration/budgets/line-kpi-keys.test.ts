import { addBudgetLine, createBudget } from '../../support/budgets';
import { createOrg, type TestOrg } from '../../support/factories';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';

let app: TestApp;
let org: TestOrg;
beforeAll(async () => {
  app = await startTestApp();
  org = await createOrg(app);
  for (const key of ['gmv', 'new_users']) {
    ok(await app.gql(`mutation($i: CreateKpiInput!) { createKpi(input: $i) { kpi { id } } }`, { i: { key, name: key, layer: 'TACTICAL' } }, org));
  }
});
afterAll(() => app.stop());

const ADD = `mutation($i: AddBudgetLineInput!) { addBudgetLine(input: $i) { budgetLine { id kpiKeys } } }`;
const UPDATE = `mutation($i: UpdateBudgetLineInput!) { updateBudgetLine(input: $i) { budgetLine { kpiKeys version } } }`;

describe("a budget line's kpiKeys", () => {
  it.each([[['gmv', 'gmv']], [['gmv', 'new_users', 'gmv']], [['gmv', ' gmv ']]])('refuses the same key twice (%j), naming kpiKeys and the key', async (kpiKeys) => {
    const budget = await createBudget(app, org);
    const r = await app.gql(ADD, { i: { budgetId: budget.id, name: '投放', category: 'ads', kind: 'VARIABLE', planned: '100', kpiKeys } }, org);
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].extensions).toMatchObject({ field: 'kpiKeys', keys: ['gmv'] });
    expect(r.errors![0].message).toMatch(/gmv.*twice/);
    const lines = ok(await app.gql(`query($id: ID!) { node(id: $id) { ... on Budget { lines { id } } } }`, { id: budget.id }, org)).node.lines;
    expect(lines).toEqual([]);
  });

  it('refuses it in updateBudgetLine too, and keeps the line as it was', async () => {
    const budget = await createBudget(app, org);
    const line = await addBudgetLine(app, org, { budgetId: budget.id, kpiKeys: ['gmv'] });
    const r = await app.gql(UPDATE, { i: { id: line.id, expectedVersion: line.version, kpiKeys: ['new_users', 'new_users'] } }, org);
    expect(r.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'kpiKeys', keys: ['new_users'] });
    expect(ok(await app.gql(UPDATE, { i: { id: line.id, expectedVersion: line.version, kpiKeys: ['new_users', 'gmv'] } }, org)).updateBudgetLine.budgetLine).toEqual({
      kpiKeys: ['new_users', 'gmv'],
      version: line.version + 1,
    });
  });
});
