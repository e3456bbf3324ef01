import 'reflect-metadata';
import { createOrg, type TestOrg } from '../../support/factories';
import { createCampaign } from '../../support/campaigns';
import { createCycle, createKeyResult, createObjective, createSquad, createTask } from '../../support/planning';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';
import { createKpi } from '../kpis/support';
import { rowShape } from '../../../src/common/rows';
import { searchSources } from '../../../src/modules/search/search.registry';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const SEARCH = `query($q: String!, $types: [SearchType!], $first: Int, $after: String) {
  search(query: $q, types: $types, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges {
      cursor type score matchedField snippet
      node {
        __typename id
        ... on Objective { title }
        ... on KeyResult { title }
        ... on Kpi { name }
        ... on Campaign { name }
        ... on Sop { title }
        ... on Task { title }
      }
    }
  }
}`;

interface Hit {
  cursor: string;
  type: string;
  score: number;
  matchedField: string;
  snippet: string;
  node: { __typename: string; id: string; title?: string; name?: string };
}

async function find(org: TestOrg, q: string, extra: Record<string, unknown> = {}) {
  const r = ok(await app.gql(SEARCH, { q, ...extra }, org)).search;
  return r as { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Hit[] };
}
const labels = (hits: Hit[]) => hits.map((h) => h.node.title ?? h.node.name);

/** An organisation with one object of every searchable kind, in Chinese and English. */
async function plannedOrg() {
  const org = await createOrg(app);
  const squad = await createSquad(app, org, org.userId, '增长小组');
  const cycle = await createCycle(app, org);
  const retention = await createObjective(app, org, { cycleId: cycle, title: '创作者留存率提升15%', description: '让新创作者第一个月留下来' });
  const english = await createObjective(app, org, { cycleId: cycle, title: 'Improve creator Retention', description: 'Keep new creators publishing' });
  const mention = await createObjective(app, org, { cycleId: cycle, title: '提升内容质量', description: '优质内容带来拉新和留存' });
  const exact = await createObjective(app, org, { cycleId: cycle, title: '拉新' });
  const kr = await createKeyResult(app, org, { objectiveId: retention.id, title: '次月留存从30%到40%' });
  const kpi = await createKpi(app, org, { key: 'pay_conversion', name: '支付转化率', definition: '支付订单数 / 下单数' });
  const campaign = await createCampaign(app, org, { squadId: squad, name: '双十一拉新活动' });
  const sop = ok(
    await app.gql(`mutation($i: CreateSopInput!) { createSop(input: $i) { sop { id } } }`, {
      i: { title: '周报撰写规范', purpose: '统一每周复盘的格式', scope: '所有小组', reviewEveryDays: 90 },
    }, org),
  ).createSop.sop.id;
  const task = await createTask(app, org, { squadId: squad, title: 'Write the retention report', description: '对比转化漏斗' });
  return { org, squad, cycle, retention, english, mention, exact, kr, kpi, campaign, sop, task };
}

describe('search: quality', () => {
  let o: Awaited<ReturnType<typeof plannedOrg>>;
  beforeAll(async () => {
    o = await plannedOrg();
  });

  it('finds Chinese by two characters inside a word, with no spaces', async () => {
    const r = await find(o.org, '留存');
    expect(labels(r.edges)).toEqual(expect.arrayContaining(['创作者留存率提升15%', '次月留存从30%到40%', '提升内容质量']));
    const kpi = await find(o.org, '转化');
    expect(kpi.edges.map((h) => h.node.id)).toContain(o.kpi.id);
    expect(kpi.edges.find((h) => h.node.id === o.kpi.id)).toMatchObject({ type: 'KPI', matchedField: 'name', snippet: '支付转化率' });
    // A task found by its description, with the text around the word.
    expect(kpi.edges.find((h) => h.node.id === o.task.id)).toMatchObject({ type: 'TASK', matchedField: 'description', snippet: '对比转化漏斗' });
    // One character and three characters.
    expect(labels((await find(o.org, '率')).edges)).toEqual(expect.arrayContaining(['创作者留存率提升15%', '支付转化率']));
    expect(labels((await find(o.org, '留存率')).edges)).toEqual(['创作者留存率提升15%']);
    expect((await find(o.org, '拉新活动')).edges.map((h) => h.node.id)).toEqual([o.campaign.id]);
  });

  it('finds English by word prefixes, case-insensitive, every word required', async () => {
    for (const q of ['retent', 'RETENTION', 'Retention', ' retention ']) {
      expect(labels((await find(o.org, q)).edges).sort()).toEqual(['Improve creator Retention', 'Write the retention report']);
    }
    expect(labels((await find(o.org, 'creator retent')).edges)).toEqual(['Improve creator Retention']);
    expect(labels((await find(o.org, 'retent report')).edges)).toEqual(['Write the retention report']);
    expect((await find(o.org, 'retent nothing')).edges).toEqual([]);
    // Mixed: a Chinese and an English word.
    expect(labels((await find(o.org, 'report 转化')).edges)).toEqual(['Write the retention report']);
    // LIKE's wildcards are plain characters.
    expect((await find(o.org, '%')).edges.map((h) => h.node.id)).toEqual(expect.arrayContaining([o.retention.id, o.kr.id]));
    expect((await find(o.org, '_')).edges.map((h) => h.matchedField)).toEqual(['key']);
    expect((await find(o.org, '__')).edges).toEqual([]);
  });

  it('ranks an exact title above a title that starts with the query, above a mention in a description', async () => {
    const r = await find(o.org, '拉新');
    expect(r.edges.map((h) => h.node.id)).toEqual([o.exact.id, o.campaign.id, o.mention.id]);
    const [exact, contains, described] = r.edges;
    expect(exact.score).toBeGreaterThanOrEqual(4000);
    expect(contains.score).toBeGreaterThanOrEqual(2000);
    expect(contains.score).toBeLessThan(3000);
    expect(described.score).toBeLessThan(2000);
    expect(described).toMatchObject({ matchedField: 'description', snippet: '优质内容带来拉新和留存' });
    // A title starting with the query: between the two.
    const sop = await find(o.org, '周报');
    expect(sop.edges[0]).toMatchObject({ type: 'SOP', matchedField: 'title' });
    expect(sop.edges[0].score).toBeGreaterThanOrEqual(3000);
    expect(sop.edges[0].score).toBeLessThan(4000);
  });

  it('filters by type', async () => {
    const r = await find(o.org, '留存', { types: ['KEY_RESULT'] });
    expect(r.edges.map((h) => [h.type, h.node.__typename, h.node.id])).toEqual([['KEY_RESULT', 'KeyResult', o.kr.id]]);
    expect(r.totalCount).toBe(1);
    const two = await find(o.org, '转化', { types: ['KPI', 'TASK'] });
    expect(two.edges.map((h) => h.type).sort()).toEqual(['KPI', 'TASK']);
    expect((await find(o.org, '转化', { types: ['SOP'] })).edges).toEqual([]);
    // Empty: every type.
    expect((await find(o.org, '转化', { types: [] })).totalCount).toBe(2);
  });

  it('finds an object by its new title after an update, not by its old one, and no archived object', async () => {
    const org = await createOrg(app);
    const cycle = await createCycle(app, org);
    const obj = await createObjective(app, org, { cycleId: cycle, title: '旧标题 Alpha' });
    expect((await find(org, 'alpha')).totalCount).toBe(1);
    const updated = ok(
      await app.gql(`mutation($i: UpdateObjectiveInput!) { updateObjective(input: $i) { objective { id version } } }`, {
        i: { id: obj.id, expectedVersion: obj.version, title: '新标题 Bravo' },
      }, org),
    ).updateObjective.objective;
    expect((await find(org, 'alpha')).edges).toEqual([]);
    expect((await find(org, '旧标题')).edges).toEqual([]);
    expect(labels((await find(org, 'bravo')).edges)).toEqual(['新标题 Bravo']);
    ok(await app.gql(`mutation($i: ArchiveObjectiveInput!) { archiveObjective(input: $i) { objective { id } } }`, { i: { id: obj.id, expectedVersion: updated.version } }, org));
    expect((await find(org, 'bravo')).edges).toEqual([]);
    expect((await find(org, 'bravo')).totalCount).toBe(0);
  });

  it('never finds another organisation’s objects', async () => {
    const other = await createOrg(app);
    expect((await find(other, '留存')).edges).toEqual([]);
    expect((await find(other, 'retent')).totalCount).toBe(0);
  });

  it('refuses an empty or too long query and a page over the cap', async () => {
    for (const q of ['', '   ', 'x'.repeat(101), Array.from({ length: 11 }, (_, i) => `w${i}`).join(' ')]) {
      const r = await app.gql(SEARCH, { q }, o.org);
      expect(errorCode(r)).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0].extensions?.field).toBe('query');
    }
    expect(ok(await app.gql(SEARCH, { q: '留'.repeat(100) }, o.org)).search.edges).toEqual([]);
    const big = await app.gql(SEARCH, { q: '留存', first: 101 }, o.org);
    expect(errorCode(big)).toBe('BAD_USER_INPUT');
    const cursor = await app.gql(SEARCH, { q: '留存', after: 'bm90LWEtY3Vyc29y' }, o.org);
    expect(cursor.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('search: paging and statements', () => {
  it('pages by cursor through every hit once, in rank order', async () => {
    const org = await createOrg(app);
    const squad = await createSquad(app, org, org.userId);
    const ids: string[] = [];
    for (let i = 0; i < 23; i++) ids.push((await createTask(app, org, { squadId: squad, title: i % 5 === 0 ? '周报' : `整理第${i}周周报` })).id);
    const seen: Hit[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const r = await find(org, '周报', { first: 10, after });
      expect(r.totalCount).toBe(23);
      seen.push(...r.edges);
      after = r.pageInfo.hasNextPage ? r.pageInfo.endCursor : null;
      pages++;
    } while (after);
    expect(pages).toBe(3);
    expect(new Set(seen.map((h) => h.node.id))).toEqual(new Set(ids));
    expect(seen).toHaveLength(23);
    const scores = seen.map((h) => h.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(seen.slice(0, 5).every((h) => h.node.title === '周报')).toBe(true);
    // Past the end: empty, and the count still answers.
    const last = await find(org, '周报', { first: 1, after: seen[seen.length - 1].cursor });
    expect(last.edges).toEqual([]);
    expect(last.totalCount).toBe(23);
  });

  it('costs one statement besides authentication, for 6 objects and for 120', async () => {
    const small = await plannedOrg();
    const large = await plannedOrg();
    for (let i = 0; i < 114; i++) await createTask(app, large.org, { squadId: large.squad, title: `留存任务 ${i}` });
    const s = await app.gql(SEARCH, { q: '留存', first: 100 }, small.org);
    const l = await app.gql(SEARCH, { q: '留存', first: 100 }, large.org);
    expect(ok(s).search.totalCount).toBe(3);
    expect(ok(l).search.totalCount).toBe(117);
    expect(ok(l).search.edges).toHaveLength(100);
    expect(s.statements).toBe(2);
    expect(l.statements).toBe(s.statements);
  });
});

describe('search: indexes', () => {
  it('reads every kind through its trigram index for a word of three characters or more, its bigram index for two', async () => {
    const sources = searchSources();
    expect(sources.map((s) => s.type)).toEqual(['OBJECTIVE', 'KEY_RESULT', 'KPI', 'CAMPAIGN', 'SOP', 'TASK']);
    const runner = app.ds.createQueryRunner();
    try {
      await runner.startTransaction();
      await runner.query('SET LOCAL enable_seqscan = off');
      for (const s of sources) {
        const table = rowShape(app.ds, s.entity).table.replace(/"/g, '');
        const plan: Array<{ 'QUERY PLAN': string }> = await runner.query(`EXPLAIN SELECT t.id FROM ${table} t WHERE ${s.document} LIKE '%retention%'`);
        // The source's document is the index's expression (migrations/1764820000000-Search.ts), or the index is never used.
        expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain(`${table}_search_trgm_idx`);
        // A word of two characters: the bigram index (migrations/1764850000000-SearchBigrams.ts).
        const pair: Array<{ 'QUERY PLAN': string }> = await runner.query(
          `EXPLAIN SELECT t.id FROM ${table} t WHERE search_bigrams(${s.document}) @> ARRAY['留存'] AND ${s.document} LIKE '%留存%'`,
        );
        expect(pair.map((r) => r['QUERY PLAN']).join('\n')).toContain(`${table}_search_bigram_idx`);
      }
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });

  it('asks the bigram indexes for a word of two characters and the trigram indexes for longer words, in its one statement', async () => {
    // With the test's handful of rows the planner rightly prefers the organisation indexes, so the
    // statement the server sends is checked for each source's indexed conditions (the test above
    // shows each one is answered by its index).
    const o = await plannedOrg();
    const searchSql = async (query: string, count: number) => {
      const r = await app.gql(`query($q: String!) { search(query: $q, first: 0) { totalCount } }`, { q: query }, o.org);
      expect(ok(r).search.totalCount).toBe(count);
      const found = (r.sql ?? []).filter((s) => s.includes('search_bigrams') || s.includes(' LIKE $'));
      expect(found).toHaveLength(1); // one statement finds, ranks and counts
      return found[0];
    };
    const pair = await searchSql('留存', 3);
    const longer = await searchSql('retention', 2);
    const mixed = await searchSql('report 转化 漏', 1);
    for (const s of searchSources()) {
      expect(pair).toContain(`search_bigrams(${s.document}) @> $`);
      expect(pair).toContain(`${s.document} LIKE $`);
      expect(longer).toContain(`${s.document} LIKE $`);
      expect(mixed).toContain(`search_bigrams(${s.document}) @> $`);
    }
    expect(longer).not.toContain('search_bigrams');
  });
});
