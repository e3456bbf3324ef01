import { decodeGlobalId } from '../../../src/common/ids';
import { addBudgetLine, createBudget, recordExpense } from '../../support/budgets';
import { createCampaign, RECORD_RETURN } from '../../support/campaigns';
import { addMember, createOrg, type TestOrg } from '../../support/factories';
import { checkIn, createCycle, createKeyResult, createObjective, createSquad, createTask } from '../../support/planning';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';
import { createKpi, record } from '../kpis/support';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const uuid = (globalId: string) => decodeGlobalId(globalId)!.id;
const today = () => new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

const SECTIONS = /* GraphQL */ `
  cycle { id name }
  squad { id name }
  okrs {
    objectiveCount averageProgress atRiskKeyResultCount
    byStatus { status count }
    atRiskKeyResults { id title status progress }
  }
  kpis { kpiCount openAlertCount byLevel { level count openAlertCount } }
  budgets { currency budgetCount planned spent burnRate linesOverPlan }
  liveCampaigns { count best { roi campaign { id name } } worst { roi campaign { id name } } }
  overdueTasks { count first { id title dueOn } }
`;
const ORG_OVERVIEW = `query($cycleId: ID) { organizationOverview(cycleId: $cycleId) { ${SECTIONS} } }`;
const SQUAD_OVERVIEW = `query($squadId: ID!, $cycleId: ID) { squadOverview(squadId: $squadId, cycleId: $cycleId) { ${SECTIONS} } }`;
const SQUAD_SUMMARIES = /* GraphQL */ `
  query($cycleId: ID!) {
    squads(first: 100) {
      nodes {
        name
        okrSummary(cycleId: $cycleId) {
          objectiveCount averageProgress atRiskKeyResultCount
          byStatus { status count }
          atRiskKeyResults { title status }
        }
      }
    }
  }
`;

/**
 * Squad 增长 (S): objectives o1 (weight 1: KR 低信心 at confidence 0.3 → OFF_TRACK, KR 中信心 at 0.5 →
 * AT_RISK) and o2 (weight 3: one KR at 0.9 → ON_TRACK, progress 1); a CNY budget with a line over
 * plan; two LIVE campaigns (ROI 1 and −0.5); one overdue task. Squad 内容 (T): one objective and an
 * overdue task. The organisation: three KPIs (NORMAL, CRITICAL with an open alert, NO_DATA) and a
 * USD budget of no squad.
 */
async function scenario() {
  const org = await createOrg(app);
  const lead = await addMember(app, org, 'SQUAD_LEAD', '王芳');
  const finance = await addMember(app, org, 'FINANCE', '财务');
  const viewer = await addMember(app, org, 'VIEWER', '看板');
  const s = await createSquad(app, org, lead.userId, '增长小组');
  const t = await createSquad(app, org, lead.userId, '内容小组');
  const cycleId = await createCycle(app, org);
  const normal = await createKpi(app, org, { key: 'dau', name: '日活' });
  const critical = await createKpi(app, org, { key: 'refund_rate', name: '退款率', direction: 'LOWER_IS_BETTER', thresholds: { criticalAbove: '8' } });
  await createKpi(app, org, { key: 'nps', name: 'NPS' });
  ok(await record(app, org, [
    { kpiKey: 'dau', periodStart: '2026-03-02', value: '1000' },
    { kpiKey: 'refund_rate', periodStart: '2026-03-02', value: '9.5' },
  ]));

  const o1 = await createObjective(app, org, { cycleId, squadId: s, title: '提升用户创作活跃度' });
  const o2 = await createObjective(app, org, { cycleId, squadId: s, title: '创作者留存', weight: '3' });
  await createObjective(app, org, { cycleId, squadId: t, title: '内容质量' });
  const low = await createKeyResult(app, org, { objectiveId: o1.id, title: '低信心', kpiId: critical.id });
  const mid = await createKeyResult(app, org, { objectiveId: o1.id, title: '中信心', kpiId: normal.id });
  const high = await createKeyResult(app, org, { objectiveId: o2.id, title: '高信心' });
  ok(await checkIn(app, org, low.id, low.version, '1000', 0.3));
  ok(await checkIn(app, org, mid.id, mid.version, '1150', 0.5));
  ok(await checkIn(app, org, high.id, high.version, '1300', 0.9));

  const budget = await createBudget(app, org, { name: '增长预算', squadId: s, periodStart: daysAgo(10), periodEnd: today() });
  const line = await addBudgetLine(app, org, { budgetId: budget.id, planned: '1000.00' });
  const spare = await addBudgetLine(app, org, { budgetId: budget.id, name: '备用', planned: '500.00' });
  const usd = await createBudget(app, org, { name: 'Tools', currency: 'USD', periodStart: daysAgo(10), periodEnd: today() });
  await addBudgetLine(app, org, { budgetId: usd.id, name: 'SaaS', planned: '300.00' });

  const good = await createCampaign(app, lead, { squadId: s, name: '超级品牌日', budgetLineId: spare.id, startsOn: daysAgo(5), endsOn: today() });
  const bad = await createCampaign(app, lead, { squadId: s, name: '拉新活动', budgetLineId: line.id, startsOn: daysAgo(5), endsOn: today() });
  ok(await recordExpense(app, org, { budgetLineId: line.id, amount: '1200.00', incurredOn: daysAgo(1), campaignId: bad.id }));
  ok(await recordExpense(app, org, { budgetLineId: spare.id, amount: '100.00', incurredOn: daysAgo(1), campaignId: good.id }));
  ok(await app.gql(RECORD_RETURN, { i: { campaignId: good.id, kind: 'DIRECT', amount: '200.00' } }, org));
  ok(await app.gql(RECORD_RETURN, { i: { campaignId: bad.id, kind: 'DIRECT', amount: '600.00' } }, org));
  await app.ds.query(`UPDATE campaigns SET status = 'LIVE' WHERE id = ANY($1::uuid[])`, [[uuid(good.id), uuid(bad.id)]]);

  const late = await createTask(app, org, { title: '逾期任务', squadId: s, dueOn: daysAgo(3) });
  await createTask(app, org, { title: '未到期', squadId: s, dueOn: today() });
  await createTask(app, org, { title: '内容逾期', squadId: t, dueOn: daysAgo(1) });
  return { org, lead, finance, viewer, s, t, cycleId, good, bad, late };
}

describe('Squad.okrSummary', () => {
  it('counts every status (zeros included), weights progress by the objectives’ weights and lists the key results not on track, worst first', async () => {
    const p = await scenario();
    const squads = ok(await app.gql(SQUAD_SUMMARIES, { cycleId: p.cycleId }, p.viewer)).squads.nodes;
    const growth = squads.find((n: { name: string }) => n.name === '增长小组').okrSummary;
    expect(growth.objectiveCount).toBe(2);
    expect(growth.byStatus).toEqual([
      { status: 'ON_TRACK', count: 1 },
      { status: 'AT_RISK', count: 0 },
      { status: 'OFF_TRACK', count: 1 },
    ]);
    // o1: (0 + 0.5) / 2 = 0.25 at weight 1; o2: 1 at weight 3 → (0.25 + 3) / 4.
    expect(growth.averageProgress).toBeCloseTo(0.8125, 6);
    expect(growth.atRiskKeyResultCount).toBe(2);
    expect(growth.atRiskKeyResults).toEqual([
      { title: '低信心', status: 'OFF_TRACK' },
      { title: '中信心', status: 'AT_RISK' },
    ]);
    const content = squads.find((n: { name: string }) => n.name === '内容小组').okrSummary;
    expect(content.objectiveCount).toBe(1);
    expect(content.atRiskKeyResults).toEqual([]);
  });

  it('answers zeros for a squad without objectives in the cycle, and NOT_FOUND for a cycle of another organisation', async () => {
    const p = await scenario();
    const other = await createOrg(app);
    const otherCycle = await createCycle(app, other);
    const emptyCycle = await createCycle(app, p.org);
    const empty = ok(await app.gql(SQUAD_SUMMARIES, { cycleId: emptyCycle }, p.org)).squads.nodes[0].okrSummary;
    expect(empty).toEqual({
      objectiveCount: 0,
      averageProgress: null,
      atRiskKeyResultCount: 0,
      byStatus: [
        { status: 'ON_TRACK', count: 0 },
        { status: 'AT_RISK', count: 0 },
        { status: 'OFF_TRACK', count: 0 },
      ],
      atRiskKeyResults: [],
    });
    expect(errorCode(await app.gql(SQUAD_SUMMARIES, { cycleId: otherCycle }, p.org))).toBe('NOT_FOUND');
  });
});

describe('organizationOverview and squadOverview', () => {
  it('sums up the organisation for a VIEWER: OKRs, KPIs by level, budgets per currency, live campaigns by ROI, overdue tasks', async () => {
    const p = await scenario();
    const o = ok(await app.gql(ORG_OVERVIEW, {}, p.viewer)).organizationOverview;
    expect(o.cycle.id).toBe(p.cycleId);
    expect(o.squad).toBeNull();
    expect(o.okrs.objectiveCount).toBe(3);
    expect(o.okrs.byStatus.map((b: { count: number }) => b.count).reduce((a: number, b: number) => a + b)).toBe(3);
    expect(o.okrs.atRiskKeyResultCount).toBe(2);
    expect(o.kpis).toEqual({
      kpiCount: 3,
      openAlertCount: 1,
      byLevel: [
        { level: 'NORMAL', count: 1, openAlertCount: 0 },
        { level: 'WARNING', count: 0, openAlertCount: 0 },
        { level: 'CRITICAL', count: 1, openAlertCount: 1 },
        { level: 'NO_DATA', count: 1, openAlertCount: 0 },
      ],
    });
    expect(o.budgets).toEqual([
      { currency: 'CNY', budgetCount: 1, planned: '1500.00', spent: '1300.00', burnRate: '0.866667', linesOverPlan: 1 },
      { currency: 'USD', budgetCount: 1, planned: '300.00', spent: '0.00', burnRate: '0', linesOverPlan: 0 },
    ]);
    expect(o.liveCampaigns).toEqual({
      count: 2,
      best: { roi: '1', campaign: { id: p.good.id, name: '超级品牌日' } },
      worst: { roi: '-0.5', campaign: { id: p.bad.id, name: '拉新活动' } },
    });
    expect(o.overdueTasks.count).toBe(2);
    expect(o.overdueTasks.first.map((t: { title: string }) => t.title)).toEqual(['逾期任务', '内容逾期']);
    // An acknowledged alert is no longer open; a task done is no longer overdue.
    const alert = ok(await app.gql(`{ kpiAlerts(first: 10) { nodes { id } } }`, {}, p.org)).kpiAlerts.nodes[0].id;
    ok(await app.gql(`mutation($i: AcknowledgeKpiAlertInput!) { acknowledgeKpiAlert(input: $i) { alert { id } } }`, { i: { id: alert } }, p.org));
    ok(await app.gql(`mutation($i: SetTaskStatusInput!) { setTaskStatus(input: $i) { task { id } } }`, { i: { id: p.late.id, status: 'DONE', expectedVersion: p.late.version } }, p.org));
    const after = ok(await app.gql(ORG_OVERVIEW, {}, p.viewer)).organizationOverview;
    expect(after.kpis.openAlertCount).toBe(0);
    expect(after.overdueTasks).toMatchObject({ count: 1, first: [{ title: '内容逾期' }] });
  });

  it('restricts a squad overview to the squad: its objectives, the KPIs its key results follow, its budgets, campaigns and tasks', async () => {
    const p = await scenario();
    const o = ok(await app.gql(SQUAD_OVERVIEW, { squadId: p.t }, p.viewer)).squadOverview;
    expect(o.squad.name).toBe('内容小组');
    expect(o.okrs.objectiveCount).toBe(1);
    expect(o.kpis.kpiCount).toBe(0);
    expect(o.budgets).toEqual([]);
    expect(o.liveCampaigns).toEqual({ count: 0, best: null, worst: null });
    expect(o.overdueTasks).toMatchObject({ count: 1, first: [{ title: '内容逾期' }] });
    const s = ok(await app.gql(SQUAD_OVERVIEW, { squadId: p.s, cycleId: p.cycleId }, p.viewer)).squadOverview;
    expect(s.okrs.objectiveCount).toBe(2);
    expect(s.kpis).toMatchObject({ kpiCount: 2, openAlertCount: 1 });
    expect(s.budgets).toEqual([{ currency: 'CNY', budgetCount: 1, planned: '1500.00', spent: '1300.00', burnRate: '0.866667', linesOverPlan: 1 }]);
    expect(s.liveCampaigns.count).toBe(2);
    expect(s.overdueTasks).toMatchObject({ count: 1, first: [{ id: p.late.id }] });
  });

  it('without a current cycle: cycle and okrs are null, the other sections answer', async () => {
    const org = await createOrg(app);
    await createCycle(app, org, { startsOn: '2020-01-01', endsOn: '2020-03-31' });
    const o = ok(await app.gql(ORG_OVERVIEW, {}, org)).organizationOverview;
    expect(o.cycle).toBeNull();
    expect(o.okrs).toBeNull();
    expect(o.kpis.kpiCount).toBe(0);
    expect(o.overdueTasks).toEqual({ count: 0, first: [] });
  });

  it('NOT_FOUND for a squad or cycle of another organisation', async () => {
    const p = await scenario();
    const other: TestOrg = await createOrg(app);
    expect(errorCode(await app.gql(SQUAD_OVERVIEW, { squadId: p.s }, other))).toBe('NOT_FOUND');
    expect(errorCode(await app.gql(ORG_OVERVIEW, { cycleId: p.cycleId }, other))).toBe('NOT_FOUND');
  });
});

/**
 * Copies the organisation's rows of `table` `times` more times (new ids), with `overrides`
 * (column → SQL over the source row `s` and the copy number `g`).
 */
async function copyRows(org: string, table: string, times: number, overrides: Record<string, string> = {}) {
  const cols: Array<{ column_name: string }> = await app.ds.query(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position`,
    [table],
  );
  const names = cols.map((c) => c.column_name);
  const exprs = names.map((c) => overrides[c] ?? (c === 'id' ? 'gen_random_uuid()' : `s."${c}"`));
  await app.ds.query(
    `INSERT INTO ${table} (${names.map((c) => `"${c}"`).join(', ')})
     SELECT ${exprs.join(', ')} FROM ${table} s, generate_series(1, $2) g WHERE s.organization_id = $1`,
    [org, times],
  );
}

/** The scenario, and for `factor` > 1 every row of the plan (factor − 1) more times. */
async function sized(factor: number) {
  const p = await scenario();
  if (factor > 1) {
    const org = uuid(p.org.organizationId);
    const more = factor - 1;
    // Copies point at the original objectives, budgets, KPIs and campaigns; named apart where names are unique.
    await copyRows(org, 'squads', more, { name: `s.name || ' ' || g` });
    await copyRows(org, 'objectives', more);
    await copyRows(org, 'key_results', more);
    await copyRows(org, 'kpis', more, { key: `s.key || '_c' || g`, is_north_star: 'false' });
    await copyRows(org, 'kpi_alerts', more, {
      kpi_id: `(SELECT c.id FROM kpis c WHERE c.organization_id = s.organization_id AND c.key = (SELECT k.key FROM kpis k WHERE k.id = s.kpi_id) || '_c' || g)`,
    });
    await copyRows(org, 'budgets', more, { name: `s.name || ' ' || g` });
    await copyRows(org, 'budget_lines', more, { name: `s.name || ' ' || g` });
    await copyRows(org, 'campaigns', more, { name: `s.name || ' ' || g` });
    const copyOf = `(SELECT c.id FROM campaigns c WHERE c.organization_id = s.organization_id AND c.name = (SELECT o.name FROM campaigns o WHERE o.id = s.campaign_id) || ' ' || g)`;
    // An expense is tagged with one campaign: the copies get copies of the expenses.
    await copyRows(org, 'expenses', more, { description: `s.id::text || ' ' || g` });
    await copyRows(org, 'campaign_expenses', more, {
      campaign_id: copyOf,
      expense_id: `(SELECT e.id FROM expenses e WHERE e.organization_id = s.organization_id AND e.description = s.expense_id::text || ' ' || g)`,
    });
    await copyRows(org, 'campaign_returns', more, { campaign_id: copyOf });
    await copyRows(org, 'tasks', more);
  }
  return p;
}

describe('statements', () => {
  it('answers each overview and a page of squad summaries in the same number of statements for an organisation ten times larger', async () => {
    const small = await sized(1);
    const large = await sized(10);
    const run = async (p: Awaited<ReturnType<typeof sized>>) => {
      const org = await app.gql(ORG_OVERVIEW, {}, p.viewer);
      const squad = await app.gql(SQUAD_OVERVIEW, { squadId: p.s }, p.viewer);
      const page = await app.gql(SQUAD_SUMMARIES, { cycleId: p.cycleId }, p.viewer);
      return { org, squad, page };
    };
    const s = await run(small);
    const l = await run(large);
    // The large organisation is ten times the small one.
    expect(ok(s.org).organizationOverview.okrs.objectiveCount).toBe(3);
    expect(ok(l.org).organizationOverview.okrs.objectiveCount).toBe(30);
    expect(ok(l.org).organizationOverview.okrs.atRiskKeyResults).toHaveLength(5);
    expect(ok(l.org).organizationOverview.kpis).toMatchObject({ kpiCount: 30, openAlertCount: 10 });
    // The ten copies of the line over plan, and the spare line, which the copied expenses took past its plan.
    expect(ok(l.org).organizationOverview.budgets[0]).toMatchObject({ budgetCount: 10, linesOverPlan: 11 });
    expect(ok(l.org).organizationOverview.liveCampaigns.count).toBe(20);
    expect(ok(l.org).organizationOverview.overdueTasks.count).toBe(20);
    expect(ok(l.squad).squadOverview.okrs.objectiveCount).toBe(20);
    expect(ok(s.page).squads.nodes).toHaveLength(2);
    expect(ok(l.page).squads.nodes).toHaveLength(20);
    // Exactly as many statements at both sizes.
    expect(s.org.statements).toBeGreaterThan(0);
    expect({ org: l.org.statements, squad: l.squad.statements, page: l.page.statements }).toEqual({
      org: s.org.statements,
      squad: s.squad.statements,
      page: s.page.statements,
    });
    // And few (docs/api.md quotes them: 10, 12 and 5 when written, the caller's authentication included).
    expect(s.org.statements).toBeLessThanOrEqual(10);
    expect(s.squad.statements).toBeLessThanOrEqual(12);
    expect(s.page.statements).toBeLessThanOrEqual(5);
  });
});
