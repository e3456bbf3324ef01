import { toGlobalId } from '../../../src/common/ids';
import { addDays } from '../../../src/common/periods';
import { demoCalendar } from '../../../seeds/calendar';
import { seedDemo } from '../../../seeds/demo';
import { DEMO } from '../../../seeds/ids';
import { DEMO_DAYS, logInDemo } from '../../support/demo';
import { ok, startTestApp, type TestApp } from '../../support/test-app';

describe.each(DEMO_DAYS)('demo seed loaded on %s', (today) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.stop());

  it("loads the current quarter's content-platform plan once, consistent with the rules", async () => {
    expect(await seedDemo(app.ds, today)).toBe(true);
    expect(await seedDemo(app.ds, today)).toBe(false);
    const cal = demoCalendar(today);
    const [{ n }] = await app.ds.query(`SELECT count(*)::int AS n FROM tasks WHERE organization_id = $1`, [DEMO.organizationId]);
    expect(n).toBe(8); // the plan's 7 and the 超级品牌日 review's action (seeds/campaigns.ts)

    const lead = await logInDemo(app, DEMO.users.lead.email);
    const squad = ok(
      await app.gql(
        `query($id: ID!) { squad(id: $id) { name lead { displayName } members { function }
          sprints(first: 5) { nodes { name startsOn endsOn closedAt } }
          objectives(first: 5) { nodes { title cycle { name startsOn endsOn } progress keyResults { title progress currentValue version checkIns(first: 5) { totalCount nodes { createdAt } } } } } } }`,
        { id: toGlobalId('Squad', DEMO.plan.squadCreators) },
        lead,
      ),
    ).squad;
    expect(squad).toMatchObject({ name: '创作者增长小组', lead: { displayName: '张伟' } });
    // This month's sprint is current, last month's closed.
    const month = Number(today.slice(5, 7));
    expect(squad.sprints.nodes).toEqual([
      { name: `${month}月：内容分发算法优化`, startsOn: cal.month.start, endsOn: cal.month.end, closedAt: null },
      { name: `${month === 1 ? 12 : month - 1}月：创作者激励计划`, startsOn: cal.previousMonth.start, endsOn: cal.previousMonth.end, closedAt: expect.any(String) },
    ]);
    expect(cal.month.start <= today && today <= cal.month.end).toBe(true);
    const [objective] = squad.objectives.nodes;
    expect(objective.title).toBe('提升用户创作活跃度');
    // The cycle is the quarter holding today.
    expect(objective.cycle).toEqual({ name: cal.quarter.name, startsOn: cal.quarter.start, endsOn: cal.quarter.end });
    expect(cal.quarter.start <= today && today <= cal.quarter.end).toBe(true);
    expect(objective.keyResults).toMatchObject([
      { title: '日均发布内容量提升30%', progress: expect.closeTo(1600 / 3000, 12), currentValue: '11600', version: 3, checkIns: { totalCount: 2 } },
      { title: '创作者留存率提升15%', progress: 0.25, currentValue: '41.5', version: 2, checkIns: { totalCount: 1 } },
    ]);
    expect(objective.progress).toBeCloseTo((1600 / 3000 + 0.25) / 2, 12);
    // Check-ins spread over the quarter so far: none before it starts or after today, on two different days.
    const days = objective.keyResults.flatMap((kr: any) => kr.checkIns.nodes.map((c: any) => c.createdAt.slice(0, 10)));
    for (const day of days) expect(day >= cal.quarter.start && day <= today).toBe(true);
    expect(new Set(days).size).toBe(2);

    // Tasks due around today: last month's done, two open ones overdue, the other three not.
    const tasks: Array<{ status: string; due: string }> = await app.ds.query(
      `SELECT status, to_char(due_on, 'YYYY-MM-DD') AS due FROM tasks WHERE organization_id = $1`,
      [DEMO.organizationId],
    );
    const open = tasks.filter((t) => t.status !== 'DONE');
    expect(open).toHaveLength(5);
    expect(open.filter((t) => t.due < today)).toHaveLength(2);
    for (const t of open) expect(t.due >= addDays(today, -3) && t.due <= addDays(today, 14)).toBe(true);
    for (const t of tasks.filter((t) => t.status === 'DONE')) expect(t.due >= cal.previousMonth.start && t.due <= cal.previousMonth.end).toBe(true);

    // The team member can check in on the key result they own, with the seeded version.
    const member = await logInDemo(app, DEMO.users.member.email);
    const checkedIn = ok(
      await app.gql(`mutation($i: CheckInKeyResultInput!) { checkInKeyResult(input: $i) { keyResult { progress version } } }`, {
        i: { keyResultId: toGlobalId('KeyResult', DEMO.plan.krRetention), value: '43', confidence: 0.6, expectedVersion: 2 },
      }, member),
    ).checkInKeyResult.keyResult;
    expect(checkedIn).toEqual({ progress: 0.5, version: 3 });
    const english = ok(await app.gql(`{ squads(first: 10) { nodes { name } } }`, {}, member)).squads.nodes.map((s: { name: string }) => s.name);
    expect(english).toEqual(expect.arrayContaining(['创作者增长小组', 'Checkout Conversion Squad']));
  });
});
