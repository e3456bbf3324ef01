/**
 * `search` as a bench workload: a two-character Chinese word (no trigram of it exists, so the
 * trigram indexes cannot narrow it down) over the bench organisation, whose 100,000 generated
 * tasks (bench/search-generate.ts) hold it in about one title in twelve: every hit is ranked and
 * counted, and the first 20 are returned.
 *
 * The floor answers it with one statement: the same six tables, the same conditions and rank,
 * the count and the page as JSON.
 */
const gid = (type: string, col: string) => `translate(encode(convert_to('${type}:' || ${col}, 'UTF8'), 'base64'), '+/=', '-_')`;

const WORD = '留存';

const SOURCES: Array<[type: string, typename: string, table: string, title: string, document: string, where: string]> = [
  ['OBJECTIVE', 'Objective', 'objectives', 'title', `lower(t.title || ' ' || coalesce(t.description, ''))`, 'AND t.archived_at IS NULL'],
  ['KEY_RESULT', 'KeyResult', 'key_results', 'title', 'lower(t.title)', 'AND t.archived_at IS NULL'],
  ['KPI', 'Kpi', 'kpis', 'name', `lower(t.name || ' ' || t.key || ' ' || t.definition)`, 'AND t.archived_at IS NULL'],
  ['CAMPAIGN', 'Campaign', 'campaigns', 'name', 'lower(t.name)', ''],
  ['SOP', 'Sop', 'sops', 'title', `lower(t.title || ' ' || t.purpose || ' ' || t.scope)`, 'AND t.archived_at IS NULL'],
  ['TASK', 'Task', 'tasks', 'title', `lower(t.title || ' ' || coalesce(t.description, ''))`, ''],
];

const hit = ([type, typename, table, title, document, where]: (typeof SOURCES)[number]) => {
  const t = `lower(t.${title})`;
  return `SELECT '${type}' AS type, t.id, ${gid(typename, 't.id')} AS gid,
         (CASE WHEN ${t} = '${WORD}' THEN 4000 WHEN ${t} LIKE '${WORD}%' THEN 3000 WHEN ${t} LIKE '%${WORD}%' THEN 2000 ELSE 1000 END
          + floor(similarity(${t}, '${WORD}') * 999)::int) AS rank
    FROM ${table} t, me WHERE t.organization_id = me.org ${where} AND ${document} LIKE '%${WORD}%'`;
};

export const SEARCH_WORKLOAD = {
  name: 'search' as const,
  label: '`search(query: "留存", first: 20)` over the bench organisation and 100,000 generated tasks (10,607 of them hold the word: every hit ranked and counted)',
  operationName: 'BenchSearch',
  query: `query BenchSearch { search(query: "${WORD}", first: 20) { totalCount edges { type score node { id } } } }`,
  floorSql: `WITH me AS (SELECT organization_id AS org FROM members WHERE user_id = $1 AND status = 'ACTIVE'),
  hits AS (${SOURCES.map(hit).join('\n UNION ALL ')}),
  page AS (SELECT * FROM hits ORDER BY rank DESC, id DESC LIMIT 20)
  SELECT json_build_object('search', json_build_object(
    'totalCount', (SELECT count(*) FROM hits),
    'edges', coalesce((SELECT json_agg(json_build_object('type', p.type, 'score', p.rank, 'node', json_build_object('id', p.gid)) ORDER BY p.rank DESC, p.id DESC) FROM page p), '[]'::json))) AS data`,
};
