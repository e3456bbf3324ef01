import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/common/logger';
import { createDataSource } from '../src/db/data-source';
import { migrate } from '../src/db/database';
import { freePort, startEmbeddedPostgres, type EmbeddedCluster } from '../src/db/embedded-postgres';
import { entities } from '../src/modules/entities';
import { startServer } from '../src/server/app';
import { createPostgresEventBus } from '../src/server/postgres-events';

/**
 * Subscription fan-out, the two scenarios of the hardening issue, with the server in this process
 * (production settings, the PostgreSQL event transport) and the subscribers in another
 * (bench/fanout-clients.ts, real graphql-ws clients):
 *
 * - `alerts`: one connection with 100 `kpiAlertRaised` subscriptions, then one
 *   `recordMeasurements` of 10,000 rows that raise 10,000 alerts;
 * - `events`: 20 connections with 100 `planningEvents` subscriptions each, then 10 changes
 *   (`createSquad`, one after another).
 *
 * Prints per scenario: the mutation time (HTTP round trip), the time until the subscribers
 * received their last message, the messages received, the longest event-loop stall of the server
 * process (perf_hooks.monitorEventLoopDelay, 10 ms resolution) and its peak RSS.
 *
 *   npm run build --silent && node dist/bench/subscription-fanout.js [alerts|events ...]
 *   (add --cpu-prof --cpu-prof-dir=prof before the script to profile the server)
 *
 * Environment: BENCH_PROFILE=dir writes a CPU profile of the measured window of each scenario
 * (the server's process, from the mutation to the last message) to dir; DATABASE_URL (a server to create the bench database on; default: an embedded
 * PostgreSQL in a temporary directory); any WS_* / KPI_* setting is passed to the server.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const logger = createLogger('error');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Progress {
  received: number;
  subscribed: number;
  lastAt: number;
  closes: number;
  closeCodes: number[];
  errors: string[];
}

function startClients(args: { url: string; token: string; connections: number; subscriptionsPerConnection: number; query: string }) {
  const child: ChildProcess = spawn(process.execPath, ['dist/bench/fanout-clients.js', JSON.stringify(args)], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let latest: Progress = { received: 0, subscribed: 0, lastAt: 0, closes: 0, closeCodes: [], errors: [] };
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop()!;
    if (lines.length) latest = JSON.parse(lines[lines.length - 1]) as Progress;
  });
  return {
    progress: () => latest,
    reset: async () => {
      child.stdin!.write('reset\n');
      // Wait for a report taken after the reset.
      const before = Date.now();
      while (Date.now() - before < 2000 && latest.received !== 0) await sleep(50);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function gql(url: string, query: string, variables: Record<string, unknown>, token?: string) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const json = (await res.json()) as { data?: any; errors?: unknown[] };
  if (json.errors) throw new Error(JSON.stringify(json.errors).slice(0, 500));
  return json.data;
}

/** A new organisation and its OWNER through the real flow: sign up, then the mailed link (read from the outbox). */
async function signUp(url: string, ds: DataSource): Promise<{ token: string; userId: string }> {
  const email = `bench-${crypto.randomBytes(4).toString('hex')}@example.test`;
  await gql(url, `mutation($i: SignUpInput!) { signUp(input: $i) { email } }`, {
    i: { email, password: 'correct horse battery', displayName: 'Bench', organizationName: 'Bench 压测' },
  });
  let link: string | null = null;
  for (let i = 0; i < 100 && !link; i++) {
    const rows: Array<{ body: string }> = await ds.query(`SELECT body FROM mail_outbox WHERE to_address = $1 AND body IS NOT NULL ORDER BY created_at DESC LIMIT 1`, [email]);
    link = rows[0] ? (/[?&]token=([A-Za-z0-9_-]+)/.exec(rows[0].body)?.[1] ?? null) : null;
    if (!link) await sleep(50);
  }
  if (!link) throw new Error(`no sign-up mail for ${email} in the outbox`);
  const data = await gql(url, `mutation($i: VerifyEmailInput!) { verifyEmail(input: $i) { token user { id } } }`, { i: { token: link } });
  return { token: data.verifyEmail.token as string, userId: data.verifyEmail.user.id as string };
}

const week = (n: number) => new Date(Date.UTC(2026, 0, 5 + 7 * n)).toISOString().slice(0, 10);
const RECORD = `mutation($i: RecordMeasurementsInput!) { recordMeasurements(input: $i) { inserted alertsRaised } }`;

interface Figures {
  scenario: string;
  mutationMs: number[];
  deliveredMs: number;
  received: number;
  closes: number;
  closeCodes: number[];
  maxStallMs: number;
  p99StallMs: number;
  rssBeforeMiB: number;
  rssPeakMiB: number;
  errors: string[];
}

async function measure(
  scenario: string,
  clients: ReturnType<typeof startClients>,
  act: () => Promise<number[]>,
  done: (p: Progress) => boolean,
  quietMs = 3000,
  timeoutMs = 300_000,
): Promise<Figures> {
  if (global.gc) global.gc();
  await sleep(500);
  const rssBefore = process.memoryUsage.rss();
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), 20);
  const profiler = process.env.BENCH_PROFILE ? new Session() : null;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  // With BENCH_PROFILE: when each stall over 50 ms ended and how long it was (hrtime µs, the profile's clock).
  const stalls: Array<{ endUs: number; ms: number }> = [];
  let lastTick = process.hrtime.bigint();
  const ticker = profiler
    ? setInterval(() => {
        const now = process.hrtime.bigint();
        const ms = Number(now - lastTick) / 1e6 - 5;
        if (ms > 50) stalls.push({ endUs: Number(now / 1000n), ms });
        lastTick = now;
      }, 5)
    : null;
  const started = Date.now();
  const mutationMs = await act();
  for (;;) {
    const p = clients.progress();
    if (done(p)) break;
    const last = p.lastAt || started;
    if (Date.now() - Math.max(last, started + mutationMs.reduce((a, b) => a + b, 0)) > quietMs) break;
    if (Date.now() - started > timeoutMs) break;
    await sleep(50);
  }
  h.disable();
  clearInterval(sampler);
  if (ticker) clearInterval(ticker);
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    fs.mkdirSync(process.env.BENCH_PROFILE!, { recursive: true });
    const file = path.join(process.env.BENCH_PROFILE!, `${scenario.split(':')[0]}-${Date.now()}.cpuprofile`);
    fs.writeFileSync(file, JSON.stringify(profile));
    fs.writeFileSync(`${file}.stalls.json`, JSON.stringify(stalls));
    profiler.disconnect();
    console.log(`  profile: ${file}`);
  }
  const p = clients.progress();
  return {
    scenario,
    mutationMs,
    deliveredMs: p.lastAt ? p.lastAt - started : NaN,
    received: p.received,
    closes: p.closes,
    closeCodes: p.closeCodes,
    maxStallMs: h.max / 1e6 - 10,
    p99StallMs: Math.max(0, h.percentile(99) / 1e6 - 10),
    rssBeforeMiB: rssBefore / 2 ** 20,
    rssPeakMiB: rssPeak / 2 ** 20,
    errors: p.errors,
  };
}

async function waitSubscribed(clients: ReturnType<typeof startClients>, total: number, poke: () => Promise<void>) {
  for (let i = 0; i < 100 && clients.progress().subscribed < total; i++) {
    await poke();
    await sleep(300);
  }
  if (clients.progress().subscribed < total) throw new Error(`only ${clients.progress().subscribed} of ${total} subscriptions received the warm-up events`);
  await sleep(1000);
  await clients.reset();
}

async function alertsScenario(url: string, ds: DataSource): Promise<Figures> {
  const { token } = await signUp(url, ds);
  const keys = Array.from({ length: 100 }, (_, i) => `refund_${i}`);
  for (const key of keys) {
    await gql(url, `mutation($i: CreateKpiInput!) { createKpi(input: $i) { kpi { id } } }`, {
      i: { key, name: `退款率 ${key}`, layer: 'OPERATIONAL', direction: 'LOWER_IS_BETTER', thresholds: { criticalAbove: '8' } },
    }, token);
  }
  const clients = startClients({
    url,
    token,
    connections: 1,
    subscriptionsPerConnection: 100,
    query: 'subscription { kpiAlertRaised { id level value periodStart kpi { key } } }',
  });
  try {
    let warm = 0;
    await waitSubscribed(clients, 100, async () => {
      await gql(url, RECORD, { i: { measurements: [{ kpiKey: keys[0], periodStart: week(-100 - warm++), value: '10' }] } }, token);
    });
    const rows = keys.flatMap((kpiKey) => Array.from({ length: 100 }, (_, w) => ({ kpiKey, periodStart: week(w), value: '10', source: 'bench' })));
    let raised = 0;
    const figures = await measure(
      'alerts: 1 connection × 100 kpiAlertRaised, recordMeasurements of 10,000 rows raising 10,000 alerts',
      clients,
      async () => {
        const t = performance.now();
        raised = (await gql(url, RECORD, { i: { measurements: rows } }, token)).recordMeasurements.alertsRaised;
        return [performance.now() - t];
      },
      (p) => p.received >= 100 * 10_000,
    );
    if (raised !== 10_000) throw new Error(`raised ${raised} alerts, expected 10,000`);
    return figures;
  } finally {
    await clients.stop();
  }
}

async function eventsScenario(url: string, ds: DataSource): Promise<Figures> {
  const { token, userId } = await signUp(url, ds);
  const clients = startClients({ url, token, connections: 20, subscriptionsPerConnection: 100, query: 'subscription { planningEvents { type entityType entityId at } }' });
  let n = 0;
  const createSquad = () => gql(url, `mutation($i: CreateSquadInput!) { createSquad(input: $i) { squad { id } } }`, { i: { name: `飞轮小组 ${n++}`, leadId: userId } }, token);
  try {
    await waitSubscribed(clients, 2000, async () => void (await createSquad()));
    return await measure(
      'events: 20 connections × 100 planningEvents, 10 changes',
      clients,
      async () => {
        const times: number[] = [];
        for (let i = 0; i < 10; i++) {
          const t = performance.now();
          await createSquad();
          times.push(performance.now() - t);
        }
        return times;
      },
      (p) => p.received >= 20 * 100 * 10,
    );
  } finally {
    await clients.stop();
  }
}

function print(f: Figures) {
  const total = f.mutationMs.reduce((a, b) => a + b, 0);
  const mutation = f.mutationMs.length === 1 ? `${total.toFixed(0)} ms` : `${total.toFixed(0)} ms for ${f.mutationMs.length} (max ${Math.max(...f.mutationMs).toFixed(0)} ms)`;
  console.log(`\n${f.scenario}`);
  console.log(`  mutation: ${mutation}`);
  console.log(`  messages received: ${f.received}, last at ${f.deliveredMs.toFixed(0)} ms; connections closed: ${f.closes}${f.closeCodes.length ? ` (codes ${f.closeCodes.join(', ')})` : ''}`);
  console.log(`  server event loop: max stall ${f.maxStallMs.toFixed(0)} ms, p99 ${f.p99StallMs.toFixed(0)} ms`);
  console.log(`  server RSS: ${f.rssBeforeMiB.toFixed(0)} MiB before, ${f.rssPeakMiB.toFixed(0)} MiB peak`);
  if (f.errors.length) console.log(`  errors: ${f.errors.join(' | ')}`);
}

async function main() {
  const only = process.argv.slice(2);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'plangraph-fanout-'));
  fs.chmodSync(tmp, 0o755);
  let cluster: EmbeddedCluster | null = null;
  let serverUrl = process.env.DATABASE_URL;
  try {
    if (!serverUrl) {
      cluster = await startEmbeddedPostgres({ dir: path.join(tmp, 'pg'), port: await freePort(), logger, persistent: false, detached: false });
      serverUrl = cluster.url('postgres');
    }
    const name = `plangraph_fanout_${crypto.randomBytes(3).toString('hex')}`;
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
    await admin.end();
    const u = new URL(serverUrl);
    u.pathname = `/${name}`;
    const dbUrl = u.toString();
    const passed = Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(WS_|KPI_|SUBSCRIPTION|API_TOKENS)/.test(k)));
    const config = loadConfig({ ...passed, NODE_ENV: 'production', DATABASE_URL: dbUrl, JWT_SECRET: crypto.randomBytes(32).toString('hex'), SEED_DEMO: 'false', LOG_LEVEL: 'error' });
    const ds = createDataSource(dbUrl, logger, config.dbPoolSize, entities, { preparedStatements: config.preparedStatements });
    await ds.initialize();
    await migrate(ds);
    const events = await createPostgresEventBus(dbUrl, logger);
    const server = await startServer({ config, logger, db: ds, events, jwtSecret: config.jwtSecret! }, 0, '127.0.0.1');
    const url = `http://127.0.0.1:${server.port}`;
    try {
      if (!only.length || only.includes('alerts')) print(await alertsScenario(url, ds));
      if (!only.length || only.includes('events')) print(await eventsScenario(url, ds));
    } finally {
      await server.stop();
      await events.close();
      await ds.destroy();
    }
  } finally {
    await cluster?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`bench failed: ${(err as Error).stack}`);
    process.exit(1);
  },
);
