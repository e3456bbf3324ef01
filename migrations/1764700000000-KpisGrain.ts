import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * KPIs module: each KPI has a grain (DAY, WEEK or MONTH; the kit's Grain without QUARTER), the
 * size of the periods its measurements start. Existing KPIs get WEEK, except a measured KPI
 * whose measurements are all first days of a month and not all Mondays: MONTH. Then a formula
 * KPI whose active children are all MONTH becomes MONTH too, level by level up the tree (a
 * formula KPI has its inputs' grain). Measurements that start no period of their KPI's grain are
 * kept as they are: changing that KPI's grain, or recording them again, says which ones they are.
 * Down drops the column.
 */
export class KpisGrain1764700000000 implements MigrationInterface {
  name = 'KpisGrain1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE kpis ADD COLUMN grain varchar(8) NOT NULL DEFAULT 'WEEK' CONSTRAINT kpis_grain_check CHECK (grain IN ('DAY','WEEK','MONTH'))`,
    );
    // 1970-01-05 is a Monday: a day d is a Monday when (d - 1970-01-05) is a multiple of 7.
    await q.query(`
      UPDATE kpis k SET grain = 'MONTH'
       WHERE k.formula IS NULL
         AND EXISTS (SELECT 1 FROM kpi_measurements m WHERE m.organization_id = k.organization_id AND m.kpi_id = k.id)
         AND NOT EXISTS (SELECT 1 FROM kpi_measurements m WHERE m.organization_id = k.organization_id AND m.kpi_id = k.id
                            AND extract(day FROM m.period_start) <> 1)
         AND EXISTS (SELECT 1 FROM kpi_measurements m WHERE m.organization_id = k.organization_id AND m.kpi_id = k.id
                        AND (m.period_start - DATE '1970-01-05') % 7 <> 0)`);
    // Formula KPIs over monthly children, one tree level per pass (trees have at most 30 levels).
    for (let level = 0; level < 30; level++) {
      const [, changed] = (await q.query(`
        UPDATE kpis f SET grain = 'MONTH'
         WHERE f.formula IS NOT NULL AND f.grain <> 'MONTH'
           AND EXISTS (SELECT 1 FROM kpis c WHERE c.organization_id = f.organization_id AND c.parent_id = f.id AND c.archived_at IS NULL)
           AND NOT EXISTS (SELECT 1 FROM kpis c WHERE c.organization_id = f.organization_id AND c.parent_id = f.id AND c.archived_at IS NULL
                              AND c.grain <> 'MONTH')`)) as [unknown, number];
      if (!changed) break;
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE kpis DROP COLUMN grain`);
  }
}
