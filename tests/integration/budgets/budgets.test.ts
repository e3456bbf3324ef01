import { decodeGlobalId } from '../../../src/common/ids';
import { addMember, createOrg } from '../../support/factories';
import { addBudgetLine, createBudget, recordExpense } from '../../support/budgets';
import { createSquad } from '../../support/planning';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const UPDATE = `mutation($i: UpdateBudgetLineInput!) { updateBudgetLine(input: $i) {
  budgetLine { name category kind planned spent kpiKeys reservePool toleratedLoss version } budget { planned } } }`;

describe('budgets and lines', () => {
  it('lines are edited with expectedVersion; the budget total follows; a hard cap keeps planned ≥ spent', async () => {
    const org = await createOrg(app);
    const finance = await addMember(app, org, 'FINANCE');
    const member = await addMember(app, org, 'MEMBER');
    const budget = await createBudget(app, finance, { hardCap: true });
    const line = await addBudgetLine(app, finance, { budgetId: budget.id, planned: '1000' });
    await addBudgetLine(app, finance, { budgetId: budget.id, planned: '500' });
    ok(await recordExpense(app, finance, { budgetLineId: line.id, amount: '300' }));
    const edited = ok(await app.gql(UPDATE, { i: { id: line.id, expectedVersion: 1, name: '信息流', category: 'ads', kind: 'FIXED', planned: '800.00' } }, finance)).updateBudgetLine;
    expect(edited).toEqual({
      budgetLine: { name: '信息流', category: 'ads', kind: 'FIXED', planned: '800.00', spent: '300.00', kpiKeys: [], reservePool: false, toleratedLoss: null, version: 2 },
      budget: { planned: '1300.00' },
    });
    const stale = await app.gql(UPDATE, { i: { id: line.id, expectedVersion: 1, name: 'x' } }, finance);
    expect(stale.errors![0].extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 2 });
    const belowSpent = await app.gql(UPDATE, { i: { id: line.id, expectedVersion: 2, planned: '299.99' } }, finance);
    expect(errorCode(belowSpent)).toBe('BUDGET_CAP_EXCEEDED');
    expect(errorCode(await app.gql(UPDATE, { i: { id: line.id, expectedVersion: 2, planned: '1.00' } }, member))).toBe('FORBIDDEN');
    const pool = ok(await app.gql(UPDATE, { i: { id: line.id, expectedVersion: 2, reservePool: true, toleratedLoss: '0.25' } }, org)).updateBudgetLine.budgetLine;
    expect(pool).toMatchObject({ reservePool: true, toleratedLoss: '0.25', version: 3 });
    const notPool = ok(await app.gql(UPDATE, { i: { id: line.id, expectedVersion: 3, reservePool: false } }, org)).updateBudgetLine.budgetLine;
    expect(notPool).toMatchObject({ reservePool: false, toleratedLoss: null });
    expect(errorCode(await app.gql(UPDATE, { i: { id: line.id, expectedVersion: 4, toleratedLoss: '0.3' } }, org))).toBe('BAD_USER_INPUT');
    expect(errorCode(await app.gql(UPDATE, { i: { id: line.id, expectedVersion: 4, planned: '-1.00' } }, org))).toBe('BAD_USER_INPUT');
  });

  it('are listed by squad and by a day in their period; a VIEWER reads and changes nothing', async () => {
    const org = await createOrg(app);
    const lead = await addMember(app, org, 'SQUAD_LEAD');
    const viewer = await addMember(app, org, 'VIEWER');
    const squadId = await createSquad(app, org, lead.userId);
    const q2 = await createBudget(app, org, { name: 'Q2', squadId });
    const q3 = await createBudget(app, org, { name: 'Q3', periodStart: '2026-07-01', periodEnd: '2026-09-30' });
    await createBudget(app, org, { name: 'Q3 squad', squadId, periodStart: '2026-07-01', periodEnd: '2026-09-30' });
    const LIST = `query($f: BudgetsFilter) { budgets(filter: $f, first: 10) { totalCount nodes { name } } }`;
    // Latest period first (ties by id).
    const all = ok(await app.gql(LIST, {}, viewer)).budgets.nodes.map((b: any) => b.name);
    expect([new Set(all.slice(0, 2)), all[2]]).toEqual([new Set(['Q3', 'Q3 squad']), 'Q2']);
    expect(ok(await app.gql(LIST, { f: { squadId } }, viewer)).budgets).toMatchObject({ totalCount: 2 });
    expect(ok(await app.gql(LIST, { f: { activeOn: '2026-06-30' } }, viewer)).budgets.nodes).toEqual([{ name: 'Q2' }]);
    expect(ok(await app.gql(LIST, { f: { activeOn: '2026-07-01', squadId } }, viewer)).budgets.nodes).toEqual([{ name: 'Q3 squad' }]);
    expect(ok(await app.gql(`query($id: ID!) { budget(id: $id) { name squad { id } } }`, { id: q3.id }, viewer)).budget).toEqual({ name: 'Q3', squad: null });
    const line = await addBudgetLine(app, org, { budgetId: q2.id });
    expect(errorCode(await recordExpense(app, viewer, { budgetLineId: line.id }))).toBe('FORBIDDEN');
    const bad = await app.gql(`mutation($i: CreateBudgetInput!) { createBudget(input: $i) { budget { id } } }`, {
      i: { name: 'x', periodStart: '2026-07-01', periodEnd: '2026-06-30', currency: 'CNY' },
    }, org);
    expect(bad.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'periodEnd' });
  });

  it('nested lists under a list of budgets cost the same statements for 2 budgets as for 8', async () => {
    const org = await createOrg(app);
    const make = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const b = await createBudget(app, org, { name: `B${i}` });
        const l = await addBudgetLine(app, org, { budgetId: b.id });
        ok(await recordExpense(app, org, { budgetLineId: l.id }));
        ok(await app.gql(`mutation($i: RequestBudgetAdjustmentInput!) { requestBudgetAdjustment(input: $i) { budgetAdjustment { id } } }`, {
          i: { budgetId: b.id, toLineId: l.id, amount: '1', reason: '追加' },
        }, org));
      }
    };
    const Q = `{ budgets(first: 20) { nodes { name status squad { name } lines { name spent burnRate reserveDrawn }
      expenses(first: 5) { totalCount nodes { amount line { name } recordedBy { id } } }
      adjustments(first: 5) { totalCount nodes { amount overdue toLine { name } requestedBy { id } } } } } }`;
    await make(2);
    const few = await app.gql(Q, {}, org);
    expect(ok(few).budgets.nodes).toHaveLength(2);
    await make(6);
    const many = await app.gql(Q, {}, org);
    expect(ok(many).budgets.nodes).toHaveLength(8);
    expect(many.statements).toBeLessThanOrEqual(few.statements + 1);
  });

  it("a line of another organisation under one's budget (a row moved by hand) is never listed in Budget.lines", async () => {
    const a = await createOrg(app, '组织 A');
    const b = await createOrg(app, '组织 B');
    const aBudget = await createBudget(app, a);
    const aLine = await addBudgetLine(app, a, { budgetId: aBudget.id, name: 'A 的投放', planned: '700' });
    const bBudget = await createBudget(app, b);
    const bLine = await addBudgetLine(app, b, { budgetId: bBudget.id, name: 'B 的投放', planned: '300' });
    // A's line now points at B's budget, but stays A's (organization_id).
    await app.ds.query(`UPDATE budget_lines SET budget_id = $1 WHERE id = $2`, [decodeGlobalId(bBudget.id)!.id, decodeGlobalId(aLine.id)!.id]);
    const LINES = `query($id: ID!) { budget(id: $id) { lines { id name planned } } }`;
    expect(ok(await app.gql(LINES, { id: bBudget.id }, b)).budget.lines).toEqual([{ id: bLine.id, name: 'B 的投放', planned: '300.00' }]);
    // The same through a list of budgets (one batch for every budget).
    const LIST = `{ budgets(first: 10) { nodes { id lines { id } } } }`;
    expect(ok(await app.gql(LIST, {}, b)).budgets.nodes).toEqual([{ id: bBudget.id, lines: [{ id: bLine.id }] }]);
    expect(ok(await app.gql(LINES, { id: aBudget.id }, a)).budget.lines).toEqual([]);
  });

  it('permissions: a SQUAD_LEAD voids and requests on their squad’s budgets only; a MEMBER neither', async () => {
    const org = await createOrg(app);
    const lead = await addMember(app, org, 'SQUAD_LEAD');
    const otherLead = await addMember(app, org, 'SQUAD_LEAD');
    const member = await addMember(app, org, 'MEMBER');
    const squadId = await createSquad(app, org, lead.userId);
    await createSquad(app, org, otherLead.userId, '另一个小组');
    const budget = await createBudget(app, org, { squadId });
    const line = await addBudgetLine(app, org, { budgetId: budget.id });
    const VOID = `mutation($i: VoidExpenseInput!) { voidExpense(input: $i) { expense { voidedAt voidedBy { id } } } }`;
    const REQUEST = `mutation($i: RequestBudgetAdjustmentInput!) { requestBudgetAdjustment(input: $i) { budgetAdjustment { id } } }`;
    const expense = ok(await recordExpense(app, lead, { budgetLineId: line.id })).recordExpense.expense.id;
    for (const who of [otherLead, member]) {
      expect(errorCode(await app.gql(VOID, { i: { id: expense, reason: '无权' } }, who))).toBe('FORBIDDEN');
      expect(errorCode(await app.gql(REQUEST, { i: { budgetId: budget.id, toLineId: line.id, amount: '1.00', reason: 'x' } }, who))).toBe('FORBIDDEN');
      expect(errorCode(await recordExpense(app, who, { budgetLineId: line.id }))).toBe('FORBIDDEN');
    }
    ok(await app.gql(REQUEST, { i: { budgetId: budget.id, toLineId: line.id, amount: '1', reason: '追加' } }, lead));
    expect(errorCode(await app.gql(VOID, { i: { id: expense, reason: ' ' } }, lead))).toBe('BAD_USER_INPUT');
    const voided = ok(await app.gql(VOID, { i: { id: expense, reason: '录错' } }, lead)).voidExpense.expense;
    expect(voided.voidedBy).toEqual({ id: lead.userId });
    // Reads are open to every member.
    const read = ok(await app.gql(`query($id: ID!) { budgetEfficiency(budgetId: $id) { spent } budgetBurn(budgetId: $id, grain: WEEK) { spentCumulative }
      budgetAdjustments(first: 5) { totalCount } }`, { id: budget.id }, member));
    expect(read.budgetEfficiency).toEqual([{ spent: '0.00' }]);
    expect(read.budgetAdjustments.totalCount).toBe(1);
  });
});
