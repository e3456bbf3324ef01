import 'reflect-metadata';
import { addBudgetLine, createBudget, recordExpense } from '../../support/budgets';
import { addMember, createOrg, type TestOrg } from '../../support/factories';
import { checkIn, createCycle, createKeyResult, createObjective, createSquad, createTask } from '../../support/planning';
import { errorCode, ok, type Caller, type TestApp, startTestApp } from '../../support/test-app';
import { createKpi, record } from '../kpis/support';

/*
 * The squad weekly report for the ISO week 2026-11-16 (Monday) … 2026-11-22 (Sunday). Check-ins,
 * completions and alerts happen "now" through the API; the test then moves their instants into
 * the weeks around it with SQL, which is what the report reads.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const REPORT = /* GraphQL */ `
  query($s: ID!, $w: Date!, $l: ReportLanguage) {
    squadWeeklyReport(squadId: $s, weekOf: $w, language: $l) {
      squad { id name } weekStart weekEnd language
      checkIns { keyResultTitle unit authorName previousValue value previousConfidence confidence note }
      keyResults { title objectiveTitle valueAtStart valueAtEnd progressAtStart progressAtEnd statusAtStart statusAtEnd moved turnedWorse }
      tasksDone { title assigneeName dueOn completedAt }
      tasksOverdue { title assigneeName dueOn completedAt }
      kpis { key name periodStart value previousPeriodStart previousValue change }
      alerts { kpiKey level status raisedInWeek resolvedInWeek }
      spend { budgetName lineName currency spent planned difference }
      markdown
    }
  }
`;

const report = (as: Caller, squadId: string, weekOf: string, language?: string, headers?: Record<string, string>) =>
  app.gql(REPORT, { s: squadId, w: weekOf, l: language ?? null }, as, headers);

const uuidOf = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':').pop()!;
const sql = (text: string, params: unknown[]) => app.ds.query(text, params);
/** Moves a row's instant column (of a table) to `at`. */
const backdate = (table: string, column: string, id: string, at: string) => sql(`UPDATE ${table} SET ${column} = $2 WHERE id = $1`, [uuidOf(id), at]);

interface Fixture {
  org: TestOrg;
  squad: string;
  lead: Caller & { userId: string };
  member: Caller & { userId: string };
  outsider: Caller & { userId: string };
}

async function setTaskDone(as: Caller, id: string, completedAt: string) {
  ok(await app.gql(`mutation($i: SetTaskStatusInput!) { setTaskStatus(input: $i) { task { id } } }`, { i: { id, status: 'DONE' } }, as));
  await backdate('tasks', 'completed_at', id, completedAt);
}

/**
 * `n` of everything for a squad, for the statement counts: members assigned to tasks, key results with check-ins in the
 * week, tasks done and overdue, KPIs with measurements and alerts, budget lines with expenses.
 */
async function fill(f: Fixture, squad: string, kpiOwner: string, n: number, tag: string) {
  const cycleId = await createCycle(app, f.org, { startsOn: '2026-10-01', endsOn: '2026-12-31' });
  const objective = await createObjective(app, f.org, { cycleId, squadId: squad, title: `目标 ${tag}` });
  const budget = await createBudget(app, f.org, { name: `预算 ${tag}`, squadId: squad, periodStart: '2026-10-01', periodEnd: '2026-12-31' });
  for (let i = 0; i < n; i++) {
    const kr = await createKeyResult(app, f.org, { objectiveId: objective.id, title: `KR ${tag} ${i}` });
    await sql(`UPDATE key_results SET created_at = '2026-11-01T00:00:00Z' WHERE id = $1`, [uuidOf(kr.id)]);
    const c = ok(await checkIn(app, f.org, kr.id, kr.version, '1100', 0.5)).checkInKeyResult;
    await backdate('check_ins', 'created_at', c.checkIn.id, '2026-11-18T08:00:00Z');
    // A member per task, so that the names of assignees are n different users.
    const assignee = await addMember(app, f.org, 'MEMBER', `成员 ${tag} ${i}`);
    ok(await app.gql(`mutation($i: AddSquadMemberInput!) { addSquadMember(input: $i) { squadMember { id } } }`, { i: { squadId: squad, userId: assignee.userId, function: 'CONTENT' } }, f.org));
    const t = await createTask(app, f.org, { title: `任务 ${tag} ${i}`, squadId: squad, dueOn: '2026-11-18', assigneeId: assignee.userId });
    await sql(`UPDATE tasks SET created_at = '2026-11-01T00:00:00Z' WHERE id = $1`, [uuidOf(t.id)]);
    const d = await createTask(app, f.org, { title: `完成 ${tag} ${i}`, squadId: squad, dueOn: '2026-11-20' });
    await setTaskDone(f.org, d.id, '2026-11-19T09:00:00Z');
    const kpi = await createKpi(app, f.org, { key: `k_${tag}_${i}`, ownerId: kpiOwner, thresholds: { warningAbove: '10' } });
    void kpi;
    ok(await record(app, f.org, [
      { kpiKey: `k_${tag}_${i}`, periodStart: '2026-11-09', value: '5' },
      { kpiKey: `k_${tag}_${i}`, periodStart: '2026-11-16', value: '20' },
    ]));
    await sql(`UPDATE kpi_alerts SET created_at = '2026-11-17T00:00:00Z' WHERE kpi_id = (SELECT id FROM kpis WHERE key = $1)`, [`k_${tag}_${i}`]);
    const line = await addBudgetLine(app, f.org, { budgetId: budget.id, name: `线 ${tag} ${i}`, planned: '920.00' });
    ok(await recordExpense(app, f.org, { budgetLineId: line.id, amount: '10.00', incurredOn: '2026-11-17' }));
  }
}

describe('squadWeeklyReport', () => {
  let f: Fixture;
  let other: TestOrg;
  beforeAll(async () => {
    const org = await createOrg(app);
    const lead = await addMember(app, org, 'SQUAD_LEAD', '王组长');
    const member = await addMember(app, org, 'MEMBER', '李成员');
    const outsider = await addMember(app, org, 'MEMBER', '局外人');
    const squad = await createSquad(app, org, lead.userId, '创作者增长小组');
    ok(await app.gql(`mutation($i: AddSquadMemberInput!) { addSquadMember(input: $i) { squadMember { id } } }`, { i: { squadId: squad, userId: member.userId, function: 'CONTENT' } }, org));
    f = { org, squad, lead, member, outsider };
    other = await createOrg(app, '别的组织');

    // OKRs: a 92-day cycle; two key results of the squad's objective, one of an objective of no squad.
    const cycleId = await createCycle(app, org, { startsOn: '2026-10-01', endsOn: '2026-12-31' });
    const objective = await createObjective(app, org, { cycleId, squadId: squad, title: '提升用户创作活跃度' });
    const kr1 = await createKeyResult(app, org, { objectiveId: objective.id, title: '日均发布内容量提升30%', startValue: '1000', targetValue: '1300', unit: '篇/天', ownerId: lead.userId });
    const kr2 = await createKeyResult(app, org, { objectiveId: objective.id, title: '创作者留存率提升15%', startValue: '0.40', targetValue: '0.46', unit: null, ownerId: lead.userId });
    const elsewhere = await createObjective(app, org, { cycleId, title: '别组的目标' });
    const kr3 = await createKeyResult(app, org, { objectiveId: elsewhere.id, title: '别组的 KR', ownerId: lead.userId });
    for (const kr of [kr1, kr2, kr3]) await sql(`UPDATE key_results SET created_at = '2026-10-01T00:00:00Z' WHERE id = $1`, [uuidOf(kr.id)]);
    const steps: Array<[typeof kr1, string, number, string, string]> = [
      [kr1, '1060', 0.8, '2026-11-10T09:00:00Z', '起步'], // before the week
      [kr1, '1120', 0.6, '2026-11-18T10:00:00Z', '投放延迟'], // in the week
      [kr1, '1200', 0.9, '2026-11-25T10:00:00Z', '恢复'], // after the week
      [kr2, '0.43', 0.9, '2026-11-09T09:00:00Z', '稳定'], // before: KR2 does not move in the week
      [kr3, '1100', 0.5, '2026-11-18T11:00:00Z', '别组'], // in the week, but not the squad's
    ];
    for (const [kr, value, confidence, at, note] of steps) {
      const done = ok(await checkIn(app, lead, kr.id, kr.version, value, confidence, note)).checkInKeyResult;
      kr.version = done.keyResult.version;
      await backdate('check_ins', 'created_at', done.checkIn.id, at);
    }

    // Tasks of the squad.
    const task = async (title: string, dueOn: string, assigneeId: string | null, opts: { doneAt?: string; squadId?: string } = {}) => {
      const t = await createTask(app, org, { title, squadId: opts.squadId ?? squad, dueOn, assigneeId });
      await sql(`UPDATE tasks SET created_at = '2026-11-01T00:00:00Z' WHERE id = $1`, [uuidOf(t.id)]);
      if (opts.doneAt) await setTaskDone(org, t.id, opts.doneAt);
    };
    await task('整理创作者激励名单', '2026-11-20', member.userId, { doneAt: '2026-11-19T09:00:00Z' }); // done in the week
    await task('上线分发算法 AB 实验', '2026-11-18', lead.userId); // overdue
    await task('复盘会议纪要', '2026-11-22', null); // due on Sunday, not done: overdue
    await task('下周的任务', '2026-11-23', null); // due after the week
    await task('上周完成的任务', '2026-11-10', member.userId, { doneAt: '2026-11-12T09:00:00Z' }); // done before
    await task('迟到的任务', '2026-11-16', member.userId, { doneAt: '2026-11-25T09:00:00Z' }); // done after the week: overdue at its end

    // KPIs: owned by the member (dau) and by the lead (refund_rate); one owned by the outsider.
    await createKpi(app, org, { key: 'dau', name: '日活', ownerId: member.userId, unit: '人' });
    await createKpi(app, org, { key: 'refund_rate', name: '退款率', ownerId: lead.userId, direction: 'LOWER_IS_BETTER', aggregation: 'AVERAGE', thresholds: { warningAbove: '0.05', criticalAbove: '0.1' } });
    await createKpi(app, org, { key: 'other', name: '别人的指标', ownerId: outsider.userId });
    ok(await record(app, org, [
      { kpiKey: 'dau', periodStart: '2026-11-09', value: '1000' },
      { kpiKey: 'dau', periodStart: '2026-11-16', value: '1200' },
      { kpiKey: 'dau', periodStart: '2026-11-23', value: '1500' },
      { kpiKey: 'refund_rate', periodStart: '2026-11-09', value: '0.07' }, // WARNING, resolved below
      { kpiKey: 'other', periodStart: '2026-11-16', value: '1' },
    ]));
    await sql(`UPDATE kpi_alerts SET created_at = '2026-11-10T00:00:00Z'`, []);
    ok(await record(app, org, [
      { kpiKey: 'refund_rate', periodStart: '2026-11-09', value: '0.03' }, // back in range: the WARNING is resolved
      { kpiKey: 'refund_rate', periodStart: '2026-11-16', value: '0.12' }, // CRITICAL, raised in the week
    ]));
    await sql(`UPDATE kpi_alerts SET resolved_at = '2026-11-19T00:00:00Z' WHERE status = 'RESOLVED'`, []);
    await sql(`UPDATE kpi_alerts SET created_at = '2026-11-17T00:00:00Z' WHERE status <> 'RESOLVED'`, []);

    // Budgets: the squad's Q4 budget (92 days) and an organisation-wide one.
    const budget = await createBudget(app, org, { name: 'Q4 小组预算', squadId: squad, periodStart: '2026-10-01', periodEnd: '2026-12-31' });
    const kol = await addBudgetLine(app, org, { budgetId: budget.id, name: 'KOL 合作', planned: '9200.00' });
    const rewards = await addBudgetLine(app, org, { budgetId: budget.id, name: '用户激励', planned: '920.00' });
    for (const [line, amount, day] of [[kol, '300.00', '2026-11-17'], [kol, '150.50', '2026-11-22'], [kol, '999.00', '2026-11-23'], [rewards, '20.00', '2026-11-15']] as const) {
      ok(await recordExpense(app, org, { budgetLineId: line.id, amount, incurredOn: day }));
    }
    const orgWide = await createBudget(app, org, { name: '全公司预算', periodStart: '2026-10-01', periodEnd: '2026-12-31' });
    const line = await addBudgetLine(app, org, { budgetId: orgWide.id, name: '品牌', planned: '100.00' });
    ok(await recordExpense(app, org, { budgetLineId: line.id, amount: '50.00', incurredOn: '2026-11-17' }));
  }, 120_000);

  it('reports the ISO week holding weekOf: check-ins with their confidence changes', async () => {
    const r = ok(await report(f.org, f.squad, '2026-11-19')).squadWeeklyReport;
    expect([r.weekStart, r.weekEnd, r.squad.name]).toEqual(['2026-11-16', '2026-11-22', '创作者增长小组']);
    expect(r.checkIns).toEqual([
      {
        keyResultTitle: '日均发布内容量提升30%',
        unit: '篇/天',
        authorName: '王组长',
        previousValue: '1060',
        value: '1120',
        previousConfidence: 0.8,
        confidence: 0.6,
        note: '投放延迟',
      },
    ]);
    // Any day of the week gives the same week: Monday and Sunday.
    for (const day of ['2026-11-16', '2026-11-22']) {
      const same = ok(await report(f.org, f.squad, day)).squadWeeklyReport;
      expect([same.weekStart, same.weekEnd, same.checkIns.length]).toEqual(['2026-11-16', '2026-11-22', 1]);
    }
  });

  it('lists the key results that moved or turned at risk, with their status at the start and end of the week', async () => {
    const r = ok(await report(f.org, f.squad, '2026-11-19')).squadWeeklyReport;
    expect(r.keyResults).toEqual([
      {
        title: '日均发布内容量提升30%',
        objectiveTitle: '提升用户创作活跃度',
        valueAtStart: '1060',
        valueAtEnd: '1120',
        progressAtStart: 0.2,
        progressAtEnd: 0.4,
        statusAtStart: 'ON_TRACK',
        statusAtEnd: 'AT_RISK',
        moved: true,
        turnedWorse: true,
      },
    ]);
  });

  it('lists tasks done in the week and tasks overdue at its end', async () => {
    const r = ok(await report(f.org, f.squad, '2026-11-19')).squadWeeklyReport;
    expect(r.tasksDone).toEqual([{ title: '整理创作者激励名单', assigneeName: '李成员', dueOn: '2026-11-20', completedAt: '2026-11-19T09:00:00.000Z' }]);
    expect(r.tasksOverdue.map((t: any) => [t.title, t.assigneeName, t.dueOn, t.completedAt])).toEqual([
      ['迟到的任务', '李成员', '2026-11-16', null],
      ['上线分发算法 AB 实验', '王组长', '2026-11-18', null],
      ['复盘会议纪要', null, '2026-11-22', null],
    ]);
  });

  it('gives the squad’s KPIs (owned by its lead or members) at the week’s end against the bucket before, and their alerts raised or resolved in the week', async () => {
    const r = ok(await report(f.org, f.squad, '2026-11-19')).squadWeeklyReport;
    expect(r.kpis).toEqual([
      { key: 'dau', name: '日活', periodStart: '2026-11-16', value: '1200', previousPeriodStart: '2026-11-09', previousValue: '1000', change: '200' },
      { key: 'refund_rate', name: '退款率', periodStart: '2026-11-16', value: '0.12', previousPeriodStart: '2026-11-09', previousValue: '0.03', change: '0.09' },
    ]);
    expect(r.alerts).toEqual([
      { kpiKey: 'refund_rate', level: 'WARNING', status: 'RESOLVED', raisedInWeek: false, resolvedInWeek: true },
      { kpiKey: 'refund_rate', level: 'CRITICAL', status: 'OPEN', raisedInWeek: true, resolvedInWeek: false },
    ]);
  });

  it('gives the spend of the squad’s budget lines in the week against their plan pro rata', async () => {
    const r = ok(await report(f.org, f.squad, '2026-11-19')).squadWeeklyReport;
    // 7 of the budget's 92 days: 9200.00 × 7 / 92 = 700.00, 920.00 × 7 / 92 = 70.00.
    expect(r.spend).toEqual([
      { budgetName: 'Q4 小组预算', lineName: 'KOL 合作', currency: 'CNY', spent: '450.50', planned: '700.00', difference: '-249.50' },
      { budgetName: 'Q4 小组预算', lineName: '用户激励', currency: 'CNY', spent: '0.00', planned: '70.00', difference: '-70.00' },
    ]);
  });

  it('writes Markdown in Chinese or English, by Accept-Language or the language argument', async () => {
    const zh = ok(await report(f.org, f.squad, '2026-11-19', undefined, { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' })).squadWeeklyReport;
    expect(zh.language).toBe('ZH');
    const zhLines = zh.markdown.split('\n');
    expect(zhLines[0]).toBe('## 创作者增长小组 周报(2026-11-16 ~ 2026-11-22)');
    expect(zhLines).toEqual(
      expect.arrayContaining([
        '### OKR 签到',
        '- 日均发布内容量提升30%:1060 → 1120 篇/天, 信心 0.8 → 0.6 (王组长) — 投放延迟',
        '- ⚠️ 日均发布内容量提升30%:1060 → 1120 篇/天 (20% → 40%, 正常 → 有风险)',
        '### 本周完成的任务',
        '- 整理创作者激励名单 (李成员)',
        '- 复盘会议纪要 (未分配, 截止 2026-11-22)',
        '- 日活:1200 人, 上期 1000 (+200)',
      ]),
    );
    expect(zhLines.some((l: string) => l.startsWith('- 🔴 退款率:') && l.endsWith('(触发)'))).toBe(true);
    expect(zhLines).toContain('- Q4 小组预算 / KOL 合作:花费 450.50 CNY, 计划 700.00 CNY (-249.50)');

    const en = ok(await report(f.org, f.squad, '2026-11-19', undefined, { 'accept-language': 'en-US,en;q=0.9,zh-CN;q=0.8' })).squadWeeklyReport;
    expect(en.language).toBe('EN');
    const enLines = en.markdown.split('\n');
    expect(enLines[0]).toBe('## 创作者增长小组 weekly report (2026-11-16 – 2026-11-22)');
    expect(enLines).toEqual(
      expect.arrayContaining([
        '### Check-ins',
        '- 日均发布内容量提升30%: 1060 → 1120 篇/天, confidence 0.8 → 0.6 (王组长) — 投放延迟',
        '- ⚠️ 日均发布内容量提升30%: 1060 → 1120 篇/天 (20% → 40%, on track → at risk)',
        '### Tasks overdue at week end',
        '- 上线分发算法 AB 实验 (王组长, due 2026-11-18)',
        '- 日活: 1200 人, previous 1000 (+200)',
        '- Q4 小组预算 / KOL 合作: spent 450.50 CNY, planned 700.00 CNY (-249.50)',
      ]),
    );
    expect(enLines.some((l: string) => l.startsWith('- 🔴 退款率: ') && l.endsWith('(raised)'))).toBe(true);
    expect(enLines.some((l: string) => l.startsWith('- 🟠 退款率: ') && l.endsWith('(resolved)'))).toBe(true);

    // The argument wins over the header; no header and no argument: Chinese.
    const forced = ok(await report(f.org, f.squad, '2026-11-19', 'EN', { 'accept-language': 'zh-CN' })).squadWeeklyReport;
    expect([forced.language, forced.markdown.split('\n')[0]]).toEqual(['EN', en.markdown.split('\n')[0]]);
    expect(ok(await report(f.org, f.squad, '2026-11-19')).squadWeeklyReport.language).toBe('ZH');
  });

  it('reports an empty week as empty sections (the KPIs without a value yet)', async () => {
    const r = ok(await report(f.org, f.squad, '2026-06-03', 'EN')).squadWeeklyReport;
    expect([r.weekStart, r.weekEnd]).toEqual(['2026-06-01', '2026-06-07']);
    expect([r.checkIns, r.keyResults, r.tasksDone, r.tasksOverdue, r.alerts, r.spend]).toEqual([[], [], [], [], [], []]);
    expect(r.kpis.map((k: any) => [k.key, k.value, k.previousValue])).toEqual([
      ['dau', null, null],
      ['refund_rate', null, null],
    ]);
    const lines = r.markdown.split('\n');
    expect(lines.filter((l: string) => l === '- None')).toHaveLength(6);
    expect(lines).toContain('- 日活: no data');
  });

  it('refuses a weekOf whose week would end after 9999-12-31 (BAD_USER_INPUT naming weekOf)', async () => {
    const r = await report(f.org, f.squad, '9999-12-31');
    expect([errorCode(r), r.errors?.[0].extensions?.field]).toEqual(['BAD_USER_INPUT', 'weekOf']);
    expect(ok(await report(f.org, f.squad, '9999-12-26')).squadWeeklyReport.weekEnd).toBe('9999-12-26');
  });

  it('counts a KPI linked to one of the squad’s key results among its KPIs, whoever owns it', async () => {
    const lead = await addMember(app, f.org, 'SQUAD_LEAD', '链接组长'); // owns no KPI
    const squad = await createSquad(app, f.org, lead.userId, '链接小组');
    const cycleId = await createCycle(app, f.org, { startsOn: '2026-10-01', endsOn: '2026-12-31' });
    const objective = await createObjective(app, f.org, { cycleId, squadId: squad, title: '链接目标' });
    const kpi = await createKpi(app, f.org, { key: 'linked_signups', name: '注册数', ownerId: f.outsider.userId });
    await createKpi(app, f.org, { key: 'unlinked', name: '无关指标', ownerId: f.outsider.userId });
    ok(await record(app, f.org, [{ kpiKey: 'linked_signups', periodStart: '2026-11-16', value: '42' }]));
    await createKeyResult(app, f.org, { objectiveId: objective.id, title: '注册数达到 100', startValue: '0', targetValue: '100', kpiId: kpi.id });
    const r = ok(await report(f.org, squad, '2026-11-19')).squadWeeklyReport;
    expect(r.kpis).toEqual([
      { key: 'linked_signups', name: '注册数', periodStart: '2026-11-16', value: '42', previousPeriodStart: '2026-11-09', previousValue: null, change: null },
    ]);
  });

  it('is for OWNER/ADMIN, FINANCE, API tokens and the squad’s lead and members; others FORBIDDEN, another organisation’s squad NOT_FOUND', async () => {
    for (const who of [f.lead, f.member]) expect(ok(await report(who, f.squad, '2026-11-19')).squadWeeklyReport.checkIns).toHaveLength(1);
    expect(errorCode(await report(f.outsider, f.squad, '2026-11-19'))).toBe('FORBIDDEN');
    const finance = await addMember(app, f.org, 'FINANCE', '财务');
    const viaFinance = ok(await report(finance, f.squad, '2026-11-19')).squadWeeklyReport;
    expect([viaFinance.checkIns.length, viaFinance.spend.length]).toEqual([1, 2]);
    const token = ok(
      await app.gql(`mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { secret } }`, { i: { name: '看板', scopes: ['READ'] } }, f.org),
    ).createApiToken.secret;
    const viaToken = ok(await report({ token, organizationId: f.org.organizationId }, f.squad, '2026-11-19')).squadWeeklyReport;
    expect(viaToken.spend).toHaveLength(2);
    const foreign = await report(other, f.squad, '2026-11-19');
    expect([errorCode(foreign), foreign.data]).toEqual(['NOT_FOUND', null]);
  });

  it('answers in the same number of SQL statements for a squad with 1 or 6 of everything', async () => {
    // Each squad with its own lead, who owns its KPIs.
    const leadS = await addMember(app, f.org, 'SQUAD_LEAD', '组长 S');
    const leadL = await addMember(app, f.org, 'SQUAD_LEAD', '组长 L');
    const small = await createSquad(app, f.org, leadS.userId, '小组 S');
    const large = await createSquad(app, f.org, leadL.userId, '小组 L');
    await fill(f, small, leadS.userId, 1, 's');
    await fill(f, large, leadL.userId, 6, 'l');
    const s = await report(f.org, small, '2026-11-19');
    const l = await report(f.org, large, '2026-11-19');
    const rs = ok(s).squadWeeklyReport;
    const rl = ok(l).squadWeeklyReport;
    expect([rs.checkIns.length, rs.keyResults.length, rs.tasksDone.length, rs.tasksOverdue.length, rs.kpis.length, rs.alerts.length, rs.spend.length]).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect([rl.checkIns.length, rl.keyResults.length, rl.tasksDone.length, rl.tasksOverdue.length, rl.kpis.length, rl.alerts.length, rl.spend.length]).toEqual([6, 6, 6, 6, 6, 6, 6]);
    expect(l.statements).toBe(s.statements);
    expect(s.statements).toBe(EXPECTED_STATEMENTS);
    // A lead reads the squad's members for the access check through the loader the KPI part uses: no more statements.
    expect((await report(leadL, large, '2026-11-19')).statements).toBe(EXPECTED_STATEMENTS);
  }, 120_000);

  // Last: it moves this organisation's rows.
  it('never shows another organisation’s rows, even pointing at the squad', async () => {
    const theirLead = other.userId;
    const theirSquad = await createSquad(app, other, theirLead, '别的小组');
    const theirs = uuidOf(theirSquad);
    const org = (await sql(`SELECT organization_id FROM squads WHERE id = $1`, [uuidOf(f.squad)]))[0].organization_id;
    for (const table of ['objectives', 'tasks', 'budgets']) await sql(`UPDATE ${table} SET squad_id = $1 WHERE organization_id = $2`, [theirs, org]);
    await sql(`UPDATE kpis SET owner_id = (SELECT lead_id FROM squads WHERE id = $1) WHERE organization_id = $2`, [theirs, org]);
    const r = ok(await report(other, theirSquad, '2026-11-19')).squadWeeklyReport;
    expect([r.checkIns, r.keyResults, r.tasksDone, r.tasksOverdue, r.kpis, r.alerts, r.spend]).toEqual([[], [], [], [], [], [], []]);
  });
});

/**
 * The session (1), the squad (1), its members (1: the KPIs' owners; the access check of a lead or
 * member reads them through the same loader), the KPIs its key results follow (1), one statement
 * per part through each module's front door: check-ins, key results, tasks, KPIs, alerts, spend
 * (6), then the names of authors and assignees in one batch (1).
 */
const EXPECTED_STATEMENTS = 11;
