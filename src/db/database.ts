import path from 'node:path';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import type { Logger } from '../common/logger';
import { createDataSource, type EntityList } from './data-source';
import { startEmbeddedPostgres, type EmbeddedCluster } from './embedded-postgres';

export interface Database {
  dataSource: DataSource;
  url: string;
  embedded: EmbeddedCluster | null;
  close(): Promise<void>;
}

/** Lock key for migrations, so that several instances starting at once run them once. */
const MIGRATION_LOCK = 727_100_001;
const EMBEDDED_DB = 'plangraph';

function describe(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}

async function ensureDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

/**
 * Connects to DATABASE_URL, or starts the embedded PostgreSQL under the data dir. Fails with
 * one clear message (never hangs) when the server cannot be reached.
 */
export async function openDatabase(config: Config, logger: Logger, entities: EntityList): Promise<Database> {
  let embedded: EmbeddedCluster | null = null;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({
      dir: path.join(config.dataDir, 'pg'),
      port: config.embeddedPgPort,
      logger,
    });
    try {
      await ensureDatabase(embedded.url('postgres'), EMBEDDED_DB);
    } catch (err) {
      await embedded.stop();
      throw new Error(`embedded PostgreSQL is running but the database could not be created: ${(err as Error).message}`);
    }
    url = embedded.url(EMBEDDED_DB);
  }
  const dataSource = createDataSource(url, logger, config.dbPoolSize, entities);
  try {
    await dataSource.initialize();
  } catch (err) {
    await embedded?.stop();
    const reason = (err as Error).message || (err as { code?: string }).code || String(err);
    throw new Error(`Cannot connect to PostgreSQL at ${describe(url)}: ${reason}`);
  }
  return {
    dataSource,
    url,
    embedded,
    async close() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await embedded?.stop();
    },
  };
}

/** Applies pending migrations under an advisory lock; returns the names applied. */
export async function migrate(ds: DataSource): Promise<string[]> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}
