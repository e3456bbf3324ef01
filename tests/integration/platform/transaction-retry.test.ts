import type { QueryRunner } from 'typeorm';
import { decodeGlobalId } from '../../../src/common/ids';
import { createOrg } from '../../support/factories';
import { addBudgetLine, createBudget, recordExpense } from '../../support/budgets';
import { checkIn, createCycle, createKeyResult, createObjective } from '../../support/planning';
import { capturedLogger } from '../../support/log-capture';
import { ok, startTestApp, type TestApp } from '../../support/test-app';
import { settle, subscribe, wsClient } from '../../support/ws';

/**
 * withTransaction runs a transaction that PostgreSQL aborted with a deadlock once more, and
 * answers RETRY when the second attempt fails the same way. The deadlocks here are real: a
 * second connection holds a row the mutation needs, waits for one the mutation holds, and lets
 * PostgreSQL pick the mutation as the victim (its own deadlock_timeout is far longer).
 */

const { logger: serverLogger, lines: logLines } = capturedLogger('warn');

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ logger: serverLogger });
});
afterAll(() => app.stop());

const uuid = (id: string) => decodeGlobalId(id)!.id;

/** A connection of its own, in a transaction, that is never the deadlock's victim. */
async function blocker(): Promise<{ qr: QueryRunner; pid: number }> {
  const qr = app.ds.createQueryRunner();
  await qr.connect();
  await qr.startTransaction();
  await qr.query(`SET LOCAL deadlock_timeout = '60s'`);
  const [{ pid }] = await qr.query(`SELECT pg_backend_pid() AS pid`);
  return { qr, pid };
}

/** Waits until some other session waits for a lock `pid` holds. */
async function waitUntilBlockedBy(pid: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const [{ n }] = await app.ds.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`, [pid]);
    if (n > 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`nobody waited for session ${pid}`);
}

/**
 * Makes the server's transaction, which holds `first` and waits for `waited` (held by `b`), the
 * victim of a deadlock: `b` asks for `first`. Inside a savepoint, rolled back afterwards, so `b`
 * keeps only what it held before.
 */
async function deadlock(b: { qr: QueryRunner; pid: number }, first: string, params: unknown[]): Promise<void> {
  await waitUntilBlockedBy(b.pid);
  await b.qr.query(`SAVEPOINT victim`);
  await b.qr.query(first, params); // returns once PostgreSQL has aborted the server's transaction
  await b.qr.query(`ROLLBACK TO SAVEPOINT victim`);
}

const retriesLogged = (since: number) => logLines.slice(since).filter((l) => l.includes('transaction retried after a deadlock')).length;

async function world() {
  const org = await createOrg(app);
  const budget = await createBudget(app, org);
  const line = await addBudgetLine(app, org, { budgetId: budget.id, planned: '1000' });
  return { org, budget, line };
}

const UPDATE_KR = `mutation($i: UpdateKeyResultInput!) { updateKeyResult(input: $i) { keyResult { id weight version } } }`;

const LOCK_LINE = `SELECT 1 FROM budget_lines WHERE id = $1 FOR UPDATE`;
const LOCK_BUDGET = `SELECT 1 FROM budgets WHERE id = $1 FOR UPDATE`;

describe('transactions aborted by a deadlock', () => {
  it('are run once more: the client sees one success, and one expense is booked and audited', async () => {
    const { org, budget, line } = await world();
    const logsBefore = logLines.length;
    const b = await blocker();
    try {
      await b.qr.query(LOCK_LINE, [uuid(line.id)]);
      // The mutation locks the budget, then waits for the line; b then asks for the budget.
      const pending = recordExpense(app, org, { budgetLineId: line.id, amount: '12.50' });
      await deadlock(b, LOCK_BUDGET, [uuid(budget.id)]);
      // The second attempt waits for the line again: the server retried by itself.
      await waitUntilBlockedBy(b.pid);
      await b.qr.rollbackTransaction();
      const result = ok(await pending).recordExpense;
      expect(result).toMatchObject({ expense: { amount: '12.50' }, budgetLine: { spent: '12.50' }, budget: { spent: '12.50' } });
    } finally {
      if (b.qr.isTransactionActive) await b.qr.rollbackTransaction();
      await b.qr.release();
    }
    expect(retriesLogged(logsBefore)).toBe(1);
    const [{ n, total }] = await app.ds.query(`SELECT count(*)::int AS n, sum(amount)::text AS total FROM expenses WHERE budget_line_id = $1`, [uuid(line.id)]);
    expect({ n, total }).toEqual({ n: 1, total: '12.5' });
    const [{ audited }] = await app.ds.query(`SELECT count(*)::int AS audited FROM audit_events WHERE organization_id = $1 AND action = 'expense.recorded'`, [
      uuid(org.organizationId),
    ]);
    expect(audited).toBe(1);
  });

  it('publish only what the attempt that committed announced', async () => {
    const org = await createOrg(app);
    const cycleId = await createCycle(app, org);
    const objective = await createObjective(app, org, { cycleId });
    const kr = await createKeyResult(app, org, { objectiveId: objective.id });
    const client = wsClient(app.url, { authorization: `Bearer ${org.token}`, organizationId: org.organizationId });
    const events = subscribe<any>(client, `subscription { planningEvents(filter: { types: [KEY_RESULT_UPDATED] }) { type entityId } }`);
    await settle();
    const logsBefore = logLines.length;
    const b = await blocker();
    let first: any;
    try {
      // A new weight: the key result is written and its change announced (after commit), then
      // its objective's roll-up waits for b. (A check-in locks the objective before it writes.)
      await b.qr.query(`SELECT 1 FROM objectives WHERE id = $1 FOR UPDATE`, [uuid(objective.id)]);
      const pending = app.gql(UPDATE_KR, { i: { id: kr.id, weight: '2', expectedVersion: kr.version } }, org);
      await deadlock(b, `SELECT 1 FROM key_results WHERE id = $1 FOR UPDATE`, [uuid(kr.id)]);
      await b.qr.rollbackTransaction();
      first = ok(await pending).updateKeyResult;
    } finally {
      if (b.qr.isTransactionActive) await b.qr.rollbackTransaction();
      await b.qr.release();
    }
    expect(retriesLogged(logsBefore)).toBe(1);
    expect(first.keyResult.weight).toBe('2');
    const second = ok(await app.gql(UPDATE_KR, { i: { id: kr.id, weight: '3', expectedVersion: first.keyResult.version } }, org)).updateKeyResult;
    expect(second.keyResult.version).toBe(first.keyResult.version + 1);
    // One event per committed change: none from the attempt that was rolled back.
    expect((await events.next()).planningEvents).toEqual({ type: 'KEY_RESULT_UPDATED', entityId: kr.id });
    expect((await events.next()).planningEvents).toEqual({ type: 'KEY_RESULT_UPDATED', entityId: kr.id });
    await settle();
    expect(events.pending()).toEqual([]);
    await events.close();
    await client.dispose();
    const [{ n }] = await app.ds.query(`SELECT count(*)::int AS n FROM audit_events WHERE entity_id = $1 AND action = 'key_result.updated'`, [uuid(kr.id)]);
    expect(n).toBe(2);
  });

  it('a check-in that deadlocks on its key result is run once more and announced once', async () => {
    const org = await createOrg(app);
    const cycleId = await createCycle(app, org);
    const objective = await createObjective(app, org, { cycleId });
    const kr = await createKeyResult(app, org, { objectiveId: objective.id });
    const client = wsClient(app.url, { authorization: `Bearer ${org.token}`, organizationId: org.organizationId });
    const events = subscribe<any>(client, `subscription { planningEvents(filter: { types: [KEY_RESULT_CHECKED_IN] }) { type entityId } }`);
    await settle();
    const logsBefore = logLines.length;
    const b = await blocker();
    let first: any;
    try {
      // The check-in locks its objective's chain, then its key-result write waits for b.
      await b.qr.query(`SELECT 1 FROM key_results WHERE id = $1 FOR UPDATE`, [uuid(kr.id)]);
      const pending = checkIn(app, org, kr.id, kr.version, '1100');
      await deadlock(b, `SELECT 1 FROM objectives WHERE id = $1 FOR UPDATE`, [uuid(objective.id)]);
      await b.qr.rollbackTransaction();
      first = ok(await pending).checkInKeyResult;
    } finally {
      if (b.qr.isTransactionActive) await b.qr.rollbackTransaction();
      await b.qr.release();
    }
    expect(retriesLogged(logsBefore)).toBe(1);
    const second = ok(await checkIn(app, org, kr.id, first.keyResult.version, '1200')).checkInKeyResult;
    expect((await events.next()).planningEvents).toEqual({ type: 'KEY_RESULT_CHECKED_IN', entityId: first.checkIn.id });
    expect((await events.next()).planningEvents).toEqual({ type: 'KEY_RESULT_CHECKED_IN', entityId: second.checkIn.id });
    await settle();
    expect(events.pending()).toEqual([]);
    await events.close();
    await client.dispose();
    const [{ n }] = await app.ds.query(`SELECT count(*)::int AS n FROM check_ins WHERE key_result_id = $1`, [uuid(kr.id)]);
    expect(n).toBe(2);
  });

  it('twice are answered RETRY (retryable), save nothing, and leave the idempotencyKey free for the client’s retry', async () => {
    const { org, budget, line } = await world();
    const logsBefore = logLines.length;
    const b = await blocker();
    let failed: Awaited<ReturnType<typeof recordExpense>>;
    try {
      await b.qr.query(LOCK_LINE, [uuid(line.id)]);
      const pending = recordExpense(app, org, { budgetLineId: line.id, amount: '7.00', idempotencyKey: 'invoice-2026-0415' });
      await deadlock(b, LOCK_BUDGET, [uuid(budget.id)]);
      await deadlock(b, LOCK_BUDGET, [uuid(budget.id)]);
      failed = await pending;
      await b.qr.rollbackTransaction();
    } finally {
      if (b.qr.isTransactionActive) await b.qr.rollbackTransaction();
      await b.qr.release();
    }
    expect(failed.data).toBeNull();
    expect(failed.errors).toHaveLength(1);
    expect(failed.errors![0].extensions).toEqual({ code: 'RETRY', retryable: true });
    expect(failed.errors![0].message).toMatch(/not saved: send the same request again/);
    expect(retriesLogged(logsBefore)).toBe(1);
    const saved = async () =>
      (await app.ds.query(
        `SELECT (SELECT count(*)::int FROM expenses WHERE budget_line_id = $1) AS expenses,
                (SELECT count(*)::int FROM idempotency_keys WHERE organization_id = $2) AS keys,
                (SELECT count(*)::int FROM audit_events WHERE organization_id = $2 AND action = 'expense.recorded') AS audited`,
        [uuid(line.id), uuid(org.organizationId)],
      ))[0];
    expect(await saved()).toEqual({ expenses: 0, keys: 0, audited: 0 });

    // The client sends the same request again (twice, as clients do): one expense.
    const again = ok(await recordExpense(app, org, { budgetLineId: line.id, amount: '7.00', idempotencyKey: 'invoice-2026-0415' })).recordExpense;
    const replay = ok(await recordExpense(app, org, { budgetLineId: line.id, amount: '7.00', idempotencyKey: 'invoice-2026-0415' })).recordExpense;
    expect(replay.expense.id).toBe(again.expense.id);
    expect(await saved()).toEqual({ expenses: 1, keys: 1, audited: 1 });
  });
});
