import { decodeGlobalId } from '../../../src/common/ids';
import { addDays } from '../../../src/common/periods';
import { createOrg, type TestOrg } from '../../support/factories';
import { addBudgetLine, createBudget, recordExpense } from '../../support/budgets';
import { ok, startTestApp, type TestApp } from '../../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const uuid = (id: string) => decodeGlobalId(id)?.id ?? id;

/** A KPI of the organisation and its measurements (the KPI module's tables, as its data platform import would fill them). */
async function kpi(org: TestOrg, key: string, grain: 'DAY' | 'WEEK' | 'MONTH', aggregation: 'SUM' | 'AVERAGE' | 'LAST', values: Array<[string, number]>): Promise<void> {
  const [{ id }] = await app.ds.query(
    `INSERT INTO kpis (organization_id, key, name, layer, direction, aggregation, grain) VALUES ($1, $2::varchar, $2::text, 'TACTICAL', 'HIGHER_IS_BETTER', $3, $4) RETURNING id`,
    [uuid(org.organizationId), key, aggregation, grain],
  );
  await app.ds.query(
    `INSERT INTO kpi_measurements (organization_id, kpi_id, period_start, value) SELECT $1, $2, t.d, t.v FROM unnest($3::date[], $4::numeric[]) t(d, v)`,
    [uuid(org.organizationId), id, values.map((v) => v[0]), values.map((v) => String(v[1]))],
  );
}

/** `perDay(day)` for each day from `from` to `to`. */
function daily(from: string, to: string, perDay: (day: string) => number): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (let day = from; day <= to; day = addDays(day, 1)) out.push([day, perDay(day)]);
  return out;
}

const EFFICIENCY = `query($id: ID!) { budgetEfficiency(budgetId: $id) {
  line { name } kpi { key } spent kpiDelta share attributedChange costPerKpiUnit reason window { start end baselineStart baselineEnd days } } }`;

describe('budgetEfficiency, like with like', () => {
  it('shares a KPI’s change among the lines funding it by their spend; per-day SUM against the baseline; reasons for every null', async () => {
    const org = await createOrg(app);
    // Q2 2026 (91 days) against 2025-12-31..2026-03-31. new_users: 100 a day, then 130 a day in the quarter.
    await kpi(org, 'new_users', 'DAY', 'SUM', daily('2025-12-31', '2026-06-30', (day) => (day < '2026-04-01' ? 100 : 130)));
    // retention (AVERAGE, weekly): 40 before, 46 during; the week of 30 March (40) has 2 days in the baseline, 5 in the quarter.
    await kpi(org, 'retention', 'WEEK', 'AVERAGE', [
      ['2026-03-23', 40],
      ['2026-03-30', 40],
      ...daily('2026-04-06', '2026-06-29', () => 46).filter((_, i) => i % 7 === 0),
    ]);
    await kpi(org, 'visitors', 'WEEK', 'SUM', []);
    const budget = await createBudget(app, org, { periodStart: '2026-04-01', periodEnd: '2026-06-30' });
    const feed = await addBudgetLine(app, org, { budgetId: budget.id, name: '信息流', planned: '90000', kpiKeys: ['new_users'] });
    const search = await addBudgetLine(app, org, { budgetId: budget.id, name: '搜索广告', planned: '90000', kpiKeys: ['new_users'] });
    await addBudgetLine(app, org, { budgetId: budget.id, name: '地推', planned: '1000', kpiKeys: ['new_users'] });
    const rewards = await addBudgetLine(app, org, { budgetId: budget.id, name: '创作者激励', planned: '90000', kpiKeys: ['retention', 'new_users'] });
    const seo = await addBudgetLine(app, org, { budgetId: budget.id, name: 'SEO', planned: '1000', kpiKeys: ['visitors'] });
    const rent = await addBudgetLine(app, org, { budgetId: budget.id, name: '房租', planned: '30000', kind: 'FIXED' });
    ok(await recordExpense(app, org, { budgetLineId: feed.id, amount: '30000', incurredOn: '2026-04-10' }));
    ok(await recordExpense(app, org, { budgetLineId: search.id, amount: '6000', incurredOn: '2026-05-10' }));
    ok(await recordExpense(app, org, { budgetLineId: search.id, amount: '3000', incurredOn: '2026-06-10' }));
    ok(await recordExpense(app, org, { budgetLineId: rewards.id, amount: '12000', incurredOn: '2026-05-15' }));
    ok(await recordExpense(app, org, { budgetLineId: seo.id, amount: '500', incurredOn: '2026-05-15' }));
    ok(await recordExpense(app, org, { budgetLineId: rent.id, amount: '25000', incurredOn: '2026-04-01' }));

    const eff = ok(await app.gql(EFFICIENCY, { id: budget.id }, org)).budgetEfficiency;
    expect(eff[0].window).toEqual({ start: '2026-04-01', end: '2026-06-30', baselineStart: '2025-12-31', baselineEnd: '2026-03-31', days: 91 });
    const rows = eff.map((e: any) => [e.line.name, e.kpi?.key ?? null, e.spent, e.kpiDelta, e.share, e.attributedChange, e.costPerKpiUnit, e.reason]);
    expect(rows).toEqual([
      // new_users: 30 more a day over 91 days = 2,730, shared 9,000 : 30,000 : 0 (the rewards line follows retention, its
      // first KPI); the same cost per unit for both, the smaller spend first.
      ['搜索广告', 'new_users', '9000.00', '2730', '0.230769', '630', '14.285714', null],
      ['信息流', 'new_users', '30000.00', '2730', '0.769231', '2100', '14.285714', null],
      // retention: the window's mean by day (5 days of the week of 30 March at 40, 86 days at 46: 4,156 ÷ 91) − the
      // baseline's 40; followed by the rewards line alone.
      ['创作者激励', 'retention', '12000.00', '5.67033', '1', '5.67033', '2116.27907', null],
      ['地推', 'new_users', '0.00', '2730', '0', '0', null, 'NO_SPEND'],
      ['SEO', 'visitors', '500.00', null, null, null, null, 'NO_MEASUREMENTS'],
      ['房租', null, '25000.00', null, null, null, null, 'NO_KPI_LINK'],
    ]);
    // The attributed changes add up to the KPI's change.
    const onNewUsers = eff.filter((e: any) => e.kpi?.key === 'new_users');
    expect(onNewUsers.reduce((s: number, e: any) => s + Number(e.attributedChange), 0)).toBe(2730);
  });

  it('a month of 31 days does not beat one of 28 on the same daily rate (a SUM KPI measured monthly)', async () => {
    const org = await createOrg(app);
    // 1,000 a day up to February, then 1,200 a day: a monthly value is the rate × the month's days.
    const months = ['2025-12-01', '2026-01-01', '2026-02-01', '2026-03-01', '2026-04-01'];
    const days = (m: string) => new Date(Date.UTC(Number(m.slice(0, 4)), Number(m.slice(5, 7)), 0)).getUTCDate();
    await kpi(org, 'orders', 'MONTH', 'SUM', months.map((m) => [m, (m < '2026-03-01' ? 1000 : 1200) * days(m)]));
    await kpi(org, 'orders_flat', 'MONTH', 'SUM', months.map((m) => [m, 1000 * days(m)]));
    const march = await createBudget(app, org, { name: '三月', periodStart: '2026-03-01', periodEnd: '2026-03-31' });
    const april = await createBudget(app, org, { name: '四月', periodStart: '2026-04-01', periodEnd: '2026-04-30' });
    const feb = await createBudget(app, org, { name: '二月', periodStart: '2026-02-01', periodEnd: '2026-02-28' });
    const read = async (budget: { id: string }, incurredOn: string, days: number) => {
      const up = await addBudgetLine(app, org, { budgetId: budget.id, name: 'up', planned: '100000', kpiKeys: ['orders'] });
      const flat = await addBudgetLine(app, org, { budgetId: budget.id, name: 'flat', planned: '100000', kpiKeys: ['orders_flat'] });
      // 100 a day on each line.
      ok(await recordExpense(app, org, { budgetLineId: up.id, amount: String(100 * days), incurredOn }));
      ok(await recordExpense(app, org, { budgetLineId: flat.id, amount: String(100 * days), incurredOn }));
      return ok(await app.gql(EFFICIENCY, { id: budget.id }, org)).budgetEfficiency.map((e: any) => [e.line.name, e.kpiDelta, e.costPerKpiUnit, e.reason]);
    };
    // March against Jan 29..Feb 28 (1,000 a day): +200 a day × 31; April against March (1,200 a day): no change;
    // February against Jan 4..31 (1,000 a day): no change. The flat KPI reads 0 everywhere, whatever the month's length.
    expect(await read(march, '2026-03-05', 31)).toEqual([
      ['up', '6200', '0.5', null],
      ['flat', '0', null, 'NO_GAIN'],
    ]);
    expect(await read(april, '2026-04-05', 30)).toEqual([
      ['flat', '0', null, 'NO_GAIN'],
      ['up', '0', null, 'NO_GAIN'],
    ]);
    expect(await read(feb, '2026-02-05', 28)).toEqual([
      ['flat', '0', null, 'NO_GAIN'],
      ['up', '0', null, 'NO_GAIN'],
    ]);
  });

  it('costs the same statements for 3 lines and 24, whatever their KPIs and history', async () => {
    const org = await createOrg(app);
    const budget = await createBudget(app, org, { periodStart: '2026-01-01', periodEnd: '2027-12-31' });
    const keys = Array.from({ length: 24 }, (_, i) => `k${i}`);
    for (const [i, key] of keys.entries()) await kpi(org, key, 'DAY', i % 2 ? 'SUM' : 'AVERAGE', daily('2025-06-01', '2027-12-31', () => i + 1));
    const add = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const line = await addBudgetLine(app, org, { budgetId: budget.id, name: `l${i}`, planned: '100000', kpiKeys: [keys[i], keys[(i + 1) % 24]] });
        ok(await recordExpense(app, org, { budgetLineId: line.id, amount: '100', incurredOn: '2026-03-01' }));
      }
    };
    await add(0, 3);
    const few = await app.gql(EFFICIENCY, { id: budget.id }, org);
    expect(ok(few).budgetEfficiency).toHaveLength(3);
    await add(3, 24);
    const many = await app.gql(EFFICIENCY, { id: budget.id }, org);
    expect(ok(many).budgetEfficiency).toHaveLength(24);
    expect(ok(many).budgetEfficiency.every((e: any) => e.kpiDelta === '0' && e.reason === 'NO_GAIN')).toBe(true);
    expect(many.statements).toBe(few.statements);
    // The caller's membership, the budget, its lines, their KPIs, and their daily values over 761 + 730 days (one statement each).
    expect(many.statements).toBe(6);
    // A quarter's budget: the daily values in one call.
    const quarter = await createBudget(app, org, { periodStart: '2026-04-01', periodEnd: '2026-06-30' });
    await addBudgetLine(app, org, { budgetId: quarter.id, name: 'q', planned: '100', kpiKeys: keys.slice(0, 10) });
    expect((await app.gql(EFFICIENCY, { id: quarter.id }, org)).statements).toBe(5);
  });
});
