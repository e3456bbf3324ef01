import { decodeGlobalId } from '../../../src/common/ids';
import { addMember, createOrg, type TestOrg } from '../../support/factories';
import { createCycle, createObjective, createSquad, createTask } from '../../support/planning';
import { ok, startTestApp, type Caller, type GqlResult, type TestApp } from '../../support/test-app';
import { createKpi } from '../kpis/support';
import { APPROVE, REVISE, createSop, sopInReview } from '../sops/sops-support';

/**
 * Cursors are the server's own: each says which list it belongs to and carries a MAC made with
 * the server's secret. A cursor of another list, a cursor edited in any way (a changed timestamp
 * above all) and anything else are BAD_USER_INPUT naming the argument, on root lists, lists under
 * a parent and myWork alike; the lists still page with their own cursors.
 */
let app: TestApp;
let org: TestOrg;
let lead: Awaited<ReturnType<typeof addMember>>;
let squadId: string;
let sopId: string;

const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  app = await startTestApp();
  org = await createOrg(app);
  lead = await addMember(app, org, 'SQUAD_LEAD', '张伟');
  squadId = await createSquad(app, org, lead.userId);
  const cycleId = await createCycle(app, org);
  for (let i = 0; i < 3; i++) {
    await createKpi(app, org, { key: `kpi_${i}` });
    await createSop(app, org, { title: `标准流程 ${i}` });
    await createObjective(app, org, { cycleId, squadId, title: `目标 ${i}` });
    // Overdue and assigned to the lead: one myWork item each.
    await createTask(app, org, { squadId, title: `任务 ${i}`, dueOn: yesterday(), assigneeId: lead.userId });
  }
  // An SOP with two versions (sorted by version number): v1 published, v2 the draft.
  const sop = await sopInReview(app, org);
  ok(await app.gql(APPROVE, { i: { sopId: sop.id } }, lead));
  ok(await app.gql(REVISE, { i: { sopId: sop.id } }, org));
  sopId = sop.id;
});
afterAll(() => app.stop());

interface List {
  name: string;
  as: () => Caller;
  /** The operation, with `$first`, `$after` and `$before` on the list; `pick` finds the connection in `data`. */
  query: string;
  pick: (data: any) => { edges: Array<{ cursor: string; node: { id?: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
  size: number;
  /** Whether the list pages backward too (myWork pages forward only). */
  backward?: boolean;
}

const PAGE = `edges { cursor node { __typename ... on Node { id } } } pageInfo { hasNextPage endCursor }`;
const ARGS = `($first: Int, $after: String, $before: String)`;
const ON = `first: $first, after: $after, before: $before`;

const LISTS: Record<string, List> = {
  kpis: { name: 'kpis', as: () => org, query: `query${ARGS} { kpis(${ON}) { ${PAGE} } }`, pick: (d) => d.kpis, size: 3, backward: true },
  sops: { name: 'sops', as: () => org, query: `query${ARGS} { sops(${ON}) { ${PAGE} } }`, pick: (d) => d.sops, size: 4, backward: true },
  objectives: { name: 'objectives', as: () => org, query: `query${ARGS} { objectives(${ON}) { ${PAGE} } }`, pick: (d) => d.objectives, size: 3, backward: true },
  squadTasks: {
    name: 'Squad.tasks',
    as: () => org,
    query: `query($id: ID!, $first: Int, $after: String, $before: String) { squad(id: $id) { tasks(${ON}) { ${PAGE} } } }`,
    pick: (d) => d.squad.tasks,
    size: 3,
    backward: true,
  },
  squadObjectives: {
    name: 'Squad.objectives',
    as: () => org,
    query: `query($id: ID!, $first: Int, $after: String, $before: String) { squad(id: $id) { objectives(${ON}) { ${PAGE} } } }`,
    pick: (d) => d.squad.objectives,
    size: 3,
    backward: true,
  },
  sopVersions: {
    name: 'Sop.versions',
    as: () => org,
    query: `query($sop: ID!, $first: Int, $after: String, $before: String) { node(id: $sop) { ... on Sop { versions(${ON}) { ${PAGE} } } } }`,
    pick: (d) => d.node.versions,
    size: 2,
    backward: true,
  },
  myWork: {
    name: 'myWork',
    as: () => lead,
    query: `query($first: Int, $after: String) { myWork(first: $first, after: $after) { edges { cursor node { kind subject { id } } } pageInfo { hasNextPage endCursor } } }`,
    pick: (d) => d.myWork,
    size: 3,
  },
};

const vars = (list: List, page: Record<string, unknown>) => ({ id: squadId, sop: sopId, ...page });
const run = (list: List, page: Record<string, unknown>) => app.gql(list.query, vars(list, page), list.as());

async function firstCursor(list: List): Promise<string> {
  const cursor = list.pick(ok(await run(list, { first: 1 }))).pageInfo.endCursor;
  expect(cursor).toEqual(expect.any(String));
  return cursor!;
}

function refusal(r: GqlResult) {
  return r.errors!.map((e) => ({ code: e.extensions?.code, field: e.extensions?.field, message: e.message }));
}
const refused = (field: string, why: 'belongs to another list' | 'is not valid') => [
  {
    code: 'BAD_USER_INPUT',
    field,
    message: `${field}: this cursor ${why}: pass a cursor that this list returned (pageInfo.endCursor, edges.cursor)`,
  },
];

describe('cursors', () => {
  it.each(Object.keys(LISTS))('page %s forward (and backward) with its own cursors, each at most 64 characters', async (key) => {
    const list = LISTS[key];
    const all = list.pick(ok(await run(list, { first: 100 }))).edges.map((e) => JSON.stringify(e.node));
    expect(all).toHaveLength(list.size);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: ReturnType<List['pick']> = list.pick(ok(await run(list, { first: 1, after })));
      for (const e of page.edges) expect(e.cursor.length).toBeLessThanOrEqual(64);
      seen.push(...page.edges.map((e) => JSON.stringify(e.node)));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(all);
    if (list.backward) {
      const last = list.pick(ok(await run(list, { first: 100 }))).edges.at(-1)!.cursor;
      const before = list.pick(ok(await run(list, { first: null, before: last })));
      expect(before.edges.map((e) => JSON.stringify(e.node))).toEqual(all.slice(0, -1));
    }
  });

  it('refuse a cursor of another list as belonging to another list, for after and before', async () => {
    const pairs: Array<[string, string]> = [
      ['sops', 'kpis'],
      ['kpis', 'sops'],
      ['objectives', 'squadObjectives'],
      ['squadTasks', 'squadObjectives'],
      ['squadObjectives', 'sopVersions'],
      ['kpis', 'myWork'],
      ['myWork', 'kpis'],
    ];
    for (const [from, to] of pairs) {
      const cursor = await firstCursor(LISTS[from]);
      expect({ from, to, errors: refusal(await run(LISTS[to], { first: 1, after: cursor })) }).toEqual({
        from,
        to,
        errors: refused('after', 'belongs to another list'),
      });
      if (LISTS[to].backward) {
        expect({ from, to, errors: refusal(await run(LISTS[to], { before: cursor })) }).toEqual({
          from,
          to,
          errors: refused('before', 'belongs to another list'),
        });
      }
    }
  });

  it.each(['kpis', 'squadTasks', 'myWork'])('refuse a %s cursor with any byte changed (a re-encoded timestamp above all) as not valid', async (key) => {
    const list = LISTS[key];
    const cursor = await firstCursor(list);
    const bytes = Buffer.from(cursor, 'base64url');
    const answers = new Map<string, number[]>();
    for (let i = 0; i < bytes.length; i++) {
      const edited = Buffer.from(bytes);
      edited[i] ^= 0x01;
      const r = await run(list, { first: 1, after: edited.toString('base64url') });
      const answer = r.errors ? JSON.stringify(refusal(r)) : 'accepted';
      answers.set(answer, [...(answers.get(answer) ?? []), i]);
    }
    expect([...answers.keys()]).toEqual([JSON.stringify(refused('after', 'is not valid'))]);
  });

  it('refuse what is not a cursor of this server as not valid: the former format, base64 text, garbage', async () => {
    const list = LISTS.kpis;
    const [{ id, created_at: createdAt }] = await app.ds.query(
      `SELECT id, created_at FROM kpis WHERE organization_id = $1 ORDER BY created_at, id LIMIT 1`,
      [decodeGlobalId(org.organizationId)!.id],
    );
    const former = Buffer.from(JSON.stringify([new Date(createdAt).toISOString(), id])).toString('base64url');
    for (const after of [former, Buffer.from('hello').toString('base64url'), 'not-a-cursor', 'a'.repeat(600), '€€€']) {
      expect({ after, errors: refusal(await run(list, { first: 1, after })) }).toEqual({ after, errors: refused('after', 'is not valid') });
    }
  });
});
