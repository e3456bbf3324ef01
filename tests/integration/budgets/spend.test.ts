import 'reflect-metadata';
import Decimal from 'decimal.js';
import fc from 'fast-check';
import { decodeGlobalId } from '../../../src/common/ids';
import { BudgetLineKind, plannedBetween } from '../../../src/modules/budgets/budget-rules';
import { BudgetDailySpend1764872000000 } from '../../../migrations/1764872000000-BudgetDailySpend';
import { addMember, createOrg, type TestOrg } from '../../support/factories';
import { addBudgetLine, createBudget, recordExpense } from '../../support/budgets';
import { createCampaign } from '../../support/campaigns';
import { createSquad } from '../../support/planning';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const uuid = (id: string) => decodeGlobalId(id)!.id;

const SPEND = /* GraphQL */ `
  query($f: SpendFilter, $g: Grain!, $by: [SpendGroup!]) {
    spend(filter: $f, grain: $g, groupBy: $by) {
      periodStart periodEnd currency category campaignId planned spent variance variancePercent
      budget { name } line { name } squad { name }
    }
  }
`;
const LEDGER_TOTAL = `query($f: ExpensesFilter) { expenses(filter: $f, first: 1) { total { currency amount } } }`;
const VOID = `mutation($i: VoidExpenseInput!) { voidExpense(input: $i) { expense { id } } }`;

function spend(org: TestOrg, grain: string, f: Record<string, unknown> | null = null, by: string[] = []) {
  return app.gql(SPEND, { f, g: grain, by }, org);
}
const rows = async (org: TestOrg, grain: string, f: Record<string, unknown> | null = null, by: string[] = []) => ok(await spend(org, grain, f, by)).spend as any[];

/**
 * A CNY squad budget for Q2 2026 (91 days; a VARIABLE media line and a FIXED people line of 91,000
 * each, so 1,000 a day), a USD organisation-wide budget from April to December (a tools line of
 * 27,500, 275 days: 100 a day), one expense tagged with a campaign, one voided.
 */
async function books() {
  const org = await createOrg(app);
  const squadId = await createSquad(app, org, org.userId, '增长组');
  const cny = await createBudget(app, org, { name: '增长预算', squadId });
  const media = await addBudgetLine(app, org, { budgetId: cny.id, name: '投放', category: 'Media', planned: '91000' });
  const people = await addBudgetLine(app, org, { budgetId: cny.id, name: '人员', category: 'people', kind: 'FIXED', planned: '91000' });
  const usd = await createBudget(app, org, { name: 'Global', currency: 'USD', periodStart: '2026-04-01', periodEnd: '2026-12-31' });
  const tools = await addBudgetLine(app, org, { budgetId: usd.id, name: 'Tools', category: 'media', planned: '27500' });
  const campaign = await createCampaign(app, org, { squadId, budgetLineId: media.id });
  const rec = async (input: Record<string, unknown>) => ok(await recordExpense(app, org, input)).recordExpense.expense.id as string;
  const e = {
    kol: await rec({ budgetLineId: media.id, amount: '100.10', incurredOn: '2026-05-03', campaignId: campaign.id }),
    ads: await rec({ budgetLineId: media.id, amount: '0.20', incurredOn: '2026-05-20' }),
    pay: await rec({ budgetLineId: people.id, amount: '5000.00', incurredOn: '2026-06-30' }),
    apr: await rec({ budgetLineId: people.id, amount: '1.00', incurredOn: '2026-04-01' }),
    may: await rec({ budgetLineId: tools.id, amount: '7.50', incurredOn: '2026-05-31' }),
    saas: await rec({ budgetLineId: tools.id, amount: '99.99', incurredOn: '2026-11-05' }),
  };
  ok(await app.gql(VOID, { i: { id: e.ads, reason: '重复录入' } }, org));
  return { org, squadId, cny, usd, media, people, tools, campaign, e };
}

describe('Query.spend', () => {
  it('buckets by month sum to the ledger’s totals for the same filter; a void no longer counts; currencies stay apart', async () => {
    const b = await books();
    const filters: Array<Record<string, unknown>> = [
      {},
      { budgetIds: [b.cny.id] },
      { lineIds: [b.people.id, b.tools.id] },
      { squadIds: [b.squadId] },
      { categories: [' MEDIA '] },
      { campaignIds: [b.campaign.id] },
      { from: '2026-05-03', to: '2026-11-04' },
    ];
    for (const f of filters) {
      const range = { from: '2026-04-01', to: '2026-12-31', ...f };
      const buckets = await rows(b.org, 'MONTH', range);
      const sums = new Map<string, Decimal>();
      for (const r of buckets) sums.set(r.currency, (sums.get(r.currency) ?? new Decimal(0)).plus(r.spent));
      const total = ok(await app.gql(LEDGER_TOTAL, { f: range }, b.org)).expenses.total as Array<{ currency: string; amount: string }>;
      const mine = [...sums].filter(([, v]) => !v.isZero()).map(([currency, v]) => ({ currency, amount: v.toFixed(2) }));
      expect(mine.sort((x, y) => x.currency.localeCompare(y.currency))).toEqual(total);
    }
    // May: 100.10 CNY (the 0.20 was voided) and 7.50 USD, in two rows, never added.
    const may = (await rows(b.org, 'MONTH', { from: '2026-05-01', to: '2026-05-31' })).map((r) => [r.currency, r.spent]);
    expect(may).toEqual([
      ['CNY', '100.10'],
      ['USD', '7.50'],
    ]);
  });

  it('plans a VARIABLE line by its budget’s days and a FIXED line by its months, by week, month and quarter, with the variance', async () => {
    const b = await books();
    const months = await rows(b.org, 'MONTH', { budgetIds: [b.cny.id] }, ['LINE']);
    // VARIABLE media: 91,000 over 91 days, 1,000 a day (30 and 31 days' worth); FIXED people: 91,000
    // over three months, a third each whatever the month's length.
    expect(months.map((r) => [r.periodStart, r.periodEnd, r.line.name, r.planned, r.spent, r.variance, r.variancePercent])).toEqual([
      ['2026-04-01', '2026-04-30', '投放', '30000.00', '0.00', '-30000.00', '-100'],
      ['2026-04-01', '2026-04-30', '人员', '30333.33', '1.00', '-30332.33', '-99.996703'],
      ['2026-05-01', '2026-05-31', '投放', '31000.00', '100.10', '-30899.90', '-99.677097'],
      ['2026-05-01', '2026-05-31', '人员', '30333.33', '0.00', '-30333.33', '-100'],
      ['2026-06-01', '2026-06-30', '投放', '30000.00', '0.00', '-30000.00', '-100'],
      ['2026-06-01', '2026-06-30', '人员', '30333.33', '5000.00', '-25333.33', '-83.516482'],
    ]);
    // A week straddling the end of Q2: two days of the CNY plan (media 2 × 1,000; people 2/30 of
    // June's third, 2,022.22), seven of the USD one.
    const week = await rows(b.org, 'WEEK', { from: '2026-06-29', to: '2026-07-05' });
    expect(week.map((r) => [r.periodStart, r.periodEnd, r.currency, r.planned, r.spent])).toEqual([
      ['2026-06-29', '2026-07-05', 'CNY', '4022.22', '5000.00'],
      ['2026-06-29', '2026-07-05', 'USD', '700.00', '0.00'],
    ]);
    // from..to clips the bucket: June 30 only.
    const clipped = await rows(b.org, 'WEEK', { from: '2026-06-30', to: '2026-06-30', budgetIds: [b.cny.id] });
    expect(clipped.map((r) => [r.periodStart, r.planned, r.spent, r.variance])).toEqual([['2026-06-29', '2011.11', '5000.00', '2988.89']]);
    // Quarters, from and to defaulting to the budgets' periods: Q2 to Q4.
    const quarters = await rows(b.org, 'QUARTER', null, ['BUDGET']);
    expect(quarters.map((r) => [r.periodStart, r.periodEnd, r.budget.name, r.planned, r.spent])).toEqual([
      ['2026-04-01', '2026-06-30', '增长预算', '182000.00', '5101.10'],
      ['2026-04-01', '2026-06-30', 'Global', '9100.00', '7.50'],
      ['2026-07-01', '2026-09-30', 'Global', '9200.00', '0.00'],
      ['2026-10-01', '2026-12-31', 'Global', '9200.00', '99.99'],
    ]);
    // The rule, as budget-rules states it.
    expect(plannedBetween(new Decimal(27500), BudgetLineKind.VARIABLE, '2026-04-01', '2026-12-31', '2026-07-01', '2026-09-30').toFixed(2)).toBe('9200.00');
    expect(plannedBetween(new Decimal(27000), BudgetLineKind.FIXED, '2026-04-01', '2026-12-31', '2026-07-01', '2026-09-30').toFixed(2)).toBe('9000.00');
  });

  it('groups by category, squad and campaign (planned null by campaign); variancePercent is null for a plan of 0', async () => {
    const b = await books();
    const q2 = { from: '2026-04-01', to: '2026-06-30' };
    const byCategory = await rows(b.org, 'QUARTER', q2, ['CATEGORY']);
    expect(byCategory.map((r) => [r.currency, r.category, r.planned, r.spent])).toEqual([
      ['CNY', 'Media', '91000.00', '100.10'],
      ['CNY', 'people', '91000.00', '5001.00'],
      ['USD', 'media', '9100.00', '7.50'],
    ]);
    const bySquad = await rows(b.org, 'QUARTER', q2, ['SQUAD']);
    expect(bySquad.map((r) => [r.currency, r.squad?.name ?? null, r.spent])).toEqual([
      ['CNY', '增长组', '5101.10'],
      ['USD', null, '7.50'],
    ]);
    const byCampaign = await rows(b.org, 'QUARTER', q2, ['CAMPAIGN', 'LINE']);
    expect(byCampaign.map((r) => [r.currency, r.line.name, r.campaignId, r.planned, r.spent, r.variance])).toEqual(
      expect.arrayContaining([
        ['CNY', '投放', b.campaign.id, null, '100.10', null],
        ['CNY', '人员', null, null, '5001.00', null],
        ['USD', 'Tools', null, null, '7.50', null],
      ]),
    );
    expect(byCampaign).toHaveLength(3);
    const zero = await addBudgetLine(app, b.org, { budgetId: b.cny.id, name: '杂项', category: 'misc', planned: '0' });
    ok(await recordExpense(app, b.org, { budgetLineId: zero.id, amount: '3.00', incurredOn: '2026-04-02' }));
    const misc = await rows(b.org, 'QUARTER', { ...q2, lineIds: [zero.id] }, ['LINE']);
    expect(misc.map((r) => [r.planned, r.spent, r.variance, r.variancePercent])).toEqual([['0.00', '3.00', '3.00', null]]);
  });

  it('is one statement on the stored daily spend, never on expenses, the same for 5 and for 25 expenses', async () => {
    const measure = async (n: number) => {
      const b = await books();
      for (let i = 0; i < n; i++) ok(await recordExpense(app, b.org, { budgetLineId: b.media.id, amount: '1.50', incurredOn: '2026-06-01' }));
      const res = await spend(b.org, 'MONTH', { from: '2026-01-01', to: '2026-12-31' }, ['LINE']);
      ok(res);
      return res;
    };
    const small = await measure(0);
    const large = await measure(20);
    expect(small.statements).toBe(large.statements);
    const sql = large.sql!;
    expect(sql.filter((s) => /budget_daily_spend/.test(s))).toHaveLength(1);
    expect(sql.filter((s) => /\bexpenses\b/.test(s))).toEqual([]);
    // Authentication, the buckets, the lines of LINE (one batch).
    expect(large.statements).toBe(3);
  });

  it('refuses DAY, too many buckets (naming to), another organisation’s ids; a VIEWER reads it', async () => {
    const mine = await books();
    const theirs = await books();
    const day = await spend(mine.org, 'DAY');
    expect(day.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'grain' });
    const long = await spend(mine.org, 'WEEK', { from: '2026-01-01', to: '2028-12-31' });
    expect(long.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to', max: 106 });
    const backwards = await spend(mine.org, 'MONTH', { from: '2026-06-01', to: '2026-05-01' });
    expect(errorCode(backwards)).toBe('BAD_USER_INPUT');
    const foreign = await spend(mine.org, 'MONTH', { budgetIds: [theirs.cny.id] });
    expect(foreign.errors![0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'filter.budgetIds' });
    const viewer = await addMember(app, mine.org, 'VIEWER');
    expect(ok(await app.gql(SPEND, { g: 'QUARTER', by: [] }, viewer)).spend).toHaveLength(4);
  });
});

describe('budget_daily_spend', () => {
  it('equals the sum and count of the non-void expenses by line, day and campaign after random records and voids', async () => {
    const b = await books();
    const lines = [b.media.id, b.people.id, b.tools.id];
    const days = ['2026-05-01', '2026-05-02', '2026-06-15'];
    const recorded: string[] = [b.e.kol, b.e.pay, b.e.apr, b.e.may, b.e.saas];
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('record' as const),
        line: fc.nat(2),
        day: fc.nat(2),
        cents: fc.integer({ min: 1, max: 99999 }),
        tagged: fc.boolean(),
      }),
      fc.record({ kind: fc.constant('void' as const), pick: fc.nat(1000) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 6 }), async (ops) => {
        for (const o of ops) {
          if (o.kind === 'record') {
            const tag = o.tagged && o.line === 0 ? { campaignId: b.campaign.id } : {};
            const res = await recordExpense(app, b.org, { budgetLineId: lines[o.line], amount: (o.cents / 100).toFixed(2), incurredOn: days[o.day], ...tag });
            recorded.push(ok(res).recordExpense.expense.id);
          } else if (recorded.length > 0) {
            const [id] = recorded.splice(o.pick % recorded.length, 1);
            ok(await app.gql(VOID, { i: { id, reason: 'test' } }, b.org));
          }
        }
        const diff = await app.ds.query(
          `WITH want AS (
             SELECT e.budget_line_id, e.incurred_on AS day, ce.campaign_id, sum(e.amount) AS amount, count(*)::int AS n
               FROM expenses e LEFT JOIN campaign_expenses ce ON ce.expense_id = e.id
              WHERE e.organization_id = $1 AND e.voided_at IS NULL GROUP BY 1, 2, 3),
           have AS (SELECT budget_line_id, day, campaign_id, amount, expense_count AS n FROM budget_daily_spend WHERE organization_id = $1 AND expense_count <> 0)
           (SELECT * FROM want EXCEPT SELECT * FROM have) UNION ALL (SELECT * FROM have EXCEPT SELECT * FROM want)`,
          [uuid(b.org.organizationId)],
        );
        expect(diff).toEqual([]);
        const left = await app.ds.query(`SELECT 1 FROM budget_daily_spend WHERE organization_id = $1 AND expense_count = 0 AND amount <> 0`, [uuid(b.org.organizationId)]);
        expect(left).toEqual([]);
      }),
      { numRuns: 8 },
    );
  });

  it('is backfilled by its migration from the non-void expenses and their campaign tags; the migration goes down and up', async () => {
    const b = await books();
    const read = () =>
      app.ds.query(
        `SELECT organization_id, budget_id, budget_line_id, to_char(day, 'YYYY-MM-DD') AS day, campaign_id, trim_scale(amount)::text AS amount, expense_count
           FROM budget_daily_spend WHERE expense_count > 0 ORDER BY budget_line_id, day, campaign_id NULLS FIRST`,
      );
    const kept = await read();
    expect(kept).toContainEqual(expect.objectContaining({ campaign_id: uuid(b.campaign.id), amount: '100.1', expense_count: 1 }));
    const runner = app.ds.createQueryRunner();
    try {
      await new BudgetDailySpend1764872000000().down(runner);
      expect(await app.ds.query(`SELECT to_regclass('budget_daily_spend') AS t`)).toEqual([{ t: null }]);
      await new BudgetDailySpend1764872000000().up(runner);
    } finally {
      await runner.release();
    }
    expect(await read()).toEqual(kept);
  });
});
