import 'reflect-metadata';
import { Client } from 'pg';
import { SEARCH_VOCABULARY } from './search-generate';

/**
 * `node dist/bench/search-measure.js` (DATABASE_URL: a PostgreSQL server where a database may be
 * created): the measurement behind search's design (docs/architecture.md, "Search"). Two
 * candidates over the same rows: the quality cases of tests/integration/search plus 100,000
 * generated rows (the bench's vocabulary), in one organisation among two:
 *  - trigram: `lower(title || ' ' || body) LIKE '%word%'` for every word, a GIN pg_trgm index on
 *    that expression (what `search` does);
 *  - jieba: the text cut by @node-rs/jieba (`cutForSearch`, the finer cut a search engine uses)
 *    into a `tsvector` ('simple', array_to_tsvector) with a GIN index, queried with every query
 *    token as a prefix (`留存:* & 率:*`).
 * It prints, per case, which candidate finds the expected row, and per query the median time of
 * 15 runs of the page (count of all hits, the first 20 by rank) and the plan's scan.
 * The segmenter is not a dependency: `npm install --no-save @node-rs/jieba` first.
 */
interface Jieba {
  cutForSearch(text: string, hmm?: boolean): string[];
}

const CASES: Array<[query: string, title: string, body: string]> = [
  ['留存', '创作者留存率提升15%', '让新创作者第一个月留下来'],
  ['转化', '支付转化率', '支付订单数 / 下单数'],
  ['拉新', '双十一拉新活动', ''],
  ['拉新', '提升内容质量', '优质内容带来拉新和留存'],
  ['率', '支付转化率', ''],
  ['存率', '创作者留存率提升15%', ''],
  ['retent', 'Improve creator Retention', 'Keep new creators publishing'],
  ['RETENTION', 'Improve creator Retention', ''],
  ['creator retent', 'Improve creator Retention', ''],
  ['周报', '整理第3周周报', ''],
  ['report', 'Write the retention report', '对比转化漏斗'],
];

const QUERIES = ['留存', '转化', '拉新活动', '创作者留存', 'retent', 'weekly report', '率'];
const ROWS = 100_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main() {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Jieba } = require('@node-rs/jieba') as { Jieba: { withDict(d: Uint8Array): Jieba } };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { dict } = require('@node-rs/jieba/dict') as { dict: Uint8Array };
  const jieba = Jieba.withDict(dict);
  const tokens = (text: string) => [...new Set(jieba.cutForSearch(text.toLowerCase(), true).map((t) => t.trim()).filter((t) => t.length > 0))];

  const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `search_measure_${Date.now()}`;
  const admin = new Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} ENCODING 'UTF8' TEMPLATE template0`);
  const u = new URL(server);
  u.pathname = `/${name}`;
  const db = new Client({ connectionString: u.toString() });
  await db.connect();
  try {
    await db.query(`CREATE EXTENSION pg_trgm`);
    await db.query(`CREATE TABLE docs (id serial PRIMARY KEY, org int NOT NULL, title text NOT NULL, body text NOT NULL, tsv tsvector NOT NULL)`);
    const rows: Array<[number, string, string]> = [];
    for (let g = 1; g <= ROWS; g++) {
      const zh = SEARCH_VOCABULARY.zh, en = SEARCH_VOCABULARY.en;
      const title = `${zh[g % zh.length]} ${en[Math.floor(g / 7) % en.length]} #${g}`;
      const body = g % 3 === 0 ? `跟进${zh[Math.floor(g / 11) % zh.length]} and the ${en[Math.floor(g / 5) % en.length]} numbers` : '';
      rows.push([g % 2 === 0 ? 1 : 2, title, body]);
    }
    CASES.forEach(([, title, body]) => rows.push([1, title, body]));
    const started = Date.now();
    for (let i = 0; i < rows.length; i += 5000) {
      const chunk = rows.slice(i, i + 5000);
      await db.query(
        `INSERT INTO docs (org, title, body, tsv) SELECT o, t, b, array_to_tsvector(string_to_array(v, E'\\x1f'))
           FROM unnest($1::int[], $2::text[], $3::text[], $4::text[]) AS x(o, t, b, v)`,
        [chunk.map((r) => r[0]), chunk.map((r) => r[1]), chunk.map((r) => r[2]), chunk.map((r) => tokens(`${r[1]} ${r[2]}`).join('\x1f'))],
      );
    }
    console.log(`rows: ${rows.length} (jieba cut and insert in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    await db.query(`CREATE INDEX docs_org_idx ON docs (org)`);
    let t = Date.now();
    await db.query(`CREATE INDEX docs_trgm_idx ON docs USING gin ((lower(title || ' ' || body)) gin_trgm_ops)`);
    console.log(`trigram index: ${Date.now() - t} ms, ${(await db.query(`SELECT pg_size_pretty(pg_relation_size('docs_trgm_idx')) s`)).rows[0].s}`);
    t = Date.now();
    await db.query(`CREATE INDEX docs_tsv_idx ON docs USING gin (tsv)`);
    console.log(`jieba tsvector index: ${Date.now() - t} ms, ${(await db.query(`SELECT pg_size_pretty(pg_relation_size('docs_tsv_idx')) s`)).rows[0].s}`);
    await db.query(`VACUUM ANALYZE docs`);

    const likeSql = (words: string[]) => {
      const conds = words.map((_, i) => `lower(title || ' ' || body) LIKE $${i + 3}`).join(' AND ');
      return {
        text: `WITH hits AS (SELECT id, (CASE WHEN lower(title) = $2 THEN 4000 WHEN lower(title) LIKE $2 || '%' THEN 3000 ELSE 1000 END + floor(similarity(lower(title), $2) * 999)::int) AS rank
                 FROM docs WHERE org = $1 AND ${conds})
               SELECT (SELECT count(*) FROM hits) AS total, (SELECT array_agg(id) FROM (SELECT id FROM hits ORDER BY rank DESC, id DESC LIMIT 20) p) AS page`,
        values: [1, words.join(' '), ...words.map((w) => `%${w.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)],
      };
    };
    const tsSql = (query: string) => {
      const q = tokens(query).map((x) => `${x.replace(/[&|!():*'\\\s]/g, '')}:*`).filter((x) => x !== ':*').join(' & ');
      return {
        text: `WITH hits AS (SELECT id, ts_rank(tsv, to_tsquery('simple', $2)) AS rank FROM docs WHERE org = $1 AND tsv @@ to_tsquery('simple', $2))
               SELECT (SELECT count(*) FROM hits) AS total, (SELECT array_agg(id) FROM (SELECT id FROM hits ORDER BY rank DESC, id DESC LIMIT 20) p) AS page`,
        values: [1, q],
      };
    };
    const candidates: Array<[string, (q: string) => { text: string; values: unknown[] }]> = [
      ['trigram', (q) => likeSql([...new Set(q.trim().toLowerCase().split(/\s+/u))])],
      ['jieba', tsSql],
    ];

    console.log('\nquality: does the query find the row?');
    const found: Record<string, number> = { trigram: 0, jieba: 0 };
    for (const [query, title] of CASES) {
      const line = [`  ${JSON.stringify(query)} → ${title}:`];
      for (const [label, sql] of candidates) {
        const s = sql(query);
        const r = await db.query(s.text.replace(/SELECT \(SELECT count\(\*\) FROM hits\)[\s\S]*$/, 'SELECT count(*) AS n FROM hits JOIN docs d USING (id) WHERE d.title = $' + (s.values.length + 1)), [...s.values, title]);
        const ok = Number(r.rows[0].n) > 0;
        if (ok) found[label]++;
        line.push(`${label} ${ok ? 'yes' : 'NO'}`);
      }
      console.log(line.join('  '));
    }
    console.log(`  found: trigram ${found.trigram}/${CASES.length}, jieba ${found.jieba}/${CASES.length}`);

    console.log('\nspeed: median of 15 runs (count of every hit and the first 20 by rank, in one organisation of 50,000 rows)');
    for (const query of QUERIES) {
      const line = [`  ${JSON.stringify(query).padEnd(16)}`];
      for (const [label, sql] of candidates) {
        const s = sql(query);
        const times: number[] = [];
        let total = 0;
        for (let i = 0; i < 15; i++) {
          const t0 = process.hrtime.bigint();
          total = Number((await db.query(s.text, s.values)).rows[0].total);
          times.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
        const plan = (await db.query(`EXPLAIN ${s.text}`, s.values)).rows.map((r) => r['QUERY PLAN'] as string).join('\n');
        const scan = /Bitmap Index Scan on (\w+)/.exec(plan)?.[1] ?? (/Index Scan using (\w+)/.exec(plan)?.[1] ?? (/Seq Scan/.test(plan) ? 'seq scan' : '?'));
        line.push(`${label} ${median(times).toFixed(1).padStart(6)} ms (${String(total).padStart(5)} hits, ${scan})`);
      }
      console.log(line.join('   '));
    }
  } finally {
    await db.end();
    await admin.query(`DROP DATABASE ${name}`);
    await admin.end();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
