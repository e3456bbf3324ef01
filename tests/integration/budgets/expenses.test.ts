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

const LINE = `query($id: ID!) { node(id: $id) { ... on BudgetLine { planned spent remaining burnRate budget { spent planned remaining } } } }`;

describe('expenses', () => {
  it('are booked against a line; its spent, remaining and the budget total follow, exactly', async () => {
    const org = await createOrg(app);
    const budget = await createBudget(app, org);
    const line = await addBudgetLine(app, org, { budgetId: budget.id, planned: '1000.00' });
    const first = ok(await recordExpense(app, org, { budgetLineId: line.id, amount: '0.10', vendor: '抖音' })).recordExpense;
    expect(first.budgetLine).toMatchObject({ spent: '0.10', remaining: '999.90' });
    ok(await recordExpense(app, org, { budgetLineId: line.id, amount: '0.20' }));
    const read = ok(await app.gql(LINE, { id: line.id }, org)).node;
    expect(read).toMatchObject({ planned: '1000.00', spent: '0.30', remaining: '999.70', burnRate: '0.0003', budget: { spent: '0.30', planned: '1000.00', remaining: '999.70' } });
  });

  it('with a hard cap: never past planned, even 100 at once; every accepted one counted once', async () => {
    const org = await createOrg(app);
    const budget = await createBudget(app, org, { hardCap: true });
    const line = await addBudgetLine(app, org, { budgetId: budget.id, planned: '50.00' });
    const results = await Promise.all(Array.from({ length: 100 }, () => recordExpense(app, org, { budgetLineId: line.id, amount: '1.00' })));
    const accepted = results.filter((r) => !r.errors);
    const refused = results.filter((r) => r.errors);
    expect(accepted).toHaveLength(50);
    expect(refused.map(errorCode)).toEqual(Array(50).fill('BUDGET_CAP_EXCEEDED'));
    expect(refused[0].errors![0].message).toMatch(/0 CNY left/);
    const read = ok(await app.gql(LINE, { id: line.id }, org)).node;
    expect(read).toMatchObject({ spent: '50.00', remaining: '0.00', budget: { spent: '50.00' } });
    const [{ n, total }] = await app.ds.query(`SELECT count(*)::int AS n, sum(amount)::text AS total FROM expenses WHERE budget_line_id = $1`, [
      decodeGlobalId(line.id)!.id,
    ]);
    expect({ n, total }).toEqual({ n: 50, total: '50' });
    const over = await recordExpense(app, org, { budgetLineId: line.id, amount: '0.01' });
    expect(errorCode(over)).toBe('BUDGET_CAP_EXCEEDED');
    expect(over.errors![0].extensions).toMatchObject({ remaining: '0.00', currency: 'CNY' });
  });

  it('the same idempotencyKey books one expense, also when sent in parallel', async () => {
    const org = await createOrg(app);
    const budget = await createBudget(app, org);
    const line = await addBudgetLine(app, org, { budgetId: budget.id });
    const results = await Promise.all(
      Array.from({ length: 8 }, () => recordExpense(app, org, { budgetLineId: line.id, amount: '12.34', idempotencyKey: 'retry-1' })),
    );
    const ids = new Set(results.map((r) => ok(r).recordExpense.expense.id));
    expect(ids.size).toBe(1);
    expect(ok(await app.gql(LINE, { id: line.id }, org)).node.spent).toBe('12.34');
  });

  it('a campaignId the organisation does not have is NOT_FOUND; amounts, dates and currency are checked', async () => {
    const org = await createOrg(app);
    const budget = await createBudget(app, org, { currency: 'JPY' });
    const line = await addBudgetLine(app, org, { budgetId: budget.id, planned: '100000' });
    const campaignId = Buffer.from('Campaign:00000000-0000-4000-8000-000000000501').toString('base64url');
    // A campaign the organisation does not have: NOT_FOUND naming campaignId.
    const unknown = await recordExpense(app, org, { budgetLineId: line.id, amount: '100', campaignId });
    expect(unknown.errors![0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'campaignId' });
    const fraction = await recordExpense(app, org, { budgetLineId: line.id, amount: '100.5' });
    expect(fraction.errors![0].message).toMatch(/JPY allows \(0\)/);
    const exponent = await recordExpense(app, org, { budgetLineId: line.id, amount: '1e3' });
    expect(exponent.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amount' });
    expect(exponent.errors![0].message).toMatch(/plain decimal notation/);
    // Amounts are shown at the currency's scale: no decimals in yen.
    const yen = ok(await recordExpense(app, org, { budgetLineId: line.id, amount: '300.0' })).recordExpense;
    expect(yen).toMatchObject({ expense: { amount: '300' }, budgetLine: { spent: '300', remaining: '99700' }, budget: { spent: '300' } });
    expect(errorCode(await recordExpense(app, org, { budgetLineId: line.id, amount: '0.00' }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await recordExpense(app, org, { budgetLineId: line.id, amount: '-5.00' }))).toBe('BAD_USER_INPUT');
    const outside = await recordExpense(app, org, { budgetLineId: line.id, amount: '100', incurredOn: '2026-07-01' });
    expect(outside.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'incurredOn' });
    const bad = await app.gql(`mutation($i: CreateBudgetInput!) { createBudget(input: $i) { budget { id } } }`, {
      i: { name: 'x', periodStart: '2026-04-01', periodEnd: '2026-06-30', currency: 'XYZ' },
    }, org);
    expect(bad.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'currency' });
  });

  it('permissions: FINANCE manages; a SQUAD_LEAD books on their squad’s budget only; MEMBER reads', async () => {
    const org = await createOrg(app);
    const finance = await addMember(app, org, 'FINANCE');
    const lead = await addMember(app, org, 'SQUAD_LEAD');
    const member = await addMember(app, org, 'MEMBER');
    const squadId = await createSquad(app, org, lead.userId);
    expect(errorCode(await app.gql(`mutation($i: CreateBudgetInput!) { createBudget(input: $i) { budget { id } } }`, {
      i: { name: 'x', periodStart: '2026-04-01', periodEnd: '2026-06-30', currency: 'CNY' },
    }, lead))).toBe('FORBIDDEN');
    const squadBudget = await createBudget(app, finance, { squadId });
    const orgBudget = await createBudget(app, finance);
    const squadLine = await addBudgetLine(app, finance, { budgetId: squadBudget.id });
    const orgLine = await addBudgetLine(app, finance, { budgetId: orgBudget.id });
    expect(errorCode(await app.gql(`mutation($i: AddBudgetLineInput!) { addBudgetLine(input: $i) { budgetLine { id } } }`, {
      i: { budgetId: squadBudget.id, name: 'x', category: 'c', kind: 'FIXED', planned: '1' },
    }, lead))).toBe('FORBIDDEN');
    ok(await recordExpense(app, lead, { budgetLineId: squadLine.id }));
    expect(errorCode(await recordExpense(app, lead, { budgetLineId: orgLine.id }))).toBe('FORBIDDEN');
    expect(errorCode(await recordExpense(app, member, { budgetLineId: squadLine.id }))).toBe('FORBIDDEN');
    const read = ok(await app.gql(`query($id: ID!) { budget(id: $id) { squad { id } lines { spent } expenses(first: 5) { totalCount nodes { amount recordedBy { id } } } } }`, { id: squadBudget.id }, member)).budget;
    expect(read).toMatchObject({ squad: { id: squadId }, lines: [{ spent: '10.00' }], expenses: { totalCount: 1, nodes: [{ amount: '10.00', recordedBy: { id: lead.userId } }] } });
  });
});
