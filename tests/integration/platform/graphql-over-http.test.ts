import { serverAudits, type AuditResult } from 'graphql-http';
import { createOrg } from '../../support/factories';
import { ok, startTestApp, type TestApp } from '../../support/test-app';

/**
 * The GraphQL-over-HTTP conformance audits of `graphql-http`, every one, against the started
 * server: any error (a MUST) or warning (a SHOULD) fails. Twice: as an anonymous client, and as a
 * BI connector sending a READ API token on every request.
 */
let app: TestApp;
let readToken: string;
beforeAll(async () => {
  app = await startTestApp();
  const org = await createOrg(app);
  readToken = ok(await app.gql(`mutation { createApiToken(input: { name: "audit", scopes: [READ] }) { secret } }`, {}, org)).createApiToken
    .secret;
});
afterAll(() => app.stop());

/**
 * The only audits an anonymous client does not pass, and they are MAYs (notices): plain GETs with
 * no token and no preflight header, refused by CSRF prevention on purpose (docs/api.md).
 */
const ANONYMOUS_GET_NOTICES = ['5A70', 'D6D5', '6A70'];

async function failure(result: AuditResult): Promise<string> {
  if (result.status === 'ok') return '';
  const { response } = result;
  const body = response.bodyUsed ? '' : await response.text().catch(() => '');
  return `${result.status}: ${result.reason} (HTTP ${response.status}, ${response.headers.get('content-type')}) ${body}`;
}

const withToken: typeof fetch = (input, init) =>
  fetch(input, { ...init, headers: { ...Object.fromEntries(new Headers(init?.headers)), authorization: `Bearer ${readToken}` } });

describe('GraphQL over HTTP conformance (graphql-http server audits)', () => {
  describe('an anonymous client', () => {
    const audits = serverAudits({ url: () => `${app.url}/graphql` });
    it.each(audits.map((audit) => [audit.id, audit.name, audit] as const))('%s %s', async (id, _name, audit) => {
      const result = await audit.fn();
      if (result.status === 'notice' && ANONYMOUS_GET_NOTICES.includes(id)) return;
      expect(await failure(result)).toBe('');
    });
  });

  describe('a BI connector with a READ API token', () => {
    const audits = serverAudits({ url: () => `${app.url}/graphql`, fetchFn: withToken });
    it.each(audits.map((audit) => [audit.id, audit.name, audit] as const))('%s %s', async (_id, _name, audit) => {
      expect(await failure(await audit.fn())).toBe('');
    });
  });
});
