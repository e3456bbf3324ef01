import { GraphQLError } from 'graphql';
import { Client } from 'pg';
import { createLogger } from '../../../src/common/logger';
import { isDatabaseUnreachable } from '../../../src/db/availability';
import { createDataSource } from '../../../src/db/data-source';
import { freePort } from '../../../src/db/embedded-postgres';
import { createTestDatabase } from '../../support/test-db';

/**
 * The one place that tells an unreachable database from a failed statement
 * (src/db/availability.ts), fed with the errors pg and TypeORM really raise: refused,
 * terminated and closed connections are unreachable (UNAVAILABLE for clients); statements the
 * database refused are not.
 */
let db: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

const failure = async (run: () => Promise<unknown>): Promise<unknown> => {
  try {
    await run();
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
};

async function connected(): Promise<Client> {
  const c = new Client({ connectionString: db.url });
  c.on('error', () => undefined); // a terminated idle client reports here
  await c.connect();
  return c;
}

describe('isDatabaseUnreachable', () => {
  it('holds for a refused connection, from pg and from a TypeORM data source', async () => {
    const url = new URL(db.url);
    url.port = String(await freePort());
    const refused = await failure(() => new Client({ connectionString: url.toString() }).connect());
    expect((refused as { code?: string }).code).toBe('ECONNREFUSED');
    expect(isDatabaseUnreachable(refused)).toBe(true);

    const nowhere = createDataSource(url.toString(), createLogger('silent'), 1);
    const viaTypeorm = await failure(() => nowhere.initialize());
    expect(isDatabaseUnreachable(viaTypeorm)).toBe(true);
    expect(isDatabaseUnreachable(new GraphQLError('wrapped', { originalError: viaTypeorm as Error }))).toBe(true);
  });

  it("holds for a TypeORM query whose connection was terminated (QueryFailedError's driver error)", async () => {
    const ds = createDataSource(db.url, createLogger('silent'), 2);
    await ds.initialize();
    const admin = await connected();
    try {
      const sleeping = failure(() => ds.query(`SELECT pg_sleep(30) AS "terminate me"`));
      let killed = 0;
      for (let i = 0; i < 100 && !killed; i++) {
        await new Promise((r) => setTimeout(r, 20));
        const { rows } = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%terminate me%' AND pid <> pg_backend_pid()`);
        killed = rows.length;
      }
      const err = await sleeping;
      expect((err as Error).name).toBe('QueryFailedError');
      expect(isDatabaseUnreachable(err)).toBe(true);
      expect(isDatabaseUnreachable(new GraphQLError('wrapped', { originalError: err as Error }))).toBe(true);
      // The pool drops the connection once its end is noticed (a statement sent in the moment
      // between the error and the socket's end fails the same way), and serves from a new one.
      await new Promise((r) => setTimeout(r, 200));
      expect(await ds.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await admin.end();
      await ds.destroy();
    }
  });

  it('holds for a statement whose connection was terminated, and for the dead client afterwards', async () => {
    const victim = await connected();
    const admin = await connected();
    try {
      const [{ pid }] = (await victim.query('SELECT pg_backend_pid() AS pid')).rows;
      const sleeping = failure(() => victim.query('SELECT pg_sleep(30)'));
      for (let i = 0; i < 100; i++) {
        const { rows } = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = 'active'`, [pid]);
        if (rows.length) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      const err = await sleeping;
      expect((err as { code?: string }).code).toBe('57P01');
      expect(isDatabaseUnreachable(err)).toBe(true);
      const after = await failure(() => victim.query('SELECT 1'));
      expect(isDatabaseUnreachable(after)).toBe(true);
    } finally {
      await admin.end();
      await victim.end().catch(() => undefined);
    }
  });

  it('does not hold for statements the database refused', async () => {
    const c = await connected();
    try {
      await c.query(`CREATE TEMP TABLE t (id int PRIMARY KEY, parent int REFERENCES t (id))`);
      await c.query(`INSERT INTO t VALUES (1, NULL)`);
      const refused = [
        await failure(() => c.query('SELEC 1')), // 42601 syntax
        await failure(() => c.query(`INSERT INTO t VALUES (1, NULL)`)), // 23505 unique
        await failure(() => c.query(`INSERT INTO t VALUES (2, 99)`)), // 23503 foreign key
        await failure(() => c.query(`SELECT 1/0`)), // 22012 division by zero
        await failure(async () => {
          await c.query(`SET statement_timeout = 10`);
          await c.query(`SELECT pg_sleep(1)`); // 57014 query_canceled: the statement's, not the connection's
        }),
      ];
      expect(refused.map((e) => (e as { code?: string }).code)).toEqual(['42601', '23505', '23503', '22012', '57014']);
      for (const e of refused) expect(isDatabaseUnreachable(e)).toBe(false);
      expect(isDatabaseUnreachable(new Error('boom'))).toBe(false);
      expect(isDatabaseUnreachable(null)).toBe(false);
    } finally {
      await c.end();
    }
  });
});
