import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Client } from 'graphql-ws';
import { freePort } from '../../src/db/embedded-postgres';
import { DEMO } from '../../seeds/ids';
import { runServerExpectingFailure, spawnServer, type SpawnedServer, type SpawnOptions } from '../support/spawn-server';
import { readMailAt } from '../support/mailbox';
import { settle, subscribe, wsClient } from '../support/ws';

/**
 * The built server as a real process: first start on an empty data dir, signals, restart,
 * crash recovery and start-up failures. Servers here always use the embedded PostgreSQL (no
 * DATABASE_URL), each in its own temporary data dir on a free port.
 */
jest.setTimeout(180_000);

const MAIN = path.resolve(__dirname, '../../dist/src/main.js');
const LOG_IN = `mutation($input: LogInInput!) { logIn(input: $input) { token user { email } organization { slug } } }`;
const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { email } }`;
const FINISH_SIGN_UP = `mutation($input: VerifyEmailInput!) { verifyEmail(input: $input) { user { email } } }`;
const ADD_MEMBER = `mutation($input: AddMemberInput!) { addMember(input: $input) { member { id } } }`;
const MEMBER_COUNT = `{ organization { slug members(first: 100) { totalCount } } }`;

const tempDirs: string[] = [];
const servers = new Set<SpawnedServer>();

/**
 * A new data dir that PostgreSQL (run as `postgres` when the tests run as root) can enter, so
 * that the cluster stays in it (`<dir>/pg`). mkdtemp makes it 0700; a private data dir moves the
 * cluster elsewhere (tests/e2e/private-directory.test.ts).
 */
function tempDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plangraph-e2e-startup-'));
  fs.chmodSync(dir, 0o755);
  tempDirs.push(dir);
  return dir;
}

async function start(env: Record<string, string>, options?: SpawnOptions): Promise<SpawnedServer> {
  const server = await spawnServer(env, 120_000, options);
  servers.add(server);
  return server;
}

async function gql(url: string, query: string, variables: Record<string, unknown> = {}, token?: string) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: Array<{ message: string }> };
  if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

const logIn = (url: string, email: string, password: string) => gql(url, LOG_IN, { input: { email, password } });

/** Postmasters running on `dataDir` (found by their `-D <dataDir>/pg` argument). */
function postgresPids(dataDir: string): number[] {
  const pgDir = path.join(dataDir, 'pg');
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    try {
      args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (args.some((a, i) => a === '-D' && args[i + 1] === pgDir)) pids.push(Number(entry));
  }
  return pids;
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

function listenOn(port: number, host = '127.0.0.1'): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer((socket) => socket.destroy());
    srv.once('error', reject);
    srv.listen(port, host, () => resolve(srv));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A pid that no process has any more. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

/**
 * A logIn request kept in flight: headers and half the body are sent now, the rest on finish().
 * Resolves with the status and parsed body of the response.
 */
function holdRequest(port: number): Promise<{ finish(): Promise<{ status: number; body: any }> }> {
  const body = JSON.stringify({ query: LOG_IN, variables: { input: { email: DEMO.users.owner.email, password: DEMO.password } } });
  const raw = Buffer.from(body);
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let response = '';
    const ended = new Promise<string>((r) => socket.on('close', () => r(response)));
    socket.on('data', (d) => (response += d));
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.write(
        `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\n` +
          `Content-Length: ${raw.length}\r\n\r\n`,
      );
      socket.write(raw.subarray(0, 20));
      resolve({
        async finish() {
          socket.write(raw.subarray(20));
          const text = await ended;
          const [head, payload] = text.split('\r\n\r\n');
          return { status: Number(head.split(' ')[1]), body: payload ? JSON.parse(payload) : null };
        },
      });
    });
  });
}

/** Sends `signal` while a request is in flight and a subscription open; both must end cleanly. */
async function stopWhileBusy(server: SpawnedServer, token: string, signal: NodeJS.Signals) {
  let onClosed!: (code: number) => void;
  const closed = new Promise<number>((resolve) => (onClosed = resolve));
  const client: Client = wsClient(server.url, { authorization: `Bearer ${token}` }, (code) => onClosed(code));
  const events = subscribe(client, `subscription { planningEvents { type } }`);
  await settle(300);
  // The subscription is live on the real process before the signal.
  const email = `e2e-${crypto.randomBytes(4).toString('hex')}@example.com`;
  await gql(server.url, ADD_MEMBER, { input: { email, displayName: '新成员', role: 'MEMBER' } }, token);
  expect(await events.next(10_000)).toEqual({ planningEvents: { type: 'MEMBER_ADDED' } });

  const request = await holdRequest(server.port);
  await settle(300);
  const exitCode = server.stop(signal);
  await settle(1000);
  expect(server.child.exitCode).toBeNull(); // still draining: waiting for the request
  const response = await request.finish();
  expect(response.status).toBe(200);
  expect(response.body.data.logIn.token).toEqual(expect.any(String));
  expect(await closed).toBe(1001); // graphql-ws: the server is going away
  expect(await exitCode).toBe(0);
}

async function expectAllStopped(dataDir: string, ports: number[]) {
  expect(postgresPids(dataDir)).toEqual([]);
  expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  for (const port of ports) expect(await portIsFree(port)).toBe(true);
}

/** One line on stderr, no stack trace anywhere, exit code 1. */
function expectOneLineFailure(r: { code: number | null; stdout: string; stderr: string }, message: RegExp) {
  expect(r.code).toBe(1);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(/^plangraph: /);
  expect(r.stderr).toMatch(message);
  expect(r.stdout + r.stderr).not.toMatch(/\n\s+at |Error: /);
}

afterAll(async () => {
  for (const s of servers) await s.stop('SIGTERM').catch(() => undefined);
  // PostgreSQL servers a failed step may have left behind (all of them started by this file).
  for (const dir of tempDirs) {
    for (const pid of postgresPids(dir)) process.kill(pid, 'SIGINT');
  }
  for (const dir of tempDirs) {
    const end = Date.now() + 30_000;
    while (postgresPids(dir).length && Date.now() < end) await settle(100);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * The steps below are one data dir's life, in order: initdb costs seconds, so they share the dir
 * (and the user signed up in the first step) instead of each making its own.
 */
describe('a data dir through start, stop, restart and crashes', () => {
  const dataDir = tempDataDir();
  let pgPort: number;
  let env: Record<string, string>;
  let server: SpawnedServer;
  const user = { email: `e2e-${crypto.randomBytes(4).toString('hex')}@example.com`, password: 'correct horse battery' };

  beforeAll(async () => {
    pgPort = await freePort();
    env = { PLANGRAPH_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort), LOG_LEVEL: 'info' };
  });

  it('first start: embedded PostgreSQL, migrations, demo organisation, URLs and demo login printed', async () => {
    server = await start(env);
    const out = server.output();
    expect(out).toContain('initialising embedded PostgreSQL (first start)');
    expect(out).toContain('migrations applied');
    expect(out).toContain('demo organisation loaded');
    expect(out).toMatch(/plangraph is ready \(\d+ ms\)/);
    expect(out).toContain(`GraphQL:  http://localhost:${server.port}/graphql`);
    expect(out).toContain(`GraphiQL: http://localhost:${server.port}/graphiql`);
    expect(out).toContain(`Demo login: ${DEMO.users.owner.email} / ${DEMO.password}`);
    expect(out).toContain(`embedded PostgreSQL on port ${pgPort}`);
    expect(postgresPids(dataDir)).toHaveLength(1);
    // The cluster's password is random per data dir and readable by this user only.
    const pwFile = path.join(dataDir, 'pg-password');
    expect(fs.statSync(pwFile).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(pwFile, 'utf8').trim()).toMatch(/^[A-Za-z0-9_-]{32}$/);

    expect(await gql(server.url, '{ __typename }')).toEqual({ __typename: 'Query' });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: 'up' });
    expect((await fetch(`${server.url}/graphiql`)).status).toBe(200);

    const demo = await logIn(server.url, DEMO.users.owner.email, DEMO.password);
    expect(demo.logIn).toMatchObject({ user: { email: DEMO.users.owner.email }, organization: { slug: DEMO.organizationSlug } });
    expect(await gql(server.url, MEMBER_COUNT, {}, demo.logIn.token)).toEqual({
      organization: { slug: 'demo', members: { totalCount: 5 } },
    });
    await gql(server.url, SIGN_UP, { input: { ...user, displayName: '测试用户', organizationName: '测试团队' } });
    // The sign-up's link, from the outbox of the embedded database, creates the account.
    const database = `postgres://postgres:${encodeURIComponent(fs.readFileSync(pwFile, 'utf8').trim())}@127.0.0.1:${pgPort}/plangraph`;
    const mail = await readMailAt(database, user.email, 'sign_up.confirmation');
    await gql(server.url, FINISH_SIGN_UP, { input: { token: mail.token } });
  });

  it('SIGTERM: drains an in-flight request, closes subscriptions, stops PostgreSQL, exits 0', async () => {
    const { logIn: demo } = await logIn(server.url, DEMO.users.owner.email, DEMO.password);
    await stopWhileBusy(server, demo.token, 'SIGTERM');
    expect(server.output()).toContain('"msg":"stopped"');
    await expectAllStopped(dataDir, [pgPort, server.port]);
  });

  it('restart keeps the data and loads the demo only once; a second server on the same dir is refused', async () => {
    server = await start(env);
    const out = server.output();
    expect(out).not.toContain('initialising embedded PostgreSQL');
    expect(out).not.toContain('migrations applied');
    expect(out).not.toContain('demo organisation loaded');
    expect((await logIn(server.url, user.email, user.password)).logIn.user.email).toBe(user.email);
    const { logIn: demo } = await logIn(server.url, DEMO.users.owner.email, DEMO.password);
    // Five demo members, plus the one added while draining above.
    expect(await gql(server.url, MEMBER_COUNT, {}, demo.token)).toEqual({
      organization: { slug: 'demo', members: { totalCount: 6 } },
    });

    const second = await runServerExpectingFailure({
      PLANGRAPH_DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(await freePort()),
      PORT: String(await freePort()),
    });
    expectOneLineFailure(second, /embedded PostgreSQL in .* is in use by another running process \(pid \d+\)/);
    expect(await gql(server.url, '{ __typename }')).toEqual({ __typename: 'Query' });
  });

  it('SIGINT to the process alone: exits 0 and stops PostgreSQL', async () => {
    expect(await server.stop('SIGINT')).toBe(0);
    await expectAllStopped(dataDir, [pgPort, server.port]);
  });

  it('Ctrl-C in a terminal (SIGINT to the whole process group) still drains before PostgreSQL stops', async () => {
    server = await start(env, { processGroup: true });
    const { logIn: demo } = await logIn(server.url, DEMO.users.owner.email, DEMO.password);
    await stopWhileBusy(server, demo.token, 'SIGINT');
    await expectAllStopped(dataDir, [pgPort, server.port]);
  });

  it('crash: after SIGKILL the orphaned PostgreSQL is stopped by the next start, which serves', async () => {
    server = await start({ ...env, LOG_LEVEL: 'warn' });
    const [orphan] = postgresPids(dataDir);
    server.child.kill('SIGKILL');
    await server.exited;
    await settle(200);
    expect(isAlive(orphan)).toBe(true); // still holding the lock and the port
    expect(await portIsFree(pgPort)).toBe(false);

    server = await start({ ...env, LOG_LEVEL: 'warn' });
    expect(server.output()).toContain('left running by a crashed run');
    expect(isAlive(orphan)).toBe(false);
    expect(postgresPids(dataDir)).toHaveLength(1);
    expect((await logIn(server.url, user.email, user.password)).logIn.user.email).toBe(user.email);
    expect(await server.stop('SIGTERM')).toBe(0);
    await expectAllStopped(dataDir, [pgPort, server.port]);
  });

  it.each([
    ['a dead process', () => deadPid()],
    ['a live process that is not PostgreSQL', () => process.pid],
  ])('a stale postmaster.pid naming %s is recovered', async (_what, pid) => {
    const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
    fs.writeFileSync(pidFile, `${pid()}\n${path.join(dataDir, 'pg')}\n1764201600\n${pgPort}\n/tmp\n127.0.0.1\n0 0\nready   \n`);
    server = await start({ ...env, LOG_LEVEL: 'warn' });
    expect(server.output()).toContain('removing stale PostgreSQL lock file');
    expect((await logIn(server.url, user.email, user.password)).logIn.user.email).toBe(user.email);
    expect(await server.stop('SIGTERM')).toBe(0);
    await expectAllStopped(dataDir, [pgPort, server.port]);
  });

  it('PORT already in use: one line, exit 1, and the PostgreSQL it started is stopped again', async () => {
    const blocker = await listenOn(await freePort(), '0.0.0.0');
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const r = await runServerExpectingFailure({ ...env, PORT: String(port) });
      expectOneLineFailure(r, new RegExp(`PORT ${port} is already in use: set PORT to a free port`));
    } finally {
      blocker.close();
    }
    await expectAllStopped(dataDir, [pgPort]);
  });

  it('a signal during start-up stops the start and what it started', async () => {
    const freshDir = tempDataDir();
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        PLANGRAPH_DATA_DIR: freshDir,
        EMBEDDED_PG_PORT: String(await freePort()),
        PORT: String(await freePort()),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const end = Date.now() + 60_000;
    while (!out.includes('initialising embedded PostgreSQL') && Date.now() < end) await settle(20);
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    expect(await exited).toBe(0);
    clearTimeout(killer);
    expect(out).toContain('start-up interrupted');
    expect(out).not.toContain('plangraph is ready');
    expect(postgresPids(freshDir)).toEqual([]);
  });
});

describe('start-up failures: one clear line, exit code 1', () => {
  it.each([
    ['PORT', 'abc', /Invalid PORT="abc": expected an integer from 0 to 65535/],
    ['SEED_DEMO', 'maybe', /Invalid SEED_DEMO="maybe": expected true or false/],
    ['DATABASE_URL', 'postgres://app:s3cret@db:port/plan', /Invalid DATABASE_URL="postgres:\/\/app:\*\*\*@db:port\/plan"/],
    ['DATABASE_URL', 'mysql://localhost/plan', /expected a URL starting with postgres:\/\/ or postgresql:\/\//],
  ])('bad %s=%s', async (name, value, message) => {
    const r = await runServerExpectingFailure({ [name]: value, PLANGRAPH_DATA_DIR: tempDataDir() });
    expectOneLineFailure(r, message);
    expect(r.stderr).not.toContain('s3cret');
  });

  it('an unreachable DATABASE_URL fails within seconds', async () => {
    const port = await freePort();
    const started = Date.now();
    const r = await runServerExpectingFailure({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/x`, PORT: String(await freePort()) });
    expect(Date.now() - started).toBeLessThan(8_000);
    expectOneLineFailure(r, new RegExp(`Cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${port}/x: connect ECONNREFUSED`));
  });

  it('EMBEDDED_PG_PORT used by another program: refused before initdb touches the data dir', async () => {
    const dataDir = tempDataDir();
    const blocker = await listenOn(await freePort());
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const r = await runServerExpectingFailure({ PLANGRAPH_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(port), PORT: String(await freePort()) });
      expectOneLineFailure(r, new RegExp(`EMBEDDED_PG_PORT ${port} is already in use by another program`));
    } finally {
      blocker.close();
    }
    expect(fs.existsSync(path.join(dataDir, 'pg'))).toBe(false);
  });
});
