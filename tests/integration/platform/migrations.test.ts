import { createLogger } from '../../../src/common/logger';
import { createDataSource } from '../../../src/db/data-source';
import { migrate } from '../../../src/db/database';
import { createEmptyDatabase, dropDatabase } from '../../support/test-db';

async function tables(ds: ReturnType<typeof createDataSource>): Promise<string[]> {
  const rows: Array<{ table_name: string }> = await ds.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations' ORDER BY 1`,
  );
  return rows.map((r) => r.table_name);
}

async function schemaFingerprint(ds: ReturnType<typeof createDataSource>): Promise<string> {
  const rows = await ds.query(
    `SELECT table_name, column_name, data_type, is_nullable, column_default
       FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2`,
  );
  const idx = await ds.query(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1`);
  return JSON.stringify({ rows, idx });
}

describe('migrations', () => {
  it('run up, all the way down, and up again on an empty database', async () => {
    const serverUrl = process.env.PLANGRAPH_TEST_SERVER_URL!;
    const db = await createEmptyDatabase(serverUrl, 'pg_migrations');
    const ds = createDataSource(db.url, createLogger('silent'));
    await ds.initialize();
    try {
      const applied = await migrate(ds);
      expect(applied).toEqual(ds.migrations.map((m) => m.name));
      const afterUp = await schemaFingerprint(ds);
      expect(await tables(ds)).toEqual(expect.arrayContaining(['organizations', 'users', 'members', 'audit_events']));

      for (let i = 0; i < applied.length; i++) await ds.undoLastMigration({ transaction: 'each' });
      expect(await tables(ds)).toEqual([]);

      expect(await migrate(ds)).toEqual(applied);
      expect(await schemaFingerprint(ds)).toEqual(afterUp);
      expect(await migrate(ds)).toEqual([]);
    } finally {
      await ds.destroy();
      await dropDatabase(serverUrl, db.name);
    }
  });
});
