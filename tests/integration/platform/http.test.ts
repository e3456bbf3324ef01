import crypto from 'node:crypto';
import { createOrg } from '../../support/factories';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

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

  it('blocks simple cross-site GET requests (CSRF prevention)', async () => {
    const res = await fetch(`${app.url}/graphql?query=${encodeURIComponent('{ __typename }')}`);
    expect(res.status).toBe(400);
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
