import { createLogger } from '../../../src/common/logger';
import { createDataSource } from '../../../src/db/data-source';
import { migrate } from '../../../src/db/database';
import { createEmptyDatabase, dropDatabase } from '../../support/test-db';

/** The KpisGrain migration's backfill, on KPIs and measurements written before it. */
describe('KPI grain backfill', () => {
  it('gives MONTH to KPIs measured only on month starts (not all Mondays) and to formulas over them, WEEK to the others', async () => {
    const serverUrl = process.env.PLANGRAPH_TEST_SERVER_URL!;
    const db = await createEmptyDatabase(serverUrl, 'pg_grain_backfill');
    const ds = createDataSource(db.url, createLogger('silent'));
    await ds.initialize();
    try {
      const applied = await migrate(ds);
      // Back to just before the grain: every migration from KpisGrain on, undone.
      for (let i = applied.indexOf('KpisGrain1764700000000'); i < applied.length; i++) await ds.undoLastMigration({ transaction: 'each' });
      const [{ id: org }] = await ds.query(`INSERT INTO organizations (name, slug) VALUES ('回填', 'backfill') RETURNING id`);
      const kpi = async (key: string, opts: { parent?: string; formula?: string } = {}): Promise<string> =>
        (
          await ds.query(
            `INSERT INTO kpis (organization_id, key, name, definition, layer, direction, aggregation, formula, parent_id)
             VALUES ($1, $2::text, $2::text, '', 'TACTICAL', 'HIGHER_IS_BETTER', 'SUM', $3, $4) RETURNING id`,
            [org, key, opts.formula ?? null, opts.parent ?? null],
          )
        )[0].id;
      const measure = (id: string, days: string[]) =>
        ds.query(`INSERT INTO kpi_measurements (organization_id, kpi_id, period_start, value) SELECT $1, $2, d, 1 FROM unnest($3::date[]) d`, [org, id, days]);
      const top = await kpi('top', { formula: 'mid * 2' });
      const mid = await kpi('mid', { parent: top, formula: 'mau + revenue' });
      await measure(await kpi('mau', { parent: mid }), ['2026-01-01', '2026-02-01', '2026-06-01']); // month starts, not all Mondays
      await measure(await kpi('revenue', { parent: mid }), ['2026-03-01']);
      await measure(await kpi('weekly'), ['2026-03-02', '2026-03-09']);
      await measure(await kpi('both'), ['2026-06-01']); // a Monday and a month start: WEEK
      await measure(await kpi('stray'), ['2026-03-01', '2026-03-04']);
      await kpi('unmeasured');
      await kpi('mixed_formula', { formula: 'weekly' });

      await migrate(ds);
      const grains = Object.fromEntries((await ds.query(`SELECT key, grain FROM kpis ORDER BY key`)).map((r: { key: string; grain: string }) => [r.key, r.grain]));
      expect(grains).toEqual({
        top: 'MONTH',
        mid: 'MONTH',
        mau: 'MONTH',
        revenue: 'MONTH',
        weekly: 'WEEK',
        both: 'WEEK',
        stray: 'WEEK',
        unmeasured: 'WEEK',
        mixed_formula: 'WEEK',
      });
    } finally {
      await ds.destroy();
      await dropDatabase(serverUrl, db.name);
    }
  });
});
