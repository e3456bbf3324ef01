import { buildAppSchema } from '../../../src/server/schema';
import { decodeGlobalId } from '../../../src/common/ids';
import { createOrg, type TestOrg } from '../../support/factories';
import { errorCode, startTestApp, type GqlResult, type TestApp } from '../../support/test-app';
import { settle, subscribe, wsClient } from '../../support/ws';
import { tenancy, type TenantA } from './cases';

/**
 * For every root field: a caller of organisation B (an OWNER, the strongest role) using
 * organisation A's ids gets no data of A, exactly as if the ids did not exist, and changes
 * nothing in A. A root field with no case in cases.ts fails the first test.
 */
let app: TestApp;
let a: TenantA;
let b: TestOrg;
let secrets: string[];
const ORG_A_NAME = `Tenant A ${Math.random().toString(36).slice(2)} 甲`;

beforeAll(async () => {
  app = await startTestApp();
  const orgA = await createOrg(app, ORG_A_NAME);
  const ids: Record<string, string> = {};
  for (const fixture of tenancy.fixtures) Object.assign(ids, await fixture(app, orgA, { ...ids }));
  a = { org: orgA, ids };
  b = await createOrg(app, 'Tenant B 乙');
  const rows: Array<{ email: string }> = await app.ds.query(
    `SELECT u.email FROM users u JOIN members m ON m.user_id = u.id WHERE m.organization_id = $1`,
    [decodeGlobalId(orgA.organizationId)!.id],
  );
  secrets = [
    ORG_A_NAME,
    ...rows.map((r) => r.email),
    ...Object.values(ids),
    ...Object.values(ids).map((g) => decodeGlobalId(g)?.id ?? g),
  ];
});
afterAll(() => app.stop());

/** A's secrets found in `result`, except those B itself sent (an error may echo the id asked for). */
function leaks(result: unknown, sent: unknown = null): string[] {
  const text = JSON.stringify(result);
  const own = JSON.stringify(sent ?? null);
  return secrets.filter((s) => text.includes(s) && !own.includes(s));
}

async function auditCountOfA(): Promise<number> {
  const [{ n }] = await app.ds.query(`SELECT count(*)::int AS n FROM audit_events WHERE organization_id = $1`, [
    decodeGlobalId(a.org.organizationId)!.id,
  ]);
  return n;
}

describe('tenancy matrix', () => {
  it('has a case for every root field', async () => {
    const schema = await buildAppSchema();
    const fields = (['Query', 'Mutation', 'Subscription'] as const).flatMap((kind) => {
      const type = kind === 'Query' ? schema.getQueryType() : kind === 'Mutation' ? schema.getMutationType() : schema.getSubscriptionType();
      return Object.keys(type?.getFields() ?? {}).map((f) => `${kind}.${f}`);
    });
    const missing = fields.filter((f) => !tenancy.cases[f]);
    expect(missing).toEqual([]);
  });

  it('gives B no data of A and changes nothing in A, on every query and mutation', async () => {
    const before = await auditCountOfA();
    const failures: string[] = [];
    // Cases that end B's session (logOut...) run last, so every other case runs signed in.
    const ordered = Object.entries(tenancy.cases).sort(([, x], [, y]) => Number(Boolean(x.endsSession)) - Number(Boolean(y.endsSession)));
    for (const [field, c] of ordered) {
      if (field.startsWith('Subscription.')) continue;
      const { query, variables } = c.operation(a);
      const result: GqlResult = await app.gql(query, variables, b);
      const leaked = leaks(result.data ?? null).concat(leaks(result.errors ?? null, variables));
      if (leaked.length) failures.push(`${field} leaked ${leaked.join(', ')}`);
      if (c.expect === 'NOT_FOUND' && errorCode(result) !== 'NOT_FOUND') {
        failures.push(`${field} answered ${JSON.stringify(result.errors ?? result.data)} instead of NOT_FOUND`);
      }
      if (c.expect === 'NULL') {
        const value = Object.values(result.data ?? {})[0];
        const empty = value === null || (Array.isArray(value) && value.every((v) => v === null));
        if (!empty || result.errors) failures.push(`${field} answered ${JSON.stringify(result)} instead of null`);
      }
    }
    expect(failures).toEqual([]);
    expect(await auditCountOfA()).toBe(before);
    // B signs in again: the session-ending cases ended B's token.
    const again = await app.gql(`mutation($i: LogInInput!) { logIn(input: $i) { token } }`, { i: { email: b.email, password: 'correct horse battery' } });
    b = { ...b, token: again.data.logIn.token };
  });

  it('never delivers A’s events to B’s subscriptions', async () => {
    const subs = Object.entries(tenancy.cases).filter(([f]) => f.startsWith('Subscription.'));
    expect(subs.length).toBeGreaterThan(0);
    for (const [field, c] of subs) {
      const client = wsClient(app.url, { authorization: `Bearer ${b.token}` });
      const controlA = wsClient(app.url, { authorization: `Bearer ${a.org.token}` });
      const { query, variables } = c.operation(a);
      const sub = subscribe(client, query, variables);
      const control = subscribe(controlA, `subscription { planningEvents { type } }`);
      await settle();
      await c.trigger!(app, a);
      // The control subscription in A proves the trigger really produced an event.
      await control.next(5000);
      await settle(300);
      const received = sub.pending();
      expect({ field, received }).toEqual({ field, received: [] });
      await client.dispose();
      await controlA.dispose();
    }
  });
});
