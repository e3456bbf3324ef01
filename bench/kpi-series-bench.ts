/**
 * A dashboard's KPI charts as a bench workload: the first page of KPIs (50: 5 formula KPIs, each
 * the sum of 9 measured children) with each KPI's weekly series for a calendar year, over a year
 * of weekly history (53 Mondays from 2024-12-30; one child misses one week, so one formula point
 * is null with its reason). The KPIs are created before every other KPI of the bench
 * organisation, so they are the page `kpis(first: 50)` lists (oldest first).
 *
 * The floor answers it with one statement: the page, every week of the range, the weekly sums of
 * the measured KPIs and of the formula KPIs' children, and the formula as what it is in this data
 * (the sum of all of its children, null with the evaluator's reason when one has no value).
 */
export const SERIES_BENCH = { groups: 5, leavesPerGroup: 9, weeks: 53, firstMonday: '2024-12-30', from: '2025-01-01', to: '2025-12-31' } as const;

/** The keys of one group's measured children, in creation (and formula) order. */
const leavesOf = (g: number) => Array.from({ length: SERIES_BENCH.leavesPerGroup }, (_, l) => `series_${g}_${l + 1}`);

/** The series KPIs and their measurements, in the bench organisation (inside generateKpis' transaction). */
export async function generateSeriesKpis(q: (text: string, params: unknown[]) => Promise<unknown>, organizationId: string): Promise<void> {
  let n = 0;
  const insert = async (key: string, parent: string | null, formula: string | null) => {
    await q(
      `INSERT INTO kpis (organization_id, key, name, definition, layer, direction, aggregation, formula, parent_id, created_at)
       VALUES ($1, $2::text, $2::text, '', 'OPERATIONAL', 'HIGHER_IS_BETTER', 'SUM', $3, (SELECT id FROM kpis WHERE organization_id = $1 AND key = $4),
               now() - interval '500 days' + $5::int * interval '1 second')`,
      [organizationId, key, formula, parent, n++],
    );
  };
  for (let g = 1; g <= SERIES_BENCH.groups; g++) {
    const leaves = leavesOf(g);
    await insert(`series_g${g}`, null, leaves.join(' + '));
    for (const leaf of leaves) await insert(leaf, `series_g${g}`, null);
  }
  await q(
    `INSERT INTO kpi_measurements (organization_id, kpi_id, period_start, value, source)
     SELECT $1, k.id, $2::date + 7 * w, 100 + (hashtext(k.key || w) % 50 + 50), 'bench'
       FROM kpis k CROSS JOIN generate_series(0, $3 - 1) w
      WHERE k.organization_id = $1 AND k.key LIKE 'series%' AND k.formula IS NULL AND NOT (k.key = 'series_1_1' AND w = 10)`,
    [organizationId, SERIES_BENCH.firstMonday, SERIES_BENCH.weeks],
  );
}

const gid = (type: string, col: string) => `translate(encode(convert_to('${type}:' || ${col}, 'UTF8'), 'base64'), '+/=', '-_')`;
const dec = (col: string) => `trim_scale(${col})::text`;
const day = (col: string) => `to_char(${col}, 'YYYY-MM-DD')`;
const NO_MEASUREMENT = `'No measurement in this period'`;

export const KPI_SERIES = {
  name: 'kpiSeries' as const,
  label: '`kpis(first: 50)` with each weekly `series` for a year (5 formula + 45 measured KPIs)',
  operationName: 'BenchKpiSeries',
  query: `query BenchKpiSeries { kpis(first: 50) { nodes { id key series(grain: WEEK, from: "${SERIES_BENCH.from}", to: "${SERIES_BENCH.to}") { periodStart periodEnd value reason } } } }`,
  floorSql: `WITH me AS (SELECT organization_id AS org FROM members WHERE user_id = $1 AND status = 'ACTIVE'),
  page AS (
    SELECT k.id, k.key, k.formula, k.created_at FROM kpis k, me
     WHERE k.organization_id = me.org AND k.archived_at IS NULL ORDER BY k.created_at, k.id LIMIT 50),
  weeks AS (
    SELECT d::date AS start FROM generate_series(date_trunc('week', DATE '${SERIES_BENCH.from}'::timestamp), date_trunc('week', DATE '${SERIES_BENCH.to}'::timestamp), interval '7 days') d),
  children AS (
    SELECT p.id AS parent, c.id, c.key, c.created_at FROM page p
      JOIN kpis c ON c.organization_id = (SELECT org FROM me) AND c.parent_id = p.id AND c.archived_at IS NULL
     WHERE p.formula IS NOT NULL),
  sums AS (
    SELECT m.kpi_id, date_trunc('week', m.period_start::timestamp)::date AS start, sum(m.value) AS value FROM kpi_measurements m
     WHERE m.organization_id = (SELECT org FROM me)
       AND m.kpi_id IN (SELECT id FROM page WHERE formula IS NULL UNION SELECT id FROM children)
       AND m.period_start >= (SELECT min(start) FROM weeks) AND m.period_start < (SELECT max(start) FROM weeks) + 7
     GROUP BY 1, 2),
  points AS (
    SELECT p.id, w.start, s.value, CASE WHEN s.value IS NULL THEN ${NO_MEASUREMENT} END AS reason
      FROM page p CROSS JOIN weeks w LEFT JOIN sums s ON s.kpi_id = p.id AND s.start = w.start
     WHERE p.formula IS NULL
    UNION ALL
    SELECT c.parent, w.start,
           CASE WHEN count(s.value) = count(*) THEN sum(s.value) END,
           CASE WHEN count(s.value) < count(*) THEN
             'No value for ' || string_agg(c.key, ', ' ORDER BY c.created_at, c.id) FILTER (WHERE s.value IS NULL) || ' in this period ('
             || string_agg(c.key || ': ' || ${NO_MEASUREMENT}, '; ' ORDER BY c.created_at, c.id) FILTER (WHERE s.value IS NULL) || ')' END
      FROM children c CROSS JOIN weeks w LEFT JOIN sums s ON s.kpi_id = c.id AND s.start = w.start
     GROUP BY c.parent, w.start)
  SELECT json_build_object('kpis', json_build_object('nodes', coalesce(json_agg(json_build_object(
      'id', ${gid('Kpi', 'p.id')}, 'key', p.key,
      'series', (SELECT json_agg(json_build_object('periodStart', ${day('x.start')}, 'periodEnd', ${day('x.start + 6')}, 'value', ${dec('x.value')}, 'reason', x.reason) ORDER BY x.start)
                   FROM points x WHERE x.id = p.id))
    ORDER BY p.created_at, p.id), '[]'::json))) AS data
  FROM page p`,
};
