import { decodeGlobalId } from '../../../src/common/ids';
import { Grain, bucketEnd, bucketStarts } from '../../../src/common/periods';
import { createOrg, type TestOrg } from '../../support/factories';
import { addBudgetLine, createBudget, recordExpense } from '../../support/budgets';
import { ok, startTestApp, type TestApp } from '../../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const uuid = (id: string) => decodeGlobalId(id)?.id ?? id;

/** A KPI of the organisation measured monthly (the KPI module's tables, as its data platform import would fill them). */
async function kpi(org: TestOrg, key: string, monthly: Record<string, string>, aggregation = 'SUM'): Promise<string> {
  const [{ id }] = await app.ds.query(
    `INSERT INTO kpis (organization_id, key, name, layer, direction, aggregation, grain) VALUES ($1, $2::varchar, $2::text, 'TACTICAL', 'HIGHER_IS_BETTER', $3, 'MONTH') RETURNING id`,
    [uuid(org.organizationId), key, aggregation],
  );
  for (const [periodStart, value] of Object.entries(monthly)) {
    await app.ds.query(`INSERT INTO kpi_measurements (organization_id, kpi_id, period_start, value) VALUES ($1, $2, $3, $4)`, [
      uuid(org.organizationId),
      id,
      periodStart,
      value,
    ]);
  }
  return id;
}

const BURN = `query($id: ID!, $g: Grain!) { budgetBurn(budgetId: $id, grain: $g) {
  periodStart plannedCumulative spentCumulative kpiValues { kpi { key } value } costPerUnit { kpi { key } value } } }`;
const EFFICIENCY = `query($id: ID!) { budgetEfficiency(budgetId: $id) { line { name } kpi { key } spent kpiDelta costPerKpiUnit reason } }`;

describe('budget reports', () => {
  it('burn by month beside the KPIs of the lines, with cost per KPI unit; efficiency ranked best first', async () => {
    const org = await createOrg(app);
    // The quarter before (the efficiency's baseline): 30 new users a day; GMV 6,000 a day in March.
    await kpi(org, 'new_users', { '2026-01-01': '930', '2026-02-01': '840', '2026-03-01': '930', '2026-04-01': '1000', '2026-05-01': '1500', '2026-06-01': '2500' });
    await kpi(org, 'gmv', { '2026-03-01': '186000', '2026-04-01': '200000', '2026-05-01': '210000' });
    await kpi(org, 'visitors', {});
    const budget = await createBudget(app, org, { periodStart: '2026-04-01', periodEnd: '2026-06-30' });
    const ads = await addBudgetLine(app, org, { budgetId: budget.id, name: '拉新投放', planned: '60000', kpiKeys: ['new_users'] });
    const kol = await addBudgetLine(app, org, { budgetId: budget.id, name: 'KOL', planned: '30000', kpiKeys: ['gmv', 'new_users'] });
    const tools = await addBudgetLine(app, org, { budgetId: budget.id, name: '工具', planned: '1000', kind: 'FIXED', kpiKeys: ['visitors'] });
    const unknown = await app.gql(`mutation($i: AddBudgetLineInput!) { addBudgetLine(input: $i) { budgetLine { id } } }`, {
      i: { budgetId: budget.id, name: 'x', category: 'c', kind: 'FIXED', planned: '1', kpiKeys: ['no_such_kpi'] },
    }, org);
    expect(unknown.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'kpiKeys', keys: ['no_such_kpi'] });

    ok(await recordExpense(app, org, { budgetLineId: ads.id, amount: '20000', incurredOn: '2026-04-10' }));
    ok(await recordExpense(app, org, { budgetLineId: ads.id, amount: '15000', incurredOn: '2026-05-03' }));
    ok(await recordExpense(app, org, { budgetLineId: kol.id, amount: '10000', incurredOn: '2026-05-20' }));
    ok(await recordExpense(app, org, { budgetLineId: tools.id, amount: '300', incurredOn: '2026-06-01' }));
    const voided = ok(await recordExpense(app, org, { budgetLineId: ads.id, amount: '999', incurredOn: '2026-06-02' })).recordExpense.expense.id;
    ok(await app.gql(`mutation($i: VoidExpenseInput!) { voidExpense(input: $i) { expense { id } } }`, { i: { id: voided, reason: '重复录入' } }, org));

    const burn = ok(await app.gql(BURN, { id: budget.id, g: 'MONTH' }, org)).budgetBurn;
    expect(burn.map((p: any) => [p.periodStart, p.spentCumulative])).toEqual([
      ['2026-04-01', '20000.00'],
      ['2026-05-01', '45000.00'],
      ['2026-06-01', '45300.00'],
    ]);
    expect(burn[2].plannedCumulative).toBe('91000.00');
    expect(burn[0].plannedCumulative).toBe('30000.00'); // 30 of 91 days
    expect(burn[0].kpiValues).toEqual([
      { kpi: { key: 'new_users' }, value: '1000' },
      { kpi: { key: 'gmv' }, value: '200000' },
      { kpi: { key: 'visitors' }, value: null },
    ]);
    // May: lines on new_users spent 15000 + 10000 for 1500 new users; on gmv 10000 for 210000.
    const may = Object.fromEntries(burn[1].costPerUnit.map((c: any) => [c.kpi.key, c.value]));
    expect(may.new_users).toMatch(/^16\.6666/);
    expect(may.gmv).toMatch(/^0\.047619/);
    expect(may.visitors).toBeNull();
    expect(burn[0].costPerUnit[0].value).toBe('20');

    // By quarter: one point, the KPI summed over its three months (the KPI module's buckets, the same Grain).
    const quarter = ok(await app.gql(BURN, { id: budget.id, g: 'QUARTER' }, org)).budgetBurn;
    expect(quarter.map((p: any) => [p.periodStart, p.plannedCumulative, p.spentCumulative, p.kpiValues[0]])).toEqual([
      ['2026-04-01', '91000.00', '45300.00', { kpi: { key: 'new_users' }, value: '5000' }],
    ]);

    const weeks = ok(await app.gql(BURN, { id: budget.id, g: 'WEEK' }, org)).budgetBurn;
    expect(weeks[0].periodStart).toBe('2026-03-30');
    expect(weeks).toHaveLength(14);
    expect(weeks[weeks.length - 1].spentCumulative).toBe('45300.00');

    const eff = ok(await app.gql(EFFICIENCY, { id: budget.id }, org)).budgetEfficiency;
    // Baseline 2025-12-31..2026-03-31 (91 days), window the quarter (91 days).
    // KOL follows gmv: 410,000 over April and May's 61 days, 366,000 of them at March's pace → +44,000 for 10,000 → 0.227273.
    // Ads follow new_users: 5,000 over the quarter's 91 days, 2,730 at the baseline's 30 a day (2,700 over its 90 measured days) → +2,270 for 35,000.
    // Tools: no visitors data.
    expect(eff.map((e: any) => [e.line.name, e.kpi?.key, e.spent, e.kpiDelta, e.reason])).toEqual([
      ['KOL', 'gmv', '10000.00', '44000', null],
      ['拉新投放', 'new_users', '35000.00', '2270', null],
      ['工具', 'visitors', '300.00', null, 'NO_MEASUREMENTS'],
    ]);
    expect(eff[0].costPerKpiUnit).toBe('0.227273');
    expect(eff[1].costPerKpiUnit).toBe('15.418502');
    expect(eff[2].costPerKpiUnit).toBeNull();
  });

  it('reads cost a fixed number of statements however many expenses there are', async () => {
    const org = await createOrg(app);
    await kpi(org, 'new_users', { '2026-04-01': '10' });
    const budget = await createBudget(app, org);
    const line = await addBudgetLine(app, org, { budgetId: budget.id, planned: '100000', kpiKeys: ['new_users'] });
    const REVIEW = `query($id: ID!) { budget(id: $id) { planned spent remaining status lines { name planned spent remaining kpis { key } } }
      budgetBurn(budgetId: $id, grain: MONTH) { spentCumulative costPerUnit { value } } }`;
    ok(await recordExpense(app, org, { budgetLineId: line.id, amount: '1' }));
    const few = await app.gql(REVIEW, { id: budget.id }, org);
    await app.ds.query(
      `INSERT INTO expenses (organization_id, budget_id, budget_line_id, amount, incurred_on)
       SELECT $1, $2, $3, 0.10, DATE '2026-04-01' + (i % 91) FROM generate_series(1, 10000) i`,
      [uuid(org.organizationId), uuid(budget.id), uuid(line.id)],
    );
    const many = await app.gql(REVIEW, { id: budget.id }, org);
    expect(ok(many).budget.spent).toBe('1001.00');
    expect(ok(many).budgetBurn[2].spentCumulative).toBe('1001.00');
    expect(many.statements).toBeLessThanOrEqual(few.statements);
    expect(many.statements).toBeLessThanOrEqual(8);
  });

  it('10,000 expenses of 0.10 total exactly 1000.00; voiding takes one out, once', async () => {
    const org = await createOrg(app);
    const budget = await createBudget(app, org);
    const line = await addBudgetLine(app, org, { budgetId: budget.id, planned: '5000' });
    await app.ds.query(
      `INSERT INTO expenses (organization_id, budget_id, budget_line_id, amount, incurred_on)
       SELECT $1, $2, $3, 0.10, DATE '2026-04-01' + (i % 91) FROM generate_series(1, 9999) i`,
      [uuid(org.organizationId), uuid(budget.id), uuid(line.id)],
    );
    const last = ok(await recordExpense(app, org, { budgetLineId: line.id, amount: '0.10' })).recordExpense;
    expect(last.budgetLine.spent).toBe('1000.00');
    expect(last.budget.spent).toBe('1000.00');
    const read = ok(await app.gql(`query($id: ID!) { budget(id: $id) { spent lines { spent } expenses(first: 1) { totalCount } } }`, { id: budget.id }, org)).budget;
    expect(read).toEqual({ spent: '1000.00', lines: [{ spent: '1000.00' }], expenses: { totalCount: 10000 } });
    const VOID = `mutation($i: VoidExpenseInput!) { voidExpense(input: $i) { expense { voidedAt voidReason } budgetLine { spent } budget { spent } } }`;
    const v = ok(await app.gql(VOID, { i: { id: last.expense.id, reason: '录错' } }, org)).voidExpense;
    expect(v).toMatchObject({ expense: { voidReason: '录错' }, budgetLine: { spent: '999.90' }, budget: { spent: '999.90' } });
    // Already void: INVALID_TRANSITION (already done), and nothing more is recorded.
    const again = await app.gql(VOID, { i: { id: last.expense.id, reason: '再来' } }, org);
    expect(again.errors![0].extensions).toMatchObject({ code: 'INVALID_TRANSITION' });
    expect(again.errors![0].message).toBe('This expense is already void');
    const [{ voids }] = await app.ds.query(`SELECT count(*)::int AS voids FROM audit_events WHERE action = 'expense.voided' AND entity_id = $1`, [uuid(last.expense.id)]);
    expect(voids).toBe(1);
    const [{ total }] = await app.ds.query(`SELECT sum(amount)::text AS total FROM budget_spend_daily WHERE budget_line_id = $1`, [uuid(line.id)]);
    expect(total).toBe('999.90');
  });

  it('status, burn rate, forecast and thresholds crossed once each (stored)', async () => {
    const org = await createOrg(app);
    const today = new Date().toISOString().slice(0, 10);
    const year = today.slice(0, 4);
    const budget = await createBudget(app, org, { periodStart: `${year}-01-01`, periodEnd: `${year}-12-31` });
    const line = await addBudgetLine(app, org, { budgetId: budget.id, planned: '100' });
    ok(await recordExpense(app, org, { budgetLineId: line.id, amount: '79', incurredOn: today }));
    const crossed = async () =>
      (await app.ds.query(`SELECT crossed_80_at IS NOT NULL AS c80, crossed_100_at IS NOT NULL AS c100 FROM budget_lines WHERE id = $1`, [uuid(line.id)]))[0];
    expect(await crossed()).toEqual({ c80: false, c100: false });
    const events: string[] = [];
    const [orgUuid] = [uuid(org.organizationId)];
    const sub = app.events.pubSub.subscribe(`org:${orgUuid}`);
    const reading = (async () => {
      for await (const e of sub) if (e.type === 'BUDGET_THRESHOLD_CROSSED') events.push(`${e.entityType}:${e.meta?.threshold}`);
    })();
    ok(await recordExpense(app, org, { budgetLineId: line.id, amount: '1', incurredOn: today }));
    ok(await recordExpense(app, org, { budgetLineId: line.id, amount: '5', incurredOn: today }));
    ok(await recordExpense(app, org, { budgetLineId: line.id, amount: '20', incurredOn: today }));
    ok(await recordExpense(app, org, { budgetLineId: line.id, amount: '1', incurredOn: today }));
    await new Promise((r) => setTimeout(r, 100));
    await sub.return?.();
    await reading.catch(() => undefined);
    expect(events.sort()).toEqual(['Budget:100', 'Budget:80', 'BudgetLine:100', 'BudgetLine:80']);
    expect(await crossed()).toEqual({ c80: true, c100: true });
    const b = ok(await app.gql(`query($id: ID!) { budget(id: $id) { spent burnRate expectedBurn forecastAtEnd status remaining overspent lines { overspent } } }`, { id: budget.id }, org)).budget;
    expect(b).toMatchObject({ spent: '106.00', burnRate: '1.06', status: 'OVER', remaining: '-6.00', overspent: true, lines: [{ overspent: true }] });
    expect(Number(b.forecastAtEnd)).toBeGreaterThanOrEqual(106);
  });

  it('budgetBurn by DAY is refused (a point per day would exceed the list size it is priced at)', async () => {
    const org = await createOrg(app);
    const budget = await createBudget(app, org);
    const r = await app.gql(BURN, { id: budget.id, g: 'DAY' }, org);
    expect(r.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'grain' });
  });

  it.each([Grain.WEEK, Grain.MONTH, Grain.QUARTER])(
    'budgetBurn by %s joins the spend summed in SQL with the buckets enumerated in TypeScript, at every edge',
    async (grain) => {
      const org = await createOrg(app);
      const budget = await createBudget(app, org, { periodStart: '2025-01-01', periodEnd: '2026-12-31' });
      const line = await addBudgetLine(app, org, { budgetId: budget.id, planned: '100000' });
      // The period's first day (a Wednesday), a Sunday and the Monday after it, a month's and a
      // quarter's last and first days, ISO week 53 of 2026 (Thursday 31 December, the last day).
      const spent: Array<[string, number]> = [
        ['2025-01-01', 1], ['2025-01-05', 2], ['2025-01-06', 4], ['2025-03-30', 8], ['2025-03-31', 16], ['2025-04-01', 32],
        ['2025-06-29', 64], ['2025-06-30', 128], ['2026-02-28', 256], ['2026-03-01', 512], ['2026-12-27', 1024], ['2026-12-28', 2048],
        ['2026-12-31', 4096],
      ];
      for (const [incurredOn, amount] of spent) ok(await recordExpense(app, org, { budgetLineId: line.id, amount: String(amount), incurredOn }));
      const burn: Array<{ periodStart: string; spentCumulative: string }> = ok(await app.gql(BURN, { id: budget.id, g: grain }, org)).budgetBurn;
      const starts = bucketStarts('2025-01-01', '2026-12-31', grain);
      expect(burn.map((p) => p.periodStart)).toEqual(starts);
      let running = 0;
      const expected = starts.map((start) => {
        running += spent.filter(([day]) => day >= start && day <= bucketEnd(start, grain)).reduce((sum, [, amount]) => sum + amount, 0);
        return Number(running);
      });
      expect(burn.map((p) => Number(p.spentCumulative))).toEqual(expected);
      expect(running).toBe(8191);
    },
  );
});
