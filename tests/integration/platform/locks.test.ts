import 'reflect-metadata';
import type { QueryRunner } from 'typeorm';
import type { Context } from '../../../src/common/context';
import { decodeGlobalId, toGlobalId } from '../../../src/common/ids';
import { runCountingStatements } from '../../../src/common/statement-scope';
import { lockById, lockByIds, lockIds, type LockMode } from '../../../src/db/locks';
import { systemContext } from '../../../src/db/system-context';
import { withTransaction } from '../../../src/db/transaction';
import { Squad, squadById } from '../../../src/modules/squads';
import { createOrg, type TestOrg } from '../../support/factories';
import { createSquad } from '../../support/planning';
import { startTestApp, type TestApp } from '../../support/test-app';

/**
 * The kit's row locks (src/db/locks.ts) on the real database: always within the caller's
 * organisation, in id order, NOT_FOUND only for a missing row, and the row read once and primed.
 */

let app: TestApp;
let a: { org: TestOrg; uuid: string; squads: string[] };
let b: { org: TestOrg; uuid: string; squad: string };

const uuid = (id: string) => decodeGlobalId(id)!.id;

beforeAll(async () => {
  app = await startTestApp();
  const orgA = await createOrg(app);
  const orgB = await createOrg(app);
  const squads: string[] = [];
  for (const name of ['甲', '乙', '丙']) squads.push(uuid(await createSquad(app, orgA, orgA.userId, name)));
  a = { org: orgA, uuid: uuid(orgA.organizationId), squads: squads.sort() };
  b = { org: orgB, uuid: uuid(orgB.organizationId), squad: uuid(await createSquad(app, orgB, orgB.userId, '丁')) };
});
afterAll(() => app.stop());

/** A second connection in a transaction of its own, with a short lock timeout. */
async function session(): Promise<QueryRunner> {
  const qr = app.ds.createQueryRunner();
  await qr.connect();
  await qr.startTransaction();
  await qr.query(`SET LOCAL lock_timeout = '200ms'`);
  return qr;
}

/** Waits until some session waits for a lock the session `pid` holds. */
async function waitUntilBlockedBy(pid: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const [{ n }] = await app.ds.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`, [pid]);
    if (n > 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`nobody waited for session ${pid}`);
}

/** Whether `qr` can take `lock` on the squad at once (55P03 when another holds a conflicting one). */
async function canLock(qr: QueryRunner, id: string, lock: string): Promise<boolean> {
  await qr.query('SAVEPOINT probe');
  try {
    await qr.query(`SELECT 1 FROM squads WHERE id = $1 FOR ${lock} NOWAIT`, [id]);
    return true;
  } catch (err) {
    if ((err as { driverError?: { code?: string } }).driverError?.code !== '55P03') throw err;
    return false;
  } finally {
    await qr.query('ROLLBACK TO SAVEPOINT probe');
  }
}

/** Runs `fn` in a transaction of organisation A, with `probe` (another connection) while the lock is held. */
async function whileLocked<T>(fn: (tx: Context) => Promise<T>, probe: (other: QueryRunner) => Promise<void>): Promise<T> {
  const other = await session();
  try {
    return await withTransaction(systemContext(app.ds, a.uuid), async (tx) => {
      const result = await fn(tx);
      await probe(other);
      return result;
    });
  } finally {
    await other.rollbackTransaction();
    await other.release();
  }
}

describe('lockById', () => {
  it("locks and returns a row of the caller's organisation, mapped once and primed into its by-id loader", async () => {
    const ctx = systemContext(app.ds, a.uuid);
    await withTransaction(ctx, async (tx) => {
      // A value the loader held before the lock is replaced by the row read under the lock.
      await squadById(tx).load(a.squads[0]);
      await tx.manager.query(`UPDATE squads SET name = '甲 (renamed)' WHERE id = $1`, [a.squads[0]]);
      const scope = { count: 0, statements: [] as string[] };
      const squad = await runCountingStatements(scope, () => lockById(tx, Squad, a.squads[0]));
      expect(scope.count).toBe(1);
      expect(scope.statements[0]).toMatch(/FOR UPDATE$/);
      expect(squad).toBeInstanceOf(Squad);
      expect(squad).toMatchObject({ id: a.squads[0], organizationId: a.uuid, name: '甲 (renamed)', version: 1 });
      const again = await runCountingStatements(scope, () => squadById(tx).load(a.squads[0]));
      expect(again).toBe(squad);
      expect(scope.count).toBe(1);
    });
  });

  it("is NOT_FOUND for a row of another organisation, like a missing one, naming the type, the id and the field", async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const id of [b.squad, missing]) {
      const error = await withTransaction(systemContext(app.ds, a.uuid), (tx) => lockById(tx, Squad, id, { field: 'squadId' })).catch((e) => e);
      expect(error.extensions).toEqual({ code: 'NOT_FOUND', field: 'squadId' });
      expect(error.message).toBe(`Squad ${toGlobalId('Squad', id)} was not found`);
    }
    // B's row was not locked by A's attempt: B locks it at once.
    const other = await session();
    try {
      expect(await canLock(other, b.squad, 'UPDATE')).toBe(true);
    } finally {
      await other.rollbackTransaction();
      await other.release();
    }
  });

  it('never turns another error into NOT_FOUND: a lock timeout reaches the caller as it is', async () => {
    const holder = await session();
    try {
      await holder.query(`SELECT 1 FROM squads WHERE id = $1 FOR UPDATE`, [a.squads[1]]);
      const error = await withTransaction(systemContext(app.ds, a.uuid), async (tx) => {
        await tx.manager.query(`SET LOCAL lock_timeout = '100ms'`);
        return lockById(tx, Squad, a.squads[1]);
      }).catch((e) => e);
      expect(error.extensions?.code).not.toBe('NOT_FOUND');
      expect(error.driverError?.code ?? error.code).toBe('55P03');
    } finally {
      await holder.rollbackTransaction();
      await holder.release();
    }
  });

  it.each<[LockMode, { keyShare: boolean; share: boolean; noKeyUpdate: boolean }]>([
    ['UPDATE', { keyShare: false, share: false, noKeyUpdate: false }],
    ['NO KEY UPDATE', { keyShare: true, share: false, noKeyUpdate: false }],
    ['SHARE', { keyShare: true, share: true, noKeyUpdate: false }],
  ])('FOR %s lets others take exactly the locks PostgreSQL allows beside it', async (mode, allowed) => {
    const seen: Record<string, boolean> = {};
    await whileLocked(
      (tx) => lockById(tx, Squad, a.squads[2], { mode }),
      async (other) => {
        seen.keyShare = await canLock(other, a.squads[2], 'KEY SHARE');
        seen.share = await canLock(other, a.squads[2], 'SHARE');
        seen.noKeyUpdate = await canLock(other, a.squads[2], 'NO KEY UPDATE');
      },
    );
    expect(seen).toEqual(allowed);
  });

  it('refuses to run outside a transaction, where the lock would end with its statement', async () => {
    await expect(lockById(systemContext(app.ds, a.uuid), Squad, a.squads[0])).rejects.toThrow(/outside a transaction/);
  });
});

describe('lockByIds', () => {
  it('locks in id order whatever order the ids come in, and returns the rows in id order', async () => {
    const [low, mid, high] = a.squads;
    const holder = await session();
    const waiter = await session();
    try {
      // Another transaction holds the highest id: a lock taken in id order has the others by the time it waits.
      await holder.query(`SELECT 1 FROM squads WHERE id = $1 FOR UPDATE`, [high]);
      const [{ pid }] = await holder.query(`SELECT pg_backend_pid() AS pid`);
      const pending = withTransaction(systemContext(app.ds, a.uuid), (tx) => lockByIds(tx, Squad, [high, low, mid, low]));
      await waitUntilBlockedBy(pid);
      expect(await canLock(waiter, low, 'UPDATE')).toBe(false);
      expect(await canLock(waiter, mid, 'UPDATE')).toBe(false);
      await holder.rollbackTransaction();
      const rows = await pending;
      expect(rows.map((r) => r.id)).toEqual([low, mid, high]);
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
      await waiter.rollbackTransaction();
      await waiter.release();
    }
  });

  it("is NOT_FOUND when one of the rows is another organisation's, unless they are optional", async () => {
    const ctx = systemContext(app.ds, a.uuid);
    const error = await withTransaction(ctx, (tx) => lockByIds(tx, Squad, [a.squads[0], b.squad], { field: 'squadIds' })).catch((e) => e);
    expect(error.extensions).toEqual({ code: 'NOT_FOUND', field: 'squadIds' });
    expect(error.message).toContain(toGlobalId('Squad', b.squad));
    const found = await withTransaction(ctx, (tx) => lockByIds(tx, Squad, [b.squad, a.squads[0]], { required: false }));
    expect(found.map((r) => r.id)).toEqual([a.squads[0]]);
    expect(await withTransaction(ctx, (tx) => lockByIds(tx, Squad, []))).toEqual([]);
  });

  it('lockIds locks without reading the rows, in one statement', async () => {
    const scope = { count: 0, statements: [] as string[] };
    const ids = await runCountingStatements(scope, () =>
      withTransaction(systemContext(app.ds, a.uuid), (tx) => lockIds(tx, Squad, [a.squads[2], a.squads[0]], { mode: 'NO KEY UPDATE' })),
    );
    expect(ids).toEqual([a.squads[0], a.squads[2]]);
    const lock = scope.statements.find((s) => s.includes('FOR NO KEY UPDATE'))!;
    expect(lock).toMatch(/^SELECT c\.id FROM "squads" c WHERE .*organization_id/);
    const error = await withTransaction(systemContext(app.ds, b.uuid), (tx) => lockIds(tx, Squad, [a.squads[0]])).catch((e) => e);
    expect(error.extensions?.code).toBe('NOT_FOUND');
  });
});
