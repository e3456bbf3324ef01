import 'reflect-metadata';
import Decimal from 'decimal.js';
import type { Context } from '../../../src/common/context';
import { systemContext } from '../../../src/db/system-context';
import { decodeGlobalId } from '../../../src/common/ids';
import { Grain } from '../../../src/common/periods';
import { kpiById, kpiValuesByPeriod, requireKpisByKeys } from '../../../src/modules/kpis';
import { createOrg } from '../../support/factories';
import { startTestApp, type TestApp } from '../../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

/** A service context of `organizationId` on the app's pool, counting its statements. */
function contextOf(organizationId: string): Context & { statements: () => number } {
  let count = 0;
  const manager = app.ds.createEntityManager();
  const query = manager.query.bind(manager);
  manager.query = ((sql: string, params?: unknown[]) => {
    count++;
    return query(sql, params);
  }) as typeof manager.query;
  return Object.assign(systemContext(manager, organizationId), { statements: () => count });
}

async function insertKpi(org: string, key: string, aggregation = 'SUM', extra: Record<string, unknown> = {}): Promise<string> {
  const [row] = await app.ds.query(
    `INSERT INTO kpis (organization_id, key, name, layer, direction, aggregation, archived_at)
     VALUES ($1, $2::text, $2::text, 'TACTICAL', 'HIGHER_IS_BETTER', $3, $4) RETURNING id`,
    [org, key, aggregation, extra.archived ? new Date() : null],
  );
  return row.id;
}

async function measure(org: string, kpi: string, values: Array<[string, string]>): Promise<void> {
  for (const [period, value] of values) {
    await app.ds.query(`INSERT INTO kpi_measurements (organization_id, kpi_id, period_start, value) VALUES ($1, $2, $3, $4)`, [org, kpi, period, value]);
  }
}

describe('requireKpisByKeys', () => {
  it("returns the organisation's KPIs in the order asked and names every unknown or archived key", async () => {
    const a = decodeGlobalId((await createOrg(app)).organizationId)!.id;
    const b = decodeGlobalId((await createOrg(app)).organizationId)!.id;
    const gmv = await insertKpi(a, 'gmv');
    const aov = await insertKpi(a, 'aov');
    await insertKpi(a, 'old', 'SUM', { archived: true });
    await insertKpi(b, 'other');
    const ctx = contextOf(a);
    expect((await requireKpisByKeys(ctx, ['aov', 'gmv', 'aov'])).map((k) => k.id)).toEqual([aov, gmv, aov]);
    expect(await kpiById(ctx).load(gmv)).toMatchObject({ key: 'gmv' });
    const error = await requireKpisByKeys(ctx, ['gmv', 'nope', 'old', 'other']).catch((e) => e);
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', keys: ['nope', 'old', 'other'] });
    expect(error.message).toMatch(/"nope".*"old".*"other"/);
    expect(await kpiById(contextOf(b)).load(gmv)).toBeNull();
  });
});

describe('kpiValuesByPeriod', () => {
  it('combines measurements per ISO week and calendar month by aggregation, with nulls for empty buckets, in one statement', async () => {
    const a = decodeGlobalId((await createOrg(app)).organizationId)!.id;
    const sum = await insertKpi(a, 'visitors', 'SUM');
    const avg = await insertKpi(a, 'rate', 'AVERAGE');
    const last = await insertKpi(a, 'mau', 'LAST');
    // 2026-03-02 is a Monday.
    const days: Array<[string, string]> = [
      ['2026-03-02', '0.1'],
      ['2026-03-04', '0.2'],
      ['2026-03-16', '0.3'],
      ['2026-04-01', '0.7'],
    ];
    await measure(a, sum, days);
    await measure(a, avg, days);
    await measure(a, last, days);
    const ctx = contextOf(a);
    const weeks = await kpiValuesByPeriod(ctx, [sum, avg, last], '2026-03-03', '2026-03-20', 'WEEK');
    expect(ctx.statements()).toBe(1);
    const show = (v: Array<{ periodStart: string; value: Decimal | null }> | undefined) =>
      v?.map((p) => [p.periodStart, p.value?.toFixed() ?? null]);
    expect(show(weeks.get(sum))).toEqual([
      ['2026-03-02', '0.3'],
      ['2026-03-09', null],
      ['2026-03-16', '0.3'],
    ]);
    expect(show(weeks.get(avg))?.[0]).toEqual(['2026-03-02', '0.15']);
    expect(show(weeks.get(last))?.[0]).toEqual(['2026-03-02', '0.2']);
    const months = await kpiValuesByPeriod(ctx, [sum, avg, last], '2026-02-10', '2026-04-30', 'MONTH');
    expect(show(months.get(sum))).toEqual([
      ['2026-02-01', null],
      ['2026-03-01', '0.6'],
      ['2026-04-01', '0.7'],
    ]);
    expect(show(months.get(avg))?.[1]).toEqual(['2026-03-01', '0.2']);
    expect(show(months.get(last))?.[1]).toEqual(['2026-03-01', '0.3']);
    // A formula KPI over them: computed per bucket from its children's bucket values.
    const ratio = await insertKpi(a, 'ratio', 'LAST');
    await app.ds.query(`UPDATE kpis SET parent_id = $1 WHERE id = ANY($2::uuid[])`, [ratio, [sum, avg]]);
    await app.ds.query(`UPDATE kpis SET formula = 'visitors / rate' WHERE id = $1`, [ratio]);
    const before = ctx.statements();
    const formula = await kpiValuesByPeriod(ctx, [ratio, sum], '2026-03-01', '2026-04-30', 'MONTH');
    expect(ctx.statements() - before).toBe(1);
    expect(show(formula.get(ratio))).toEqual([
      ['2026-03-01', '3'],
      ['2026-04-01', '1'],
    ]);
    expect(show(formula.get(sum))?.[0]).toEqual(['2026-03-01', '0.6']);
    // Another organisation sees only nulls.
    const b = decodeGlobalId((await createOrg(app)).organizationId)!.id;
    expect(show((await kpiValuesByPeriod(contextOf(b), [sum], '2026-03-01', '2026-03-31', 'MONTH')).get(sum))).toEqual([['2026-03-01', null]]);
  });
});

describe('kpiValuesByPeriod buckets', () => {
  it('buckets in SQL as src/common/periods.ts does: a Sunday in its ISO week, week 53, quarters, in any session time zone', async () => {
    const a = decodeGlobalId((await createOrg(app)).organizationId)!.id;
    const sum = await insertKpi(a, 'orders', 'SUM');
    await measure(a, sum, [
      ['2020-12-27', '1'], // a Sunday: the week of Monday 2020-12-21
      ['2020-12-28', '2'], // Monday of ISO week 53 of 2020
      ['2021-01-03', '4'], // its Sunday, in the next calendar year
      ['2021-01-04', '8'], // Monday of week 1 of 2021
      ['2021-03-31', '16'],
      ['2021-04-01', '32'],
    ]);
    const show = (v: Array<{ periodStart: string; value: Decimal | null }> | undefined) => v?.map((p) => [p.periodStart, p.value?.toFixed() ?? null]);
    const manager = app.ds.createQueryRunner();
    await manager.connect();
    try {
      await manager.query(`SET TIME ZONE 'Pacific/Kiritimati'`);
      const ctx = systemContext(manager.manager, a);
      expect(show((await kpiValuesByPeriod(ctx, [sum], '2020-12-27', '2021-01-04', Grain.WEEK)).get(sum))).toEqual([
        ['2020-12-21', '1'],
        ['2020-12-28', '6'],
        ['2021-01-04', '8'],
      ]);
      expect(show((await kpiValuesByPeriod(ctx, [sum], '2020-12-01', '2021-04-30', Grain.QUARTER)).get(sum))).toEqual([
        ['2020-10-01', '3'],
        ['2021-01-01', '28'],
        ['2021-04-01', '32'],
      ]);
    } finally {
      await manager.release();
    }
    const e = await kpiValuesByPeriod(contextOf(a), [sum], '2000-01-01', '2030-01-01', Grain.WEEK).catch((err) => err);
    expect([e.code, e.extensions]).toEqual(['BAD_USER_INPUT', { max: 1100 }]);
  });
});

