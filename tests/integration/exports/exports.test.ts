import 'reflect-metadata';
import crypto from 'node:crypto';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { decodeGlobalId, toGlobalId } from '../../../src/common/ids';
import { seedDemo } from '../../../seeds/demo';
import { DEMO } from '../../../seeds/ids';
import { addBudgetLine, createBudget, recordExpense } from '../../support/budgets';
import { createCampaign } from '../../support/campaigns';
import { logInDemo } from '../../support/demo';
import { addMember, createOrg, type TestOrg } from '../../support/factories';
import { createSquad } from '../../support/planning';
import { ok, startTestApp, type Caller, type TestApp } from '../../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

async function get(path: string, as: Caller = {}, requestId = crypto.randomUUID()) {
  const headers: Record<string, string> = { 'x-request-id': requestId };
  if (as.token) headers.authorization = `Bearer ${as.token}`;
  if (as.organizationId) headers['x-organization-id'] = as.organizationId;
  const res = await fetch(`${app.url}${path}`, { headers });
  return { res, body: Buffer.from(await res.arrayBuffer()), statements: () => app.server.statementsFor(requestId)?.count ?? -1 };
}

/** A CSV export: BOM checked, then the rows as objects by header. */
async function csv(path: string, as: Caller): Promise<Array<Record<string, string>>> {
  const { res, body } = await get(path, as);
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body.toString()}`);
  expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  expect(body.subarray(0, 3)).toEqual(BOM);
  return parse(body.subarray(3).toString('utf8'), { columns: true });
}

/** An XLSX export's first sheet: rows as objects by header, the cells' values as exceljs reads them. */
async function xlsx(path: string, as: Caller): Promise<{ rows: Array<Record<string, ExcelJS.CellValue>>; sheet: ExcelJS.Worksheet }> {
  const { res, body } = await get(path, as);
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body.toString()}`);
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(body as unknown as ArrayBuffer);
  const sheet = book.worksheets[0];
  const headers = (sheet.getRow(1).values as ExcelJS.CellValue[]).slice(1).map(String);
  const rows: Array<Record<string, ExcelJS.CellValue>> = [];
  sheet.eachRow((row, n) => {
    if (n === 1) return;
    rows.push(Object.fromEntries(headers.map((h, i) => [h, row.getCell(i + 1).value ?? null])));
  });
  return { rows, sheet };
}

const LEDGER = /* GraphQL */ `
  query($f: ExpensesFilter, $after: String) {
    expenses(filter: $f, first: 100, after: $after) {
      nodes { id amount incurredOn vendor reference voidedAt line { name category } budget { name currency } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

/** Every expense of the ledger for `f`, page after page, as the export's columns. */
async function ledger(as: Caller, f: Record<string, unknown> | null = null) {
  const rows: Array<Record<string, string>> = [];
  let after: string | null = null;
  do {
    const page: any = ok(await app.gql(LEDGER, { f, after }, as)).expenses;
    for (const n of page.nodes) {
      rows.push({
        'Expense id': n.id,
        'Incurred on': n.incurredOn,
        Amount: n.amount,
        Currency: n.budget.currency,
        Budget: n.budget.name,
        Line: n.line.name,
        Category: n.line.category,
        Vendor: n.vendor ?? '',
        Reference: n.reference ?? '',
        'Voided at': n.voidedAt ?? '',
      });
    }
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  return rows;
}

const pick = (rows: Array<Record<string, unknown>>, keys: string[]) => rows.map((r) => Object.fromEntries(keys.map((k) => [k, r[k]])));
const LEDGER_COLUMNS = ['Expense id', 'Incurred on', 'Amount', 'Currency', 'Budget', 'Line', 'Category', 'Vendor', 'Reference', 'Voided at'];

/** Two organisations' worth of books: a CNY squad budget, a USD budget and a JPY one, with Chinese text and a void expense. */
async function books() {
  const org = await createOrg(app);
  const squadId = await createSquad(app, org, org.userId, '增长组');
  const cny = await createBudget(app, org, { name: '增长预算, "Q4"', squadId });
  const media = await addBudgetLine(app, org, { budgetId: cny.id, name: '投放', category: 'Media', planned: '100000' });
  const usd = await createBudget(app, org, { name: 'Global', currency: 'USD', periodStart: '2026-10-01', periodEnd: '2026-12-31' });
  const tools = await addBudgetLine(app, org, { budgetId: usd.id, name: 'Tools', category: 'systems', planned: '100000' });
  const jpy = await createBudget(app, org, { name: '東京', currency: 'JPY', periodStart: '2026-10-01', periodEnd: '2026-12-31' });
  const tokyo = await addBudgetLine(app, org, { budgetId: jpy.id, name: '広告', category: 'Media', planned: '1000000' });
  const campaign = await createCampaign(app, org, { squadId, budgetLineId: media.id });
  const rec = async (input: Record<string, unknown>) => ok(await recordExpense(app, org, input)).recordExpense.expense.id as string;
  const e = {
    kol: await rec({ budgetLineId: media.id, amount: '100.10', incurredOn: '2026-05-03', vendor: '抖音 Douyin', reference: 'INV-2026-001', campaignId: campaign.id }),
    ads: await rec({ budgetLineId: media.id, amount: '0.20', incurredOn: '2026-05-20', vendor: 'Ads, "quoted"', description: '第一行\n第二行', reference: 'inv-2026-002' }),
    saas: await rec({ budgetLineId: tools.id, amount: '99.99', incurredOn: '2026-11-05', vendor: 'Figma' }),
    nov: await rec({ budgetLineId: tools.id, amount: '5000', incurredOn: '2026-11-30', vendor: 'figma inc' }),
    yen: await rec({ budgetLineId: tokyo.id, amount: '1200', incurredOn: '2026-11-10', vendor: '電通' }),
  };
  ok(await app.gql(`mutation($i: VoidExpenseInput!) { voidExpense(input: $i) { expense { id } } }`, { i: { id: e.ads, reason: '重复录入' } }, org));
  return { org, squadId, cny, usd, jpy, media, tools, campaign, e };
}

describe('GET /export/expenses.csv', () => {
  it('writes the ledger with a BOM, a header row and RFC 4180 quoting, Chinese text and amounts at the currency’s scale', async () => {
    const { org, e, media } = await books();
    const rows = await csv('/export/expenses.csv', org);
    expect(pick(rows, LEDGER_COLUMNS)).toEqual(await ledger(org));
    const byId = Object.fromEntries(rows.map((r) => [r['Expense id'], r]));
    expect(byId[e.kol]).toMatchObject({ Vendor: '抖音 Douyin', Amount: '100.10', Currency: 'CNY', Budget: '增长预算, "Q4"', Squad: '增长组' });
    expect(byId[e.ads]).toMatchObject({ Vendor: 'Ads, "quoted"', Description: '第一行\n第二行', 'Void reason': '重复录入' });
    expect(byId[e.nov]).toMatchObject({ Amount: '5000.00', Currency: 'USD' });
    expect(byId[e.yen]).toMatchObject({ Amount: '1200', Currency: 'JPY' });
    // A text a spreadsheet would run as a formula is written as text (a leading apostrophe), in
    // CSV only; XLSX text cells are never formulas and keep it as entered.
    const formula = ok(
      await recordExpense(app, org, { budgetLineId: media.id, amount: '1', incurredOn: '2026-05-21', vendor: '@SUM(A1:A9)', description: '=HYPERLINK("http://x.example","点我")', reference: '-INV-7' }),
    ).recordExpense.expense.id;
    const again = Object.fromEntries((await csv('/export/expenses.csv', org)).map((r) => [r['Expense id'], r]));
    expect(again[formula]).toMatchObject({ Vendor: "'@SUM(A1:A9)", Description: '\'=HYPERLINK("http://x.example","点我")', Reference: "'-INV-7", Amount: '1.00' });
    expect(again[e.kol]).toMatchObject({ Vendor: '抖音 Douyin' });
    const { rows: xl } = await xlsx('/export/expenses.xlsx', org);
    expect(xl.find((r) => r['Expense id'] === formula)).toMatchObject({ Vendor: '@SUM(A1:A9)', Description: '=HYPERLINK("http://x.example","点我")' });
    const { res } = await get('/export/expenses.csv', org);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="?expenses-\d{4}-\d{2}-\d{2}\.csv"?$/);
  });

  it('takes the ledger’s filter as query parameters: repeated or comma-separated ids, dates, text, booleans', async () => {
    const { org, squadId, cny, usd, campaign, e } = await books();
    const ids = async (query: string) => (await csv(`/export/expenses.csv?${query}`, org)).map((r) => r['Expense id']);
    expect(await ids(`budgetIds=${usd.id}`)).toEqual([e.nov, e.saas]);
    expect(await ids(`budgetIds=${usd.id}&budgetIds=${cny.id}`)).toEqual(await ids(`budgetIds=${usd.id},${cny.id}`));
    expect(await ids(`budgetIds=${usd.id},${cny.id}`)).toEqual([e.nov, e.saas, e.ads, e.kol]);
    expect(await ids(`squadIds=${squadId}&voided=false`)).toEqual([e.kol]);
    expect(await ids(`campaignIds=${campaign.id}`)).toEqual([e.kol]);
    expect(await ids(`categories=media`)).toEqual([e.yen, e.ads, e.kol]);
    expect(await ids(`from=2026-11-01&to=2026-11-30`)).toEqual([e.nov, e.yen, e.saas]);
    expect(await ids(`vendor=${encodeURIComponent('抖音')}`)).toEqual([e.kol]);
    expect(await ids(`reference=inv-2026`)).toEqual([e.ads, e.kol]);
    expect(await ids(`voided=true`)).toEqual([e.ads]);
    // The same rows as the GraphQL field for the same filter.
    const rows = await csv(`/export/expenses.csv?from=2026-05-01&to=2026-11-30&voided=false`, org);
    expect(pick(rows, LEDGER_COLUMNS)).toEqual(await ledger(org, { from: '2026-05-01', to: '2026-11-30', voided: false }));
  });

  it('answers errors as GraphQL does, in JSON: 401 without a token, 404 for another organisation’s id (nothing of it shown), 400 for a bad parameter', async () => {
    const mine = await books();
    const theirs = await books();
    const json = async (path: string, as: Caller = {}) => {
      const { res, body } = await get(path, as);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      return { status: res.status, body: JSON.parse(body.toString()), text: body.toString() };
    };
    const anonymous = await json('/export/expenses.csv');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await json('/export/expenses.xlsx', { token: 'not-a-token' })).status).toBe(401);
    for (const [param, id] of [
      ['budgetIds', theirs.usd.id],
      ['squadIds', theirs.squadId],
      ['campaignIds', theirs.campaign.id],
    ] as const) {
      const foreign = await json(`/export/expenses.csv?${param}=${id}`, mine.org);
      expect(foreign.status).toBe(404);
      expect(foreign.body.errors[0].extensions).toEqual({ code: 'NOT_FOUND', field: param });
      expect(foreign.text).not.toMatch(/Global|增长|figma/i);
    }
    const badDate = await json('/export/expenses.csv?from=2026-13-01', mine.org);
    expect(badDate.status).toBe(400);
    expect(badDate.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'from' });
    const order = await json('/export/expenses.csv?from=2026-12-01&to=2026-11-01', mine.org);
    expect(order.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'from' });
    const badBool = await json('/export/expenses.csv?voided=yes', mine.org);
    expect(badBool.body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'voided' });
    const badId = await json('/export/expenses.csv?budgetIds=nope', mine.org);
    expect(badId.status).toBe(400);
    expect(badId.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'budgetIds' });
    const unknown = await json('/export/expenses.csv?first=5', mine.org);
    expect(unknown.body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'first' });
    expect((await json('/export/nothing.csv', mine.org)).status).toBe(404);
    expect((await json('/export/expenses.pdf', mine.org)).status).toBe(404);
    for (const r of [anonymous, badDate, badId]) expect(r.text).not.toMatch(/stack|at .*\.ts/);
  });

  it('lets a READ API token and a VIEWER export what they may read, as the GraphQL field does', async () => {
    const { org } = await books();
    const token = ok(await app.gql(`mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { secret } }`, { i: { name: '财务导出', scopes: ['READ'] } }, org))
      .createApiToken.secret as string;
    const expected = await ledger(org);
    expect(pick(await csv('/export/expenses.csv', { token }), LEDGER_COLUMNS)).toEqual(expected);
    const viewer = await addMember(app, org as TestOrg, 'VIEWER', '观察员');
    expect(pick(await csv('/export/expenses.csv', viewer), LEDGER_COLUMNS)).toEqual(await ledger(viewer));
  });
});

describe('GET /export/expenses.xlsx', () => {
  it('writes number cells for amounts (formatted at the currency’s scale) and date cells for dates, the same rows as the ledger', async () => {
    const { org, e } = await books();
    const { rows, sheet } = await xlsx('/export/expenses.xlsx', org);
    expect(sheet.name).toBe('Expenses');
    const expected = await ledger(org);
    expect(rows.map((r) => r['Expense id'])).toEqual(expected.map((r) => r['Expense id']));
    for (const [i, r] of rows.entries()) {
      expect(typeof r.Amount).toBe('number');
      expect(r.Amount).toBe(Number(expected[i].Amount));
      expect(r['Incurred on']).toBeInstanceOf(Date);
      expect((r['Incurred on'] as Date).toISOString().slice(0, 10)).toBe(expected[i]['Incurred on']);
      expect(r['Recorded at']).toBeInstanceOf(Date);
      expect(r.Vendor ?? '').toBe(expected[i].Vendor);
    }
    const at = (id: string) => rows.findIndex((r) => r['Expense id'] === id) + 2;
    const amountColumn = (sheet.getRow(1).values as string[]).indexOf('Amount');
    expect(sheet.getRow(at(e.kol)).getCell(amountColumn).numFmt).toBe('#,##0.00');
    expect(sheet.getRow(at(e.yen)).getCell(amountColumn).numFmt).toBe('#,##0');
    expect(rows[at(e.kol) - 2]).toMatchObject({ Vendor: '抖音 Douyin', Currency: 'CNY', Budget: '增长预算, "Q4"' });
    expect(rows[at(e.ads) - 2]['Voided at']).toBeInstanceOf(Date);
  });
});

describe('a large ledger', () => {
  it('streams 5,100 expenses across pages, equal to the ledger, in a number of statements proportional to the pages; a client that goes away stops it', async () => {
    const { org, media } = await books();
    const lineId = decodeGlobalId(media.id)!.id;
    const [{ organization_id: orgId, budget_id: budgetId }] = await app.ds.query(`SELECT organization_id, budget_id FROM budget_lines WHERE id = $1`, [lineId]);
    await app.ds.query(
      `INSERT INTO expenses (organization_id, budget_id, budget_line_id, amount, incurred_on, vendor, reference)
       SELECT $1, $2, l.id, (i % 997) + 0.05, date '2026-01-01' + (i % 300), '供应商 ' || i, 'REF-' || i
       FROM budget_lines l, generate_series(1, 5100) i WHERE l.id = $3`,
      [orgId, budgetId, lineId],
    );
    const expected = await ledger(org);
    expect(expected.length).toBe(5105);
    const requestId = crypto.randomUUID();
    const { res, body, statements } = await get('/export/expenses.csv', org, requestId);
    expect(res.status).toBe(200);
    const rows = parse(body.subarray(3).toString('utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(pick(rows, LEDGER_COLUMNS)).toEqual(expected);
    // 6 pages of 1,000 (an export reads pages ten times the size a request may ask for): a few
    // statements per page, whatever the rows.
    expect(statements()).toBeLessThan(6 * 6);
    expect(statements()).toBeGreaterThanOrEqual(6);
    const xl = await xlsx('/export/expenses.xlsx', org);
    expect(xl.rows.map((r) => r['Expense id'])).toEqual(expected.map((r) => r['Expense id']));

    // A client that reads the first bytes and leaves: the server stops reading pages.
    const abortId = crypto.randomUUID();
    const controller = new AbortController();
    const started = await fetch(`${app.url}/export/expenses.xlsx`, {
      headers: { authorization: `Bearer ${org.token}`, 'x-organization-id': org.organizationId, 'x-request-id': abortId },
      signal: controller.signal,
    });
    const reader = started.body!.getReader();
    await reader.read();
    controller.abort();
    await new Promise((r) => setTimeout(r, 1500));
    const afterAbort = app.server.statementsFor(abortId)!.count;
    await new Promise((r) => setTimeout(r, 500));
    expect(app.server.statementsFor(abortId)!.count).toBe(afterAbort);
    expect(afterAbort).toBeLessThan(statements());
  });
});

describe('the other exports', () => {
  let finance: { token: string };
  let viewer: { token: string };
  beforeAll(async () => {
    await seedDemo(app.ds, '2026-12-07');
    finance = await logInDemo(app, DEMO.users.finance.email);
    viewer = await logInDemo(app, DEMO.users.viewer.email);
  });

  it('budgets: one row per budget line with its budget’s columns, as Query.budgets', async () => {
    const data = ok(
      await app.gql(`{ budgets(first: 100) { nodes { id name currency lines { id name planned spent } } } }`, {}, finance),
    ).budgets.nodes;
    const expected = data.flatMap((b: any) =>
      b.lines.map((l: any) => ({ 'Budget id': b.id, Budget: b.name, 'Line id': l.id, Line: l.name, Planned: l.planned, Spent: l.spent, Currency: b.currency })),
    );
    expect(expected.length).toBeGreaterThan(3);
    const keys = Object.keys(expected[0]);
    expect(pick(await csv('/export/budgets.csv', finance), keys)).toEqual(expected);
    const { rows } = await xlsx('/export/budgets.xlsx', viewer);
    expect(rows.map((r) => r['Line id'])).toEqual(expected.map((r: any) => r['Line id']));
    expect(rows.every((r) => typeof r.Planned === 'number' && r['Period start'] instanceof Date && typeof r['Hard cap'] === 'boolean')).toBe(true);
    const squad = toGlobalId('Squad', DEMO.plan.squadCreators);
    const squadRows = await csv(`/export/budgets.csv?squadId=${squad}`, finance);
    expect(new Set(squadRows.map((r) => r['Budget id']))).toEqual(new Set([toGlobalId('Budget', DEMO.budgets.creatorsQ2)]));
  });

  it('key-results: each key result with its objective, filtered by cycle, as Query.objectives', async () => {
    const objectives = ok(
      await app.gql(`{ objectives(first: 100) { nodes { id title cycle { id name } keyResults { id title currentValue } } } }`, {}, finance),
    ).objectives.nodes;
    const expected = objectives.flatMap((o: any) =>
      o.keyResults.map((k: any) => ({ 'Objective id': o.id, Objective: o.title, Cycle: o.cycle.name, 'Key result id': k.id, 'Key result': k.title, 'Current value': k.currentValue })),
    );
    expect(expected.length).toBeGreaterThan(2);
    const rows = await csv('/export/key-results.csv', viewer);
    expect(pick(rows, Object.keys(expected[0]))).toEqual(expected);
    const cycle = objectives[0].cycle;
    const inCycle = await csv(`/export/key-results.csv?cycleId=${cycle.id}`, viewer);
    expect(inCycle.length).toBeGreaterThan(0);
    expect(inCycle.every((r) => r.Cycle === cycle.name)).toBe(true);
    const { rows: xl } = await xlsx('/export/key-results.xlsx', viewer);
    expect(xl.every((r) => typeof r.Progress === 'number')).toBe(true);
  });

  it('campaigns: as Query.campaigns, money in its budget’s currency', async () => {
    const campaigns = ok(await app.gql(`{ campaigns(first: 100) { nodes { id name status cost } } }`, {}, finance)).campaigns.nodes;
    expect(campaigns.length).toBeGreaterThan(0);
    const rows = await csv('/export/campaigns.csv', viewer);
    expect(pick(rows, ['Campaign id', 'Campaign', 'Status'])).toEqual(campaigns.map((c: any) => ({ 'Campaign id': c.id, Campaign: c.name, Status: c.status })));
    const status = campaigns[0].status;
    expect((await csv(`/export/campaigns.csv?status=${status}`, viewer)).every((r) => r.Status === status)).toBe(true);
    const bad = await get('/export/campaigns.csv?status=NOPE', viewer);
    expect(bad.res.status).toBe(400);
  });

  it('spend: Query.spend by grain and groupBy, planned/spent/variance at the currency’s scale, the columns of keys not grouped by empty', async () => {
    const budget = toGlobalId('Budget', DEMO.budgets.creatorsQ2);
    const period = ok(await app.gql(`query($id: ID!) { budget(id: $id) { periodStart periodEnd } }`, { id: budget }, finance)).budget;
    const args = { grain: 'MONTH', from: period.periodStart, to: period.periodEnd };
    const spend = ok(
      await app.gql(
        `query($g: Grain!, $f: SpendFilter) { spend(grain: $g, groupBy: [LINE], filter: $f) { periodStart currency planned spent variance variancePercent line { id name } } }`,
        { g: args.grain, f: { from: args.from, to: args.to } },
        finance,
      ),
    ).spend;
    expect(spend.length).toBeGreaterThan(2);
    const expected = spend.map((r: any) => ({
      'Period start': r.periodStart, Currency: r.currency, Planned: r.planned ?? '', Spent: r.spent, Variance: r.variance ?? '',
      'Variance %': r.variancePercent ?? '', Line: r.line.name, 'Line id': r.line.id, Budget: '', Category: '',
    }));
    const rows = await csv(`/export/spend.csv?grain=MONTH&groupBy=LINE&from=${args.from}&to=${args.to}`, viewer);
    expect(pick(rows, Object.keys(expected[0]))).toEqual(expected);
    const { rows: xl } = await xlsx(`/export/spend.xlsx?grain=MONTH&groupBy=LINE&from=${args.from}&to=${args.to}`, viewer);
    expect(xl).toHaveLength(spend.length);
    expect(xl.every((r) => typeof r.Spent === 'number' && r['Period start'] instanceof Date)).toBe(true);
    // Two keys, comma-separated, and the filter's ids as query parameters.
    const byBoth = await csv(`/export/spend.csv?grain=QUARTER&groupBy=BUDGET,CATEGORY&budgetIds=${budget}&from=${args.from}&to=${args.to}`, finance);
    expect(byBoth.length).toBeGreaterThan(0);
    expect(byBoth.every((r) => r['Budget id'] === budget && r.Category !== '' && r.Line === '')).toBe(true);
    const bad = await get(`/export/spend.csv?grain=DAY`, viewer);
    expect(bad.res.status).toBe(400);
    expect(JSON.parse(bad.body.toString()).errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'grain' });
  });

  it('kpi-series: Kpi.series for one or more keys, grain, from and to', async () => {
    const args = { grain: 'MONTH', from: '2026-06-01', to: '2026-11-30' };
    const series = async (key: string) => ok(await app.gql(`query($k: String!, $g: Grain!, $f: Date!, $t: Date!) { kpi(key: $k) { series(grain: $g, from: $f, to: $t) { periodStart value } } }`, { k: key, g: args.grain, f: args.from, t: args.to }, viewer)).kpi.series;
    const expected = [
      ...(await series('new_users')).map((p: any) => ({ 'KPI key': 'new_users', 'Period start': p.periodStart, Value: p.value ?? '' })),
      ...(await series('visitors')).map((p: any) => ({ 'KPI key': 'visitors', 'Period start': p.periodStart, Value: p.value ?? '' })),
    ];
    const rows = await csv(`/export/kpi-series.csv?key=new_users&key=visitors&grain=MONTH&from=${args.from}&to=${args.to}`, viewer);
    expect(pick(rows, ['KPI key', 'Period start', 'Value'])).toEqual(expected);
    const { rows: xl } = await xlsx(`/export/kpi-series.xlsx?key=new_users&grain=MONTH&from=${args.from}&to=${args.to}`, viewer);
    expect(xl.length).toBe(6);
    expect(xl[0]['Period start']).toBeInstanceOf(Date);
    const missing = await get(`/export/kpi-series.csv?grain=MONTH&from=${args.from}&to=${args.to}`, viewer);
    expect(missing.res.status).toBe(400);
    expect(JSON.parse(missing.body.toString()).errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'key' });
    // A key no KPI has is NOT_FOUND naming it, not an empty file; after a good key's rows, the
    // download is cut short (never a file that silently lacks the KPI).
    const unknown = await get(`/export/kpi-series.csv?key=no_such_kpi&grain=MONTH&from=${args.from}&to=${args.to}`, viewer);
    expect(unknown.res.status).toBe(404);
    expect(JSON.parse(unknown.body.toString()).errors[0]).toMatchObject({ message: expect.stringContaining('no_such_kpi'), extensions: { code: 'NOT_FOUND', field: 'key' } });
    await expect(get(`/export/kpi-series.csv?key=new_users&key=no_such_kpi&grain=MONTH&from=${args.from}&to=${args.to}`, viewer)).rejects.toThrow();
    const reversed = await get(`/export/kpi-series.csv?key=new_users&grain=MONTH&from=2026-11-01&to=2026-06-01`, viewer);
    expect(JSON.parse(reversed.body.toString()).errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
  });
});
