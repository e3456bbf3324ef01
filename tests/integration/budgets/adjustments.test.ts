import { decodeGlobalId } from '../../../src/common/ids';
import { addMember } from '../../support/factories';
import { addBudgetLine, createBudget, recordExpense, squadBudgetWorld } from '../../support/budgets';
import { errorCode, ok, startTestApp, type Caller, type TestApp } from '../../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const uuid = (id: string) => decodeGlobalId(id)?.id ?? id;
const REQUEST = `mutation($i: RequestBudgetAdjustmentInput!) { requestBudgetAdjustment(input: $i) {
  budgetAdjustment { id status amount fastTrack dueAt overdue requestedBy { id } fromLine { id } toLine { id } budget { id } } } }`;
const APPROVE = `mutation($i: DecideBudgetAdjustmentInput!) { approveBudgetAdjustment(input: $i) { budgetAdjustment { id status note decidedAt decidedBy { id } } } }`;
const REJECT = `mutation($i: DecideBudgetAdjustmentInput!) { rejectBudgetAdjustment(input: $i) { budgetAdjustment { id status note decidedBy { id } } } }`;
const BUDGET = `query($id: ID!) { budget(id: $id) { planned spent lines { id name planned spent remaining reserveDrawn toleratedLossAmount } } }`;

const world = () => squadBudgetWorld(app);

describe('budget adjustments', () => {
  it('a squad lead requests, FINANCE approves: the money moves atomically; the requester never decides', async () => {
    const { org, finance, lead, budget, media, rewards } = await world();
    ok(await recordExpense(app, lead, { budgetLineId: media.id, amount: '700' }));
    const tooMuch = await app.gql(REQUEST, { i: { budgetId: budget.id, fromLineId: media.id, toLineId: rewards.id, amount: '300.01', reason: '激励不够' } }, lead);
    expect(tooMuch.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'amount' } });
    expect(tooMuch.errors![0].message).toMatch(/300 CNY left/);
    const requested = ok(await app.gql(REQUEST, { i: { budgetId: budget.id, fromLineId: media.id, toLineId: rewards.id, amount: '200', reason: '激励不够' } }, lead))
      .requestBudgetAdjustment.budgetAdjustment;
    expect(requested).toMatchObject({ status: 'PENDING', amount: '200.00', fastTrack: false, overdue: false, requestedBy: { id: lead.userId }, fromLine: { id: media.id } });

    // The lead cannot decide (role), nor FINANCE on their own request.
    expect(errorCode(await app.gql(APPROVE, { i: { id: requested.id } }, lead))).toBe('FORBIDDEN');
    const own = ok(await app.gql(REQUEST, { i: { budgetId: budget.id, toLineId: rewards.id, amount: '50', reason: '自己' } }, finance)).requestBudgetAdjustment.budgetAdjustment;
    const self = await app.gql(APPROVE, { i: { id: own.id } }, finance);
    expect(errorCode(self)).toBe('FORBIDDEN');
    expect(self.errors![0].message).toMatch(/You requested this adjustment/);

    const approved = ok(await app.gql(APPROVE, { i: { id: requested.id, note: '同意' } }, finance)).approveBudgetAdjustment.budgetAdjustment;
    expect(approved).toMatchObject({ status: 'APPROVED', note: '同意', decidedBy: { id: finance.userId } });
    const after = ok(await app.gql(BUDGET, { id: budget.id }, lead)).budget;
    expect(after.planned).toBe('1500.00');
    expect(after.lines).toEqual([
      expect.objectContaining({ name: '媒体投放', planned: '800.00', spent: '700.00', remaining: '100.00' }),
      expect.objectContaining({ name: '用户激励', planned: '700.00', remaining: '700.00' }),
    ]);
    expect(errorCode(await app.gql(APPROVE, { i: { id: requested.id } }, org))).toBe('INVALID_TRANSITION');

    // Raising the budget (no fromLine), approved by the OWNER: the total grows.
    ok(await app.gql(APPROVE, { i: { id: own.id } }, org));
    expect(ok(await app.gql(BUDGET, { id: budget.id }, lead)).budget.planned).toBe('1550.00');
  });

  it('approval re-checks what the source has left; a rejection moves nothing', async () => {
    const { finance, lead, budget, media, rewards } = await world();
    const adj = ok(await app.gql(REQUEST, { i: { budgetId: budget.id, fromLineId: media.id, toLineId: rewards.id, amount: '600', reason: '转移' } }, lead))
      .requestBudgetAdjustment.budgetAdjustment;
    ok(await recordExpense(app, lead, { budgetLineId: media.id, amount: '500' }));
    const refused = await app.gql(APPROVE, { i: { id: adj.id } }, finance);
    expect(refused.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amount' });
    const rejected = ok(await app.gql(REJECT, { i: { id: adj.id, note: '钱已花出' } }, finance)).rejectBudgetAdjustment.budgetAdjustment;
    expect(rejected).toMatchObject({ status: 'REJECTED', note: '钱已花出', decidedBy: { id: finance.userId } });
    const after = ok(await app.gql(BUDGET, { id: budget.id }, lead)).budget;
    expect(after.lines.map((l: any) => l.planned)).toEqual(['1000.00', '500.00']);
    expect(errorCode(await app.gql(REJECT, { i: { id: adj.id } }, finance))).toBe('INVALID_TRANSITION');
  });

  it('fast track: the organisation’s deadline; overdue requests come first in approvers’ myWork and in the overdue filter', async () => {
    const { org, finance, lead, budget, media, rewards } = await world();
    const SETTINGS = `mutation($i: SetBudgetSettingsInput!) { setBudgetSettings(input: $i) { settings { fastTrackDecisionHours } } }`;
    expect(ok(await app.gql(`{ budgetSettings { fastTrackDecisionHours } }`, {}, lead)).budgetSettings.fastTrackDecisionHours).toBe(24);
    expect(errorCode(await app.gql(SETTINGS, { i: { fastTrackDecisionHours: 4 } }, lead))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(SETTINGS, { i: { fastTrackDecisionHours: 0 } }, finance))).toBe('BAD_USER_INPUT');
    ok(await app.gql(SETTINGS, { i: { fastTrackDecisionHours: 4 } }, finance));

    const slow = ok(await app.gql(REQUEST, { i: { budgetId: budget.id, fromLineId: media.id, toLineId: rewards.id, amount: '10', reason: '普通' } }, lead))
      .requestBudgetAdjustment.budgetAdjustment;
    const fast = ok(await app.gql(REQUEST, { i: { budgetId: budget.id, fromLineId: media.id, toLineId: rewards.id, amount: '20', reason: '快速', fastTrack: true } }, lead))
      .requestBudgetAdjustment.budgetAdjustment;
    const hours = (a: { dueAt: string }) => (Date.parse(a.dueAt) - Date.now()) / 3_600_000;
    expect(hours(fast)).toBeGreaterThan(3.9);
    expect(hours(fast)).toBeLessThanOrEqual(4);
    expect(hours(slow)).toBeGreaterThan(24 * 7 - 0.1);

    // The fast one's deadline passes.
    await app.ds.query(`UPDATE budget_adjustments SET due_at = now() - interval '2 days' WHERE id = $1`, [uuid(fast.id)]);
    const overdue = ok(await app.gql(`{ budgetAdjustments(filter: { overdue: true }) { totalCount nodes { id overdue } } }`, {}, finance)).budgetAdjustments;
    expect(overdue).toEqual({ totalCount: 1, nodes: [{ id: fast.id, overdue: true }] });
    const onBudget = ok(await app.gql(`query($id: ID!) { budget(id: $id) { adjustments(filter: { overdue: false }) { nodes { id } } } }`, { id: budget.id }, finance)).budget;
    expect(onBudget.adjustments.nodes).toEqual([{ id: slow.id }]);

    const WORK = `{ myWork(first: 10) { totalCount nodes { kind reason subject { id } } } }`;
    for (const approver of [finance, org]) {
      const work = ok(await app.gql(WORK, {}, approver)).myWork;
      const mine = work.nodes.filter((n: any) => n.kind === 'BUDGET_ADJUSTMENT_PENDING');
      expect(mine.map((n: any) => n.subject.id)).toEqual([fast.id, slow.id]);
      expect(mine[0].reason).toMatch(/fast-track .*overdue since/);
    }
    // The requester and non-approvers get none.
    const leadWork = ok(await app.gql(WORK, {}, lead)).myWork.nodes.filter((n: any) => n.kind === 'BUDGET_ADJUSTMENT_PENDING');
    expect(leadWork).toEqual([]);
    ok(await app.gql(APPROVE, { i: { id: fast.id } }, finance));
    const left = ok(await app.gql(WORK, {}, finance)).myWork.nodes.filter((n: any) => n.kind === 'BUDGET_ADJUSTMENT_PENDING');
    expect(left.map((n: any) => n.subject.id)).toEqual([slow.id]);
  });

  it('myWork shows a pending adjustment only to those who may decide it: not to a MEMBER nor to another SQUAD_LEAD', async () => {
    const { org, finance, lead, budget, media, rewards } = await world();
    const member = await addMember(app, org, 'MEMBER');
    const otherLead = await addMember(app, org, 'SQUAD_LEAD');
    const requested = ok(await app.gql(REQUEST, { i: { budgetId: budget.id, fromLineId: media.id, toLineId: rewards.id, amount: '10', reason: '补充激励' } }, lead))
      .requestBudgetAdjustment.budgetAdjustment;
    const WORK = `{ myWork(first: 20) { totalCount nodes { kind subject { id } } } }`;
    const pending = async (who: Caller) => {
      const work = ok(await app.gql(WORK, {}, who)).myWork;
      return { ids: work.nodes.filter((n: any) => n.kind === 'BUDGET_ADJUSTMENT_PENDING').map((n: any) => n.subject.id), total: work.totalCount };
    };
    expect(await pending(finance)).toEqual({ ids: [requested.id], total: 1 });
    expect(await pending(org)).toEqual({ ids: [requested.id], total: 1 });
    for (const who of [member, otherLead, lead]) expect(await pending(who)).toEqual({ ids: [], total: 0 });
  });

  it('squads draw from a reserve pool through adjustments; its draw and tolerated loss are reported', async () => {
    const { org, finance, lead, budget, rewards } = await world();
    const orgBudget = await createBudget(app, finance, { name: '组织预算' });
    const pool = await addBudgetLine(app, finance, { budgetId: orgBudget.id, name: '实验资源池', planned: '5000', reservePool: true, toleratedLoss: '0.3' });
    const plain = await addBudgetLine(app, finance, { budgetId: orgBudget.id, name: '普通线', planned: '100' });
    expect(errorCode(await app.gql(REQUEST, { i: { budgetId: budget.id, fromLineId: plain.id, toLineId: rewards.id, amount: '10.00', reason: 'x' } }, lead))).toBe('BAD_USER_INPUT');
    const usd = await createBudget(app, finance, { name: 'USD', currency: 'USD' });
    const usdPool = await addBudgetLine(app, finance, { budgetId: usd.id, name: 'USD pool', planned: '100', reservePool: true });
    const cross = await app.gql(REQUEST, { i: { budgetId: budget.id, fromLineId: usdPool.id, toLineId: rewards.id, amount: '10', reason: 'x' } }, lead);
    expect(cross.errors![0].message).toMatch(/different currencies/);

    const draw = ok(await app.gql(REQUEST, { i: { budgetId: budget.id, fromLineId: pool.id, toLineId: rewards.id, amount: '2000', reason: '实验' } }, lead))
      .requestBudgetAdjustment.budgetAdjustment;
    ok(await app.gql(APPROVE, { i: { id: draw.id } }, org));
    const orgAfter = ok(await app.gql(BUDGET, { id: orgBudget.id }, finance)).budget;
    expect(orgAfter.planned).toBe('3100.00');
    expect(orgAfter.lines[0]).toMatchObject({ planned: '3000.00', reserveDrawn: '2000.00', toleratedLossAmount: '600.00' });
    expect(orgAfter.lines[1]).toMatchObject({ reserveDrawn: null, toleratedLossAmount: null });
    expect(ok(await app.gql(BUDGET, { id: budget.id }, finance)).budget.planned).toBe('3500.00');
    const bad = await app.gql(`mutation($i: AddBudgetLineInput!) { addBudgetLine(input: $i) { budgetLine { id } } }`, {
      i: { budgetId: orgBudget.id, name: 'x', category: 'c', kind: 'FIXED', planned: '1', toleratedLoss: '0.3' },
    }, finance);
    expect(bad.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'toleratedLoss' });
  });

  it('approvals running at once on one source line never give away more than it has', async () => {
    const { org, finance, lead, budget, media, rewards } = await world();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      ids.push(ok(await app.gql(REQUEST, { i: { budgetId: budget.id, fromLineId: media.id, toLineId: rewards.id, amount: '300', reason: `#${i}` } }, lead))
        .requestBudgetAdjustment.budgetAdjustment.id);
    }
    const results = await Promise.all(ids.map((id, i) => app.gql(APPROVE, { i: { id } }, i % 2 ? finance : org)));
    expect(results.filter((r) => !r.errors)).toHaveLength(3);
    const after = ok(await app.gql(BUDGET, { id: budget.id }, lead)).budget;
    expect(after.lines.map((l: any) => l.planned)).toEqual(['100.00', '1400.00']);
    expect(after.planned).toBe('1500.00');
  });
});
