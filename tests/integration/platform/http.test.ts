import crypto from 'node:crypto';
import { createOrg } from '../../support/factories';
import { errorCode, ok, startTestApp, type GqlResult, type TestApp } from '../../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const CREATE_TOKEN = `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { secret } }`;
const CYCLES = `{ cycles(first: 1) { totalCount } }`;
const CREATE_CYCLE = `mutation { createCycle(input: { name: "GET 周期", startsOn: "2026-01-01", endsOn: "2026-03-31" }) { cycle { id } } }`;

/** A plain GET, as a BI connector sends it: the query in the URL, no content-type, no preflight header. */
function get(query: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${app.url}/graphql?query=${encodeURIComponent(query)}`, { headers });
}

describe('GET from BI connectors (a bearer token, no preflight header)', () => {
  async function setup() {
    const org = await createOrg(app);
    const read = ok(await app.gql(CREATE_TOKEN, { i: { name: '看板 BI', scopes: ['READ'] } }, org)).createApiToken.secret as string;
    const write = ok(await app.gql(CREATE_TOKEN, { i: { name: '导入 import', scopes: ['READ', 'WRITE'] } }, org)).createApiToken
      .secret as string;
    return { org, read, write };
  }
  const cycleCount = async (org: { token: string; organizationId: string }) => ok(await app.gql(CYCLES, {}, org)).cycles.totalCount as number;

  it('serves a query to a READ API token', async () => {
    const { read } = await setup();
    const res = await get('{ viewer { role } cycles(first: 5) { totalCount } }', { authorization: `Bearer ${read}` });
    expect(res.status).toBe(200);
    const body = (await res.json()) as GqlResult;
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ viewer: { role: 'VIEWER' }, cycles: { totalCount: 0 } });
  });

  it('serves a query to a session token too', async () => {
    const { org } = await setup();
    const res = await get('{ viewer { role } }', { authorization: `Bearer ${org.token}` });
    expect(res.status).toBe(200);
    expect(((await res.json()) as GqlResult).data).toEqual({ viewer: { role: 'OWNER' } });
  });

  it('never runs a mutation: 405 with a WRITE token or a session, and nothing is written', async () => {
    const { org, write } = await setup();
    for (const token of [write, org.token]) {
      const res = await get(CREATE_CYCLE, { authorization: `Bearer ${token}` });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
      expect(JSON.stringify(await res.json())).toContain('GET requests only support query operations');
    }
    expect(await cycleCount(org)).toBe(0);
    // The same mutation by POST does write: the GET above was refused, not broken.
    ok(await app.gql(CREATE_CYCLE, {}, org));
    expect(await cycleCount(org)).toBe(1);
  });

  it('never runs a mutation without a token either (CSRF refusal, or 405 with the preflight header)', async () => {
    const email = `get-${crypto.randomUUID()}@example.test`;
    const signUp = `mutation { signUp(input: { email: "${email}", password: "correct horse battery", displayName: "GET", organizationName: "GET" }) { email } }`;
    expect((await get(signUp)).status).toBe(400);
    const res = await get(signUp, { 'apollo-require-preflight': 'true' });
    expect(res.status).toBe(405);
    // signUp queues a confirmation mail: none was queued.
    const [{ count }] = await app.ds.query(`SELECT count(*)::int AS count FROM mail_outbox WHERE to_address = $1`, [email]);
    expect(count).toBe(0);
    ok(await app.gql(signUp));
    const [after] = await app.ds.query(`SELECT count(*)::int AS count FROM mail_outbox WHERE to_address = $1`, [email]);
    expect(after.count).toBe(1);
  });

  it('still refuses a tokenless GET without a preflight header, and an empty Authorization does not count', async () => {
    expect((await get('{ __typename }')).status).toBe(400);
    expect((await get('{ __typename }', { authorization: '' })).status).toBe(400);
  });

  it('answers a GET with a bad token as unauthenticated, not as a CSRF refusal', async () => {
    const res = await get('{ viewer { role } }', { authorization: 'Bearer pgt_not-a-token' });
    expect(JSON.stringify(await res.json())).not.toContain('Cross-Site Request Forgery');
  });
});

describe('status codes of request errors, by what the client accepts', () => {
  async function post(body: unknown, accept?: string) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (accept) headers.accept = accept;
    const res = await fetch(`${app.url}/graphql`, { method: 'POST', headers, body: JSON.stringify(body) });
    const json = (await res.json()) as GqlResult;
    return { status: res.status, type: res.headers.get('content-type'), code: json.errors?.[0]?.extensions?.code, data: json.data };
  }
  const PARSE = { query: '{ viewer { ' };
  const VALIDATION = { query: '{ nope }' };
  const COERCION = { query: 'query($n: Int) { cycles(first: $n) { totalCount } }', variables: { n: 'many' } };
  const TOO_DEEP = { query: `{ ${'node(id: "x") { ... on Squad { lead { '.repeat(20)}id${' } } }'.repeat(20)} }` };

  it('answers 200 with errors to an application/json client (GraphQL over HTTP)', async () => {
    for (const [body, code] of [
      [PARSE, 'GRAPHQL_PARSE_FAILED'],
      [VALIDATION, 'GRAPHQL_VALIDATION_FAILED'],
      [COERCION, 'BAD_USER_INPUT'],
      [TOO_DEEP, 'QUERY_TOO_COMPLEX'],
    ] as const) {
      const r = await post(body, 'application/json');
      expect([r.status, r.code, r.type]).toEqual([200, code, 'application/json; charset=utf-8']);
      expect(r.data).toBeUndefined();
    }
  });

  it('answers 400 to an application/graphql-response+json client, and to one that names no type', async () => {
    for (const accept of ['application/graphql-response+json', 'application/graphql-response+json, application/json;q=0.9', '*/*', undefined]) {
      for (const body of [PARSE, VALIDATION, COERCION, TOO_DEEP]) expect((await post(body, accept)).status).toBe(400);
    }
  });

  it('keeps 400 for a malformed request whatever the client accepts', async () => {
    expect((await post({ variables: {} }, 'application/json')).status).toBe(400);
    expect((await post({ query: 'subscription { planningEvents { type } }' }, 'application/json')).status).toBe(400);
  });
});

describe('GraphQL over HTTP', () => {
  it('answers POST and GET', async () => {
    expect(ok(await app.gql('{ __typename }'))).toEqual({ __typename: 'Query' });
    const res = await fetch(`${app.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(await res.json()).toEqual({ data: { __typename: 'Query' }, extensions: { cost: { requested: 0, limit: 25_000 } } });
  });

  it('speaks application/graphql-response+json', async () => {
    const res = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(res.headers.get('content-type')).toContain('application/graphql-response+json');
  });

  it('blocks simple cross-site GET requests (CSRF prevention): no Authorization, no preflight header', async () => {
    const res = await fetch(`${app.url}/graphql?query=${encodeURIComponent('{ __typename }')}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Cross-Site Request Forgery');
  });

  it('refuses batched requests', async () => {
    const res = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
    });
    expect(res.status).toBe(400);
  });

  it('gives a malformed document one clear error without stack trace', async () => {
    const r = await app.gql('{ organization { ');
    expect(errorCode(r)).toBe('GRAPHQL_PARSE_FAILED');
    expect(r.errors).toHaveLength(1);
    expect(JSON.stringify(r)).not.toMatch(/stacktrace|at Parser/);
  });

  it('rejects an unknown field without suggestions or stack trace', async () => {
    const r = await app.gql('{ organization { nme } }');
    expect(errorCode(r)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.errors![0].message).toContain('Cannot query field "nme"');
    expect(r.errors![0].message).not.toContain('Did you mean');
    expect(JSON.stringify(r)).not.toContain('stacktrace');
  });

  it('rejects a body that is not JSON with a GraphQL-shaped error', async () => {
    const res = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{bad',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      errors: [{ message: 'The request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('sends no CORS headers unless CORS_ORIGINS allows the origin', async () => {
    const res = await fetch(`${app.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('reports health and readiness', async () => {
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: 'up' });
  });

  it("answers /readyz without the database's error text", async () => {
    const query = jest.spyOn(app.ds, 'query').mockRejectedValueOnce(new Error('password authentication failed for user "plangraph" at 10.1.2.3'));
    try {
      const res = await fetch(`${app.url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'not ready', database: 'down', reason: 'database unreachable' });
    } finally {
      query.mockRestore();
    }
  });

  it('gives the GraphiQL page a Content-Security-Policy that allows its own script and no other inline one', async () => {
    const res = await fetch(`${app.url}/graphiql`);
    const page = await res.text();
    const script = page.split('<script>')[1].split('</script>')[0];
    const hash = crypto.createHash('sha256').update(script, 'utf8').digest('base64');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain(`script-src 'self' 'sha256-${hash}'`);
    expect(csp).not.toContain("'unsafe-eval'");
    expect(csp).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:\d+ wss:\/\/127\.0\.0\.1:\d+/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('is not ready while a migration is pending', async () => {
    const [last] = await app.ds.query(`SELECT id, name, timestamp FROM migrations ORDER BY id DESC LIMIT 1`);
    await app.ds.query(`DELETE FROM migrations WHERE id = $1`, [last.id]);
    try {
      const res = await fetch(`${app.url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'not ready', database: 'up', reason: 'migrations pending', pending: [last.name] });
    } finally {
      await app.ds.query(`INSERT INTO migrations (id, timestamp, name) VALUES ($1, $2, $3)`, [last.id, last.timestamp, last.name]);
    }
  });

  it('serves GraphiQL and its assets locally, with no CDN', async () => {
    const page = await (await fetch(`${app.url}/graphiql`)).text();
    expect(page).toContain('GraphiQL');
    const scripts = [...page.matchAll(/src="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThanOrEqual(4);
    for (const src of scripts) {
      expect(src.startsWith('/graphiql/assets/')).toBe(true);
      const res = await fetch(`${app.url}${src}`);
      expect(res.status).toBe(200);
      expect((await res.text()).length).toBeGreaterThan(1000);
    }
    expect(page).not.toMatch(/https?:\/\/(?!localhost)/);
  });

  it('hides internals: Decimal and Date inputs get clear errors', async () => {
    const org = await createOrg(app);
    const r = await app.gql('query($id: ID!) { node(id: $id) { id } }', { id: 'garbage' }, org);
    expect(ok(r)).toEqual({ node: null });
  });
});
