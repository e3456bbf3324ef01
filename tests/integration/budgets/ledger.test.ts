import 'reflect-metadata';
import { decodeGlobalId } from '../../../src/common/ids';
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

const LEDGER = /* GraphQL */ `
  query($f: ExpensesFilter, $first: Int, $after: String) {
    expenses(filter: $f, first: $first, after: $after) {
      totalCount
      total { currency amount }
      nodes { id amount incurredOn vendor reference voidedAt line { name } budget { name currency } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

function ledger(org: TestOrg, f: Record<string, unknown> | null = null, first?: number, after?: string) {
  return app.gql(LEDGER, { f, first, after }, org);
}

const VOID = `mutation($i: VoidExpenseInput!) { voidExpense(input: $i) { expense { id } } }`;

/** An organisation with a CNY squad budget (two lines, one tagged campaign), an organisation-wide USD budget, and six expenses. */
async function books() {
  const org = await createOrg(app);
  const squadId = await createSquad(app, org, org.userId, '增长组');
  const cny = await createBudget(app, org, { name: '增长预算', squadId });
  const media = await addBudgetLine(app, org, { budgetId: cny.id, name: '投放', category: 'Media', planned: '100000' });
  const people = await addBudgetLine(app, org, { budgetId: cny.id, name: '人员', category: 'people', kind: 'FIXED', planned: '100000' });
  const usd = await createBudget(app, org, { name: 'Global', currency: 'USD', periodStart: '2026-10-01', periodEnd: '2026-12-31' });
  const tools = await addBudgetLine(app, org, { budgetId: usd.id, name: 'Tools', category: 'systems', planned: '100000' });
  const campaign = await createCampaign(app, org, { squadId, budgetLineId: media.id });
  const rec = async (input: Record<string, unknown>) => ok(await recordExpense(app, org, input)).recordExpense.expense.id as string;
  const e = {
    kol: await rec({ budgetLineId: media.id, amount: '100.10', incurredOn: '2026-05-03', vendor: '抖音 Douyin', reference: '  INV-2026-001 ', campaignId: campaign.id }),
    ads: await rec({ budgetLineId: media.id, amount: '0.20', incurredOn: '2026-05-20', vendor: '100%_Media', reference: 'inv-2026-002' }),
    pay: await rec({ budgetLineId: people.id, amount: '5000.00', incurredOn: '2026-06-30', vendor: '100xxMedia', reference: 'PO_77' }),
    apr: await rec({ budgetLineId: people.id, amount: '1.00', incurredOn: '2026-04-01' }),
    saas: await rec({ budgetLineId: tools.id, amount: '99.99', incurredOn: '2026-11-05', vendor: 'Figma', reference: 'POx77' }),
    nov: await rec({ budgetLineId: tools.id, amount: '0.01', incurredOn: '2026-11-30', vendor: 'figma inc' }),
  };
  ok(await app.gql(VOID, { i: { id: e.ads, reason: '重复录入' } }, org));
  return { org, squadId, cny, usd, media, people, tools, campaign, e };
}

describe('Expense.reference', () => {
  it('is taken on recordExpense trimmed, shown, audited, and refused when longer than 100 characters or on two lines', async () => {
    const { org, e, media } = await books();
    const read = ok(await app.gql(`query($id: ID!) { node(id: $id) { ... on Expense { reference vendor } } }`, { id: e.kol }, org)).node;
    expect(read).toEqual({ reference: 'INV-2026-001', vendor: '抖音 Douyin' });
    const audit = ok(await app.gql(`query($id: ID) { auditEvents(first: 10, filter: { entityId: $id }) { nodes { action after } } }`, { id: e.kol }, org)).auditEvents.nodes;
    expect(audit).toContainEqual(expect.objectContaining({ action: 'expense.recorded', after: expect.objectContaining({ reference: 'INV-2026-001' }) }));
    const lineId = media.id;
    const long = await recordExpense(app, org, { budgetLineId: lineId, reference: 'x'.repeat(101) });
    expect(long.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(long.errors![0].message).toContain('reference must be 1 to 100 characters');
    const twoLines = await recordExpense(app, org, { budgetLineId: lineId, reference: 'a\nb' });
    expect(twoLines.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(twoLines.errors![0].message).toContain('reference must be one line');
    expect(ok(await recordExpense(app, org, { budgetLineId: lineId, reference: 'x'.repeat(100) })).recordExpense.expense.id).toBeTruthy();
  });
});

describe('Query.expenses (the ledger)', () => {
  it('lists every budget’s expenses newest incurred first, counts them, and totals the non-void ones per currency', async () => {
    const { org, e } = await books();
    const all = ok(await ledger(org)).expenses;
    expect(all.nodes.map((n: any) => n.id)).toEqual([e.nov, e.saas, e.pay, e.ads, e.kol, e.apr]);
    expect(all.totalCount).toBe(6);
    expect(all.total).toEqual([
      { currency: 'CNY', amount: '5101.10' },
      { currency: 'USD', amount: '100.00' },
    ]);
    expect(all.nodes[0]).toMatchObject({ amount: '0.01', budget: { currency: 'USD' }, line: { name: 'Tools' } });
    // Keyset pages of two, in the same order, without overlap.
    const seen: string[] = [];
    let after: string | undefined;
    for (let i = 0; i < 3; i++) {
      const page = ok(await ledger(org, null, 2, after)).expenses;
      seen.push(...page.nodes.map((n: any) => n.id));
      expect(page.pageInfo.hasNextPage).toBe(i < 2);
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual([e.nov, e.saas, e.pay, e.ads, e.kol, e.apr]);
    // Everything incurred in November.
    const nov = ok(await ledger(org, { from: '2026-11-01', to: '2026-11-30' })).expenses;
    expect(nov.nodes.map((n: any) => n.id)).toEqual([e.nov, e.saas]);
    expect(nov.total).toEqual([{ currency: 'USD', amount: '100.00' }]);
  });

  it('filters by budgets, lines, squads, campaigns, categories, dates, vendor, reference and voided', async () => {
    const { org, squadId, cny, usd, people, tools, campaign, e } = await books();
    const ids = async (f: Record<string, unknown>) => ok(await ledger(org, f)).expenses.nodes.map((n: any) => n.id);
    expect(await ids({ budgetIds: [usd.id] })).toEqual([e.nov, e.saas]);
    expect(await ids({ budgetIds: [cny.id, usd.id] })).toHaveLength(6);
    expect(await ids({ lineIds: [people.id, tools.id] })).toEqual([e.nov, e.saas, e.pay, e.apr]);
    expect(await ids({ squadIds: [squadId] })).toEqual([e.pay, e.ads, e.kol, e.apr]);
    expect(await ids({ campaignIds: [campaign.id] })).toEqual([e.kol]);
    expect(await ids({ categories: ['media', ' SYSTEMS '] })).toEqual([e.nov, e.saas, e.ads, e.kol]);
    expect(await ids({ from: '2026-05-20', to: '2026-06-30' })).toEqual([e.pay, e.ads]);
    // vendor: case-insensitive substring; % and _ match themselves.
    expect(await ids({ vendor: 'FIGMA' })).toEqual([e.nov, e.saas]);
    expect(await ids({ vendor: 'douyin' })).toEqual([e.kol]);
    expect(await ids({ vendor: '0%_m' })).toEqual([e.ads]);
    // reference: case-insensitive prefix; _ matches itself.
    expect(await ids({ reference: 'inv-2026' })).toEqual([e.ads, e.kol]);
    expect(await ids({ reference: '2026' })).toEqual([]);
    expect(await ids({ reference: 'po_' })).toEqual([e.pay]);
    expect(await ids({ voided: true })).toEqual([e.ads]);
    expect(await ids({ voided: false })).toHaveLength(5);
    // Filters combine; the total is of the matching non-void expenses.
    const media = ok(await ledger(org, { squadIds: [squadId], categories: ['media'] })).expenses;
    expect(media.totalCount).toBe(2);
    expect(media.total).toEqual([{ currency: 'CNY', amount: '100.10' }]);
    expect(ok(await ledger(org, { voided: true })).expenses.total).toEqual([]);
  });

  it('refuses another organisation’s ids with NOT_FOUND naming the field; a VIEWER reads the ledger', async () => {
    const mine = await books();
    const theirs = await books();
    const cases: Array<[string, string]> = [
      ['budgetIds', theirs.cny.id],
      ['lineIds', theirs.people.id],
      ['squadIds', theirs.squadId],
      ['campaignIds', theirs.campaign.id],
    ];
    for (const [field, id] of cases) {
      const res = await ledger(mine.org, { [field]: [mine.cny.id, id].filter((x) => field === 'budgetIds' || x === id) });
      expect(res.errors![0].extensions).toMatchObject({ code: 'NOT_FOUND', field: `filter.${field}` });
      expect(res.errors![0].message).toContain(id);
    }
    const wrongType = await ledger(mine.org, { budgetIds: [mine.people.id] });
    expect(errorCode(wrongType)).toBe('BAD_USER_INPUT');
    const tooMany = await ledger(mine.org, { budgetIds: Array(101).fill(mine.cny.id) });
    expect(errorCode(tooMany)).toBe('BAD_USER_INPUT');
    expect(errorCode(await ledger(mine.org, { from: '2026-06-01', to: '2026-05-01' }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await ledger(mine.org, null, 101))).toBe('BAD_USER_INPUT');
    const viewer = await addMember(app, mine.org, 'VIEWER');
    expect(ok(await app.gql(LEDGER, { f: null }, viewer)).expenses.totalCount).toBe(6);
  });

  it('costs the same statements for 3 and for 300 expenses, and its order is served by an index', async () => {
    const measure = async (n: number) => {
      const { org, cny, media, squadId } = await books();
      await app.ds.query(
        `INSERT INTO expenses (organization_id, budget_id, budget_line_id, amount, incurred_on, vendor, reference)
         SELECT $1, $2, $3, 1.5, date '2026-04-01' + (i % 90), 'Vendor ' || i, 'REF-' || i FROM generate_series(1, $4) i`,
        [uuid(org.organizationId), uuid(cny.id), uuid(media.id), n - 6],
      );
      const f = { budgetIds: [cny.id], lineIds: [media.id], squadIds: [squadId], categories: ['media'], from: '2026-04-01', to: '2026-06-30', vendor: 'vendor', reference: 'ref' };
      const res = await app.gql(LEDGER, { f, first: 100 }, org);
      const plain = await app.gql(`{ expenses(first: 100) { nodes { id amount } } }`, {}, org);
      return { filtered: res, plain, org };
    };
    const small = await measure(9);
    const large = await measure(306);
    expect(ok(small.filtered).expenses.totalCount).toBe(3);
    expect(ok(large.filtered).expenses.totalCount).toBe(300);
    expect(ok(large.filtered).expenses.total).toEqual([{ currency: 'CNY', amount: '450.00' }]);
    expect(ok(large.filtered).expenses.nodes).toHaveLength(100);
    // Authentication, the three filter checks (budgets, lines, squads), the page, the count and
    // the total; the page's budgets and lines were loaded by the checks.
    expect(small.filtered.statements).toBe(large.filtered.statements);
    expect(large.filtered.statements).toBe(7);
    // Authentication, the page, the page's budgets (for the amounts' currency).
    expect(small.plain.statements).toBe(large.plain.statements);
    expect(large.plain.statements).toBe(3);

    await app.ds.query('ANALYZE expenses');
    const plan: Array<{ 'QUERY PLAN': string }> = await app.ds.transaction(async (m) => {
      await m.query('SET LOCAL enable_seqscan = off');
      return m.query(
        `EXPLAIN SELECT id FROM expenses e WHERE e.organization_id = $1 ORDER BY e.incurred_on DESC, e.created_at DESC, e.id DESC LIMIT 101`,
        [uuid(large.org.organizationId)],
      );
    });
    const text = plan.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toContain('expenses_org_incurred_idx');
    expect(text).not.toContain('Sort');
    const byRef: Array<{ 'QUERY PLAN': string }> = await app.ds.transaction(async (m) => {
      await m.query('SET LOCAL enable_seqscan = off');
      return m.query(`EXPLAIN SELECT id FROM expenses e WHERE e.organization_id = $1 AND lower(e.reference) LIKE 'ref-1%'`, [uuid(large.org.organizationId)]);
    });
    expect(byRef.map((r) => r['QUERY PLAN']).join('\n')).toContain('expenses_org_reference_idx');
  });
});
