import { addMember, createOrg, type TestOrg } from '../../support/factories';
import { paginate, type SortKey } from '../../../src/common/connection';
import { listCursors } from '../../../src/common/cursors';
import { systemContext } from '../../../src/db/system-context';
import { runCountingStatements } from '../../../src/common/statement-scope';
import { AuditEvent } from '../../../src/modules/audit/audit-event.entity';
import { createSquad, createTask } from '../../support/planning';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';

let app: TestApp;
let org: TestOrg;
let all: string[];

const PAGE = `query($first: Int, $after: String, $last: Int, $before: String) {
  organization { members(first: $first, after: $after, last: $last, before: $before) {
    totalCount edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`;

beforeAll(async () => {
  app = await startTestApp();
  org = await createOrg(app);
  for (let i = 0; i < 6; i++) await addMember(app, org, 'MEMBER', `成员 ${i}`);
  all = ok(await app.gql(PAGE, { first: 100 }, org)).organization.members.edges.map((e: any) => e.node.id);
});
afterAll(() => app.stop());

const page = async (vars: Record<string, unknown>) => ok(await app.gql(PAGE, vars, org)).organization.members;

describe('Relay connections', () => {
  it('pages forward with keyset cursors to the end', async () => {
    expect(all).toHaveLength(7);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const p: any = await page({ first: 3, after });
      seen.push(...p.edges.map((e: any) => e.node.id));
      expect(p.totalCount).toBe(7);
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    expect(seen).toEqual(all);
  });

  it('pages backward with last/before', async () => {
    const tail = await page({ last: 2 });
    expect(tail.edges.map((e: any) => e.node.id)).toEqual(all.slice(5));
    expect(tail.pageInfo.hasPreviousPage).toBe(true);
    const before = await page({ last: 3, before: tail.pageInfo.startCursor });
    expect(before.edges.map((e: any) => e.node.id)).toEqual(all.slice(2, 5));
    expect(before.pageInfo.hasNextPage).toBe(true);
  });

  it('caps first/last at 100 and rejects foreign cursors with clear errors', async () => {
    const tooMany = await app.gql(PAGE, { first: 101 }, org);
    expect(errorCode(tooMany)).toBe('BAD_USER_INPUT');
    expect(tooMany.errors![0].message).toContain('first must be between 0 and 100');
    const badCursor = await app.gql(PAGE, { first: 2, after: 'not-a-cursor' }, org);
    expect(errorCode(badCursor)).toBe('BAD_USER_INPUT');
    expect(badCursor.errors![0].message).toContain('after: this cursor is not valid');
  });
});

describe('connections under a list (batched across parents)', () => {
  const SQUAD_TASKS = `query($first: Int, $after: String, $last: Int, $before: String) {
    squads(first: 10) { nodes { name tasks(first: $first, after: $after, last: $last, before: $before) {
      totalCount edges { cursor node { id title } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } } }`;

  it('pages each parent forward and backward with the same arguments, in one statement per level', async () => {
    const owner = await createOrg(app);
    const lead = await addMember(app, owner, 'SQUAD_LEAD');
    const squads = [await createSquad(app, owner, lead.userId, '甲组'), await createSquad(app, owner, lead.userId, '乙组')];
    const due = ['2030-01-03', null, '2030-01-01', '2030-01-03', null, '2030-01-02'];
    for (const [s, squadId] of squads.entries()) {
      for (const [i, dueOn] of due.slice(0, s === 0 ? 6 : 4).entries()) {
        await createTask(app, owner, { squadId, title: `${s}-${i}`, dueOn });
      }
    }
    // Expected order per squad: due date (none last), then creation order.
    const order = (n: number, s: number) =>
      due
        .slice(0, n)
        .map((d, i) => ({ d: d ?? '9999-12-31', i }))
        .sort((a, b) => a.d.localeCompare(b.d) || a.i - b.i)
        .map((x) => `${s}-${x.i}`);
    const expected = [order(6, 0), order(4, 1)];

    const run = async (vars: Record<string, unknown>) => {
      const r = await app.gql(SQUAD_TASKS, vars, owner);
      return { statements: r.statements, squads: ok(r).squads.nodes.map((n: any) => n.tasks) };
    };
    const first = await run({ first: 2 });
    expect(first.squads.map((t: any) => t.totalCount)).toEqual([6, 4]);
    expect(first.squads.map((t: any) => t.edges.map((e: any) => e.node.title))).toEqual([expected[0].slice(0, 2), expected[1].slice(0, 2)]);
    expect(first.squads.map((t: any) => t.pageInfo.hasNextPage)).toEqual([true, true]);
    // Authentication, the squads, every squad's tasks page, every squad's count.
    expect(first.statements).toBeLessThanOrEqual(4);

    // Each squad paged to its end with its own cursors.
    for (const s of [0, 1]) {
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const r = await run({ first: 2, after });
        const conn: any = r.squads[s];
        seen.push(...conn.edges.map((e: any) => e.node.title));
        if (!conn.pageInfo.hasNextPage) break;
        after = conn.pageInfo.endCursor;
      }
      expect(seen).toEqual(expected[s]);
    }

    const last = await run({ last: 3 });
    expect(last.squads.map((t: any) => t.edges.map((e: any) => e.node.title))).toEqual([expected[0].slice(3), expected[1].slice(1)]);
    expect(last.squads.map((t: any) => t.pageInfo.hasPreviousPage)).toEqual([true, true]);
    const before = await run({ last: 2, before: last.squads[0].pageInfo.startCursor });
    expect(before.squads[0].edges.map((e: any) => e.node.title)).toEqual(expected[0].slice(1, 3));

    const none = await run({ first: 0 });
    expect(none.squads.map((t: any) => [t.edges.length, t.totalCount])).toEqual([[0, 6], [0, 4]]);
    expect(errorCode(await app.gql(SQUAD_TASKS, { first: 101 }, owner))).toBe('BAD_USER_INPUT');
    expect(errorCode(await app.gql(SQUAD_TASKS, { first: 2, after: 'not-a-cursor' }, owner))).toBe('BAD_USER_INPUT');
  });
});

describe('keyset cursors', () => {
  it('are row-value comparisons that the list order index answers as an index condition', async () => {
    const o = await createOrg(app);
    const [{ id: orgUuid }] = await app.ds.query(`SELECT organization_id AS id FROM members m JOIN users u ON u.id = m.user_id WHERE u.email = $1`, [o.email]);
    const sort: SortKey<AuditEvent>[] = [
      { column: 'a.at', direction: 'DESC', value: (e) => e.at },
      { column: 'a.id', direction: 'DESC', value: (e) => e.id },
    ];
    const qb = () => app.ds.manager.createQueryBuilder(AuditEvent, 'a').where('a.organization_id = :org', { org: orgUuid });
    const ctx = systemContext(app.ds, orgUuid);
    const cursors = listCursors(ctx, 'test.auditEvents');
    const first = await paginate(ctx, qb(), { first: 1 }, sort, 'test.auditEvents');
    const after = first.pageInfo.endCursor!;
    const scope = { count: 0, statements: [] as string[] };
    await runCountingStatements(scope, () => paginate(ctx, qb(), { first: 1, after }, sort, 'test.auditEvents'));
    const [sql] = scope.statements;
    expect(sql).toMatch(/\("a"\."at", "a"\."id"\) < \(\$2, \$3\)/);
    const runner = app.ds.createQueryRunner();
    try {
      await runner.query('SET enable_seqscan = off');
      const cursor = cursors.decode(after, 'after', () => true);
      const plan = JSON.stringify(await runner.query(`EXPLAIN (FORMAT JSON) ${sql}`, [orgUuid, ...cursor]));
      expect(plan).toMatch(/"Index Cond":"[^"]*ROW\(at, id\) < ROW/);
    } finally {
      await runner.release();
    }
  });
});
