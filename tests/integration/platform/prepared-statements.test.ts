import { toGlobalId } from '../../../src/common/ids';
import { setPreparedStatements, statementName } from '../../../src/common/statements';
import { seedDemo } from '../../../seeds/demo';
import { DEMO } from '../../../seeds/ids';
import { logInDemo } from '../../support/demo';
import { ok, startTestApp, type Caller, type TestApp } from '../../support/test-app';

/**
 * The kit's hot reads (authentication, by-id, child, row-by-key and latest-of-each loaders, and
 * `queryRows(…, { prepared: true })` such as the users by id) go
 * out as named prepared statements, each named after the hash of its text
 * (src/common/statements.ts), on the connection the request uses. Both servers here have a pool
 * of ONE connection, so `pg_prepared_statements`, read through the same pool, shows what the
 * server's requests prepared on it.
 */

const DASHBOARD = /* GraphQL */ `
  query Dashboard($squadId: ID!, $cycleId: ID!) {
    viewer { role user { id displayName } }
    squad(id: $squadId) {
      id name
      lead { id displayName }
      objectives(filter: { cycleId: $cycleId }, first: 20) {
        nodes {
          id title version
          keyResults {
            id title currentValue targetValue version lastCheckInAt
            latestCheckIn { id value confidence note createdAt author { id displayName } }
          }
        }
      }
      tasks(first: 50) { nodes { id title status dueOn keyResult { id title } } }
    }
  }
`;

const vars = { squadId: toGlobalId('Squad', DEMO.plan.squadCreators), cycleId: toGlobalId('Cycle', DEMO.plan.cycleQ2) };

interface Prepared {
  name: string;
  statement: string;
  executions: number;
}

/** The kit's prepared statements on the app's one connection (the login rate limiter prepares its own, named otherwise). */
async function prepared(app: TestApp): Promise<Prepared[]> {
  const rows: Array<{ name: string; statement: string; executions: string }> = await app.ds.query(
    `SELECT name, statement, (generic_plans + custom_plans)::text AS executions FROM pg_prepared_statements
      WHERE name ~ '^k[0-9a-f]{24}$' ORDER BY name`,
  );
  return rows.map((r) => ({ name: r.name, statement: r.statement, executions: Number(r.executions) }));
}

let on: TestApp;
let off: TestApp;
let as: Caller;
let asOff: Caller;
beforeAll(async () => {
  [on, off] = await Promise.all([startTestApp({ poolSize: 1 }), startTestApp({ poolSize: 1, env: { PREPARED_STATEMENTS: 'off' } })]);
  await Promise.all([seedDemo(on.ds), seedDemo(off.ds)]);
  as = { token: (await logInDemo(on, DEMO.users.owner.email)).token, organizationId: DEMO.organizationId };
  asOff = { token: (await logInDemo(off, DEMO.users.owner.email)).token, organizationId: DEMO.organizationId };
});
afterAll(() => Promise.all([on?.stop(), off?.stop()]));

describe('named prepared statements (PREPARED_STATEMENTS, on by default)', () => {
  it('prepares authentication and the loaders once per connection, one name per text, named by its hash', async () => {
    const first = await on.gql(DASHBOARD, vars, as);
    const data = ok(first);
    expect(data.squad.objectives.nodes.length).toBeGreaterThan(0);
    expect(data.squad.objectives.nodes[0].keyResults[0].latestCheckIn).not.toBeNull();
    const after1 = await prepared(on);
    const second = await on.gql(DASHBOARD, vars, as);
    expect(ok(second)).toEqual(data);
    const after2 = await prepared(on);

    // Each name is the hash of its one text (a name never stands for two texts).
    for (const p of after2) expect(p.name).toBe(statementName(p.statement));
    expect(new Set(after2.map((p) => p.statement)).size).toBe(after2.length);
    // What the request sends prepared: authentication, by-id, latest-of-each.
    expect(after2.some((p) => p.statement.includes('revoked_sessions'))).toBe(true);
    expect(after2.some((p) => /t\.id = ANY\(\$1::uuid\[\]\) AND t\."organization_id" = \$2/.test(p.statement))).toBe(true);
    expect(after2.some((p) => p.statement.includes('CROSS JOIN LATERAL'))).toBe(true);
    expect(after2.some((p) => /FROM users u WHERE u\.id = ANY\(\$1::uuid\[\]\)$/.test(p.statement))).toBe(true); // identity's users by id (queryRows prepared)
    // The same request again prepares nothing new: the names are stable, and each was executed again.
    expect(after2.map((p) => p.name)).toEqual(after1.map((p) => p.name));
    const auth = (list: Prepared[]) => list.find((p) => p.statement.includes('revoked_sessions'))!.executions;
    expect(auth(after2)).toBeGreaterThan(auth(after1));
    // Prepared statements are counted like any other.
    expect(second.statements).toBe(first.statements);
  });

  it('answers the same, in as many statements, when switched off and on again at run time', async () => {
    const prepd = await on.gql(DASHBOARD, vars, as);
    const before = await prepared(on);
    setPreparedStatements(on.ds, false);
    let unnamed;
    try {
      unnamed = await on.gql(DASHBOARD, vars, as);
    } finally {
      setPreparedStatements(on.ds, true);
    }
    expect(ok(unnamed)).toEqual(ok(prepd));
    expect(unnamed.statements).toBe(prepd.statements);
    // Sent unnamed: no prepared statement ran.
    expect(await prepared(on)).toEqual(before);
    const again = await on.gql(DASHBOARD, vars, as);
    expect(ok(again)).toEqual(ok(prepd));
    expect((await prepared(on)).map((p) => p.name)).toEqual(before.map((p) => p.name));
  });

  it('reads inside a write transaction on its connection (a pool of one would otherwise wait forever)', async () => {
    const kr = toGlobalId('KeyResult', DEMO.plan.krPosts);
    const read = ok(await on.gql(`query($id: ID!) { node(id: $id) { ... on KeyResult { version } } }`, { id: kr }, as));
    const res = ok(
      await on.gql(
        `mutation($i: CheckInKeyResultInput!) { checkInKeyResult(input: $i) { checkIn { value } keyResult { id version latestCheckIn { value } } } }`,
        { i: { keyResultId: kr, expectedVersion: read.node.version, value: '123', confidence: 0.7 } },
        as,
      ),
    );
    expect(res.checkInKeyResult.keyResult.latestCheckIn.value).toBe('123');
    expect(res.checkInKeyResult.keyResult.version).toBe(read.node.version + 1);
  });

  it('PREPARED_STATEMENTS=off sends every statement unnamed, with the same answer', async () => {
    const r = await off.gql(DASHBOARD, vars, asOff);
    const mine = await on.gql(DASHBOARD, vars, as);
    expect(ok(r).squad.objectives.nodes.map((o: { id: string }) => o.id)).toEqual(ok(mine).squad.objectives.nodes.map((o: { id: string }) => o.id));
    expect(r.statements).toBe(mine.statements);
    expect(await prepared(off)).toEqual([]);
  });
});
