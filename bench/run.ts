import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createLogger } from '../src/common/logger';
import { toGlobalId } from '../src/common/ids';
import { createDataSource } from '../src/db/data-source';
import { entities } from '../src/modules/entities';
import { migrate } from '../src/db/database';
import { freePort, startEmbeddedPostgres, type EmbeddedCluster } from '../src/db/embedded-postgres';
import { signSession } from '../src/modules/identity/session-tokens';
import { LARGE, SMALL, SQUAD, SQUAD_AFTER_A_YEAR, generate, type Background, type BenchIds, type SquadShape } from './generate';
import type { LoadConfig, LoadResult } from './load';
import { storeProgress } from './store-progress';
import { generateSops } from './sops-generate';
import { WORKLOADS, readArgs, type Workload } from './workloads';
import { generateKpis } from './kpi-generate';
import { benchRecordMeasurements } from './kpi-writes';
import { generateSearchRows } from './search-generate';
import { generateExportLedger, measureExport, printExportFigures, type ExportFigures } from './export-bench';

/**
 * `npm run bench [-- options]`: plangraph against the floor.
 *
 * - Data: a deterministic generator (bench/generate.ts) builds a realistic squad in a dedicated
 *   database (a new database on an embedded PostgreSQL in a temporary directory, as `npm start`
 *   uses, or on DATABASE_URL's server).
 * - plangraph runs as `npm start` runs it: `node dist/src/main.js` in its own process, with
 *   NODE_ENV=production, the PostgreSQL event transport and LOG_LEVEL=info (the log goes to a
 *   file, read for the SQL statements of each operation).
 * - The floor (bench/floor.ts) answers the same requests with one hand-written SQL statement
 *   through `pg` behind a bare `node:http` server, in its own process, on the same database.
 * - The load generator (bench/load.ts, autocannon) runs in its own process: warm-up first,
 *   outside the measured window, then the measured run.
 *
 * Options: --seconds N (10), --warmup N (3), --connections N (20), --quick (2 s, 1 s warm-up),
 * --only a,b (workload names; `export` is the spreadsheet export of 100,000 expenses, bench/export-bench.ts), --scale (history at 1/1000 and full scale; see docs/benchmarks.md),
 * --json FILE (write the figures), --keep (leave the bench database on DATABASE_URL's server for
 * inspection, e.g. EXPLAIN ANALYZE; its name is printed).
 */
interface Options {
  seconds: number;
  warmup: number;
  connections: number;
  only: string[] | null;
  scale: boolean;
  json: string | null;
  keep: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { seconds: 10, warmup: 3, connections: 20, only: null, scale: false, json: null, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') Object.assign(o, { seconds: 2, warmup: 1 });
    else if (a === '--seconds') o.seconds = Number(next());
    else if (a === '--warmup') o.warmup = Number(next());
    else if (a === '--connections' || a === '-c') o.connections = Number(next());
    else if (a === '--only') o.only = next().split(',');
    else if (a === '--scale') o.scale = true;
    else if (a === '--json') o.json = next();
    else if (a === '--keep') o.keep = true;
    else throw new Error(`unknown option ${a} (see bench/run.ts)`);
  }
  return o;
}

const ROOT = path.resolve(__dirname, '..', '..');
const JWT_SECRET = crypto.randomBytes(32).toString('hex');
const logger = createLogger('error');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Everything started, stopped on Ctrl-C as well as at the end. */
const running = new Set<ChildProcess>();
let clusterToStop: EmbeddedCluster | null = null;
let tmpDir: string | null = null;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    for (const child of running) child.kill('SIGKILL');
    void (clusterToStop?.stop() ?? Promise.resolve()).finally(() => {
      if (tmpDir && !process.env.BENCH_KEEP_LOGS) fs.rmSync(tmpDir, { recursive: true, force: true });
      process.exit(130);
    });
  });
}
const track = (child: ChildProcess) => {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
};

// ------------------------------------------------------------------ processes

interface Proc {
  child: ChildProcess;
  url: string;
  stop: () => Promise<void>;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function startPlangraph(dbUrl: string, logFile: string, dataDir: string): Promise<Proc> {
  const port = await freePort();
  const out = fs.openSync(logFile, 'a');
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=prof" profiles the server under load.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = track(spawn(process.execPath, [...nodeArgs, 'dist/src/main.js'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      DATABASE_URL: dbUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      SEED_DEMO: 'false',
      JWT_SECRET,
      PLANGRAPH_DATA_DIR: dataDir,
      // READ_PLANNER=off npm run bench: the same workloads through the resolvers (before/after of planned reads).
      ...(process.env.READ_PLANNER ? { READ_PLANNER: process.env.READ_PLANNER } : {}),
      // PREPARED_STATEMENTS=off compares the kit's reads sent unnamed (docs/benchmarks.md).
      ...(process.env.PREPARED_STATEMENTS ? { PREPARED_STATEMENTS: process.env.PREPARED_STATEMENTS } : {}),
    },
    stdio: ['ignore', out, out],
  }));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`plangraph exited with ${child.exitCode}; see ${logFile}`);
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`plangraph not ready after 60 s; see ${logFile}`);
    await sleep(200);
  }
  return { child, url: `${url}/graphql`, stop: () => stopChild(child) };
}

async function startFloor(dbUrl: string): Promise<Proc> {
  const child = track(
    spawn(process.execPath, ['dist/bench/floor.js'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, NODE_ENV: 'production', DATABASE_URL: dbUrl, PORT: '0', JWT_SECRET },
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /"port":(\d+)/.exec(buf);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`floor exited with ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}`, stop: () => stopChild(child) };
}

function load(config: LoadConfig): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = track(spawn(process.execPath, ['dist/bench/load.js', JSON.stringify(config)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] }));
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`load generator exited with ${code}`))));
  });
}

/** Resident set size of a process, in MiB (Linux). */
function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** SQL statements per operation, from the server's info log lines written since `offset`. */
function statementsFromLog(logFile: string, offset: number, operationName: string): { mean: number; min: number; max: number; n: number } {
  const text = fs.readFileSync(logFile, 'utf8').slice(offset);
  const counts: number[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes(operationName)) continue;
    try {
      const rec = JSON.parse(line) as { msg?: string; operationName?: string; sqlStatements?: number };
      if (rec.msg === 'graphql operation' && rec.operationName === operationName && typeof rec.sqlStatements === 'number') counts.push(rec.sqlStatements);
    } catch {
      /* not a log line */
    }
  }
  if (counts.length === 0) return { mean: NaN, min: NaN, max: NaN, n: 0 };
  return { mean: counts.reduce((a, b) => a + b, 0) / counts.length, min: Math.min(...counts), max: Math.max(...counts), n: counts.length };
}

// ------------------------------------------------------------------ database

interface BenchDb {
  url: string;
  ids: BenchIds;
  drop: () => Promise<void>;
}

async function createBenchDb(serverUrl: string, label: string, squad: SquadShape, background: Background | null): Promise<BenchDb> {
  const name = `plangraph_bench_${label}_${crypto.randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  await admin.end();
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const ds = createDataSource(url, logger, 2);
  await ds.initialize();
  await migrate(ds);
  await ds.destroy();
  const db = new Client({ connectionString: url });
  db.on('error', () => undefined);
  await db.connect();
  const started = Date.now();
  const sql = async (text: string, params: unknown[] = []) => (await db.query(text, params)).rows;
  let ids: BenchIds;
  let storeSeconds = 0;
  try {
    ids = await generate(sql, label, squad, background);
    await generateSops(sql, label, ids.organizationId, squad.members);
    const storing = Date.now();
    await storeProgress(sql, ids.organizationId);
    storeSeconds = (Date.now() - storing) / 1000;
    await generateKpis(url, ids.organizationId);
    await generateSearchRows(sql, label, ids.organizationId);
    // As autovacuum would have left an organisation that grew over a year (visibility map, statistics).
    await db.query('VACUUM ANALYZE');
  } finally {
    await db.end();
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`  data ${label}: generated in ${secs} s (stored OKR progress: ${storeSeconds.toFixed(1)} s)`);
  return {
    url,
    ids,
    drop: async () => {
      const a = new Client({ connectionString: serverUrl });
      await a.connect();
      await a.query(`DROP DATABASE ${a.escapeIdentifier(name)} WITH (FORCE)`);
      await a.end();
    },
  };
}

// ------------------------------------------------------------------ checks

/** Numbers rounded to 1e-9 (SQL numeric and decimal.js may differ in the 17th digit). */
function normalise(v: unknown): unknown {
  if (typeof v === 'number') return Math.round(v * 1e9) / 1e9;
  if (Array.isArray(v)) return v.map(normalise);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, normalise((v as Record<string, unknown>)[k])]));
  return v;
}

function firstDifference(a: unknown, b: unknown, at = 'data'): string | null {
  if (JSON.stringify(a) === JSON.stringify(b)) return null;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference((a as any)[k], (b as any)[k], `${at}.${k}`);
      if (d) return d;
    }
  }
  return `${at}: plangraph ${JSON.stringify(a)?.slice(0, 200)} / floor ${JSON.stringify(b)?.slice(0, 200)}`;
}

/** One request; `{ timeout: true }` when no answer came within 30 s. */
async function post(url: string, token: string, body: unknown): Promise<any> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    return await res.json();
  } catch (err) {
    if ((err as Error).name === 'TimeoutError') return { timeout: true };
    throw err;
  }
}

// ------------------------------------------------------------------ runs

interface Row {
  workload: string;
  label: string;
  plangraph: LoadResult & { statements: ReturnType<typeof statementsFromLog> };
  floor: (LoadResult & { statements: number }) | null;
  sameAnswer: boolean | null;
}

function checkInConfig(w: Workload, ids: BenchIds, versions: Map<string, number>) {
  return { query: w.query, keyResults: ids.leadKeyResults.map((id) => ({ id: toGlobalId('KeyResult', id), version: versions.get(id)! })) };
}

async function krVersions(dbUrl: string, ids: string[]): Promise<Map<string, number>> {
  const c = new Client({ connectionString: dbUrl });
  await c.connect();
  const rows = (await c.query(`SELECT id, version FROM key_results WHERE id = ANY($1)`, [ids])).rows as Array<{ id: string; version: number }>;
  await c.end();
  return new Map(rows.map((r) => [r.id, r.version]));
}

async function floorStats(floor: Proc): Promise<Record<string, { requests: number; statements: number }>> {
  return (await fetch(`${floor.url}/stats`)).json() as never;
}

async function benchFloor(opts: Options, db: BenchDb, serverUrlLabel: string, tmp: string) {
  const workloads = WORKLOADS.filter((w) => !opts.only || opts.only.includes(w.name));
  const logFile = path.join(tmp, `plangraph-${path.basename(db.url)}.log`);
  const server = await startPlangraph(db.url, logFile, path.join(tmp, 'data'));
  const floor = await startFloor(db.url);
  const rssStart = rssMiB(server.child.pid!);
  const token = signSession(JWT_SECRET, db.ids.leadId, 24 * 3600);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const ctx = { squadId: db.ids.squadId, cycleId: db.ids.cycleId };
  const rows: Row[] = [];
  try {
    // Same answer: every read workload once on each side, compared.
    const same = new Map<string, boolean>();
    for (const w of workloads.filter((x) => !x.write)) {
      const { variables } = readArgs(w, ctx, toGlobalId);
      const a = await post(server.url, token, { query: w.query, variables });
      const b = await post(`${floor.url}/${w.name}`, token, { query: w.query, variables });
      if (a.errors) throw new Error(`${w.name}: plangraph answered errors: ${JSON.stringify(a.errors).slice(0, 500)}`);
      const diff = firstDifference(normalise(a.data), normalise(b.data));
      same.set(w.name, diff === null);
      if (diff) console.log(`  ! ${w.name}: answers differ at ${diff}`);
    }
    const configFor = async (w: Workload, target: 'plangraph' | 'floor', seconds: number, warmup: number): Promise<LoadConfig> => {
      const { variables } = readArgs(w, ctx, toGlobalId);
      return {
        url: target === 'plangraph' ? server.url : `${floor.url}/${w.name}`,
        headers,
        body: w.write ? undefined : JSON.stringify({ query: w.query, variables }),
        checkIn: w.write ? checkInConfig(w, db.ids, await krVersions(db.url, db.ids.leadKeyResults)) : undefined,
        connections: opts.connections,
        warmupSeconds: warmup,
        seconds,
      };
    };
    // Warm-up of every workload on both sides, outside any measured window; then the baseline RSS.
    for (const w of workloads) {
      await load(await configFor(w, 'plangraph', opts.warmup, 0));
      await load(await configFor(w, 'floor', opts.warmup, 0));
    }
    const rssWarm = rssMiB(server.child.pid!);
    for (const w of workloads) {
      await sleep(300);
      const offset = fs.statSync(logFile).size;
      const p = await load(await configFor(w, 'plangraph', opts.seconds, 1));
      await sleep(300);
      const statements = statementsFromLog(logFile, offset, w.operationName);
      const before = (await floorStats(floor))[w.name] ?? { requests: 0, statements: 0 };
      const f = await load(await configFor(w, 'floor', opts.seconds, 1));
      const after = (await floorStats(floor))[w.name];
      const floorStatements = (after.statements - before.statements) / Math.max(1, after.requests - before.requests);
      rows.push({ workload: w.name, label: w.label, plangraph: { ...p, statements }, floor: { ...f, statements: floorStatements }, sameAnswer: same.get(w.name) ?? null });
      console.log(
        `  ${w.name}: plangraph ${p.rps.toFixed(0)} req/s p50 ${p.p50} ms p95 ${p.p95} ms ${statements.mean.toFixed(1)} SQL/req` +
          ` (errors ${p.errors}${p.firstError ? `: ${p.firstError}` : ''}); floor ${f.rps.toFixed(0)} req/s p50 ${f.p50} ms (errors ${f.errors}${f.firstError ? `: ${f.firstError}` : ''})`,
      );
    }
    const kpiWrites = !opts.only || opts.only.includes('recordMeasurements')
      ? await benchRecordMeasurements({ url: server.url, token, dbUrl: db.url, organizationId: db.ids.organizationId })
      : null;
    const rssEnd = rssMiB(server.child.pid!);
    return { rows, kpiWrites, rss: { start: rssStart, warm: rssWarm, end: rssEnd }, database: serverUrlLabel };
  } finally {
    await server.stop();
    await floor.stop();
  }
}

const SCALE_EXTRA: Array<{ name: string; label: string; query: string }> = [
  {
    name: 'atRisk',
    label: '`objectives(filter: { status: AT_RISK }, first: 20)`',
    query: `query BenchAtRisk { objectives(filter: { status: AT_RISK }, first: 20) { nodes { id title status } } }`,
  },
  {
    name: 'atRiskCount',
    label: 'the same with `totalCount`',
    query: `query BenchAtRiskCount { objectives(filter: { status: AT_RISK }, first: 20) { totalCount nodes { id title status } } }`,
  },
];

/**
 * Both organisations are built first and both servers started; then each workload runs on the
 * small one and right after on the large one, so that the two figures of a row are taken under
 * the same load from whatever else runs on the machine.
 */
async function benchScale(opts: Options, serverUrl: string, tmp: string) {
  const reads = WORKLOADS.filter((w) => !w.write && (!opts.only || opts.only.includes(w.name)));
  type Figures = { p95: number; p50: number; rps: number; statements: number; errors: number };
  const results: Record<string, Record<string, Figures | 'no answer'>> = { small: {}, large: {} };
  const generation: Record<string, number> = {};
  const sides: Array<{ label: string; db: BenchDb; server: Proc; logFile: string; token: string }> = [];
  try {
    for (const [label, squad, bg] of [['small', SQUAD, SMALL], ['large', SQUAD_AFTER_A_YEAR, LARGE]] as const) {
      const started = Date.now();
      const db = await createBenchDb(serverUrl, label, squad, bg);
      generation[label] = (Date.now() - started) / 1000;
      const logFile = path.join(tmp, `plangraph-scale-${label}.log`);
      const server = await startPlangraph(db.url, logFile, path.join(tmp, 'data'));
      sides.push({ label, db, server, logFile, token: signSession(JWT_SECRET, db.ids.leadId, 24 * 3600) });
    }
    const workloads = [
      ...reads.map((w) => ({ name: w.name, operationName: w.operationName, query: w.query, variables: (ids: BenchIds) => readArgs(w, ids, toGlobalId).variables })),
      ...SCALE_EXTRA.map((x) => ({ name: x.name, operationName: /query (\w+)/.exec(x.query)![1], query: x.query, variables: () => ({}) })),
    ];
    for (const w of workloads) {
      for (const side of sides) {
        const variables = w.variables(side.db.ids);
        const answer = await post(side.server.url, side.token, { query: w.query, variables });
        if (answer.timeout) {
          results[side.label][w.name] = 'no answer';
          console.log(`  ${side.label} ${w.name}: no answer within 30 s; not measured`);
          continue;
        }
        if (answer.errors) throw new Error(`${w.name} (${side.label}): ${JSON.stringify(answer.errors).slice(0, 400)}`);
        const offset = fs.statSync(side.logFile).size;
        const r = await load({
          url: side.server.url,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${side.token}` },
          body: JSON.stringify({ query: w.query, variables }),
          connections: opts.connections,
          warmupSeconds: opts.warmup,
          seconds: opts.seconds,
        });
        await sleep(300);
        const st = statementsFromLog(side.logFile, offset, w.operationName);
        results[side.label][w.name] = { p95: r.p95, p50: r.p50, rps: r.rps, statements: st.mean, errors: r.errors };
        console.log(`  ${side.label} ${w.name}: ${r.rps.toFixed(0)} req/s p50 ${r.p50} ms p95 ${r.p95} ms ${st.mean.toFixed(1)} SQL/req errors ${r.errors}`);
      }
    }
  } finally {
    for (const side of sides) await side.server.stop();
    for (const side of sides) await side.db.drop();
  }
  const labels = new Map<string, string>([...WORKLOADS.map((w) => [w.name, w.label] as [string, string]), ...SCALE_EXTRA.map((x) => [x.name, x.label] as [string, string])]);
  console.log(`\nScale: ${SMALL.objectives}+${SQUAD.objectives} / ${LARGE.objectives}+${SQUAD.objectives} objectives; generation ${generation.small.toFixed(0)} s / ${generation.large.toFixed(0)} s\n`);
  console.log('| workload | p95 small | p95 large | large / small | SQL/req small | SQL/req large |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const name of Object.keys(results.small)) {
    const s = results.small[name];
    const l = results.large[name];
    if (s === 'no answer' || l === 'no answer' || !l) {
      console.log(`| ${labels.get(name)} | ${s === 'no answer' ? s : `${s.p95} ms`} | ${!l || l === 'no answer' ? 'no answer' : `${l.p95} ms`} | — | | |`);
      continue;
    }
    console.log(`| ${labels.get(name)} | ${s.p95} ms | ${l.p95} ms | ${(l.p95 / s.p95).toFixed(2)}× | ${s.statements.toFixed(1)} | ${l.statements.toFixed(1)} |`);
  }
  return { results, generation };
}

function printTable(r: Awaited<ReturnType<typeof benchFloor>>, opts: Options) {
  console.log(`\n${os.cpus().length} cores; c=${opts.connections}, ${opts.seconds} s per workload after ${opts.warmup} s warm-up; load generator in its own process\n`);
  console.log('| workload | plangraph req/s | p50 | p95 | SQL/req | floor req/s | p50 | p95 | SQL/req | plangraph / floor | same answer | errors |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const row of r.rows) {
    const p = row.plangraph;
    const f = row.floor!;
    const stm = Number.isNaN(p.statements.mean) ? '?' : p.statements.min === p.statements.max ? String(p.statements.min) : `${p.statements.mean.toFixed(1)} (${p.statements.min}–${p.statements.max})`;
    console.log(
      `| ${row.label} | ${p.rps.toFixed(0)} | ${p.p50} ms | ${p.p95} ms | ${stm} | ${f.rps.toFixed(0)} | ${f.p50} ms | ${f.p95} ms | ${f.statements.toFixed(0)} | ${(p.rps / f.rps).toFixed(2)}× | ${row.sameAnswer === null ? 'n/a (write)' : row.sameAnswer ? 'yes' : 'NO'} | ${p.errors} / ${f.errors} |`,
    );
  }
  const ratio = r.rss.end / r.rss.warm;
  console.log(`\nplangraph RSS: ${r.rss.start.toFixed(0)} MiB after start-up, ${r.rss.warm.toFixed(0)} MiB after warm-up, ${r.rss.end.toFixed(0)} MiB after the bench (${ratio.toFixed(2)}× of warm-up; target ≤ 1.5×)`);
}

/** The `export` workload (bench/export-bench.ts): 100,000 expenses generated, then exported as CSV and XLSX by a fresh server. */
async function benchExport(db: BenchDb, tmp: string): Promise<ExportFigures[]> {
  const c = new Client({ connectionString: db.url });
  await c.connect();
  const started = Date.now();
  const budgetId = await generateExportLedger(async (text, params = []) => (await c.query(text, params)).rows, db.ids.organizationId, db.ids.squadId);
  await c.query('VACUUM ANALYZE expenses');
  await c.end();
  console.log(`  data export: 100,000 expenses generated in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const server = await startPlangraph(db.url, path.join(tmp, 'plangraph-export.log'), path.join(tmp, 'data-export'));
  try {
    const origin = server.url.replace(/\/graphql$/, '');
    const token = signSession(JWT_SECRET, db.ids.leadId, 24 * 3600);
    // Warm-up (module loading, the first statements), outside the measured runs.
    const warm = await fetch(`${origin}/export/expenses.csv?budgetIds=${encodeURIComponent(toGlobalId('Budget', budgetId))}&from=2026-01-01&to=2026-01-03`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (warm.status !== 200) throw new Error(`export warm-up: ${warm.status} ${await warm.text()}`);
    await warm.arrayBuffer();
    const figures: ExportFigures[] = [];
    for (const format of ['csv', 'xlsx'] as const) figures.push(await measureExport(origin, token, server.child.pid!, budgetId, format));
    return figures;
  } finally {
    await server.stop();
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'plangraph-bench-'));
  fs.chmodSync(tmp, 0o755);
  tmpDir = tmp;
  let cluster: EmbeddedCluster | null = null;
  let serverUrl = process.env.DATABASE_URL;
  try {
    if (!serverUrl) {
      cluster = await startEmbeddedPostgres({ dir: path.join(tmp, 'pg'), port: await freePort(), logger, persistent: false, detached: false });
      serverUrl = cluster.url('postgres');
      clusterToStop = cluster;
    }
    const where = cluster ? 'embedded PostgreSQL' : 'DATABASE_URL';
    console.log(`plangraph bench (${where}; logs in ${tmp})`);
    if (opts.scale) {
      const r = await benchScale(opts, serverUrl, tmp);
      if (opts.json) fs.writeFileSync(opts.json, JSON.stringify({ scale: r, opts }, null, 2));
      return;
    }
    const db = await createBenchDb(serverUrl, 'squad', SQUAD, null);
    try {
      const floorOnly = opts.only?.filter((n) => n !== 'export') ?? null;
      const r = floorOnly && floorOnly.length === 0 ? null : await benchFloor({ ...opts, only: floorOnly }, db, where, tmp);
      if (r) printTable(r, opts);
      const exports = !opts.only || opts.only.includes('export') ? await benchExport(db, tmp) : null;
      if (exports) printExportFigures(exports);
      if (opts.json) fs.writeFileSync(opts.json, JSON.stringify({ ...r, exports, opts }, null, 2));
    } finally {
      if (opts.keep && !cluster) console.log(`  kept the bench database: ${db.url}`);
      else await db.drop();
    }
  } finally {
    await cluster?.stop();
    if (!process.env.BENCH_KEEP_LOGS) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`bench failed: ${(err as Error).message}`);
  process.exit(1);
});
