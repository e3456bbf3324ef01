import 'reflect-metadata';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/common/logger';
import { createDataSource } from '../src/db/data-source';
import { entities } from '../src/modules/entities';
import { migrate } from '../src/db/database';
import { freePort, startEmbeddedPostgres, type EmbeddedCluster } from '../src/db/embedded-postgres';
import { startServer } from '../src/server/app';
import { createEventBusFromTarget } from '../src/server/event-bus';
import { toGlobalId } from '../src/common/ids';
import { seedDemo } from '../seeds/demo';
import { DEMO } from '../seeds/ids';

/**
 * `npm run bench`: starts the server on a fresh database (DATABASE_URL's server, or an
 * embedded PostgreSQL in a temporary directory), loads a data set, and drives workloads over
 * real HTTP from this process. Prints one line per workload: throughput, latency percentiles
 * and SQL statements per request. BENCH_SECONDS (default 10) and BENCH_CONCURRENCY (default 10).
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 10);
const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 100);

interface Workload {
  name: string;
  query: string;
  variables?: () => Record<string, unknown>;
  /** Whose token sends it (default: the bench organisation's owner). */
  token?: string;
}

const DASHBOARD = `query SquadDashboard($squadId: ID!, $cycleId: ID!) {
  squad(id: $squadId) {
    name currentSprint { name endsOn goal } members { function user { displayName } }
    objectives(filter: { cycleId: $cycleId }, first: 50) { nodes { title progress status version
      keyResults { id title unit currentValue targetValue progress confidence status version
        owner { displayName } latestCheckIn { value confidence note createdAt author { displayName } } } } }
    tasks(filter: { status: [TODO, IN_PROGRESS, BLOCKED] }, first: 50) {
      nodes { id title status dueOn quadrant assignee { displayName } keyResult { title } } } } }`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  const logger = createLogger(process.env.LOG_LEVEL ?? 'error');
  let cluster: EmbeddedCluster | null = null;
  let tmp: string | null = null;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'plangraph-bench-'));
    fs.chmodSync(tmp, 0o755);
    cluster = await startEmbeddedPostgres({ dir: path.join(tmp, 'pg'), port: await freePort(), logger, persistent: false });
    serverUrl = cluster.url('postgres');
  }
  const dbName = `plangraph_bench_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(dbName)}`);
  const u = new URL(serverUrl);
  u.pathname = `/${dbName}`;
  const dbUrl = u.toString();

  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: dbUrl, JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0000' });
  const ds = createDataSource(dbUrl, logger, 20, entities);
  await ds.initialize();
  await migrate(ds);
  const events = createEventBusFromTarget('memory', undefined);
  const server = await startServer({ config, logger, db: ds, events, jwtSecret: config.jwtSecret! }, 0, '127.0.0.1');
  const url = `http://127.0.0.1:${server.port}/graphql`;

  const post = async (query: string, variables: Record<string, unknown> = {}, token?: string) => {
    const requestId = crypto.randomUUID();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: any; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return { data: body.data, statements: server.statementsFor(requestId)?.count ?? 0 };
  };

  // Data: one organisation with MEMBERS members (Chinese names).
  const signUp = await post(
    `mutation($i: SignUpInput!) { signUp(input: $i) { token organization { id } } }`,
    { i: { email: 'bench@example.test', password: 'bench-password', displayName: '基准 Owner', organizationName: '基准组织' } },
  );
  const token = signUp.data.signUp.token as string;
  await ds.query(
    `WITH u AS (INSERT INTO users (email, display_name)
       SELECT 'm' || g || '@example.test', '成员' || g FROM generate_series(1, $1) g RETURNING id)
     INSERT INTO members (organization_id, user_id, role)
     SELECT (SELECT organization_id FROM members LIMIT 1), id, 'MEMBER' FROM u`,
    [MEMBERS - 1],
  );

  // The demo plan (Q2 content-platform OKRs, squads, sprints, tasks) for the squad-lead workloads.
  await seedDemo(ds);
  const lead = await post(`mutation($i: LogInInput!) { logIn(input: $i) { token } }`, {
    i: { email: DEMO.users.lead.email, password: DEMO.password },
  });
  const leadToken = lead.data.logIn.token as string;
  const CHECK_IN = `mutation($i: CheckInKeyResultInput!) { checkInKeyResult(input: $i) { keyResult { version } } }`;
  const krId = toGlobalId('KeyResult', DEMO.plan.krPosts);
  let krVersion = (await post(`query($id: ID!) { node(id: $id) { ... on KeyResult { version } } }`, { id: krId }, leadToken)).data.node.version as number;

  const workloads: Workload[] = [
    { name: 'viewer', query: `{ viewer { user { displayName } organization { name } role } }` },
    {
      name: `members(first: 100) with users (${MEMBERS} members)`,
      query: `{ organization { members(first: 100) { totalCount nodes { role user { displayName email } } } } }`,
    },
    {
      name: 'squad-lead dashboard (demo squad)',
      query: DASHBOARD,
      variables: () => ({ squadId: toGlobalId('Squad', DEMO.plan.squadCreators), cycleId: toGlobalId('Cycle', DEMO.plan.cycleQ2) }),
      token: leadToken,
    },
  ];

  console.log(`plangraph bench: ${os.cpus().length} cores, ${SECONDS}s per workload, concurrency ${CONCURRENCY}, PostgreSQL ${cluster ? 'embedded' : 'DATABASE_URL'}`);
  for (const w of workloads) {
    const as = w.token ?? token;
    const { statements } = await post(w.query, w.variables?.() ?? {}, as);
    const latencies: number[] = [];
    const end = Date.now() + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (Date.now() < end) {
          const t = process.hrtime.bigint();
          await post(w.query, w.variables?.() ?? {}, as);
          latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
        }
      }),
    );
    latencies.sort((x, y) => x - y);
    console.log(
      `${w.name}: ${(latencies.length / SECONDS).toFixed(0)} req/s, p50 ${percentile(latencies, 50).toFixed(1)} ms, ` +
        `p95 ${percentile(latencies, 95).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, ${statements} SQL statements/request`,
    );
  }

  // Check-ins one after another (each needs the version the previous one produced).
  {
    const latencies: number[] = [];
    const end = Date.now() + SECONDS * 1000;
    let statements = 0;
    while (Date.now() < end) {
      const t = process.hrtime.bigint();
      const r = await post(CHECK_IN, { i: { keyResultId: krId, value: String(100 + latencies.length), confidence: 0.8, note: '基准', expectedVersion: krVersion } }, leadToken);
      latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      krVersion = r.data.checkInKeyResult.keyResult.version;
      statements = r.statements;
    }
    latencies.sort((x, y) => x - y);
    console.log(
      `checkInKeyResult (sequential, with roll-up, audit and event): ${(latencies.length / SECONDS).toFixed(0)} req/s, ` +
        `p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, ${statements} SQL statements/request`,
    );
  }

  await server.stop();
  await ds.destroy();
  await admin.query(`DROP DATABASE ${admin.escapeIdentifier(dbName)} WITH (FORCE)`);
  await admin.end();
  await cluster?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(`bench failed: ${(err as Error).message}`);
  process.exit(1);
});
