import 'reflect-metadata';
import Decimal from 'decimal.js';
import { paginate, defineNestedConnection, type SortKey } from '../../../src/common/connection';
import { Role, type Context } from '../../../src/common/context';
import { decodeGlobalId } from '../../../src/common/ids';
import {
  byIdLoaderOf,
  defineChildLoader,
  defineIdListLoader,
  defineLatestLoader,
  defineRowByKeyLoader,
  defineSumLoader,
} from '../../../src/common/loaders';
import { runCountingStatements } from '../../../src/common/statement-scope';
import { systemContext } from '../../../src/db/system-context';
import { ApiToken } from '../../../src/modules/identity/api-token.entity';
import { Kpi, kpiById } from '../../../src/modules/kpis';
import { KpiMeasurement } from '../../../src/modules/kpis/kpi.entity';
import { SopStep } from '../../../src/modules/sops/sops.entity';
import { sopStepById } from '../../../src/modules/sops/sops.loaders';
import { DEMO } from '../../../seeds/ids';
import { seedDemo } from '../../../seeds/demo';
import { createOrg } from '../../support/factories';
import { ok, startTestApp, type TestApp } from '../../support/test-app';

/**
 * The kit's loader makers, by-id registry and priming lists (src/common/loaders.ts,
 * connection.ts) on the real database: one statement per batch whatever the number of keys or
 * the length of a history, the caller's organisation only, and a by-id read after a list or a
 * loader costs no statement.
 */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const uuid = (id: string) => decodeGlobalId(id)!.id;

async function newOrg(): Promise<string> {
  return uuid((await createOrg(app)).organizationId);
}

async function insertKpis(org: string, count: number, extra: { parent?: string; archivedEvery?: number; prefix?: string } = {}): Promise<string[]> {
  const rows: Array<{ id: string }> = await app.ds.query(
    `INSERT INTO kpis (organization_id, key, name, layer, direction, aggregation, parent_id, archived_at, created_at)
     SELECT $1, $4 || g, $4 || g, 'TACTICAL', 'HIGHER_IS_BETTER', 'SUM', $3,
            CASE WHEN $5::int > 0 AND g % $5::int = 0 THEN now() END, now() + g * interval '1 second'
       FROM generate_series(1, $2) g
     RETURNING id`,
    [org, count, extra.parent ?? null, extra.prefix ?? `k${Math.random().toString(36).slice(2, 8)}_`, extra.archivedEvery ?? 0],
  );
  return rows.map((r) => r.id);
}

/** `days` daily measurements of a KPI from 2020-01-01 (value: the day number). */
async function measure(org: string, kpi: string, days: number): Promise<void> {
  await app.ds.query(
    `INSERT INTO kpi_measurements (organization_id, kpi_id, period_start, value)
     SELECT $1, $2, DATE '2020-01-01' + g, g FROM generate_series(0, $3 - 1) g`,
    [org, kpi, days],
  );
}

/** Runs `fn` counting its statements. */
async function counted<T>(fn: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const scope = { count: 0, statements: [] as string[] };
  const result = await runCountingStatements(scope, fn);
  return { result, statements: scope.statements };
}

const latestMeasurement = defineLatestLoader({
  name: 'test.latestMeasurement',
  entity: KpiMeasurement,
  keyColumn: 'kpi_id',
  orderBy: 'c.period_start DESC',
});

describe('defineLatestLoader', () => {
  it('reads the latest row of every key in one statement, an index probe per key however long the history', async () => {
    const org = await newOrg();
    const [short, long, none] = await insertKpis(org, 3);
    await measure(org, short, 1);
    await measure(org, long, 2000);
    const other = await newOrg();
    const [foreign] = await insertKpis(other, 1);
    await measure(other, foreign, 5);
    const ctx = systemContext(app.ds, org);
    const { result, statements } = await counted(() => latestMeasurement(ctx).loadMany([short, long, none, foreign]));
    expect(statements).toHaveLength(1);
    expect(result.map((m) => (m instanceof KpiMeasurement ? [m.periodStart, m.value.toString()] : m))).toEqual([
      ['2020-01-01', '0'],
      ['2025-06-22', '1999'],
      null,
      null,
    ]);
    // The same single statement for a key of one row and for a key of 2,000: no sort of a history.
    const runner = app.ds.createQueryRunner();
    try {
      await runner.query('SET enable_seqscan = off');
      const plan = JSON.stringify(await runner.query(`EXPLAIN (FORMAT JSON) ${statements[0]}`, [org, [short, long]]));
      expect(plan).toContain('kpi_measurements_org_kpi_period_idx');
      expect(plan).not.toContain('"Node Type":"Sort"');
      expect(plan).toContain('"Node Type":"Limit"');
    } finally {
      await runner.release();
    }
    const again = await counted(() => latestMeasurement(systemContext(app.ds, org)).load(short));
    expect(again.statements).toHaveLength(1);
  });

  it('takes an extra condition with bound values, and latestOf answers a map in one statement', async () => {
    const org = await newOrg();
    const [a, b] = await insertKpis(org, 2);
    await measure(org, a, 30);
    await measure(org, b, 3);
    const before = defineLatestLoader({
      name: 'test.latestBefore',
      entity: KpiMeasurement,
      keyColumn: 'kpi_id',
      orderBy: 'c.period_start DESC',
      where: (param) => `c.period_start < ${param('2020-01-10')}`,
    });
    const ctx = systemContext(app.ds, org);
    const { result, statements } = await counted(() => before.latestOf(ctx, [a, b, a]));
    expect(statements).toHaveLength(1);
    expect([...result].map(([k, m]) => [k, m.periodStart])).toEqual(
      expect.arrayContaining([
        [a, '2020-01-09'],
        [b, '2020-01-03'],
      ]),
    );
    expect(result.size).toBe(2);
  });
});

describe('defineRowByKeyLoader', () => {
  it("loads one row per key of the caller's organisation and primes the type's by-id loader", async () => {
    const org = await newOrg();
    await insertKpis(org, 3, { prefix: 'gmv_' });
    const other = await newOrg();
    await insertKpis(other, 1, { prefix: 'gmv_x' });
    const kpiByKey = defineRowByKeyLoader({ name: 'test.kpiByKey', entity: Kpi, keyColumn: 'key', keyType: 'text' });
    const ctx = systemContext(app.ds, org);
    const { result, statements } = await counted(() => kpiByKey(ctx).loadMany(['gmv_2', 'gmv_1', 'nope', 'gmv_x1']));
    expect(statements).toHaveLength(1);
    const rows = result as Array<Kpi | null>;
    expect(rows.map((k) => k?.key ?? null)).toEqual(['gmv_2', 'gmv_1', null, null]);
    const byId = await counted(() => kpiById(ctx).load(rows[0]!.id));
    expect(byId.result).toBe(rows[0]);
    expect(byId.statements).toHaveLength(0);
  });

  it('follows a link table of the organisation to the row (a task to its SOP step)', async () => {
    await seedDemo(app.ds);
    const links: Array<{ task_id: string; sop_step_id: string }> = await app.ds.query(
      `SELECT task_id, sop_step_id FROM task_sop_steps WHERE organization_id = $1`,
      [DEMO.organizationId],
    );
    expect(links.length).toBeGreaterThan(0);
    const [{ id: unlinked }] = await app.ds.query(
      `SELECT id FROM tasks t WHERE organization_id = $1 AND NOT EXISTS (SELECT 1 FROM task_sop_steps l WHERE l.task_id = t.id) LIMIT 1`,
      [DEMO.organizationId],
    );
    const stepOfTask = defineRowByKeyLoader({
      name: 'test.stepOfTask',
      entity: SopStep,
      keyColumn: 'task_id',
      through: { table: 'task_sop_steps', rowColumn: 'sop_step_id' },
    });
    const ctx = systemContext(app.ds, DEMO.organizationId);
    const { result, statements } = await counted(() => stepOfTask(ctx).loadMany([...links.map((l) => l.task_id), unlinked]));
    expect(statements).toHaveLength(1);
    expect(result.map((s) => (s as SopStep | null)?.id ?? null)).toEqual([...links.map((l) => l.sop_step_id), null]);
    expect(result[0]).toBeInstanceOf(SopStep);
    expect((await counted(() => sopStepById(ctx).load(links[0].sop_step_id))).statements).toHaveLength(0);
    // Another organisation sees none of it.
    const elsewhere = await stepOfTask(systemContext(app.ds, await newOrg())).load(links[0].task_id);
    expect(elsewhere).toBeNull();
  });
});

describe('defineSumLoader and defineIdListLoader', () => {
  it('sum per key and list ids per key in one statement each, 0 and [] for keys without rows', async () => {
    const org = await newOrg();
    const kpis = await insertKpis(org, 300);
    await measure(org, kpis[0], 10); // 0 + 1 + … + 9
    await measure(org, kpis[1], 3);
    const other = await newOrg();
    const [foreign] = await insertKpis(other, 1);
    await measure(other, foreign, 4);
    const total = defineSumLoader({ name: 'test.total', table: KpiMeasurement, keyColumn: 'kpi_id', sum: 'c.value' });
    const recent = defineSumLoader({
      name: 'test.recent',
      table: 'kpi_measurements',
      keyColumn: 'kpi_id',
      sum: 'c.value',
      where: (param) => `c.period_start >= ${param('2020-01-03')}`,
    });
    const periods = defineIdListLoader({ name: 'test.periods', table: 'kpi_measurements', keyColumn: 'kpi_id', idColumn: 'id', orderBy: 'c.period_start DESC' });
    const ctx = systemContext(app.ds, org);
    const keys = [kpis[0], kpis[1], kpis[2], foreign];
    const sums = await counted(() => total(ctx).loadMany(keys));
    expect(sums.statements).toHaveLength(1);
    expect((sums.result as Decimal[]).map((d) => d.toString())).toEqual(['45', '3', '0', '0']);
    expect(((await recent(ctx).loadMany(keys)) as Decimal[]).map((d) => d.toString())).toEqual(['44', '2', '0', '0']);
    const lists = await counted(() => periods(ctx).loadMany(keys));
    expect(lists.statements).toHaveLength(1);
    const expected: Array<{ id: string }> = await app.ds.query(`SELECT id FROM kpi_measurements WHERE kpi_id = $1 ORDER BY period_start DESC`, [kpis[1]]);
    expect(lists.result[1]).toEqual(expected.map((r) => r.id));
    expect(lists.result.map((l) => (l as string[]).length)).toEqual([10, 3, 0, 0]);
    // 300 keys cost what 4 cost.
    expect((await counted(() => total(systemContext(app.ds, org)).loadMany(kpis))).statements).toHaveLength(1);
    expect((await counted(() => periods(systemContext(app.ds, org)).loadMany(kpis))).statements).toHaveLength(1);
  });
});

describe('defineChildLoader with where and limitPerParent', () => {
  it("keeps a parent's rows meeting the condition, at most the limit each, in order, primed", async () => {
    const org = await newOrg();
    const [p1, p2, p3] = await insertKpis(org, 3);
    const children1 = await insertKpis(org, 7, { parent: p1, archivedEvery: 3 }); // 3rd and 6th archived
    const children2 = await insertKpis(org, 2, { parent: p2 });
    const activeChildren = defineChildLoader<Kpi>({
      name: 'test.activeChildren',
      entity: Kpi,
      parentColumn: 'parent_id',
      parentOf: (k) => k.parentId!,
      orderBy: 'c.created_at, c.id',
      where: 'c.archived_at IS NULL',
      limitPerParent: 4,
    });
    const ctx = systemContext(app.ds, org);
    const { result, statements } = await counted(() => activeChildren(ctx).loadMany([p1, p2, p3]));
    expect(statements).toHaveLength(1);
    const ids = (result as Kpi[][]).map((list) => list.map((k) => k.id));
    expect(ids).toEqual([[children1[0], children1[1], children1[3], children1[4]], children2, []]);
    expect((await counted(() => kpiById(ctx).load(children1[4]))).statements).toHaveLength(0);
  });
});

describe('byIdLoaderOf', () => {
  it("answers the loader defineByIdLoader registered for an entity class, and nothing for a class without one", () => {
    expect(byIdLoaderOf(Kpi)).toBe(kpiById);
    expect(byIdLoaderOf(KpiMeasurement)).toBeUndefined();
  });
});

describe('paginate and nested connections prime the by-id loader themselves', () => {
  const KPI_SORT: SortKey<Kpi>[] = [
    { column: 'k.created_at', direction: 'ASC', value: (k) => k.createdAt },
    { column: 'k.id', direction: 'ASC', value: (k) => k.id },
  ];

  it('a node read after a list costs no statement', async () => {
    const org = await newOrg();
    const ids = await insertKpis(org, 5);
    const ctx = systemContext(app.ds, org);
    const qb = ctx.manager.createQueryBuilder(Kpi, 'k').where('k.organization_id = :org', { org });
    const page = await paginate(ctx, qb, { first: 10 }, KPI_SORT, 'test.kpis');
    expect(page.nodes.map((k) => k.id)).toEqual(ids);
    const reads = await counted(() => kpiById(ctx).loadMany(ids));
    expect(reads.statements).toHaveLength(0);
    expect(reads.result).toEqual(page.nodes);
  });

  it("primes nothing for a caller the type's visible rule refuses (API tokens for a MEMBER)", async () => {
    const o = await createOrg(app);
    ok(await app.gql(`mutation { createApiToken(input: { name: "看板", scopes: [READ] }) { secret } }`, {}, o));
    const org = uuid(o.organizationId);
    const member: Context = systemContext(app.ds, org, { role: Role.MEMBER });
    const qb = member.manager.createQueryBuilder(ApiToken, 't').where('t.organization_id = :org', { org });
    const page = await paginate(member, qb, { first: 10 }, [
      { column: 't.created_at', direction: 'ASC', value: (t) => t.createdAt },
      { column: 't.id', direction: 'ASC', value: (t) => t.id },
    ], 'test.apiTokens');
    expect(page.nodes).toHaveLength(1);
    expect(await byIdLoaderOf(ApiToken)!(member).load(page.nodes[0].id)).toBeNull();
  });

  it("a nested connection's rows are primed without a `loaded` callback", async () => {
    const org = await newOrg();
    const [parent] = await insertKpis(org, 1);
    const children = await insertKpis(org, 3, { parent });
    const childrenOf = defineNestedConnection<Kpi>({
      name: 'test.kpiChildren',
      query: (c) => c.manager.createQueryBuilder(Kpi, 'k').where('k.organization_id = :org', { org: c.organizationId }),
      parent: 'k.parent_id',
      sort: KPI_SORT,
    });
    const ctx = systemContext(app.ds, org);
    const page = await childrenOf(ctx, parent, { first: 10 });
    expect(page.nodes.map((k) => k.id)).toEqual(children);
    expect((await counted(() => kpiById(ctx).loadMany(children))).statements).toHaveLength(0);
  });
});
