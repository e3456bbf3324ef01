import fs from 'node:fs';
import path from 'node:path';
import { getIntrospectionQuery } from 'graphql';
import type { Client } from 'graphql-ws';
import { decodeGlobalId } from '../../../src/common/ids';
import { createOrg, addMember, type TestOrg } from '../../support/factories';
import { createCycle, createKeyResult, createObjective, createSquad } from '../../support/planning';
import { errorCode, ok, startTestApp, type GqlResult, type TestApp } from '../../support/test-app';
import { settle, wsClient } from '../../support/ws';

/**
 * Query limits over real HTTP and a real WebSocket: refused before anything runs, with
 * QUERY_TOO_COMPLEX naming the limit; the real front ends' queries pass and see their cost.
 */
let app: TestApp;
let org: TestOrg;
let ws: Client;
beforeAll(async () => {
  app = await startTestApp();
  org = await createOrg(app);
  ws = wsClient(app.url, { authorization: `Bearer ${org.token}` });
});
afterAll(async () => {
  await ws.dispose();
  await app.stop();
});

type Result = GqlResult & { extensions?: { cost?: { requested: number | null; limit: number } } };

/** One operation over graphql-ws: every `next` payload, and the errors if the server refused it. */
function overWs(client: Client, query: string, variables: Record<string, unknown> = {}) {
  return new Promise<{ results: Result[]; errors?: Result['errors'] }>((resolve) => {
    const results: Result[] = [];
    client.subscribe(
      { query, variables },
      {
        next: (v) => void results.push(v as Result),
        error: (e) => resolve({ results, errors: e as Result['errors'] }),
        complete: () => resolve({ results }),
      },
    );
  });
}

/** `KeyResult.objective` and `Objective.keyResults` referring to each other, `levels` deep. */
function nested(levels: number): string {
  let q = '{ id }';
  for (let i = levels - 1; i >= 0; i--) q = i % 2 === 0 ? `{ objective ${q} }` : `{ keyResults ${q} }`;
  return `query($id: ID!) { node(id: $id) { ... on KeyResult ${q} } }`;
}

/**
 * `viewer → user → membership → user → …`, `depth` fields deep (the last one `id`): written as
 * nested fields, with one named fragment per level (Relay/Apollo colocated fragments), or with an
 * inline fragment per level. Each level is one object, so the cost stays small at any depth.
 */
function chain(depth: number, style: 'fields' | 'fragments' | 'inline'): string {
  const field = (level: number) => (level === depth ? 'id' : level === 1 ? 'viewer' : level % 2 === 0 ? 'user' : 'membership');
  const typeOf = (level: number) => (level === 1 ? 'Query' : level === 2 ? 'Viewer' : level % 2 === 1 ? 'User' : 'Member');
  if (style === 'fragments') {
    const fragments = Array.from({ length: depth }, (_, i) => {
      const level = i + 1;
      return `fragment L${level} on ${typeOf(level)} { ${field(level)}${level < depth ? ` { ...L${level + 1} }` : ''} }`;
    });
    return `query Deep { ...L1 } ${fragments.join(' ')}`;
  }
  let q = '';
  for (let level = depth; level >= 1; level--) {
    const selection = `${field(level)}${q ? ` { ${q} }` : ''}`;
    q = style === 'inline' ? `... on ${typeOf(level)} { ${selection} }` : selection;
  }
  return `query Deep { ${q} }`;
}

/** The innermost `id` of `chain()`'s answer. */
function innermostId(data: any): string {
  let node = data.viewer;
  while (node.user || node.membership) node = node.user ?? node.membership;
  return node.id;
}

const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: squads { totalCount }`).join(' ')} }`;

const DASHBOARD = /const DASHBOARD = \/\* GraphQL \*\/ `([^`]+)`/.exec(
  fs.readFileSync(path.resolve(__dirname, '../okrs/dashboard-statements.test.ts'), 'utf8'),
)![1];

async function keyResultId(): Promise<string> {
  const lead = await addMember(app, org, 'SQUAD_LEAD');
  const squadId = await createSquad(app, org, lead.userId);
  const cycleId = await createCycle(app, org);
  const objective = await createObjective(app, org, { cycleId, squadId });
  return (await createKeyResult(app, org, { objectiveId: objective.id })).id;
}

describe('query limits over HTTP', () => {
  it('refuses the 40-level nesting by depth before running it, and keeps serving', async () => {
    const id = await keyResultId();
    const r = (await app.gql(nested(40), { id }, org)) as Result;
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe('QUERY_TOO_COMPLEX');
    expect(r.errors![0].message).toBe('Query too complex: depth 42 exceeds the limit of 12 (QUERY_MAX_DEPTH)');
    expect(r.errors![0].extensions).toMatchObject({ limit: 'QUERY_MAX_DEPTH', max: 12, found: 42 });
    expect(r.statements).toBeLessThanOrEqual(1); // authenticating the caller, nothing else
    expect(r.extensions?.cost).toEqual({ requested: null, limit: 25_000 });
    // Shallow enough for the depth limit, still far over the cost limit (20 key results per level).
    const costly = (await app.gql(nested(8), { id }, org)) as Result;
    expect(errorCode(costly)).toBe('QUERY_TOO_COMPLEX');
    expect(costly.errors![0].message).toMatch(/^Query too complex: cost \d+ exceeds the limit of 25000 \(QUERY_MAX_COST\)$/);
    expect(costly.statements).toBeLessThanOrEqual(1);
    expect(ok(await app.gql(nested(4), { id }, org)).node.objective.keyResults[0].objective.keyResults[0].id).toBe(id);
  });

  it('refuses 5,000 aliases without running their statements, and names the alias limit', async () => {
    const r = await app.gql(aliases(5000), {}, org);
    expect(errorCode(r)).toBe('QUERY_TOO_COMPLEX');
    expect(r.errors![0].message).toMatch(/\(QUERY_MAX_(TOKENS|ALIASES)\)$/);
    expect(r.statements).toBeLessThanOrEqual(1);
    const over = await app.gql(aliases(31), {}, org);
    expect(over.errors![0].message).toBe('Query too complex: aliases 31 exceeds the limit of 30 (QUERY_MAX_ALIASES)');
    expect(over.statements).toBeLessThanOrEqual(1);
    expect(ok(await app.gql(aliases(30), {}, org)).a29.totalCount).toEqual(expect.any(Number));
  });

  it.each(['fields', 'fragments', 'inline'] as const)(
    'counts the depth of the fields, not of fragments: 12 fields deep written as %s pass, 13 are refused as depth 13',
    async (style) => {
      const r = ok(await app.gql(chain(12, style), {}, org));
      expect(innermostId(r)).toEqual(expect.any(String));
      const over = await app.gql(chain(13, style), {}, org);
      expect(over.status).toBe(400);
      expect(over.errors).toEqual([
        expect.objectContaining({
          message: 'Query too complex: depth 13 exceeds the limit of 12 (QUERY_MAX_DEPTH)',
          extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'QUERY_MAX_DEPTH', max: 12, found: 13 },
        }),
      ]);
      expect(over.statements).toBeLessThanOrEqual(1);
    },
  );

  it('refuses a fragment that spreads itself as a validation error, not by depth', async () => {
    const cycle = `query { viewer { user { ...A } } } fragment A on User { membership { user { ...A } } }`;
    const r = await app.gql(cycle, {}, org);
    expect(r.status).toBe(400);
    expect(r.errors!.map((e) => [e.extensions?.code, e.message])).toEqual([['GRAPHQL_VALIDATION_FAILED', 'Cannot spread fragment "A" within itself.']]);
  });

  it('refuses 700 repeated fields by a named limit before validating them, and lets 500 pass', async () => {
    const repeated = (n: number) => `{ ${'squads { totalCount } '.repeat(n)}}`;
    const r = (await app.gql(repeated(700), {}, org)) as Result;
    expect(r.status).toBe(400);
    expect(r.errors).toEqual([
      expect.objectContaining({
        message: 'Query too complex: fields 1400 exceeds the limit of 500 (QUERY_MAX_FIELDS)',
        extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'QUERY_MAX_FIELDS', max: 500, found: 1400 },
      }),
    ]);
    expect(r.statements).toBeLessThanOrEqual(1); // authenticating the caller, nothing else
    expect(ok(await app.gql(repeated(250), {}, org)).squads.totalCount).toEqual(expect.any(Number));
  });

  it('counts aliases of __typename toward the alias limit', async () => {
    const typenames = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `t${i}: __typename`).join(' ')} }`;
    const over = await app.gql(typenames(31), {}, org);
    expect(over.errors).toEqual([
      expect.objectContaining({ message: 'Query too complex: aliases 31 exceeds the limit of 30 (QUERY_MAX_ALIASES)' }),
    ]);
    expect(ok(await app.gql(typenames(30), {}, org)).t29).toBe('Query');
  });

  it('names the token limit', async () => {
    const r = await app.gql(`{ ${'__typename '.repeat(3001)}}`, {}, org);
    expect(r.status).toBe(400);
    expect(r.errors).toEqual([
      expect.objectContaining({
        message: 'Query too complex: the number of tokens exceeds the limit of 3000 (QUERY_MAX_TOKENS)',
        extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'QUERY_MAX_TOKENS', max: 3000 },
      }),
    ]);
  });

  it("lets a BI tool's full introspection query pass, signed in or not (outside production)", async () => {
    const query = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, inputValueDeprecation: true });
    for (const as of [org, {}]) {
      const r = (await app.gql(query, {}, as)) as Result;
      expect(ok(r).__schema.types.length).toBeGreaterThan(50);
      expect(r.extensions?.cost?.requested).toBeLessThan(25_000);
    }
  });

  it('lets the squad dashboard pass and reports its cost', async () => {
    const lead = await addMember(app, org, 'SQUAD_LEAD');
    const squadId = await createSquad(app, org, lead.userId);
    const cycleId = await createCycle(app, org);
    await createObjective(app, org, { cycleId, squadId });
    const r = (await app.gql(DASHBOARD, { squadId, cycleId }, lead)) as Result;
    expect(ok(r).squad.objectives.nodes).toHaveLength(1);
    expect(r.extensions?.cost).toEqual({ requested: 8708, limit: 25_000 });
  });

  it('reports the cost of every response, also of a refused one', async () => {
    const r = (await app.gql(`{ squads(first: 5) { nodes { name } } }`, {}, org)) as Result;
    expect(r.extensions?.cost).toEqual({ requested: 6, limit: 25_000 });
    const denied = (await app.gql(`{ squads { totalCount } }`)) as Result;
    expect(errorCode(denied)).toBe('UNAUTHENTICATED');
    expect(denied.extensions?.cost).toEqual({ requested: 2, limit: 25_000 });
  });

  it('answers a subscription sent over HTTP POST with a 400 and BAD_REQUEST', async () => {
    const r = await app.gql(`subscription { planningEvents { type } }`, {}, org);
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe('BAD_REQUEST');
    expect(r.errors![0].message).toMatch(/WebSocket/);
  });
});

describe('query limits over graphql-ws', () => {
  it('refuses the 40-level nesting and 5,000 aliases before running them, and keeps the connection', async () => {
    const id = await keyResultId();
    const deep = await overWs(ws, nested(40), { id });
    expect(deep.errors).toEqual([
      expect.objectContaining({ message: 'Query too complex: depth 42 exceeds the limit of 12 (QUERY_MAX_DEPTH)', extensions: expect.objectContaining({ code: 'QUERY_TOO_COMPLEX' }) }),
    ]);
    const wide = await overWs(ws, aliases(5000));
    expect(wide.errors![0].extensions!.code).toBe('QUERY_TOO_COMPLEX');
    const costly = await overWs(ws, nested(8), { id });
    expect(costly.errors![0].message).toMatch(/\(QUERY_MAX_COST\)$/);
    const fine = await overWs(ws, `{ squads(first: 5) { totalCount } }`);
    expect(fine.results).toEqual([{ data: { squads: { totalCount: expect.any(Number) } }, extensions: { cost: { requested: 2, limit: 25_000 } } }]);
  });

  it('counts depth through fragments, refuses fragment cycles, repeated fields and aliased __typename as over HTTP', async () => {
    const fine = await overWs(ws, chain(12, 'fragments'));
    expect(fine.errors).toBeUndefined();
    expect(innermostId(fine.results[0].data)).toEqual(expect.any(String));
    const deep = await overWs(ws, chain(13, 'fragments'));
    expect(deep.errors!.map((e) => e.message)).toEqual(['Query too complex: depth 13 exceeds the limit of 12 (QUERY_MAX_DEPTH)']);
    const cycle = await overWs(ws, `query { viewer { user { ...A } } } fragment A on User { membership { user { ...A } } }`);
    expect(cycle.errors!.map((e) => [e.extensions?.code, e.message])).toEqual([['GRAPHQL_VALIDATION_FAILED', 'Cannot spread fragment "A" within itself.']]);
    const repeated = await overWs(ws, `{ ${'squads { totalCount } '.repeat(700)}}`);
    expect(repeated.errors!.map((e) => [e.extensions?.code, e.message])).toEqual([
      ['QUERY_TOO_COMPLEX', 'Query too complex: fields 1400 exceeds the limit of 500 (QUERY_MAX_FIELDS)'],
    ]);
    const typenames = await overWs(ws, `{ ${Array.from({ length: 31 }, (_, i) => `t${i}: __typename`).join(' ')} }`);
    expect(typenames.errors!.map((e) => e.message)).toEqual(['Query too complex: aliases 31 exceeds the limit of 30 (QUERY_MAX_ALIASES)']);
  });

  it('gives parse and validation errors their codes, not INTERNAL_SERVER_ERROR', async () => {
    expect((await overWs(ws, `{ squads {`)).errors![0].extensions!.code).toBe('GRAPHQL_PARSE_FAILED');
    expect((await overWs(ws, `{ nope }`)).errors![0].extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('lets introspection pass', async () => {
    const r = await overWs(ws, getIntrospectionQuery());
    expect(r.results[0].data.__schema.types.length).toBeGreaterThan(50);
  });

  it('reports the cost on every event of a subscription', async () => {
    const results: Result[] = [];
    const dispose = ws.subscribe({ query: `subscription { planningEvents { type actor { id } } }` }, {
      next: (v) => void results.push(v as Result),
      error: () => undefined,
      complete: () => undefined,
    });
    await settle();
    app.events.publish({
      type: 'SQUAD_UPDATED', organizationId: decodeGlobalId(org.organizationId)!.id, entityType: 'Squad',
      entityId: '00000000-0000-4000-8000-000000000000', actorId: null, at: new Date().toISOString(),
    });
    for (let i = 0; i < 50 && !results.length; i++) await settle(20);
    dispose();
    expect(results).toEqual([{ data: { planningEvents: { type: 'SQUAD_UPDATED', actor: null } }, extensions: { cost: { requested: 2, limit: 25_000 } } }]);
  });
});
