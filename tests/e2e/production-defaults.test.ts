import crypto from 'node:crypto';
import { getIntrospectionQuery } from 'graphql';
import { Client } from 'pg';
import { DEMO } from '../../seeds/ids';
import { createOrg } from '../support/factories';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';
import { errorCode, httpGql, ok } from '../support/test-app';
import { createTestDatabase } from '../support/test-db';

/** The built server started with NODE_ENV=production, as a deployment runs it. */
jest.setTimeout(120_000);

const JWT_SECRET = crypto.randomBytes(32).toString('hex');
const PLANNER = 'https://planner.example.com';
const LOG_IN = `mutation($i: LogInInput!) { logIn(input: $i) { token } }`;

type Db = Awaited<ReturnType<typeof createTestDatabase>>;
const started: Array<{ server: SpawnedServer; db: Db }> = [];

async function start(env: Record<string, string>) {
  const db = await createTestDatabase();
  const server = await spawnServer({ NODE_ENV: 'production', JWT_SECRET, DATABASE_URL: db.url, HOST: '127.0.0.1', ...env });
  started.push({ server, db });
  return { server, db, api: httpGql(server.url, db.url) };
}

afterAll(async () => {
  for (const { server, db } of started) {
    await server.stop();
    await db.drop();
  }
});

async function organizations(url: string): Promise<number> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return Number((await c.query('SELECT count(*) FROM organizations')).rows[0].count);
  } finally {
    await c.end();
  }
}

describe('NODE_ENV=production', () => {
  let prod: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    prod = await start({ CORS_ORIGINS: PLANNER });
  });

  it('loads no demo organisation and prints no demo login or GraphiQL', async () => {
    expect(await organizations(prod.db.url)).toBe(0);
    expect(prod.server.output()).not.toMatch(/Demo login|GraphiQL|plangraph-demo/);
    expect((await fetch(`${prod.server.url}/graphiql`)).status).toBe(404);
    const r = await prod.api.gql(LOG_IN, { i: { email: DEMO.users.owner.email, password: DEMO.password } });
    expect(r.errors).toBeDefined();
  });

  it('refuses anonymous introspection; signed-in users and API tokens may introspect', async () => {
    const query = getIntrospectionQuery();
    const anonymous = await prod.api.gql(query);
    expect(anonymous.status).toBe(401);
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
    expect(anonymous.data).toBeUndefined();
    expect(errorCode(await prod.api.gql(`{ __type(name: "Query") { name } }`))).toBe('UNAUTHENTICATED');
    // __typename is no introspection of the schema.
    expect(ok(await prod.api.gql(`{ __typename }`))).toEqual({ __typename: 'Query' });
    const org = await createOrg(prod.api);
    expect(ok(await prod.api.gql(query, {}, org)).__schema.types.length).toBeGreaterThan(50);
    const secret = ok(
      await prod.api.gql(`mutation { createApiToken(input: { name: "BI", scopes: [READ] }) { secret } }`, {}, org),
    ).createApiToken.secret;
    expect(ok(await prod.api.gql(query, {}, { token: secret })).__schema.queryType.name).toBe('Query');
  });

  it('sends security headers on every response', async () => {
    for (const [path, init] of [
      ['/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) }],
      ['/healthz', {}],
      ['/readyz', {}],
      ['/no-such-page', {}],
    ] as const) {
      const res = await fetch(`${prod.server.url}${path}`, init as RequestInit);
      expect({ path, csp: res.headers.get('content-security-policy') }).toEqual({ path, csp: expect.stringMatching(/default-src '(self|none)'/) });
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('allows the CORS_ORIGINS origins and no other', async () => {
    const preflight = (origin: string) =>
      fetch(`${prod.server.url}/graphql`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
      });
    const allowed = await preflight(PLANNER);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(PLANNER);
    expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
    const refused = await preflight('https://evil.example.com');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    const post = await fetch(`${prod.server.url}/graphql`, {
      method: 'POST',
      headers: { origin: PLANNER, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(post.headers.get('access-control-allow-origin')).toBe(PLANNER);
  });

  it('tells /readyz callers ready or not', async () => {
    const res = await fetch(`${prod.server.url}/readyz`);
    expect(await res.json()).toEqual({ status: 'ready', database: 'up' });
  });
});

describe('NODE_ENV=production with SEED_DEMO=true and GRAPHIQL=true', () => {
  it('loads the demo and serves GraphiQL, still without the demo login, under its own CSP', async () => {
    const { server, db, api } = await start({ SEED_DEMO: 'true', GRAPHIQL: 'true' });
    expect(await organizations(db.url)).toBeGreaterThan(0);
    expect(server.output()).toContain('GraphiQL:');
    expect(server.output()).not.toMatch(/Demo login|plangraph-demo/);
    const res = await fetch(`${server.url}/graphiql`);
    const page = await res.text();
    expect(page).not.toMatch(/plangraph-demo|demo@plangraph/);
    const script = page.split('<script>')[1].split('</script>')[0];
    const hash = crypto.createHash('sha256').update(script, 'utf8').digest('base64');
    expect(res.headers.get('content-security-policy')).toContain(`'sha256-${hash}'`);
    ok(await api.gql(LOG_IN, { i: { email: DEMO.users.owner.email, password: DEMO.password } }));
  });
});
