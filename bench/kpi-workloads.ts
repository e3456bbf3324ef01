/**
 * KPI workloads: `kpiTree` of the demo north star and of the generated 200-KPI tree with a year
 * of weekly history (bench/kpi-generate.ts), each beside one hand-written SQL statement (the
 * floor: recursive CTE, latest measurement per measured KPI by an index probe, the formula KPIs'
 * stored latest value), and `kpiSeries` (bench/kpi-series-bench.ts). Conventions as in
 * bench/workloads.ts ($1 is the caller's user id).
 */
import { KPI_SERIES } from './kpi-series-bench';

const gid = (type: string, col: string) => `translate(encode(convert_to('${type}:' || ${col}, 'UTF8'), 'base64'), '+/=', '-_')`;
const dec = (col: string) => `trim_scale(${col})::text`;
const day = (col: string) => `to_char(${col}, 'YYYY-MM-DD')`;
const ORDER = (alias: string) => `(to_char(${alias}.created_at AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISSUS') || ${alias}.id::text)`;

const TREE_FIELDS = `depth parentKey kpi { id key name unit formula status latest { periodStart value } }`;

function treeSql(root: string): string {
  return `WITH RECURSIVE me AS (SELECT organization_id AS org FROM members WHERE user_id = $1 AND status = 'ACTIVE'),
  tree AS (
    SELECT k.id, k.key, 0 AS depth, NULL::text AS parent_key, ARRAY[${ORDER('k')}] AS path
      FROM kpis k, me WHERE k.organization_id = me.org AND ${root} AND k.archived_at IS NULL
    UNION ALL
    SELECT c.id, c.key, t.depth + 1, t.key, t.path || ${ORDER('c')}
      FROM tree t JOIN kpis c ON c.organization_id = (SELECT org FROM me) AND c.parent_id = t.id AND c.archived_at IS NULL
     WHERE t.depth < 30)
  SELECT json_build_object('kpiTree', coalesce(json_agg(json_build_object(
      'depth', t.depth, 'parentKey', t.parent_key,
      'kpi', json_build_object('id', ${gid('Kpi', 'k.id')}, 'key', k.key, 'name', k.name, 'unit', k.unit, 'formula', k.formula, 'status', k.status,
        'latest', CASE WHEN k.formula IS NULL THEN (
            SELECT json_build_object('periodStart', ${day('m.period_start')}, 'value', ${dec('m.value')}) FROM kpi_measurements m
             WHERE m.organization_id = k.organization_id AND m.kpi_id = k.id ORDER BY m.period_start DESC LIMIT 1)
          WHEN k.latest_value IS NOT NULL THEN json_build_object('periodStart', ${day('k.latest_period')}, 'value', ${dec('k.latest_value')}) END))
    ORDER BY t.path), '[]'::json)) AS data
  FROM tree t JOIN kpis k ON k.id = t.id`;
}

export const KPI_WORKLOADS = [
  {
    name: 'kpiTreeDemo' as const,
    label: '`kpiTree` of the demo north star (10 KPIs)',
    operationName: 'BenchKpiTreeDemo',
    query: `query BenchKpiTreeDemo { kpiTree { ${TREE_FIELDS} } }`,
    floorSql: treeSql('k.is_north_star'),
  },
  {
    name: 'kpiTree200' as const,
    label: '`kpiTree` of a 200-KPI tree, a year of weekly history',
    operationName: 'BenchKpiTree200',
    query: `query BenchKpiTree200 { kpiTree(rootKey: "bench_root") { ${TREE_FIELDS} } }`,
    floorSql: treeSql(`k.key = 'bench_root'`),
  },
  KPI_SERIES,
];

export type KpiWorkloadName = (typeof KPI_WORKLOADS)[number]['name'];
