import { decodeGlobalId } from '../../../src/common/ids';
import { addMember, createOrg } from '../../support/factories';
import { addBudgetLine, createBudget, recordExpense } from '../../support/budgets';
import { createSquad } from '../../support/planning';
import { capturedLogger } from '../../support/log-capture';
import { errorCode, ok, startTestApp, type Caller, type GqlResult, type TestApp } from '../../support/test-app';

/** The server's warnings and errors, to see a deadlock even when the retry hid it from the client. */
const { logger: serverLogger, lines: logLines } = capturedLogger('warn');

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ logger: serverLogger });
});
afterAll(() => app.stop());

const uuid = (id: string) => decodeGlobalId(id)!.id;
const VOID = `mutation($i: VoidExpenseInput!) { voidExpense(input: $i) { expense { id } } }`;
const UPDATE_LINE = `mutation($i: UpdateBudgetLineInput!) { updateBudgetLine(input: $i) { budgetLine { id version } } }`;
const REQUEST = `mutation($i: RequestBudgetAdjustmentInput!) { requestBudgetAdjustment(input: $i) { budgetAdjustment { id } } }`;
const APPROVE = `mutation($i: DecideBudgetAdjustmentInput!) { approveBudgetAdjustment(input: $i) { budgetAdjustment { id status } } }`;
const REJECT = `mutation($i: DecideBudgetAdjustmentInput!) { rejectBudgetAdjustment(input: $i) { budgetAdjustment { id status } } }`;
const SETTINGS = `mutation($i: SetBudgetSettingsInput!) { setBudgetSettings(input: $i) { settings { fastTrackDecisionHours } } }`;
const LINE_VERSION = `query($id: ID!) { node(id: $id) { ... on BudgetLine { version } } }`;

const ROUNDS = 3;
/** Each side of a pair runs this many times at once, in every round. */
const EACH = 2;
const DAYS = ['2026-04-01', '2026-04-15', '2026-05-20'];

/**
 * The stored sums against their recomputation from the expenses: every line's and budget's
 * spent, every line's daily sums, every budget's planned total.
 */
async function storedSumsMismatches(organizationId: string): Promise<unknown[]> {
  const org = uuid(organizationId);
  const lines = await app.ds.query(
    `SELECT l.id, l.spent::text AS stored,
            (SELECT coalesce(sum(e.amount), 0)::text FROM expenses e WHERE e.budget_line_id = l.id AND e.voided_at IS NULL) AS recomputed
       FROM budget_lines l WHERE l.organization_id = $1`,
    [org],
  );
  const daily = await app.ds.query(
    `SELECT d.budget_line_id, d.day, d.amount::text AS stored,
            (SELECT coalesce(sum(e.amount), 0)::text FROM expenses e
              WHERE e.budget_line_id = d.budget_line_id AND e.incurred_on = d.day AND e.voided_at IS NULL) AS recomputed
       FROM budget_spend_daily d WHERE d.organization_id = $1`,
    [org],
  );
  const budgets = await app.ds.query(
    `SELECT b.id, b.spent::text AS stored_spent, b.planned::text AS stored_planned,
            (SELECT coalesce(sum(e.amount), 0)::text FROM expenses e WHERE e.budget_id = b.id AND e.voided_at IS NULL) AS spent,
            (SELECT coalesce(sum(l.spent), 0)::text FROM budget_lines l WHERE l.budget_id = b.id) AS lines_spent,
            (SELECT coalesce(sum(l.planned), 0)::text FROM budget_lines l WHERE l.budget_id = b.id) AS planned
       FROM budgets b WHERE b.organization_id = $1`,
    [org],
  );
  return [
    ...lines.filter((r: any) => r.stored !== r.recomputed),
    ...daily.filter((r: any) => r.stored !== r.recomputed),
    ...budgets.filter((r: any) => r.stored_spent !== r.spent || r.lines_spent !== r.spent || r.stored_planned !== r.planned),
  ];
}

describe('budget writes running at the same time', () => {
  it('8 expenses at once on 1, 2 or 4 lines of one budget all succeed, without a single deadlock', async () => {
    const org = await createOrg(app);
    const before = logLines.length;
    const failed: Record<number, number> = {};
    for (const n of [1, 2, 4]) {
      const budget = await createBudget(app, org);
      const lines: Array<{ id: string }> = [];
      for (let i = 0; i < n; i++) lines.push(await addBudgetLine(app, org, { budgetId: budget.id, planned: '100000' }));
      failed[n] = 0;
      for (let round = 0; round < 5; round++) {
        const results = await Promise.all(Array.from({ length: 8 }, (_, i) => recordExpense(app, org, { budgetLineId: lines[i % n].id, amount: '1.00' })));
        failed[n] += results.filter((r) => r.errors).length;
      }
    }
    expect(failed).toEqual({ 1: 0, 2: 0, 4: 0 });
    expect(logLines.slice(before).filter((l) => /deadlock/.test(l))).toEqual([]);
    expect(await storedSumsMismatches(org.organizationId)).toEqual([]);
  });

  it('every pair of budget mutations, run together round after round: no deadlock, no internal error, stored sums exact', async () => {
    const org = await createOrg(app);
    const finance = await addMember(app, org, 'FINANCE');
    const lead = await addMember(app, org, 'SQUAD_LEAD');
    const squadId = await createSquad(app, org, lead.userId);
    const budget = await createBudget(app, finance, { squadId });
    const l1 = await addBudgetLine(app, finance, { budgetId: budget.id, name: '平台流量', planned: '1000000' });
    const l2 = await addBudgetLine(app, finance, { budgetId: budget.id, name: 'KOL 合作', planned: '1000000' });
    const l3 = await addBudgetLine(app, finance, { budgetId: budget.id, name: '用户激励', planned: '1000000' });
    const pool = await createBudget(app, finance, { name: '资源池' });
    const reserve = await addBudgetLine(app, finance, { budgetId: pool.id, name: '储备', planned: '1000000', reservePool: true });

    type Op = { name: string; run: (k: number) => Promise<GqlResult> };
    let k = 0;
    const next = () => k++;
    const ops: Op[] = [];
    // Objects each call of an op consumes (an expense voided, an adjustment decided), made beforehand.
    const calls = ROUNDS * EACH * (10 + 2); // paired with each of the 10 other ops, and twice with itself
    const request = (from: { id: string }, to: { id: string }) =>
      app.gql(REQUEST, { i: { budgetId: budget.id, fromLineId: from.id, toLineId: to.id, amount: '1', reason: '并发测试' } }, lead);
    /** `calls` results of `make`, made 8 at a time. */
    const made = async (make: (i: number) => Promise<string>) => {
      const out: string[] = [];
      while (out.length < calls) out.push(...(await Promise.all(Array.from({ length: Math.min(8, calls - out.length) }, (_, i) => make(out.length + i)))));
      return out;
    };
    const pending = (from: { id: string }, to: { id: string }) =>
      made(async () => ok(await request(from, to)).requestBudgetAdjustment.budgetAdjustment.id);
    // On one line: expenses on one line never deadlocked, even before the lock order was fixed.
    const expenses = await made(async (i) => ok(await recordExpense(app, finance, { budgetLineId: l2.id, amount: '3.00', incurredOn: DAYS[i % 3] })).recordExpense.expense.id);
    const toApprove = await pending(l2, l3);
    const toReject = await pending(l1, l2);
    const fromReserve = await pending(reserve, l3);

    const updateLine = async (n: number): Promise<GqlResult> => {
      // A client that re-reads the version when another change got there first.
      for (let attempt = 0; ; attempt++) {
        const version = ok(await app.gql(LINE_VERSION, { id: l3.id }, finance)).node.version;
        const r = await app.gql(UPDATE_LINE, { i: { id: l3.id, expectedVersion: version, planned: String(900000 + n) } }, finance);
        if (errorCode(r) !== 'CONFLICT' || attempt === 20) return r;
      }
    };
    const as = (caller: Caller, line: { id: string }, amount: string) => (n: number) =>
      recordExpense(app, caller, { budgetLineId: line.id, amount, incurredOn: DAYS[n % 3] });
    ops.push(
      { name: 'recordExpense line 1', run: as(lead, l1, '1.00') },
      { name: 'recordExpense line 2', run: as(finance, l2, '2.00') },
      { name: 'recordExpense reserve', run: as(finance, reserve, '0.50') },
      { name: 'voidExpense', run: () => app.gql(VOID, { i: { id: expenses.pop()!, reason: '重复' } }, finance) },
      { name: 'addBudgetLine', run: (n) => app.gql(`mutation($i: AddBudgetLineInput!) { addBudgetLine(input: $i) { budgetLine { id } } }`, { i: { budgetId: budget.id, name: `新增 ${n}`, category: 'media', kind: 'VARIABLE', planned: '10' } }, finance) },
      { name: 'updateBudgetLine', run: updateLine },
      { name: 'requestBudgetAdjustment', run: () => request(l1, l2) },
      { name: 'approveBudgetAdjustment', run: () => app.gql(APPROVE, { i: { id: toApprove.pop()! } }, finance) },
      { name: 'approveBudgetAdjustment from a reserve pool', run: () => app.gql(APPROVE, { i: { id: fromReserve.pop()! } }, org) },
      { name: 'rejectBudgetAdjustment', run: () => app.gql(REJECT, { i: { id: toReject.pop()! } }, finance) },
      { name: 'setBudgetSettings', run: (n) => app.gql(SETTINGS, { i: { fastTrackDecisionHours: 1 + (n % 48) } }, finance) },
    );
    expect(ops).toHaveLength(11);

    const logsBefore = logLines.length;
    const failures: Array<{ pair: string; op: string; error: unknown }> = [];
    for (let i = 0; i < ops.length; i++) {
      for (let j = i; j < ops.length; j++) {
        const [a, b] = [ops[i], ops[j]];
        for (let round = 0; round < ROUNDS; round++) {
          const runs = [...Array(EACH).fill(a), ...Array(EACH).fill(b)] as Op[];
          const results = await Promise.all(runs.map((op) => op.run(next())));
          results.forEach((r, n) => {
            if (r.errors) failures.push({ pair: `${a.name} + ${b.name}`, op: runs[n].name, error: r.errors[0].extensions?.code ?? r.errors[0].message });
          });
        }
      }
    }
    expect(failures).toEqual([]);
    // Not one deadlock or serialization failure, not even one the retry made invisible.
    expect(logLines.slice(logsBefore).filter((l) => /deadlock|serialization/.test(l))).toEqual([]);
    expect(await storedSumsMismatches(org.organizationId)).toEqual([]);
    const [{ decided }] = await app.ds.query(
      `SELECT count(*) FILTER (WHERE status <> 'PENDING')::int AS decided FROM budget_adjustments WHERE organization_id = $1`,
      [uuid(org.organizationId)],
    );
    expect(decided).toBe(3 * calls - toApprove.length - toReject.length - fromReserve.length);
  }, 300_000); // ~25 s; each deadlock costs PostgreSQL's deadlock_timeout (1 s) before it is detected
});
