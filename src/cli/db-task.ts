import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config';
import { createLogger } from '../common/logger';
import { migrate, openDatabase } from '../db/database';
import { entities } from '../modules/entities';
import { seedDemo } from '../../seeds/demo';

/**
 * `npm run migrate` | `npm run migrate:revert` | `npm run seed [-- YYYY-MM-DD]`: database tasks
 * against DATABASE_URL, or the embedded PostgreSQL under PLANGRAPH_DATA_DIR (not while `npm start`
 * runs it). The demo is seeded relative to today, or to the day given.
 */
async function run(task: string, day?: string): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const db = await openDatabase(config, logger, entities);
  try {
    if (task === 'migrate') {
      const applied = await migrate(db.dataSource);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'no pending migrations');
    } else if (task === 'revert') {
      const before = await db.dataSource.query(`SELECT name FROM migrations ORDER BY id DESC LIMIT 1`).catch(() => []);
      if (!before.length) console.log('nothing to revert');
      else {
        await db.dataSource.undoLastMigration({ transaction: 'each' });
        console.log(`reverted: ${before[0].name}`);
      }
    } else if (task === 'seed') {
      await migrate(db.dataSource);
      console.log((await seedDemo(db.dataSource, day)) ? 'demo organisation loaded' : 'demo organisation already present');
    } else {
      throw new Error(`unknown task ${task}: use migrate, revert or seed`);
    }
  } finally {
    await db.close();
  }
}

run(process.argv[2] ?? '', process.argv[3]).catch((err: Error) => {
  console.error(`plangraph: ${err instanceof ConfigError ? err.message : `failed: ${err.message}`}`);
  process.exit(1);
});
