import path from 'node:path';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import type { Logger } from '../common/logger';
import { DatabaseHealth } from './availability';
import { createDataSource, type EntityList } from './data-source';
import { startEmbeddedPostgres, type EmbeddedCluster } from './embedded-postgres';

export interface Database {
  dataSource: DataSource;
  url: string;
  /** The embedded PostgreSQL as first started (port and directory stay the same across restarts). */
  embedded: EmbeddedCluster | null;
  /** Whether the database is reachable; the embedded PostgreSQL's restarts report to it. */
  health: DatabaseHealth;
  close(): Promise<void>;
}

/** Waits before restarting the embedded PostgreSQL: 1 s, doubling per failed attempt, at most 30 s. */
export const RESTART_BACKOFF = { firstMs: 1_000, maxMs: 30_000, stableMs: 60_000 };
const restartDelay = (failures: number) => Math.min(RESTART_BACKOFF.firstMs * 2 ** failures, RESTART_BACKOFF.maxMs);

/**
 * Restarts the embedded PostgreSQL whenever it exits by itself (a crash, an OOM kill, kill -9)
 * until `stop()`: after 1 s, then twice as long after each failed start (at most 30 s); a server
 * that crashes again within a minute of its restart waits as if its restart had failed. The
 * stale lock and the crashed server's backends are dealt with by `startEmbeddedPostgres`; the
 * pool reconnects by itself. `health` says when the next attempt is due.
 */
function superviseEmbedded(
  first: EmbeddedCluster,
  start: () => Promise<EmbeddedCluster>,
  health: DatabaseHealth,
  logger: Logger,
): { stop(): Promise<void> } {
  let current = first;
  let stopped = false;
  /** When the last restart succeeded (0: never restarted). */
  let upSince = 0;
  let downSince = 0;
  /** Failed starts (and quick crashes) in a row: the back-off's exponent. */
  let failures = 0;
  /** Starts tried in this outage. */
  let attempts = 0;
  let timer: NodeJS.Timeout | null = null;
  let attempt: Promise<void> | null = null;

  const schedule = () => {
    const delay = restartDelay(failures);
    health.restarting(Date.now() + delay);
    timer = setTimeout(() => {
      timer = null;
      attempt = restart(delay).finally(() => (attempt = null));
    }, delay);
  };
  const restart = async (waitedMs: number) => {
    attempts += 1;
    let cluster: EmbeddedCluster;
    try {
      cluster = await start();
    } catch (err) {
      if (stopped) return;
      failures += 1;
      logger.error({ reason: (err as Error).message, waitedMs, nextInMs: restartDelay(failures) }, 'embedded PostgreSQL restart failed; trying again');
      schedule();
      return;
    }
    if (stopped) return void (await cluster.stop());
    current = cluster;
    upSince = Date.now();
    health.restarted();
    logger.warn({ downMs: upSince - downSince, attempts }, 'embedded PostgreSQL restarted');
    watch(cluster);
  };
  const watch = (cluster: EmbeddedCluster) =>
    void cluster.crashed.then((how) => {
      if (stopped || cluster !== current) return;
      downSince = Date.now();
      attempts = 0;
      failures = downSince - upSince >= RESTART_BACKOFF.stableMs ? 0 : failures + 1;
      logger.error({ how, restartInMs: restartDelay(failures) }, 'embedded PostgreSQL exited unexpectedly; restarting it');
      schedule();
    });
  watch(first);

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await attempt;
      await current.stop();
    },
  };
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
  const startEmbedded = () => startEmbeddedPostgres({ dir: path.join(config.dataDir, 'pg'), port: config.embeddedPgPort, logger });
  if (!url) {
    embedded = await startEmbedded();
    try {
      await ensureDatabase(embedded.url('postgres'), EMBEDDED_DB);
    } catch (err) {
      await embedded.stop();
      throw new Error(`embedded PostgreSQL is running but the database could not be created: ${(err as Error).message}`);
    }
    url = embedded.url(EMBEDDED_DB);
  }
  const dataSource = createDataSource(url, logger, config.dbPoolSize, entities, { preparedStatements: config.preparedStatements });
  try {
    await dataSource.initialize();
  } catch (err) {
    await embedded?.stop();
    const reason = (err as Error).message || (err as { code?: string }).code || String(err);
    throw new Error(`Cannot connect to PostgreSQL at ${describe(url)}: ${reason}`);
  }
  const health = new DatabaseHealth(logger);
  const supervisor = embedded ? superviseEmbedded(embedded, startEmbedded, health, logger) : null;
  return {
    dataSource,
    url,
    embedded,
    health,
    async close() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await supervisor?.stop();
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
