import 'reflect-metadata';
import { decodeGlobalId, toGlobalId } from '../../../src/common/ids';
import { addBudgetLine, createBudget } from '../../support/budgets';
import { createCampaign } from '../../support/campaigns';
import { addMember, createOrg, type TestOrg } from '../../support/factories';
import { createCycle, createKeyResult, createObjective, createSquad, createTask } from '../../support/planning';
import { errorCode, ok, startTestApp, type GqlResult, type TestApp } from '../../support/test-app';
import { createKpi } from '../kpis/support';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const uuid = (globalId: string) => decodeGlobalId(globalId)!.id;

const IMPACT = `query($id: ID!) {
  impact(id: $id) { truncated subject { id } nodes { relation depth via node { id __typename } } }
}`;

interface Edge {
  relation: string;
  depth: number;
  via: string;
  node: { id: string; __typename: string };
}

/** A plan: company objective ← squad objective ← key result following gmv ← task; gmv funded by a budget line and served by a campaign on that line; orders is a child KPI of gmv. */
async function plan() {
  const org = await createOrg(app);
  const squadId = await createSquad(app, org, org.userId);
  const gmv = await createKpi(app, org, { key: 'gmv', name: 'GMV' });
  const orders = await createKpi(app, org, { key: 'orders', name: '订单数', parentId: gmv.id });
  const cycleId = await createCycle(app, org);
  const company = (await createObjective(app, org, { cycleId, title: '公司目标' })).id;
  const squadObjective = (await createObjective(app, org, { cycleId, squadId, parentId: company, title: '小组目标' })).id;
  const keyResult = (await createKeyResult(app, org, { objectiveId: squadObjective, kpiId: gmv.id, startValue: '0', targetValue: '100' })).id;
  const task = (await createTask(app, org, { keyResultId: keyResult, squadId })).id;
  const budget = (await createBudget(app, org)).id;
  const line = (await addBudgetLine(app, org, { budgetId: budget, kpiKeys: ['gmv'] })).id;
  const campaign = (await createCampaign(app, org, { squadId, budgetLineId: line, targets: [{ kpiKey: 'gmv', target: '1000' }] })).id;
  return { org, squadId, gmv: gmv.id, orders: orders.id, company, squadObjective, keyResult, task, line, campaign };
}
type Plan = Awaited<ReturnType<typeof plan>>;

async function impact(as: TestOrg | { token: string }, id: string) {
  return ok(await app.gql(IMPACT, { id }, as)).impact as { truncated: boolean; subject: { id: string }; nodes: Edge[] } | null;
}

const edges = (nodes: Edge[]) => nodes.map((n) => [n.relation, n.depth, n.via, n.node.id]);

/** Copies row `id` of `table` `n` times (new ids), with SQL expressions for some columns (`g` numbers the copy). */
async function clone(table: string, id: string, n: number, set: Record<string, string> = {}): Promise<string[]> {
  const cols: string[] = (
    await app.ds.query(`SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name <> 'id'`, [table])
  ).map((r: { column_name: string }) => r.column_name);
  const rows = await app.ds.query(
    `INSERT INTO ${table} (${cols.map((c) => `"${c}"`).join(', ')})
     SELECT ${cols.map((c) => set[c] ?? `t."${c}"`).join(', ')} FROM ${table} t, generate_series(1, $2::int) g WHERE t.id = $1 RETURNING id`,
    [id, n],
  );
  return rows.map((r: { id: string }) => r.id);
}

/** Makes `chain` (uuids, nearest first) the objectives above `objective`. */
async function alignChain(objective: string, chain: string[]) {
  const children = [objective, ...chain.slice(0, -1)];
  await app.ds.query(`UPDATE objectives o SET parent_id = x.p FROM unnest($1::uuid[], $2::uuid[]) AS x(c, p) WHERE o.id = x.c`, [children, chain]);
}

describe('impact', () => {
  let p: Plan;
  beforeAll(async () => {
    p = await plan();
  });

  it('walks up from a task: key result, objective, the alignment chain, the KPI it follows and what funds and serves that KPI', async () => {
    const res = (await impact(p.org, p.task))!;
    expect(res.subject.id).toBe(p.task);
    expect(res.truncated).toBe(false);
    expect(edges(res.nodes)).toEqual([
      ['TASK_KEY_RESULT', 1, p.task, p.keyResult],
      ['OBJECTIVE_OF', 2, p.keyResult, p.squadObjective],
      ['ALIGNS_TO', 3, p.squadObjective, p.company],
      ['FOLLOWS_KPI', 2, p.keyResult, p.gmv],
      ['FUNDED_BY', 3, p.gmv, p.line],
      ['SERVED_BY_CAMPAIGN', 3, p.gmv, p.campaign],
    ]);
    expect(res.nodes.map((n) => n.node.__typename)).toEqual(['KeyResult', 'Objective', 'Objective', 'Kpi', 'BudgetLine', 'Campaign']);
  });

  it('walks up from a key result and from an objective', async () => {
    expect(edges((await impact(p.org, p.keyResult))!.nodes)).toEqual([
      ['OBJECTIVE_OF', 1, p.keyResult, p.squadObjective],
      ['ALIGNS_TO', 2, p.squadObjective, p.company],
      ['FOLLOWS_KPI', 1, p.keyResult, p.gmv],
      ['FUNDED_BY', 2, p.gmv, p.line],
      ['SERVED_BY_CAMPAIGN', 2, p.gmv, p.campaign],
    ]);
    expect(edges((await impact(p.org, p.squadObjective))!.nodes)).toEqual([['ALIGNS_TO', 1, p.squadObjective, p.company]]);
  });

  it('walks down from a KPI: its tree neighbours, what funds and serves it, the key results following it and their objectives', async () => {
    expect(edges((await impact(p.org, p.gmv))!.nodes)).toEqual([
      ['CHILD_KPI', 1, p.gmv, p.orders],
      ['FUNDED_BY', 1, p.gmv, p.line],
      ['SERVED_BY_CAMPAIGN', 1, p.gmv, p.campaign],
      ['FOLLOWED_BY', 1, p.gmv, p.keyResult],
      ['OBJECTIVE_OF', 2, p.keyResult, p.squadObjective],
      ['ALIGNS_TO', 3, p.squadObjective, p.company],
    ]);
    expect(edges((await impact(p.org, p.orders))!.nodes)).toEqual([
      ['PARENT_KPI', 1, p.orders, p.gmv],
    ]);
  });

  it('walks from a budget line or a campaign to the KPIs it serves and the key results following them', async () => {
    expect(edges((await impact(p.org, p.line))!.nodes)).toEqual([
      ['SERVES_KPI', 1, p.line, p.gmv],
      ['FOLLOWED_BY', 2, p.gmv, p.keyResult],
      ['OBJECTIVE_OF', 3, p.keyResult, p.squadObjective],
      ['ALIGNS_TO', 4, p.squadObjective, p.company],
    ]);
    expect(edges((await impact(p.org, p.campaign))!.nodes)).toEqual([
      ['SERVES_KPI', 1, p.campaign, p.gmv],
      ['FUNDED_BY', 1, p.campaign, p.line],
      ['FOLLOWED_BY', 2, p.gmv, p.keyResult],
      ['OBJECTIVE_OF', 3, p.keyResult, p.squadObjective],
      ['ALIGNS_TO', 4, p.squadObjective, p.company],
    ]);
  });

  it('is readable by any member; null for an unknown id or another organisation’s object; BAD_USER_INPUT for a type without lineage', async () => {
    const member = await addMember(app, p.org, 'MEMBER', '李娜');
    expect(edges((await impact(member, p.task))!.nodes)).toHaveLength(6);
    expect(await impact(p.org, toGlobalId('Task', '00000000-0000-4000-8000-000000000000'))).toBeNull();
    const other = await createOrg(app);
    expect(await impact(other, p.task)).toBeNull();
    const squad = await app.gql(IMPACT, { id: p.squadId }, p.org);
    expect(errorCode(squad)).toBe('BAD_USER_INPUT');
    expect(squad.errors![0].extensions).toMatchObject({ field: 'id' });
  });

  it('shows none of another organisation’s rows, even rows pointing at this organisation’s objects', async () => {
    const b = await plan();
    // Rows of B made (in SQL) to point at this plan's objects, their organisation staying B's.
    await app.ds.query(`UPDATE budget_lines SET kpi_ids = ARRAY[$1::uuid] WHERE id = $2`, [uuid(p.gmv), uuid(b.line)]);
    await app.ds.query(`UPDATE campaign_targets SET kpi_id = $1 WHERE campaign_id = $2`, [uuid(p.gmv), uuid(b.campaign)]);
    await app.ds.query(`UPDATE key_results SET kpi_id = $1 WHERE id = $2`, [uuid(p.gmv), uuid(b.keyResult)]);
    await app.ds.query(`UPDATE objectives SET parent_id = $1 WHERE id = $2`, [uuid(p.squadObjective), uuid(b.company)]);
    const all = [...(await impact(p.org, p.gmv))!.nodes, ...(await impact(p.org, p.task))!.nodes].map((n) => n.node.id);
    for (const id of Object.values(b)) if (typeof id === 'string') expect(all).not.toContain(id);
    expect(all).toHaveLength(12);
  });
});

describe('impact on loops and long chains', () => {
  it('ends a loop in the alignment data (made in SQL, past the API’s guard) instead of hanging, each objective once', async () => {
    const p = await plan();
    // squad objective → company → squad objective …
    await app.ds.query(`UPDATE objectives SET parent_id = $1 WHERE id = $2`, [uuid(p.squadObjective), uuid(p.company)]);
    const res = (await impact(p.org, p.task))!;
    expect(edges(res.nodes).slice(0, 3)).toEqual([
      ['TASK_KEY_RESULT', 1, p.task, p.keyResult],
      ['OBJECTIVE_OF', 2, p.keyResult, p.squadObjective],
      ['ALIGNS_TO', 3, p.squadObjective, p.company],
    ]);
    expect(res.nodes).toHaveLength(6);
    // A loop above the start that does not pass through it: company → x → y → x.
    const [x, y] = await clone('objectives', uuid(p.company), 2, { title: `t.title || ' ' || g` });
    await alignChain(uuid(p.company), [x, y, x]);
    const chain = (await impact(p.org, p.company))!;
    expect(chain.nodes.map((n) => [n.depth, uuid(n.node.id)])).toEqual([
      [1, x],
      [2, y],
    ]);
    expect(chain.truncated).toBe(false);
  });

  it('stops an alignment chain at 50 levels and says truncated', async () => {
    const p = await plan();
    const chain = await clone('objectives', uuid(p.company), 60, { title: `t.title || ' ' || g`, parent_id: 'NULL' });
    await alignChain(uuid(p.company), chain);
    const res = (await impact(p.org, p.company))!;
    expect(res.truncated).toBe(true);
    expect(res.nodes).toHaveLength(50);
    expect(res.nodes[49]).toMatchObject({ depth: 50, relation: 'ALIGNS_TO' });
  });

  /** Runs `impact(id)` with a known request id, to read the statements the server recorded for it. */
  async function measured(org: TestOrg, id: string) {
    const requestId = `impact-${Math.random().toString(36).slice(2)}`;
    const res = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId, authorization: `Bearer ${org.token}` },
      body: JSON.stringify({ query: IMPACT, variables: { id } }),
    });
    const body = (await res.json()) as Pick<GqlResult, 'data' | 'errors'>;
    return { body, statements: app.server.statementsFor(requestId)!.count };
  }

  it('costs the same SQL statements for a small plan as for a 40-deep alignment chain with 60 budget lines, 30 campaigns and 20 key results on the KPI', async () => {
    const small = await plan();
    const large = await plan();
    const chain = await clone('objectives', uuid(large.company), 40, { title: `t.title || ' ' || g`, parent_id: 'NULL' });
    await alignChain(uuid(large.company), chain);
    await clone('budget_lines', uuid(large.line), 60, { name: `t.name || ' ' || g` });
    const campaigns = await clone('campaigns', uuid(large.campaign), 30, { name: `t.name || ' ' || g` });
    await app.ds.query(
      `INSERT INTO campaign_targets (organization_id, campaign_id, kpi_id, target, position)
       SELECT t.organization_id, c, t.kpi_id, t.target, t.position FROM campaign_targets t, unnest($2::uuid[]) c WHERE t.campaign_id = $1`,
      [uuid(large.campaign), campaigns],
    );
    await clone('key_results', uuid(large.keyResult), 20, { title: `t.title || ' ' || g` });

    for (const [what, s, l] of [
      ['task', small.task, large.task],
      ['kpi', small.gmv, large.gmv],
      ['line', small.line, large.line],
    ] as const) {
      const a = await measured(small.org, s);
      const b = await measured(large.org, l);
      expect([what, a.body.errors, b.body.errors]).toEqual([what, undefined, undefined]);
      expect([what, b.statements]).toEqual([what, a.statements]);
    }
    const task = await measured(large.org, large.task);
    const nodes = task.body.data!.impact.nodes as Edge[];
    // key result, 42 objectives, the KPI, 61 lines, 31 campaigns.
    expect(nodes).toHaveLength(1 + 42 + 1 + 61 + 31);
    expect(task.body.data!.impact.truncated).toBe(false);
    expect(nodes.filter((n) => n.relation === 'ALIGNS_TO').at(-1)!.depth).toBe(43);
    expect((await measured(small.org, small.task)).statements).toBe(STATEMENTS.task);
    expect((await measured(small.org, small.gmv)).statements).toBe(STATEMENTS.kpi);
    expect((await measured(small.org, small.line)).statements).toBe(STATEMENTS.line);
  });
});

/** Statements of impact(id) by the subject's type, whatever the data (the caller's membership included). */
const STATEMENTS = { task: 11, kpi: 12, line: 8 };
