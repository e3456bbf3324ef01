import 'reflect-metadata';
import { createLogger } from '../src/common/logger';
import { createDataSource } from '../src/db/data-source';
import { systemContext } from '../src/db/system-context';
import { entities } from '../src/modules/entities';
import { refreshKpiState } from '../src/modules/kpis';
import { generateSeriesKpis } from './kpi-series-bench';

/**
 * KPI data of the bench organisation (deterministic):
 * - the demo driver tree under the north star (gmv = visitors × conversion_rate × aov, dau_mau =
 *   dau / mau, refund_rate, creator_retention…), twelve weeks of measurements;
 * - a generated 200-KPI tree under `bench_root`: bench_root = the sum of 9 formula KPIs, each the
 *   sum of 21 measured leaves (189), plus one measured child of the root outside the formula;
 *   a year (52 weeks) of weekly measurements of every measured KPI (about 9,900 rows);
 * - the 50 KPIs of the kpiSeries workload (bench/kpi-series-bench.ts), a year of weekly history.
 * The stored latest values and statuses are computed by the module's own code.
 */
export const KPI_BENCH = { treeRoot: 'bench_root', groups: 9, leavesPerGroup: 21, weeks: 52 } as const;

/** The keys of the measured KPIs of the 200-KPI tree (for recordMeasurements). */
export const benchLeafKeys = (): string[] => {
  const keys: string[] = ['bench_extra'];
  for (let g = 1; g <= KPI_BENCH.groups; g++) for (let l = 1; l <= KPI_BENCH.leavesPerGroup; l++) keys.push(`bench_${g}_${l}`);
  return keys;
};

export async function generateKpis(url: string, organizationId: string): Promise<void> {
  const ds = createDataSource(url, createLogger('error'), 2, entities);
  await ds.initialize();
  try {
    await ds.transaction(async (m) => {
      const q = (text: string, params: unknown[]) => m.query(text, params);
      const insert = async (rows: Array<{ key: string; parent: string | null; formula?: string; aggregation?: string; layer?: string; north?: boolean; limits?: [string | null, string | null] }>) => {
        for (const r of rows) {
          await q(
            `INSERT INTO kpis (organization_id, key, name, definition, layer, direction, aggregation, formula, parent_id, is_north_star, warning_below, critical_above, created_at)
             VALUES ($1, $2::text, $2::text, '', $3, 'HIGHER_IS_BETTER', $4, $5, (SELECT id FROM kpis WHERE organization_id = $1 AND key = $6), $7, $8, $9,
                     now() - interval '400 days' + (SELECT count(*) FROM kpis WHERE organization_id = $1) * interval '1 second')`,
            [organizationId, r.key, r.layer ?? 'OPERATIONAL', r.aggregation ?? 'SUM', r.formula ?? null, r.parent, Boolean(r.north), r.limits?.[0] ?? null, r.limits?.[1] ?? null],
          );
        }
      };
      await insert([
        { key: 'gmv', parent: null, formula: 'visitors * conversion_rate * aov', layer: 'STRATEGIC', north: true },
        { key: 'visitors', parent: 'gmv' },
        { key: 'conversion_rate', parent: 'gmv', aggregation: 'AVERAGE', limits: ['0.02', null] },
        { key: 'aov', parent: 'gmv', aggregation: 'AVERAGE' },
        { key: 'new_users', parent: 'visitors' },
        { key: 'dau_mau', parent: 'gmv', formula: 'dau / mau', aggregation: 'LAST' },
        { key: 'dau', parent: 'dau_mau', aggregation: 'AVERAGE' },
        { key: 'mau', parent: 'dau_mau', aggregation: 'LAST' },
        { key: 'refund_rate', parent: 'gmv', aggregation: 'AVERAGE', limits: [null, '8'] },
        { key: 'creator_retention', parent: 'gmv', aggregation: 'AVERAGE' },
      ]);
      const groups = Array.from({ length: KPI_BENCH.groups }, (_, i) => `bench_g${i + 1}`);
      await insert([{ key: KPI_BENCH.treeRoot, parent: null, formula: groups.join(' + '), layer: 'STRATEGIC' }]);
      for (let g = 1; g <= KPI_BENCH.groups; g++) {
        const leaves = Array.from({ length: KPI_BENCH.leavesPerGroup }, (_, l) => `bench_${g}_${l + 1}`);
        await insert([{ key: `bench_g${g}`, parent: KPI_BENCH.treeRoot, formula: leaves.join(' + '), layer: 'TACTICAL' }]);
        await insert(leaves.map((key, l) => ({ key, parent: `bench_g${g}`, limits: l % 5 === 0 ? ['10', null] as [string, null] : undefined })));
      }
      await insert([{ key: 'bench_extra', parent: KPI_BENCH.treeRoot }]);
      // Twelve weeks of the demo tree, a year of the 200-KPI tree (weeks from Monday 2025-01-06).
      await q(
        `INSERT INTO kpi_measurements (organization_id, kpi_id, period_start, value, source)
         SELECT $1, k.id, DATE '2025-01-06' + 7 * w, round((100 + (hashtext(k.key || w) % 50 + 50)::numeric / (CASE WHEN k.key IN ('conversion_rate') THEN 1000 ELSE 1 END)), 4), 'bench'
           FROM kpis k CROSS JOIN generate_series(0, $2 - 1) w
          WHERE k.organization_id = $1 AND k.formula IS NULL AND (k.key LIKE 'bench%' OR w >= $2 - 12)`,
        [organizationId, KPI_BENCH.weeks],
      );
      // The dashboard page of kpiSeries: 50 KPIs older than all of the above (bench/kpi-series-bench.ts).
      await generateSeriesKpis(q, organizationId);
      const ids: Array<{ id: string }> = await q(`SELECT id FROM kpis WHERE organization_id = $1`, [organizationId]);
      await refreshKpiState(systemContext(m, organizationId), ids.map((r) => r.id));
    });
  } finally {
    await ds.destroy();
  }
}
