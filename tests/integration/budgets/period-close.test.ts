import { decodeGlobalId } from '../../../src/common/ids';
import { addDays, today } from '../../../src/common/periods';
import { addMember, createOrg } from '../../support/factories';
import { addBudgetLine, createBudget, recordExpense } from '../../support/budgets';
import { createCampaign } from '../../support/campaigns';
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
const CLOSE = `mutation($i: CloseBudgetPeriodInput!) { closeBudgetPeriod(input: $i) { budget { id closedThrough closedAt closedBy { id } version } } }`;
const REOPEN = `mutation($i: ReopenBudgetPeriodInput!) { reopenBudgetPeriod(input: $i) { budget { id closedThrough closedAt closedBy { id } version } } }`;
const BUDGET = `query($id: ID!) { budget(id: $id) { closedThrough closedAt closedBy { id } version spent } }`;
const VOID = `mutation($i: VoidExpenseInput!) { voidExpense(input: $i) { expense { id voidedAt } } }`;
const REQUEST = `mutation($i: RequestBudgetAdjustmentInput!) { requestBudgetAdjustment(input: $i) { budgetAdjustment { id status } } }`;
const APPROVE = `mutation($i: DecideBudgetAdjustmentInput!) { approveBudgetAdjustment(input: $i) { budgetAdjustment { id status } } }`;
const REJECT = `mutation($i: DecideBudgetAdjustmentInput!) { rejectBudgetAdjustment(input: $i) { budgetAdjustment { id status } } }`;

const close = (as: Caller, budgetId: string, through: string, extra: Record<string, unknown> = {}) =>
  app.gql(CLOSE, { i: { budgetId, through, ...extra } }, as);
const reopen = (as: Caller, budgetId: string, through: string | null, reason = '发票补录') =>
  app.gql(REOPEN, { i: { budgetId, through, reason } }, as);
const expenseOn = async (as: Caller, budgetLineId: string, incurredOn: string) =>
  ok(await recordExpense(app, as, { budgetLineId, incurredOn })).recordExpense.expense.id as string;

function expectPeriodClosed(result: GqlResult, field: string, closedThrough: string) {
  expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'PERIOD_CLOSED', field, closedThrough });
  expect(result.errors![0].message).toContain(`The budget is closed through ${closedThrough}`);
}

async function auditOf(action: string, budgetId: string): Promise<Array<{ actor: string; after: any }>> {
  return app.ds.query(`SELECT actor_id AS actor, after FROM audit_events WHERE action = $1 AND entity_id = $2 ORDER BY at`, [action, uuid(budgetId)]);
}

describe('closing a budget period', () => {
  it('FINANCE closes through a day: expenses and voids dated on or before it are refused with PERIOD_CLOSED, later ones go through', async () => {
    const org = await createOrg(app);
    const finance = await addMember(app, org, 'FINANCE');
    const budget = await createBudget(app, finance);
    const line = await addBudgetLine(app, finance, { budgetId: budget.id, planned: '100000' });
    const april = await expenseOn(finance, line.id, '2026-04-15');
    const mayFirst = await expenseOn(finance, line.id, '2026-05-01');
    const { version } = ok(await app.gql(BUDGET, { id: budget.id }, org)).budget;

    const closed = ok(await close(finance, budget.id, '2026-04-30', { expectedVersion: version })).closeBudgetPeriod.budget;
    expect(closed).toMatchObject({ closedThrough: '2026-04-30', closedBy: { id: finance.userId }, version: version + 1 });
    expect(closed.closedAt).toEqual(expect.any(String));
    const [audited] = await auditOf('budget.period_closed', budget.id);
    expect(audited.actor).toBe(uuid(finance.userId));
    expect(audited.after).toMatchObject({ closedThrough: '2026-04-30' });

    // On the last closed day: refused, naming the date; the day after: booked.
    expectPeriodClosed(await recordExpense(app, finance, { budgetLineId: line.id, incurredOn: '2026-04-30' }), 'incurredOn', '2026-04-30');
    expectPeriodClosed(await recordExpense(app, org, { budgetLineId: line.id, incurredOn: '2026-04-01' }), 'incurredOn', '2026-04-30');
    ok(await recordExpense(app, finance, { budgetLineId: line.id, incurredOn: '2026-05-01' }));
    // Voids: an expense incurred in the closed part stays; one after it may be voided.
    expectPeriodClosed(await app.gql(VOID, { i: { id: april, reason: '重复' } }, finance), 'id', '2026-04-30');
    expect(ok(await app.gql(VOID, { i: { id: mayFirst, reason: '重复' } }, finance)).voidExpense.expense.voidedAt).toEqual(expect.any(String));
    // Nothing refused was written: 10.00 of 2026-04-15, 10.00 of 2026-05-01 (the other one void).
    expect(ok(await app.gql(BUDGET, { id: budget.id }, org)).budget.spent).toBe('20.00');

    // Closing further, and through the same day again, is allowed; a stale version is CONFLICT.
    const stale = await close(finance, budget.id, '2026-05-01', { expectedVersion: version });
    expect(stale.errors![0].extensions).toMatchObject({ code: 'CONFLICT', currentVersion: version + 1 });
    ok(await close(finance, budget.id, '2026-04-30'));
    ok(await close(org, budget.id, '2026-05-01'));
    expectPeriodClosed(await app.gql(VOID, { i: { id: mayFirst, reason: '重复' } }, finance), 'id', '2026-05-01');
  });

  it('refuses a day outside the period, after today, or before the current close, naming through; only FINANCE and OWNER close', async () => {
    const org = await createOrg(app);
    const finance = await addMember(app, org, 'FINANCE');
    const admin = await addMember(app, org, 'ADMIN');
    const lead = await addMember(app, org, 'SQUAD_LEAD');
    const squadId = await createSquad(app, org, lead.userId);
    const now = today();
    const current = await createBudget(app, finance, { squadId, periodStart: addDays(now, -10), periodEnd: addDays(now, 10) });
    const q2 = await createBudget(app, finance, { squadId });
    const badThrough = async (budgetId: string, through: string, message: RegExp) => {
      const r = await close(finance, budgetId, through);
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'through' });
      expect(r.errors![0].message).toMatch(message);
    };
    await badThrough(q2.id, '2026-03-31', /within the budget's period, 2026-04-01 to 2026-06-30/);
    await badThrough(q2.id, '2026-07-01', /within the budget's period/);
    await badThrough(current.id, addDays(now, 1), /not be after today/);
    // Today itself may be closed.
    ok(await close(finance, current.id, now));
    ok(await close(finance, q2.id, '2026-05-31'));
    await badThrough(q2.id, '2026-05-30', /closed through 2026-05-31: moving the close back is a reopen/);
    for (const caller of [admin, lead]) expect(errorCode(await close(caller, q2.id, '2026-06-30'))).toBe('FORBIDDEN');
    expect(ok(await app.gql(BUDGET, { id: q2.id }, lead)).budget.closedThrough).toBe('2026-05-31');
  });

  it('only the OWNER reopens, with a reason: back to an earlier day or fully open; audited with the reason', async () => {
    const org = await createOrg(app);
    const finance = await addMember(app, org, 'FINANCE');
    const budget = await createBudget(app, finance);
    const line = await addBudgetLine(app, finance, { budgetId: budget.id, planned: '100000' });
    const april = await expenseOn(finance, line.id, '2026-04-15');
    ok(await close(finance, budget.id, '2026-05-31'));

    expect(errorCode(await reopen(finance, budget.id, '2026-04-10'))).toBe('FORBIDDEN');
    const blank = await reopen(org, budget.id, '2026-04-10', '   ');
    expect(blank.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    const long = await reopen(org, budget.id, '2026-04-10', '长'.repeat(501));
    expect(errorCode(long)).toBe('BAD_USER_INPUT');
    for (const through of ['2026-05-31', '2026-06-15']) {
      expect((await reopen(org, budget.id, through)).errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'through' });
    }
    expect((await reopen(org, budget.id, '2026-03-31')).errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'through' });

    const back = ok(await reopen(org, budget.id, '2026-04-10', '  四月发票补录  ')).reopenBudgetPeriod.budget;
    expect(back).toMatchObject({ closedThrough: '2026-04-10', closedBy: { id: org.userId } });
    const [audited] = await auditOf('budget.period_reopened', budget.id);
    expect(audited.after).toMatchObject({ closedThrough: '2026-04-10', reopenReason: '四月发票补录' });
    // 2026-04-15 is open again: its expense may be voided, and a new one booked.
    ok(await app.gql(VOID, { i: { id: april, reason: '冲销' } }, finance));
    ok(await recordExpense(app, finance, { budgetLineId: line.id, incurredOn: '2026-04-11' }));
    expectPeriodClosed(await recordExpense(app, finance, { budgetLineId: line.id, incurredOn: '2026-04-10' }), 'incurredOn', '2026-04-10');

    const open = ok(await reopen(org, budget.id, null, '全部重开')).reopenBudgetPeriod.budget;
    expect(open).toMatchObject({ closedThrough: null, closedAt: null, closedBy: null });
    ok(await recordExpense(app, finance, { budgetLineId: line.id, incurredOn: '2026-04-01' }));
    expect(errorCode(await reopen(org, budget.id, null))).toBe('INVALID_TRANSITION');
  });

  it('adjustments are dated the day they are requested or decided: refused when that day is closed, and on a fully closed budget', async () => {
    const org = await createOrg(app);
    const finance = await addMember(app, org, 'FINANCE');
    const lead = await addMember(app, org, 'SQUAD_LEAD');
    const squadId = await createSquad(app, org, lead.userId);
    const now = today();
    const budget = await createBudget(app, finance, { squadId, periodStart: addDays(now, -10), periodEnd: addDays(now, 10) });
    const media = await addBudgetLine(app, finance, { budgetId: budget.id, name: '媒体投放', planned: '1000' });
    const rewards = await addBudgetLine(app, finance, { budgetId: budget.id, name: '用户激励', planned: '500' });
    const request = (as: Caller, budgetId: string, from: { id: string } | null, to: { id: string }) =>
      app.gql(REQUEST, { i: { budgetId, fromLineId: from?.id, toLineId: to.id, amount: '10', reason: '调整' } }, as);
    const pendingId = async () => ok(await request(lead, budget.id, media, rewards)).requestBudgetAdjustment.budgetAdjustment.id as string;

    // Closed through yesterday: today is open, requests and approvals go through.
    ok(await close(finance, budget.id, addDays(now, -1)));
    const first = await pendingId();
    expect(ok(await app.gql(APPROVE, { i: { id: first } }, finance)).approveBudgetAdjustment.budgetAdjustment.status).toBe('APPROVED');
    // Closed through today: refused, the request naming budgetId, the approval the adjustment's id.
    const waiting = await pendingId();
    const rejectable = await pendingId();
    ok(await close(finance, budget.id, now));
    expectPeriodClosed(await request(lead, budget.id, media, rewards), 'budgetId', now);
    expectPeriodClosed(await app.gql(APPROVE, { i: { id: waiting } }, finance), 'id', now);
    // Rejecting a pending request moves no money: still allowed.
    expect(ok(await app.gql(REJECT, { i: { id: rejectable } }, finance)).rejectBudgetAdjustment.budgetAdjustment.status).toBe('REJECTED');

    // A budget closed through its last day takes no adjustments at all, whatever today is.
    const q2 = await createBudget(app, finance, { squadId });
    const a = await addBudgetLine(app, finance, { budgetId: q2.id, name: 'A', planned: '1000' });
    const b = await addBudgetLine(app, finance, { budgetId: q2.id, name: 'B', planned: '1000' });
    const beforeClose = ok(await request(lead, q2.id, a, b)).requestBudgetAdjustment.budgetAdjustment.id;
    ok(await close(finance, q2.id, '2026-06-30'));
    expectPeriodClosed(await request(lead, q2.id, null, b), 'budgetId', '2026-06-30');
    expectPeriodClosed(await app.gql(APPROVE, { i: { id: beforeClose } }, finance), 'id', '2026-06-30');
    const [{ planned }] = await app.ds.query(`SELECT planned::text FROM budgets WHERE id = $1`, [uuid(q2.id)]);
    expect(Number(planned)).toBe(2000);

    // A reserve pool of a fully closed budget gives nothing either.
    const pool = await createBudget(app, finance, { name: '资源池' });
    const reserve = await addBudgetLine(app, finance, { budgetId: pool.id, name: '储备', planned: '1000', reservePool: true });
    ok(await reopen(org, budget.id, null));
    const fromPool = ok(await request(lead, budget.id, reserve, rewards)).requestBudgetAdjustment.budgetAdjustment.id;
    ok(await close(finance, pool.id, '2026-06-30'));
    expectPeriodClosed(await request(lead, budget.id, reserve, rewards), 'fromLineId', '2026-06-30');
    expectPeriodClosed(await app.gql(APPROVE, { i: { id: fromPool } }, finance), 'id', '2026-06-30');
  });
});

describe('what a close announces, costs and covers', () => {
  it('close and reopen are announced after commit with the closed day; a refused one announces nothing; the close costs a fixed number of statements', async () => {
    const org = await createOrg(app);
    const budget = await createBudget(app, org);
    const events: Array<{ type: string; entityId: string; meta: unknown }> = [];
    const sub = app.events.pubSub.subscribe(`org:${uuid(org.organizationId)}`);
    const reading = (async () => {
      for await (const e of sub) if (e.type.startsWith('BUDGET_PERIOD')) events.push({ type: e.type, entityId: e.entityId, meta: e.meta });
    })();
    const closing = await close(org, budget.id, '2026-05-31');
    ok(closing);
    expect(errorCode(await close(org, budget.id, '2026-05-30'))).toBe('BAD_USER_INPUT');
    ok(await reopen(org, budget.id, null));
    await new Promise((r) => setTimeout(r, 100));
    await sub.return?.();
    await reading.catch(() => undefined);
    expect(events).toEqual([
      { type: 'BUDGET_PERIOD_CLOSED', entityId: uuid(budget.id), meta: { budgetId: uuid(budget.id), squadId: null, closedThrough: '2026-05-31' } },
      { type: 'BUDGET_PERIOD_REOPENED', entityId: uuid(budget.id), meta: { budgetId: uuid(budget.id), squadId: null, closedThrough: null } },
    ]);
    // The caller's membership, BEGIN, the lock (which reads the row), the versioned update, the
    // audit row, COMMIT, and the payload's closedBy.
    expect(closing.statements).toBe(7);
  });

  it('an expense tagged with a campaign goes through recordExpense: refused on a closed day like any other', async () => {
    const org = await createOrg(app);
    const budget = await createBudget(app, org);
    const line = await addBudgetLine(app, org, { budgetId: budget.id, planned: '10000' });
    const squadId = await createSquad(app, org, org.userId, '活动组');
    const campaign = await createCampaign(app, org, { squadId, budgetLineId: line.id });
    ok(await close(org, budget.id, '2026-05-15'));
    expectPeriodClosed(await recordExpense(app, org, { budgetLineId: line.id, incurredOn: '2026-05-10', campaignId: campaign.id }), 'incurredOn', '2026-05-15');
    ok(await recordExpense(app, org, { budgetLineId: line.id, incurredOn: '2026-05-16', campaignId: campaign.id }));
    const [{ tagged }] = await app.ds.query(`SELECT count(*)::int AS tagged FROM campaign_expenses WHERE campaign_id = $1`, [uuid(campaign.id)]);
    expect(tagged).toBe(1);
  });
});

describe('a close racing expenses on the same day', () => {
  it('each expense is booked before the close (the close saw it) or refused, never booked after it', async () => {
    const org = await createOrg(app);
    const finance = await addMember(app, org, 'FINANCE');
    const before = logLines.length;
    const day = '2026-05-15';
    let booked = 0;
    let refused = 0;
    for (let round = 0; round < 12; round++) {
      const budget = await createBudget(app, finance);
      const line = await addBudgetLine(app, finance, { budgetId: budget.id, planned: '100000' });
      const record = () => recordExpense(app, finance, { budgetLineId: line.id, amount: '1.00', incurredOn: day });
      // Expenses sent before and after the close, all at once: they queue on the budget's lock with it.
      const results = await Promise.all([
        ...Array.from({ length: 4 }, record),
        close(finance, budget.id, day),
        ...Array.from({ length: 4 }, record),
      ]);
      const closing = results.splice(4, 1)[0];
      ok(closing);
      for (const r of results) {
        if (r.errors) expectPeriodClosed(r, 'incurredOn', day);
      }
      const accepted = results.filter((r) => !r.errors).length;
      booked += accepted;
      refused += results.length - accepted;
      // What the close saw under the budget's lock: the spent in its audited snapshot. Every
      // expense dated on or before the closed day that was booked must be counted in it: one
      // committed after the close would show as spent beyond what the close saw.
      const [audited] = await auditOf('budget.period_closed', budget.id);
      const [{ n, total }] = await app.ds.query(
        `SELECT count(*)::int AS n, coalesce(sum(amount), 0)::numeric AS total FROM expenses WHERE budget_id = $1 AND incurred_on <= $2`,
        [uuid(budget.id), day],
      );
      expect({ round, n, total: Number(total) }).toEqual({ round, n: accepted, total: Number(audited.after.spent) });
    }
    // Both outcomes happened: the race was run, not just one side of it.
    expect(booked).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
    expect(logLines.slice(before).filter((l) => /deadlock|retried/.test(l))).toEqual([]);
  });
});
