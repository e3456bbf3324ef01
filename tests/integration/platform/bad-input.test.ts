import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { createOrg } from '../../support/factories';
import { createCycle, createObjective, createTask } from '../../support/planning';
import { errorCode, ok, startTestApp, type GqlResult, type TestApp } from '../../support/test-app';
import { wsClient } from '../../support/ws';

/** Bad input is a clear client error with a stable code, never INTERNAL_SERVER_ERROR. */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const LOG_IN = `mutation($i: LogInInput!) { logIn(input: $i) { token } }`;
const TASK = `mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id title description } } }`;
const UPDATE_TASK = `mutation($i: UpdateTaskInput!) { updateTask(input: $i) { task { id title } } }`;
const SQUAD = `mutation($i: CreateSquadInput!) { createSquad(input: $i) { squad { id } } }`;
const SIGN_UP = `mutation($i: SignUpInput!) { signUp(input: $i) { email } }`;
const VIEWER = `{ viewer { user { id } } }`;
const NUL = '\u0000';

function refused(r: GqlResult, code = 'BAD_USER_INPUT') {
  expect(r.errors).toBeDefined();
  expect(errorCode(r)).toBe(code);
  expect(JSON.stringify(r.errors)).not.toMatch(/stacktrace|INTERNAL_SERVER_ERROR|at .*\.ts:\d+/);
  return r.errors![0];
}

describe('a NUL byte or another forbidden character in any string', () => {
  it('is refused before anything runs, unauthenticated log-in included (variables and literals)', async () => {
    const response = await app.gql(LOG_IN, { i: { email: `a${NUL}@example.test`, password: 'whatever password' } });
    expect(response.status).toBe(400);
    const byVariable = refused(response);
    expect(byVariable.extensions).not.toHaveProperty('http');
    expect(byVariable.message).toMatch(/^\$i\.email contains a NUL character \(U\+0000\)/);
    expect(byVariable.extensions!.field).toBe('$i.email');
    const byLiteral = refused(await app.gql(`mutation { logIn(input: { email: "a\\u0000@example.test", password: "x" }) { token } }`));
    expect(byLiteral.extensions!.field).toBe('logIn(input.email)');
    const inPassword = refused(await app.gql(LOG_IN, { i: { email: 'a@example.test', password: `pass${NUL}word12` } }));
    expect(inPassword.extensions!.field).toBe('$i.password');
    // No log-in attempt was even counted (the log-in limits' counters hold none for these emails).
    const [{ count }] = await app.ds.query(`SELECT count(*)::int AS count FROM rate_limits WHERE key LIKE '%@example.test%'`);
    expect(count).toBe(0);
  });

  it('is refused in signed-in mutations and queries, anywhere in the input', async () => {
    const org = await createOrg(app);
    const r = refused(await app.gql(TASK, { i: { title: 'ok', description: `x${NUL}y` } }, org));
    expect(r.extensions!.field).toBe('$i.description');
    refused(await app.gql(`query($id: ID!) { objective(id: $id) { id } }`, { id: `T2JqZWN0aXZl${NUL}` }, org));
    refused(await app.gql(`{ squads(first: 5, after: "abc\\u0000") { totalCount } }`, {}, org));
    // An unauthenticated caller gets the same answer (no authentication needed to refuse it).
    refused(await app.gql(TASK, { i: { title: `t${NUL}` } }));
  });

  it('refuses other control characters and bidirectional overrides, keeps line breaks and tabs in long texts', async () => {
    const org = await createOrg(app);
    const bell = refused(await app.gql(TASK, { i: { title: 'ding\u0007' } }, org));
    expect(bell.message).toMatch(/control character \(U\+0007\)/);
    const bidi = refused(await app.gql(TASK, { i: { title: 'invoice \u202Efdp.exe' } }, org));
    expect(bidi.message).toMatch(/bidirectional control character \(U\+202E\)/);
    refused(await app.gql(TASK, { i: { title: 'ok', description: 'isolate \u2067x\u2069' } }, org));
    refused(await app.gql(TASK, { i: { title: 'c1 \u0085' } }, org));
    const kept = ok(await app.gql(TASK, { i: { title: '周报 ✅', description: '第一行\n\t第二行' } }, org)).createTask.task;
    expect(kept.description).toBe('第一行\n\t第二行');
  });

  it('is refused over graphql-ws too, for queries and subscriptions alike', async () => {
    const org = await createOrg(app);
    const client = wsClient(app.url, { authorization: `Bearer ${org.token}` });
    const run = (query: string, variables: Record<string, unknown>) =>
      new Promise<any>((resolve) => {
        client.subscribe({ query, variables }, { next: (v) => resolve(v), error: (e) => resolve({ errors: e }), complete: () => undefined });
      });
    const q = await run(`query($id: ID!) { objective(id: $id) { id } }`, { id: `x${NUL}` });
    expect(q.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(q.errors[0].message).toMatch(/NUL/);
    const s = await run(`subscription($f: PlanningEventsFilter) { planningEvents(filter: $f) { type } }`, { f: { types: [`TASK${NUL}`] } });
    expect(s.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const lit = await run(`subscription { raciMatrixChanged(filter: { matrixId: "\\u202E" }) { id } }`, {});
    expect(lit.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'raciMatrixChanged(filter.matrixId)' });
    // A bad variable type over graphql-ws is the client's error too.
    const typed = await run(`query($id: ID!) { objective(id: $id) { id } }`, { id: { nested: true } });
    expect(typed.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    await client.dispose();
  });
});

describe('a tampered cursor', () => {
  const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v), 'utf8').toString('base64url');

  it('is BAD_USER_INPUT naming the argument, whatever it holds', async () => {
    const org = await createOrg(app);
    await createCycle(app, org);
    await createCycle(app, org);
    const cycleCursor = ok(await app.gql(`{ cycles(first: 1) { pageInfo { endCursor } } }`, {}, org)).cycles.pageInfo.endCursor;
    const tampered = [
      b64(['2026-01-01T00:00:00.000Z', 'not-a-uuid']),
      b64(['not a date', '00000000-0000-0000-0000-000000000000']),
      b64(['2026-02-30', '00000000-0000-0000-0000-000000000000']),
      b64(['0000-01-01', '00000000-0000-0000-0000-000000000000']),
      b64([{ a: 1 }, '00000000-0000-0000-0000-000000000000']),
      b64([1e308, '00000000-0000-0000-0000-000000000000']),
      b64(['00000000-0000-0000-0000-000000000000', '2026-01-01T00:00:00.000Z']),
      b64({ after: 1 }),
      b64('null'),
      b64('x'.repeat(2000)),
      b64(['9999-12-31', '2026-01-01T00:00:00.000Z', '00000000-0000-0000-0000-000000000000']), // three keys, not two
      'not base64 at all!',
    ];
    for (const cursor of tampered) {
      for (const arg of ['after', 'before']) {
        const r = await app.gql(`query($c: String) { squads(first: 5, ${arg}: $c) { totalCount } }`, { c: cursor }, org);
        const e = refused(r);
        expect(e.message).toMatch(new RegExp(`^${arg}: this cursor is not valid`));
        expect(e.extensions!.field).toBe(arg);
      }
    }
    // Nested connections read cursors the same way.
    const nested = await app.gql(`query($c: String) { organization { members(first: 5, after: $c) { totalCount } } }`, { c: tampered[0] }, org);
    expect(refused(nested).extensions!.field).toBe('after');
    // Real cursors still work.
    const next = ok(await app.gql(`query($c: String) { cycles(first: 5, after: $c) { nodes { id } } }`, { c: cycleCursor }, org));
    expect(next.cycles.nodes).toHaveLength(1);
  });
});

describe('a session token that is signed but not one of ours', () => {
  const secret = process.env.JWT_SECRET!;
  it('is UNAUTHENTICATED without exp, with a non-uuid sub, or without sub', async () => {
    const org = await createOrg(app);
    const userId = (await app.ds.query(`SELECT id FROM users WHERE email = $1`, [org.email]))[0].id;
    const noExp = jwt.sign({}, secret, { subject: userId, issuer: 'plangraph' });
    const badSub = jwt.sign({}, secret, { subject: 'not-a-uuid', issuer: 'plangraph', expiresIn: 600 });
    const nulSub = jwt.sign({}, secret, { subject: `${userId}${NUL}`, issuer: 'plangraph', expiresIn: 600 });
    const noSub = jwt.sign({}, secret, { issuer: 'plangraph', expiresIn: 600 });
    for (const [token, reason] of [[noExp, /no expiry/], [badSub, /malformed/], [nulSub, /malformed/], [noSub, /malformed/]] as const) {
      const r = await app.gql(VIEWER, {}, { token });
      expect(refused(r, 'UNAUTHENTICATED').message).toMatch(reason);
    }
    // The same claims signed properly (with a session id) work.
    const good = jwt.sign({}, secret, { subject: userId.toUpperCase(), issuer: 'plangraph', expiresIn: 600, jwtid: randomUUID() });
    expect(ok(await app.gql(VIEWER, {}, { token: good })).viewer.user.id).toBeDefined();
  });

  it('closes a graphql-ws connection with 4401 rather than failing', async () => {
    const noExp = jwt.sign({}, secret, { subject: 'x', issuer: 'plangraph' });
    const closed = new Promise<number>((resolve) => {
      const c = wsClient(app.url, { authorization: `Bearer ${noExp}` }, (code) => resolve(code));
      c.subscribe({ query: `subscription { planningEvents { type } }` }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    });
    expect(await closed).toBe(4401);
  });
});

describe('names and titles', () => {
  it('refuse whitespace-only and multi-line values, naming the field', async () => {
    const org = await createOrg(app);
    const cycleId = await createCycle(app, org);
    const objective = await createObjective(app, org, { cycleId });
    const task = await createTask(app, org, {});
    const cases: Array<[string, Record<string, unknown>, string, { token?: string; organizationId?: string }]> = [
      [TASK, { i: { title: '   ' } }, 'title', org],
      [TASK, { i: { title: '\u3000\u00A0' } }, 'title', org],
      [TASK, { i: { title: 'two\nlines' } }, 'title', org],
      [UPDATE_TASK, { i: { id: task.id, expectedVersion: task.version, title: ' ' } }, 'title', org],
      [SQUAD, { i: { name: '\t', leadId: org.userId } }, 'name', org],
      [
        `mutation($i: UpdateObjectiveInput!) { updateObjective(input: $i) { objective { id } } }`,
        { i: { id: objective.id, expectedVersion: objective.version, title: '  ' } },
        'title',
        org,
      ],
      [`mutation($i: CreateCycleInput!) { createCycle(input: $i) { cycle { id } } }`, { i: { name: ' ', startsOn: '2026-01-01', endsOn: '2026-02-01' } }, 'name', org],
      [`mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { secret } }`, { i: { name: '  ', scopes: ['READ'] } }, 'name', org],
      [SIGN_UP, { i: { email: 'blank@example.test', password: 'correct horse battery', displayName: '  ', organizationName: 'x' } }, 'displayName', {}],
      [SIGN_UP, { i: { email: 'blank2@example.test', password: 'correct horse battery', displayName: 'x', organizationName: ' ' } }, 'organizationName', {}],
    ];
    for (const [query, variables, field, as] of cases) {
      const e = refused(await app.gql(query, variables, as));
      expect(e.extensions!.fields).toEqual(expect.arrayContaining([expect.objectContaining({ field: `${field}` })]));
      expect(e.message).toMatch(new RegExp(`${field} must (not be empty or only spaces|be one line)`));
    }
  });
});
