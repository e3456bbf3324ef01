import { decodeGlobalId } from '../../../src/common/ids';
import { createOrg } from '../../support/factories';
import { addBudgetLine, createBudget, recordExpense, squadBudgetWorld } from '../../support/budgets';
import { createCampaign } from '../../support/campaigns';
import { createSquad } from '../../support/planning';
import { errorCode, ok, startTestApp, type Caller, type TestApp } from '../../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const uuid = (id: string) => decodeGlobalId(id)?.id ?? id;
const UPDATE = `mutation($i: UpdateBudgetInput!) { updateBudget(input: $i) { budget { id name hardCap periodStart periodEnd currency version squad { id } } } }`;
const ARCHIVE = `mutation($i: VersionedBudgetInput!) { archiveBudget(input: $i) { budget { id version archivedAt } } }`;
const RESTORE = `mutation($i: VersionedBudgetInput!) { restoreBudget(input: $i) { budget { id version archivedAt } } }`;
const REMOVE_LINE = `mutation($i: VersionedBudgetLineInput!) { removeBudgetLine(input: $i) { removedBudgetLineId budget { id planned version lines { id } } } }`;
const ARCHIVE_LINE = `mutation($i: VersionedBudgetLineInput!) { archiveBudgetLine(input: $i) { budgetLine { id archivedAt version } budget { id planned } } }`;
const REQUEST = `mutation($i: RequestBudgetAdjustmentInput!) { requestBudgetAdjustment(input: $i) { budgetAdjustment { id status version } } }`;
const WITHDRAW = `mutation($i: WithdrawBudgetAdjustmentInput!) { withdrawBudgetAdjustment(input: $i) { budgetAdjustment { id status version decidedBy { id } } } }`;
const APPROVE = `mutation($i: DecideBudgetAdjustmentInput!) { approveBudgetAdjustment(input: $i) { budgetAdjustment { id status } } }`;
const ADD_LINE = `mutation($i: AddBudgetLineInput!) { addBudgetLine(input: $i) { budgetLine { id } } }`;
const BUDGET = `query($id: ID!) { budget(id: $id) { id name version planned spent archivedAt lines { id name planned spent archivedAt } } }`;
const VOID = `mutation($i: VoidExpenseInput!) { voidExpense(input: $i) { expense { id } } }`;
const AUDIT = `query($id: ID) { auditEvents(first: 10, filter: { entityId: $id }) { nodes { action before after } } }`;

const iso = (d: Date) => d.toISOString().slice(0, 10);
const daysFromToday = (n: number) => iso(new Date(Date.now() + n * 86_400_000));

const world = () => squadBudgetWorld(app);

const version = async (as: Caller, id: string): Promise<number> => ok(await app.gql(BUDGET, { id }, as)).budget.version;

describe('updateBudget', () => {
  it('changes name, owner and end date at the version read; audited with before and after; CONFLICT when stale', async () => {
    const { org, finance, lead, squadId, budget } = await world();
    expect(errorCode(await app.gql(UPDATE, { i: { id: budget.id, expectedVersion: 1, name: 'x' } }, lead))).toBe('FORBIDDEN');
    const blank = await app.gql(UPDATE, { i: { id: budget.id, expectedVersion: 1, name: '   ' } }, finance);
    expect(errorCode(blank)).toBe('BAD_USER_INPUT');

    const updated = ok(await app.gql(UPDATE, { i: { id: budget.id, expectedVersion: 1, name: '  2026 Q2 品牌预算 ', squadId: null, periodEnd: '2026-07-31' } }, finance))
      .updateBudget.budget;
    expect(updated).toMatchObject({ name: '2026 Q2 品牌预算', squad: null, periodStart: '2026-04-01', periodEnd: '2026-07-31', currency: 'CNY', version: 2 });
    const stale = await app.gql(UPDATE, { i: { id: budget.id, expectedVersion: 1, name: '旧' } }, finance);
    expect(stale.errors![0].extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 2 });

    // Back to the squad (OWNER may too); a squad of another organisation is not found.
    const back = ok(await app.gql(UPDATE, { i: { id: budget.id, expectedVersion: 2, squadId } }, org)).updateBudget.budget;
    expect(back).toMatchObject({ squad: { id: squadId }, version: 3, name: '2026 Q2 品牌预算' });
    const other = await createOrg(app);
    const foreignSquad = await createSquad(app, other, other.userId, '别的小组');
    const foreign = await app.gql(UPDATE, { i: { id: budget.id, expectedVersion: 3, squadId: foreignSquad } }, finance);
    expect(foreign.errors![0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'squadId' });

    const audit = ok(await app.gql(AUDIT, { id: budget.id }, org)).auditEvents.nodes;
    const change = audit.find((a: any) => a.action === 'budget.updated' && a.after.version === 2);
    expect(change.before).toMatchObject({ name: '2026 Q2 运营预算', periodEnd: '2026-06-30', squadId });
    expect(change.after).toMatchObject({ name: '2026 Q2 品牌预算', periodEnd: '2026-07-31', squadId: null });
  });

  it('periodEnd follows the period rules and is never before the latest non-void expense', async () => {
    const { finance, budget, media } = await world();
    const late = ok(await recordExpense(app, finance, { budgetLineId: media.id, amount: '300', incurredOn: '2026-05-10' })).recordExpense.expense;
    ok(await recordExpense(app, finance, { budgetLineId: media.id, amount: '10', incurredOn: '2026-04-20' }));
    const early = await app.gql(UPDATE, { i: { id: budget.id, expectedVersion: 1, periodEnd: '2026-05-09' } }, finance);
    expect(early.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'periodEnd', latestExpenseOn: '2026-05-10' });
    expect(early.errors![0].message).toMatch(/2026-05-10/);
    const beforeStart = await app.gql(UPDATE, { i: { id: budget.id, expectedVersion: 1, periodEnd: '2026-03-31' } }, finance);
    expect(beforeStart.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'periodEnd' });
    const tooLong = await app.gql(UPDATE, { i: { id: budget.id, expectedVersion: 1, periodEnd: '2028-04-01' } }, finance);
    expect(tooLong.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'periodEnd' });
    expect(ok(await app.gql(UPDATE, { i: { id: budget.id, expectedVersion: 1, periodEnd: '2026-05-10' } }, finance)).updateBudget.budget.periodEnd).toBe('2026-05-10');
    // A void expense no longer holds the end date.
    ok(await app.gql(VOID, { i: { id: late.id, reason: '重复录入' } }, finance));
    expect(ok(await app.gql(UPDATE, { i: { id: budget.id, expectedVersion: 2, periodEnd: '2026-04-30' } }, finance)).updateBudget.budget.periodEnd).toBe('2026-04-30');
  });

  it('periodEnd never cuts into the closed days: PERIOD_CLOSED naming periodEnd, nothing changed', async () => {
    const { finance, budget } = await world();
    ok(await app.gql(`mutation($i: CloseBudgetPeriodInput!) { closeBudgetPeriod(input: $i) { budget { closedThrough } } }`, { i: { budgetId: budget.id, through: '2026-05-31' } }, finance));
    const cut = await app.gql(UPDATE, { i: { id: budget.id, expectedVersion: 2, periodEnd: '2026-05-15' } }, finance);
    expect(cut.errors![0].extensions).toMatchObject({ code: 'PERIOD_CLOSED', field: 'periodEnd', closedThrough: '2026-05-31' });
    expect(await version(finance, budget.id)).toBe(2);
    // Ending on the last closed day is allowed: the period is then closed in full.
    expect(ok(await app.gql(UPDATE, { i: { id: budget.id, expectedVersion: 2, periodEnd: '2026-05-31' } }, finance)).updateBudget.budget.periodEnd).toBe('2026-05-31');
  });

  it('turning the hard cap on is refused while a line is over plan, naming the line', async () => {
    const { finance, budget, media, rewards } = await world();
    ok(await recordExpense(app, finance, { budgetLineId: rewards.id, amount: '600' }));
    ok(await recordExpense(app, finance, { budgetLineId: media.id, amount: '100' }));
    const refused = await app.gql(UPDATE, { i: { id: budget.id, expectedVersion: 1, hardCap: true } }, finance);
    expect(refused.errors![0].extensions).toMatchObject({ code: 'BUDGET_CAP_EXCEEDED', field: 'hardCap', line: '用户激励', budgetLineId: rewards.id });
    expect(refused.errors![0].message).toMatch(/用户激励/);
    ok(
      await app.gql(`mutation($i: UpdateBudgetLineInput!) { updateBudgetLine(input: $i) { budgetLine { id } } }`, {
        i: { id: rewards.id, expectedVersion: rewards.version, planned: '600' },
      }, finance),
    );
    expect(ok(await app.gql(UPDATE, { i: { id: budget.id, expectedVersion: 1, hardCap: true } }, finance)).updateBudget.budget).toMatchObject({ hardCap: true, version: 2 });
    expect(errorCode(await recordExpense(app, finance, { budgetLineId: rewards.id, amount: '0.01' }))).toBe('BUDGET_CAP_EXCEEDED');
  });
});

describe('archiveBudget and restoreBudget', () => {
  it('an archived budget leaves the lists and the overviews, takes nothing new, and its expenses stay in the ledger', async () => {
    const { org, finance, lead, squadId } = await world();
    const period = { periodStart: daysFromToday(-20), periodEnd: daysFromToday(20), squadId };
    const kept = await createBudget(app, finance, { ...period, name: '保留预算' });
    const test = await createBudget(app, finance, { ...period, name: '测试预算' });
    await addBudgetLine(app, finance, { budgetId: kept.id, name: '保留线', planned: '100' });
    const testLine = await addBudgetLine(app, finance, { budgetId: test.id, name: '测试线', planned: '700' });
    const today = daysFromToday(0);
    const booked = ok(await recordExpense(app, lead, { budgetLineId: testLine.id, amount: '70', incurredOn: today })).recordExpense.expense;
    const v = await version(finance, test.id);

    expect(errorCode(await app.gql(ARCHIVE, { i: { id: test.id, expectedVersion: v } }, lead))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(ARCHIVE, { i: { id: test.id, expectedVersion: v + 1 } }, finance))).toBe('CONFLICT');
    const archived = ok(await app.gql(ARCHIVE, { i: { id: test.id, expectedVersion: v } }, finance)).archiveBudget.budget;
    expect(archived.version).toBe(v + 1);
    expect(archived.archivedAt).toEqual(expect.any(String));
    expect(errorCode(await app.gql(ARCHIVE, { i: { id: test.id, expectedVersion: v + 1 } }, finance))).toBe('INVALID_TRANSITION');

    const names = async (filter?: object) =>
      ok(await app.gql(`query($f: BudgetsFilter) { budgets(filter: $f, first: 50) { totalCount nodes { name } } }`, { f: filter ?? null }, lead)).budgets.nodes.map(
        (b: any) => b.name,
      );
    expect((await names()).sort()).toEqual(['2026 Q2 运营预算', '保留预算']);
    expect(await names({ archived: true })).toEqual(['测试预算']);
    expect(ok(await app.gql(BUDGET, { id: test.id }, lead)).budget.archivedAt).toEqual(archived.archivedAt);

    // Overviews and the squad's week count the active budgets only.
    const overview = ok(await app.gql(`{ organizationOverview { budgets { currency budgetCount planned spent } } }`, {}, org)).organizationOverview.budgets;
    expect(overview).toEqual([{ currency: 'CNY', budgetCount: 1, planned: '100.00', spent: '0.00' }]);
    const week = ok(
      await app.gql(`query($s: ID!, $d: Date!) { squadWeeklyReport(squadId: $s, weekOf: $d) { spend { budgetName lineName spent } } }`, { s: squadId, d: today }, lead),
    ).squadWeeklyReport.spend;
    expect(week.map((s: any) => s.budgetName)).toEqual(['保留预算']);

    // Nothing new on it: expense, line, adjustment.
    const expense = await recordExpense(app, lead, { budgetLineId: testLine.id, amount: '1', incurredOn: today });
    expect(expense.errors![0].extensions).toMatchObject({ code: 'ARCHIVED', field: 'budgetLineId' });
    const line = await app.gql(ADD_LINE, { i: { budgetId: test.id, name: '新线', category: 'media', kind: 'FIXED', planned: '1' } }, finance);
    expect(line.errors![0].extensions).toMatchObject({ code: 'ARCHIVED', field: 'budgetId' });
    const adj = await app.gql(REQUEST, { i: { budgetId: test.id, toLineId: testLine.id, amount: '1', reason: '加钱' } }, lead);
    expect(adj.errors![0].extensions).toMatchObject({ code: 'ARCHIVED', field: 'budgetId' });
    expect(errorCode(await app.gql(UPDATE, { i: { id: test.id, expectedVersion: v + 1, name: '改名' } }, finance))).toBe('ARCHIVED');

    // The ledger still shows its expense.
    const ledger = ok(
      await app.gql(`query($f: ExpensesFilter) { expenses(filter: $f, first: 10) { totalCount nodes { id } } }`, { f: { budgetIds: [test.id] } }, finance),
    ).expenses;
    expect(ledger.nodes.map((n: any) => n.id)).toEqual([booked.id]);

    // Restored: listed and open again.
    expect(errorCode(await app.gql(RESTORE, { i: { id: kept.id, expectedVersion: 1 } }, finance))).toBe('INVALID_TRANSITION');
    const restored = ok(await app.gql(RESTORE, { i: { id: test.id, expectedVersion: v + 1 } }, finance)).restoreBudget.budget;
    expect(restored).toMatchObject({ archivedAt: null, version: v + 2 });
    expect((await names()).sort()).toEqual(['2026 Q2 运营预算', '保留预算', '测试预算']);
    expect(await names({ archived: true })).toEqual([]);
    ok(await recordExpense(app, lead, { budgetLineId: testLine.id, amount: '1', incurredOn: today }));
  });
});

describe('removeBudgetLine and archiveBudgetLine', () => {
  it('removes a line nothing was booked on: the budget’s planned goes down and its version up', async () => {
    const { org, finance, lead, budget, media, rewards } = await world();
    const v = await version(finance, budget.id);
    expect(errorCode(await app.gql(REMOVE_LINE, { i: { id: rewards.id, expectedVersion: rewards.version } }, lead))).toBe('FORBIDDEN');
    const stale = await app.gql(REMOVE_LINE, { i: { id: rewards.id, expectedVersion: rewards.version + 1 } }, finance);
    expect(stale.errors![0].extensions).toMatchObject({ code: 'CONFLICT', currentVersion: rewards.version });
    const removed = ok(await app.gql(REMOVE_LINE, { i: { id: rewards.id, expectedVersion: rewards.version } }, finance)).removeBudgetLine;
    expect(removed).toEqual({ removedBudgetLineId: rewards.id, budget: { id: budget.id, planned: '1000.00', version: v + 1, lines: [{ id: media.id }] } });
    expect(ok(await app.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: rewards.id }, finance)).node).toBeNull();
    const audit = ok(await app.gql(AUDIT, { id: rewards.id }, org)).auditEvents.nodes;
    expect(audit[0]).toMatchObject({ action: 'budget_line.removed', before: expect.objectContaining({ name: '用户激励', planned: '500' }), after: null });
  });

  it('refuses a line with an expense (even void), an adjustment or a campaign: BUDGET_LINE_IN_USE, archive it instead', async () => {
    const { finance, lead, squadId, budget, media, rewards } = await world();
    const voided = await addBudgetLine(app, finance, { budgetId: budget.id, name: '作废线', planned: '100' });
    const e = ok(await recordExpense(app, finance, { budgetLineId: voided.id, amount: '5' })).recordExpense.expense;
    ok(await app.gql(VOID, { i: { id: e.id, reason: '录错' } }, finance));
    const withVoid = await app.gql(REMOVE_LINE, { i: { id: voided.id, expectedVersion: voided.version } }, finance);
    expect(withVoid.errors![0].extensions).toMatchObject({ code: 'BUDGET_LINE_IN_USE', field: 'id' });
    expect(withVoid.errors![0].message).toMatch(/archiveBudgetLine/);

    // An adjustment naming the line, even withdrawn, keeps it.
    const adj = ok(await app.gql(REQUEST, { i: { budgetId: budget.id, fromLineId: media.id, toLineId: rewards.id, amount: '10', reason: '调剂' } }, lead))
      .requestBudgetAdjustment.budgetAdjustment;
    ok(await app.gql(WITHDRAW, { i: { id: adj.id } }, lead));
    expect(errorCode(await app.gql(REMOVE_LINE, { i: { id: rewards.id, expectedVersion: rewards.version } }, finance))).toBe('BUDGET_LINE_IN_USE');
    expect(errorCode(await app.gql(REMOVE_LINE, { i: { id: media.id, expectedVersion: media.version } }, finance))).toBe('BUDGET_LINE_IN_USE');

    const campaignLine = await addBudgetLine(app, finance, { budgetId: budget.id, name: '活动线', planned: '100' });
    await createCampaign(app, lead, { squadId, budgetLineId: campaignLine.id });
    const withCampaign = await app.gql(REMOVE_LINE, { i: { id: campaignLine.id, expectedVersion: campaignLine.version } }, finance);
    expect(withCampaign.errors![0].extensions).toMatchObject({ code: 'BUDGET_LINE_IN_USE', field: 'id' });
    expect(ok(await app.gql(BUDGET, { id: budget.id }, finance)).budget.lines).toHaveLength(4);
  });

  it('an archived line takes no new expense or adjustment, and stays listed and counted', async () => {
    const { finance, lead, budget, media, rewards } = await world();
    ok(await recordExpense(app, lead, { budgetLineId: rewards.id, amount: '50' }));
    expect(errorCode(await app.gql(ARCHIVE_LINE, { i: { id: rewards.id, expectedVersion: rewards.version } }, lead))).toBe('FORBIDDEN');
    const archived = ok(await app.gql(ARCHIVE_LINE, { i: { id: rewards.id, expectedVersion: rewards.version } }, finance)).archiveBudgetLine;
    expect(archived.budgetLine).toMatchObject({ id: rewards.id, archivedAt: expect.any(String), version: rewards.version + 1 });
    expect(errorCode(await app.gql(ARCHIVE_LINE, { i: { id: rewards.id, expectedVersion: rewards.version + 1 } }, finance))).toBe('INVALID_TRANSITION');
    const expense = await recordExpense(app, lead, { budgetLineId: rewards.id, amount: '1' });
    expect(expense.errors![0].extensions).toMatchObject({ code: 'ARCHIVED', field: 'budgetLineId' });
    const into = await app.gql(REQUEST, { i: { budgetId: budget.id, fromLineId: media.id, toLineId: rewards.id, amount: '1', reason: '调剂' } }, lead);
    expect(into.errors![0].extensions).toMatchObject({ code: 'ARCHIVED', field: 'toLineId' });
    const outOf = await app.gql(REQUEST, { i: { budgetId: budget.id, fromLineId: rewards.id, toLineId: media.id, amount: '1', reason: '调剂' } }, lead);
    expect(outOf.errors![0].extensions).toMatchObject({ code: 'ARCHIVED', field: 'fromLineId' });
    const shown = ok(await app.gql(BUDGET, { id: budget.id }, lead)).budget;
    expect(shown).toMatchObject({ planned: '1500.00', spent: '50.00' });
    expect(shown.lines).toEqual([
      expect.objectContaining({ id: media.id, archivedAt: null }),
      expect.objectContaining({ id: rewards.id, planned: '500.00', spent: '50.00', archivedAt: archived.budgetLine.archivedAt }),
    ]);
  });

  it('an adjustment requested before the line was archived is not approved', async () => {
    const { finance, lead, budget, media, rewards } = await world();
    const adj = ok(await app.gql(REQUEST, { i: { budgetId: budget.id, fromLineId: media.id, toLineId: rewards.id, amount: '10', reason: '调剂' } }, lead))
      .requestBudgetAdjustment.budgetAdjustment;
    ok(await app.gql(ARCHIVE_LINE, { i: { id: rewards.id, expectedVersion: rewards.version } }, finance));
    expect(errorCode(await app.gql(APPROVE, { i: { id: adj.id } }, finance))).toBe('ARCHIVED');
  });
});

describe('removeBudgetLine at the same time as a request naming the line', () => {
  it('either the request is kept and the line stays, or the line is gone and the request refused: never a request lost with its line', async () => {
    const { finance, lead, budget, media } = await world();
    for (let round = 0; round < 6; round += 1) {
      const line = await addBudgetLine(app, finance, { budgetId: budget.id, name: `并发线 ${round}`, planned: '100' });
      const [removed, requested] = await Promise.all([
        app.gql(REMOVE_LINE, { i: { id: line.id, expectedVersion: line.version } }, finance),
        app.gql(REQUEST, { i: { budgetId: budget.id, fromLineId: media.id, toLineId: line.id, amount: '1', reason: `并发 ${round}` } }, lead),
      ]);
      const [{ lines, adjustments }] = await app.ds.query(
        `SELECT (SELECT count(*)::int FROM budget_lines WHERE id = $1) AS lines,
                (SELECT count(*)::int FROM budget_adjustments WHERE reason = $2 AND budget_id = $3) AS adjustments`,
        [uuid(line.id), `并发 ${round}`, uuid(budget.id)],
      );
      if (requested.errors) {
        expect(['NOT_FOUND', 'BAD_USER_INPUT']).toContain(errorCode(requested));
        expect(ok(removed).removeBudgetLine.removedBudgetLineId).toBe(line.id);
        expect({ lines, adjustments }).toEqual({ lines: 0, adjustments: 0 });
      } else {
        expect(errorCode(removed)).toBe('BUDGET_LINE_IN_USE');
        expect({ lines, adjustments }).toEqual({ lines: 1, adjustments: 1 });
      }
    }
  });
});

describe('withdrawBudgetAdjustment', () => {
  it('only its requester, only while pending: it leaves the approvers’ work and the overdue list', async () => {
    const { org, finance, lead, budget, media, rewards } = await world();
    const adj = ok(await app.gql(REQUEST, { i: { budgetId: budget.id, fromLineId: media.id, toLineId: rewards.id, amount: '10', reason: '调剂', fastTrack: true } }, lead))
      .requestBudgetAdjustment.budgetAdjustment;
    await app.ds.query(`UPDATE budget_adjustments SET due_at = now() - interval '1 hour' WHERE id = $1`, [uuid(adj.id)]);
    const pendingWork = async () =>
      ok(await app.gql(`{ myWork(first: 20) { nodes { kind subject { id } } } }`, {}, finance)).myWork.nodes.filter((n: any) => n.kind === 'BUDGET_ADJUSTMENT_PENDING');
    const overdue = async () =>
      ok(await app.gql(`{ budgetAdjustments(first: 20, filter: { overdue: true }) { nodes { id } } }`, {}, finance)).budgetAdjustments.nodes;
    expect(await pendingWork()).toHaveLength(1);
    expect(await overdue()).toHaveLength(1);

    for (const other of [finance, org]) {
      const refused = await app.gql(WITHDRAW, { i: { id: adj.id } }, other);
      expect(errorCode(refused)).toBe('FORBIDDEN');
    }
    expect(errorCode(await app.gql(WITHDRAW, { i: { id: adj.id, expectedVersion: 2 } }, lead))).toBe('CONFLICT');
    const withdrawn = ok(await app.gql(WITHDRAW, { i: { id: adj.id, expectedVersion: 1 } }, lead)).withdrawBudgetAdjustment.budgetAdjustment;
    expect(withdrawn).toEqual({ id: adj.id, status: 'WITHDRAWN', version: 2, decidedBy: null });
    expect(await pendingWork()).toEqual([]);
    expect(await overdue()).toEqual([]);
    const listed = ok(await app.gql(`{ budgetAdjustments(first: 20, filter: { status: WITHDRAWN }) { nodes { id overdue } } }`, {}, finance)).budgetAdjustments.nodes;
    expect(listed).toEqual([{ id: adj.id, overdue: false }]);

    const again = await app.gql(WITHDRAW, { i: { id: adj.id } }, lead);
    expect(errorCode(again)).toBe('INVALID_TRANSITION');
    expect(again.errors![0].message).toMatch(/WITHDRAWN/);
    expect(errorCode(await app.gql(APPROVE, { i: { id: adj.id } }, finance))).toBe('INVALID_TRANSITION');
    // Nothing moved.
    expect(ok(await app.gql(BUDGET, { id: budget.id }, lead)).budget.lines.map((l: any) => l.planned)).toEqual(['1000.00', '500.00']);

    // A decided request cannot be withdrawn either.
    const decided = ok(await app.gql(REQUEST, { i: { budgetId: budget.id, toLineId: rewards.id, amount: '5', reason: '加' } }, lead)).requestBudgetAdjustment
      .budgetAdjustment;
    ok(await app.gql(APPROVE, { i: { id: decided.id } }, finance));
    expect(errorCode(await app.gql(WITHDRAW, { i: { id: decided.id } }, lead))).toBe('INVALID_TRANSITION');
  });
});

describe('statements', () => {
  it('each correction is answered in a bounded number of SQL statements', async () => {
    const { finance, lead, budget, media, rewards } = await world();
    ok(await recordExpense(app, lead, { budgetLineId: media.id, amount: '10' }));
    const spare = await addBudgetLine(app, finance, { budgetId: budget.id, name: '备用', planned: '1' });
    const adj = ok(await app.gql(REQUEST, { i: { budgetId: budget.id, toLineId: media.id, amount: '1', reason: '加' } }, lead)).requestBudgetAdjustment.budgetAdjustment;
    const counts: Record<string, number> = {};
    const run = async (name: string, query: string, i: object, as: Caller) => {
      const r = await app.gql(query, { i }, as);
      ok(r);
      counts[name] = r.statements;
    };
    await run('updateBudget', UPDATE, { id: budget.id, expectedVersion: 1, name: '改名', periodEnd: '2026-06-29', hardCap: true }, finance);
    await run('archiveBudgetLine', ARCHIVE_LINE, { id: rewards.id, expectedVersion: rewards.version }, finance);
    await run('removeBudgetLine', REMOVE_LINE, { id: spare.id, expectedVersion: spare.version }, finance);
    await run('withdrawBudgetAdjustment', WITHDRAW, { id: adj.id }, lead);
    const v = await version(finance, budget.id);
    await run('archiveBudget', ARCHIVE, { id: budget.id, expectedVersion: v }, finance);
    await run('restoreBudget', RESTORE, { id: budget.id, expectedVersion: v + 1 }, finance);
    // Each: the transaction, its locks, its checks, the write, the audit row and the payload; none grows with the budget's size.
    expect(counts).toEqual({
      updateBudget: 9,
      archiveBudgetLine: 8,
      removeBudgetLine: 12,
      withdrawBudgetAdjustment: 7,
      archiveBudget: 6,
      restoreBudget: 6,
    });
  });
});

describe('corrections are announced after commit', () => {
  it('each one publishes its event with the budget’s routing facts', async () => {
    const { finance, lead, budget, media, rewards } = await world();
    const events: Array<{ type: string; entityType: string; entityId: string; budgetId?: string | null }> = [];
    const orgUuid = uuid(finance.organizationId);
    const sub = app.events.pubSub.subscribe(`org:${orgUuid}`);
    const reading = (async () => {
      for await (const e of sub) events.push({ type: e.type, entityType: e.entityType, entityId: e.entityId, budgetId: e.meta?.budgetId });
    })();
    const spare = await addBudgetLine(app, finance, { budgetId: budget.id, name: '备用', planned: '1' });
    ok(await app.gql(UPDATE, { i: { id: budget.id, expectedVersion: 1, name: '改名' } }, finance));
    ok(await app.gql(ARCHIVE_LINE, { i: { id: rewards.id, expectedVersion: rewards.version } }, finance));
    ok(await app.gql(REMOVE_LINE, { i: { id: spare.id, expectedVersion: spare.version } }, finance));
    const adj = ok(await app.gql(REQUEST, { i: { budgetId: budget.id, toLineId: media.id, amount: '1', reason: '加' } }, lead)).requestBudgetAdjustment.budgetAdjustment;
    ok(await app.gql(WITHDRAW, { i: { id: adj.id } }, lead));
    const v = await version(finance, budget.id);
    ok(await app.gql(ARCHIVE, { i: { id: budget.id, expectedVersion: v } }, finance));
    ok(await app.gql(RESTORE, { i: { id: budget.id, expectedVersion: v + 1 } }, finance));
    // A refused correction announces nothing.
    expect(errorCode(await app.gql(RESTORE, { i: { id: budget.id, expectedVersion: v + 2 } }, finance))).toBe('INVALID_TRANSITION');
    await new Promise((r) => setTimeout(r, 100));
    await sub.return?.();
    await reading.catch(() => undefined);
    const b = uuid(budget.id);
    expect(events.filter((e) => e.type !== 'BUDGET_LINE_CREATED' && e.type !== 'BUDGET_ADJUSTMENT_REQUESTED')).toEqual([
      { type: 'BUDGET_UPDATED', entityType: 'Budget', entityId: b, budgetId: b },
      { type: 'BUDGET_LINE_ARCHIVED', entityType: 'BudgetLine', entityId: uuid(rewards.id), budgetId: b },
      { type: 'BUDGET_LINE_REMOVED', entityType: 'BudgetLine', entityId: uuid(spare.id), budgetId: b },
      { type: 'BUDGET_ADJUSTMENT_WITHDRAWN', entityType: 'BudgetAdjustment', entityId: uuid(adj.id), budgetId: b },
      { type: 'BUDGET_ARCHIVED', entityType: 'Budget', entityId: b, budgetId: b },
      { type: 'BUDGET_RESTORED', entityType: 'Budget', entityId: b, budgetId: b },
    ]);
  });
});
