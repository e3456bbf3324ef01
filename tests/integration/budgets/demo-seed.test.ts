import { toGlobalId } from '../../../src/common/ids';
import { demoCalendar } from '../../../seeds/calendar';
import { seedDemo } from '../../../seeds/demo';
import { DEMO } from '../../../seeds/ids';
import { DEMO_BUDGET_ROWS } from '../../../seeds/budgets';
import { DEMO_DAYS, logInDemo } from '../../support/demo';
import { ok, startTestApp, type TestApp } from '../../support/test-app';

describe.each(DEMO_DAYS)('budgets demo seed loaded on %s', (today) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.stop());

  it("loads the current quarter's budgets once, spent up to today, linked to the KPIs of the KPI seed, with a pending adjustment for finance", async () => {
    // The KPI seed runs first and creates new_users, gmv, visitors and creator_retention.
    await seedDemo(app.ds, today);
    await seedDemo(app.ds, today);
    const { quarter } = demoCalendar(today);
    const finance = await logInDemo(app, DEMO.users.finance.email);
    const budgets = ok(
      await app.gql(`query($on: Date) { budgets(filter: { activeOn: $on }) { totalCount nodes { id name hardCap planned spent periodStart periodEnd squad { id }
        lines { name kind planned spent kpis { key } reservePool toleratedLoss } adjustments(filter: { status: PENDING }) { totalCount } } } }`, { on: today }, finance),
    ).budgets;
    expect(budgets.totalCount).toBe(2);
    const byId = Object.fromEntries(budgets.nodes.map((b: any) => [b.id, b]));
    const orgBudget = byId[toGlobalId('Budget', DEMO.budgets.organizationQ2)];
    const squadBudget = byId[toGlobalId('Budget', DEMO.budgets.creatorsQ2)];
    expect(orgBudget).toMatchObject({ name: `${quarter.year} Q${quarter.number} 组织预算`, planned: '1570000.00', squad: null, hardCap: false, periodStart: quarter.start, periodEnd: quarter.end });
    expect(squadBudget).toMatchObject({ planned: '242000.00', squad: { id: toGlobalId('Squad', DEMO.plan.squadCreators) }, hardCap: true, periodStart: quarter.start, periodEnd: quarter.end });
    expect(squadBudget.adjustments.totalCount).toBe(1);
    expect(orgBudget.lines.find((l: any) => l.name === '平台流量').kpis).toEqual([{ key: 'new_users' }, { key: 'visitors' }]);
    expect(orgBudget.lines.find((l: any) => l.reservePool)).toMatchObject({ name: '实验资源池', toleratedLoss: '0.3' });
    expect(new Set(orgBudget.lines.map((l: any) => l.kind))).toEqual(new Set(['FIXED', 'VARIABLE']));
    // Spent so far, nothing over plan: every expense in the quarter and not after today.
    for (const b of [orgBudget, squadBudget]) {
      expect(Number(b.spent)).toBeGreaterThan(0);
      for (const l of b.lines) expect(Number(l.spent)).toBeLessThanOrEqual(Number(l.planned));
    }
    const [{ first, last }] = await app.ds.query(
      `SELECT to_char(min(incurred_on), 'YYYY-MM-DD') AS first, to_char(max(incurred_on), 'YYYY-MM-DD') AS last FROM expenses WHERE organization_id = $1`,
      [DEMO.organizationId],
    );
    expect(first >= quarter.start && last <= today).toBe(true);
    // The sums the lines store equal their expenses (the seed ran twice).
    const [{ stored, summed }] = await app.ds.query(
      `SELECT (SELECT sum(spent) FROM budget_lines WHERE organization_id = $1)::text AS stored,
              (SELECT sum(amount) FROM expenses WHERE organization_id = $1 AND voided_at IS NULL)::text AS summed`,
      [DEMO.organizationId],
    );
    expect(stored).toBe(summed);
    // Spend by period reads the demo's expenses too (its daily sums are filled by the seed), the
    // campaign's tagged spend included: by quarter and budget it equals each budget's spent.
    const spend = ok(
      await app.gql(`{ spend(grain: QUARTER, groupBy: [BUDGET]) { budget { id } spent } }`, {}, finance),
    ).spend;
    for (const b of [orgBudget, squadBudget]) {
      expect(spend.filter((r: any) => r.budget.id === b.id).map((r: any) => r.spent)).toEqual([b.spent]);
    }
    const tagged = ok(await app.gql(`{ spend(grain: QUARTER, groupBy: [CAMPAIGN]) { campaignId spent } }`, {}, finance)).spend;
    expect(tagged.some((r: any) => r.campaignId !== null && Number(r.spent) > 0)).toBe(true);
    // Efficiency: every line linked to a KPI reads a cost per unit (the quarter against the quarter before, by day);
    // the lines linked to none say so. The creators' rewards line reads as a cost per point of creator retention.
    const EFFICIENCY = `query($id: ID!) { budgetEfficiency(budgetId: $id) { line { name kpis { key } } kpi { key } spent kpiDelta share attributedChange costPerKpiUnit reason } }`;
    for (const b of [orgBudget, squadBudget]) {
      const rows = ok(await app.gql(EFFICIENCY, { id: b.id }, finance)).budgetEfficiency;
      expect(rows).toHaveLength(b.lines.length);
      for (const e of rows) {
        if (e.line.kpis.length === 0) expect(e).toMatchObject({ kpi: null, costPerKpiUnit: null, reason: 'NO_KPI_LINK' });
        else {
          expect(e).toMatchObject({ kpi: e.line.kpis[0], reason: null });
          // attributedChange is shown to 6 places; the cost is computed from the unrounded one.
          expect(Math.abs(Number(e.costPerKpiUnit) / (Number(e.spent) / Number(e.attributedChange)) - 1)).toBeLessThan(1e-5);
        }
      }
    }
    const efficiency = ok(await app.gql(EFFICIENCY, { id: squadBudget.id }, finance)).budgetEfficiency;
    const rewards = efficiency.find((e: any) => e.line.name === '创作者激励');
    expect(rewards.kpi).toEqual({ key: 'creator_retention' });
    expect(rewards.share).toBe('1');
    expect(Number(rewards.kpiDelta)).toBeGreaterThan(0);
    expect(Number(rewards.costPerKpiUnit)).toBeGreaterThan(0);
    const work = ok(await app.gql(`{ myWork(first: 20) { nodes { kind subject { id } } } }`, {}, finance)).myWork.nodes;
    expect(work.filter((n: any) => n.kind === 'BUDGET_ADJUSTMENT_PENDING')).toEqual([
      { kind: 'BUDGET_ADJUSTMENT_PENDING', subject: { id: toGlobalId('BudgetAdjustment', DEMO_BUDGET_ROWS.adjustment) } },
    ]);
  });
});
