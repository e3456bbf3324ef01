import { getNamedType, isLeafType, isListType, isNonNullType, isObjectType, type GraphQLField, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { buildAppSchema } from '../../../src/server/schema';
import { decodeGlobalId } from '../../../src/common/ids';
import { createOrg, type TestOrg } from '../../support/factories';
import { errorCode, startTestApp, type GqlResult, type TestApp } from '../../support/test-app';
import { settle, subscribe, wsClient } from '../../support/ws';
import { tenancy, type NestedCase, type TenantA } from './cases';

/**
 * For every root field: a caller of organisation B (an OWNER, the strongest role) using
 * organisation A's ids gets no data of A, exactly as if the ids did not exist, and changes
 * nothing in A. A root field with no case in cases.ts fails the first test. Below the root, every
 * list and connection field of an object type (`Budget.lines`) shows B none of A's rows, even rows
 * of A that point at B's objects; a field with no nested case fails too.
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

/** `Budget.lines` and the like: fields of object types (not the root, connections, edges or payloads) listing objects. */
function nestedFields(schema: GraphQLSchema): Array<{ type: GraphQLObjectType; field: GraphQLField<unknown, unknown>; connection: boolean }> {
  const out: Array<{ type: GraphQLObjectType; field: GraphQLField<unknown, unknown>; connection: boolean }> = [];
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || roots.includes(type) || /(Connection|Edge|Payload)$/.test(type.name)) continue;
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      const unwrapped = isNonNullType(field.type) ? field.type.ofType : field.type;
      const connection = isObjectType(named) && 'edges' in named.getFields() && 'pageInfo' in named.getFields();
      if (connection || (isListType(unwrapped) && !isLeafType(named))) out.push({ type, field, connection });
    }
  }
  return out;
}

/** The field's rows with every scalar they have (a connection with its totalCount), read on `parent` through node(id:). */
function nestedQuery(type: GraphQLObjectType, field: GraphQLField<unknown, unknown>, connection: boolean, args?: string, root?: string): string {
  const nodeType = connection ? getNamedType((getNamedType(field.type) as GraphQLObjectType).getFields().nodes.type) : getNamedType(field.type);
  const scalars = isObjectType(nodeType)
    ? Object.values(nodeType.getFields())
        .filter((f) => isLeafType(getNamedType(f.type)) && !f.args.some((a) => isNonNullType(a.type)))
        .map((f) => f.name)
        .join(' ')
    : '__typename';
  const rows = connection ? `${args ?? '(first: 100)'} { totalCount nodes { ${scalars} } }` : `${args ?? ''} { ${scalars} }`;
  if (root) return `{ node: ${root} { ${field.name}${rows} } }`;
  return `query($id: ID!) { node(id: $id) { ... on ${type.name} { ${field.name}${rows} } } }`;
}

const uuid = (globalId: string) => decodeGlobalId(globalId)!.id;

describe('tenancy matrix, below the root', () => {
  let schema: GraphQLSchema;
  /** A second organisation built by the same fixtures: its objects carry the same names as A's. */
  let planB: TenantA;

  beforeAll(async () => {
    schema = await buildAppSchema();
    const org = await createOrg(app, 'Tenant B with a plan 乙');
    const ids: Record<string, string> = {};
    for (const fixture of tenancy.fixtures) Object.assign(ids, await fixture(app, org, { ...ids }));
    planB = { org, ids };
  });

  it('has a nested case for every list and connection field of an object type', () => {
    const missing = nestedFields(schema)
      .map(({ type, field }) => `${type.name}.${field.name}`)
      .filter((name) => !tenancy.nested[name]);
    expect(missing).toEqual([]);
  });

  /**
   * Moves A's rows (or A's references) onto B's object in SQL, leaving their organization_id A's;
   * returns how many rows changed and how to put them back.
   */
  async function pointAtB(c: Exclude<NestedCase, { exempt: string }>): Promise<{ changed: number; restore: () => Promise<void> }> {
    const orgA = uuid(a.org.organizationId);
    if ('children' in c) {
      const { table, set, shift } = c.children;
      const columns = Object.keys(set);
      const ids = (name: string, t: TenantA) => {
        if (!t.ids[name]) throw new Error(`no fixture id named ${name}`);
        return uuid(t.ids[name]);
      };
      const assign = (t: TenantA, sign: string) =>
        [...columns.map((col, i) => `"${col}" = $${i + 3}`), ...(shift ? [`"${shift}" = "${shift}" ${sign} 100000`] : [])].join(', ');
      const target = ids(set[columns[0]], planB);
      const [rows] = await app.ds.query(
        `UPDATE ${table} SET ${assign(planB, '+')} WHERE "${columns[0]}" = $1 AND organization_id = $2 RETURNING 1 AS moved`,
        [ids(set[columns[0]], a), orgA, ...columns.map((col) => ids(set[col], planB))],
      );
      return {
        changed: (rows as unknown[]).length,
        // The rows moved are the only ones of A that point at B's object.
        restore: async () => {
          await app.ds.query(`UPDATE ${table} SET ${assign(a, '-')} WHERE "${columns[0]}" = $1 AND organization_id = $2`, [
            target,
            orgA,
            ...columns.map((col) => ids(set[col], a)),
          ]);
        },
      };
    }
    const { table, columns } = c.references;
    const list = columns.map((col) => `"${col}"`).join(', ');
    const [before] = await app.ds.query(`SELECT ${list} FROM ${table} WHERE id = $1`, [uuid(planB.ids[c.parent])]);
    const [rows] = await app.ds.query(
      `UPDATE ${table} b SET ${columns.map((col) => `"${col}" = a."${col}"`).join(', ')} FROM ${table} a
        WHERE b.id = $1 AND a.id = $2 AND a.organization_id = $3 RETURNING b.id`,
      [uuid(planB.ids[c.parent]), uuid(a.ids[c.parent]), orgA],
    );
    return {
      changed: (rows as unknown[]).length,
      restore: async () => {
        await app.ds.query(`UPDATE ${table} SET ${columns.map((col, i) => `"${col}" = $${i + 2}`).join(', ')} WHERE id = $1`, [
          uuid(planB.ids[c.parent]),
          ...columns.map((col) => before[col]),
        ]);
      },
    };
  }

  it('shows B none of A’s rows, even rows of A that point at B’s objects', async () => {
    const failures: string[] = [];
    for (const { type, field, connection } of nestedFields(schema)) {
      const name = `${type.name}.${field.name}`;
      const c = tenancy.nested[name];
      if (!c || 'exempt' in c) continue;
      const root = 'root' in c ? c.root : undefined;
      const query = nestedQuery(type, field, connection, c.args, root);
      const read = () => app.gql(query, root ? {} : { id: planB.ids[c.parent] }, planB.org);
      const before = await read();
      if (before.errors?.length || !before.data?.node) {
        failures.push(`${name}: B cannot read its own ${c.parent}: ${JSON.stringify(before.errors ?? before.data)}`);
        continue;
      }
      const moved = await pointAtB(c);
      try {
        // A case that moves nothing tests nothing: A's fixtures must hold rows for it.
        if (moved.changed === 0) failures.push(`${name}: A's fixtures hold no row to point at B's ${c.parent}`);
        const after = await read();
        const leakedIds = Object.values(a.ids).filter((id) => JSON.stringify(after).includes(id));
        // Rows moved under B's object: B's answer is what it was. B's object made to reference A's
        // rows: it shows fewer of its own, never one of A's.
        const rowsOf = (r: typeof after) => {
          const value = r.data?.node?.[field.name];
          return ((connection ? value?.nodes : value) ?? []).map((row: unknown) => JSON.stringify(row));
        };
        const changed = 'children' in c ? JSON.stringify(after.data) !== JSON.stringify(before.data) : rowsOf(after).some((row: string) => !rowsOf(before).includes(row));
        if (changed || after.errors?.length || leakedIds.length) {
          failures.push(`${name}: B's ${c.parent} answered ${JSON.stringify(after.errors ?? after.data).slice(0, 300)} once A's rows pointed at it, instead of ${JSON.stringify(before.data).slice(0, 300)}`);
        }
      } finally {
        await moved.restore();
      }
    }
    expect(failures).toEqual([]);
  });
});
