import { toGlobalId } from '../../../src/common/ids';
import { seedDemo } from '../../../seeds/demo';
import { DEMO } from '../../../seeds/ids';
import { DEMO_BUDGET_ROWS } from '../../../seeds/budgets';
import { ok, startTestApp, type TestApp } from '../../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

async function logIn(email: string) {
  const token = ok(await app.gql(`mutation($i: LogInInput!) { logIn(input: $i) { token } }`, { i: { email, password: DEMO.password } })).logIn.token;
  return { token };
}

describe('budgets demo seed', () => {
  it('loads the quarterly budgets once, linked to the KPIs of the KPI seed, with a pending adjustment for finance', async () => {
    // The KPI seed runs first and creates new_users, gmv and visitors.
    await seedDemo(app.ds);
    await seedDemo(app.ds);
    const finance = await logIn(DEMO.users.finance.email);
    const budgets = ok(
      await app.gql(`{ budgets(filter: { activeOn: "2026-05-15" }) { totalCount nodes { id name hardCap planned spent squad { id }
        lines { name kind planned spent kpis { key } reservePool toleratedLoss } adjustments(filter: { status: PENDING }) { totalCount } } } }`, {}, finance),
    ).budgets;
    expect(budgets.totalCount).toBe(2);
    const byId = Object.fromEntries(budgets.nodes.map((b: any) => [b.id, b]));
    const orgBudget = byId[toGlobalId('Budget', DEMO.budgets.organizationQ2)];
    const squadBudget = byId[toGlobalId('Budget', DEMO.budgets.creatorsQ2)];
    expect(orgBudget).toMatchObject({ planned: '1570000.00', spent: '1129500.00', squad: null, hardCap: false });
    expect(squadBudget).toMatchObject({ planned: '242000.00', spent: '189900.00', squad: { id: toGlobalId('Squad', DEMO.plan.squadCreators) }, hardCap: true });
    expect(squadBudget.adjustments.totalCount).toBe(1);
    expect(orgBudget.lines.find((l: any) => l.name === '平台流量').kpis).toEqual([{ key: 'new_users' }, { key: 'visitors' }]);
    expect(orgBudget.lines.find((l: any) => l.reservePool)).toMatchObject({ name: '实验资源池', toleratedLoss: '0.3' });
    expect(new Set(orgBudget.lines.map((l: any) => l.kind))).toEqual(new Set(['FIXED', 'VARIABLE']));
    // The sums the lines store equal their expenses (the seed ran twice).
    const [{ stored, summed }] = await app.ds.query(
      `SELECT (SELECT sum(spent) FROM budget_lines WHERE organization_id = $1)::text AS stored,
              (SELECT sum(amount) FROM expenses WHERE organization_id = $1 AND voided_at IS NULL)::text AS summed`,
      [DEMO.organizationId],
    );
    expect(stored).toBe(summed);
    const work = ok(await app.gql(`{ myWork(first: 20) { nodes { kind subject { id } } } }`, {}, finance)).myWork.nodes;
    expect(work.filter((n: any) => n.kind === 'BUDGET_ADJUSTMENT_PENDING')).toEqual([
      { kind: 'BUDGET_ADJUSTMENT_PENDING', subject: { id: toGlobalId('BudgetAdjustment', DEMO_BUDGET_ROWS.adjustment) } },
    ]);
  });
});
