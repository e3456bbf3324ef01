import type { PlanningEventType } from '../../../src/common/event-types';
import type { TestOrg } from '../../support/factories';
import { ok, type GqlResult, type TestApp } from '../../support/test-app';
import { sopCases } from './sops';

/**
 * One case per subscription field, for the subscription contract test. A new subscription
 * field fails that test until it has a case here: how to make the change it announces, what the
 * event must then show, and a change of that kind that rolls back.
 */

export type Gql = Pick<TestApp, 'gql'>;

/** What a case's setup built (ids and versions the triggers need). */
export type World = Record<string, any>;

export interface SubscriptionCase {
  /** The subscription operation; its root field is the case's field. */
  document: string;
  variables?: (w: World) => Record<string, unknown>;
  /** Builds what the triggers need, as the organisation's OWNER; `forUser` is the subscriber's user id. */
  setup(gql: Gql, owner: TestOrg, forUser: string): Promise<World>;
  /**
   * Makes the n-th change the subscription announces (n = 1, 2, 3) and returns what the
   * event's data must then contain (compared with toMatchObject): the second event must show
   * the second change's data, not a cached first one.
   */
  trigger(gql: Gql, owner: TestOrg, w: World, n: number): Promise<Record<string, unknown>>;
  /**
   * The same kind of change, carrying ROLLBACK_MARKER in a text field: the contract test makes
   * any transaction whose audit event contains the marker fail at COMMIT (a deferred trigger on
   * audit_events), i.e. after the change was recorded and its event queued. It must publish nothing.
   */
  rolledBack(gql: Gql, owner: TestOrg, w: World): Promise<GqlResult>;
  /**
   * One change per event type the field listens to (its `planningSubscription` list), keyed by
   * the type: the contract test makes each, as the OWNER who built the world (and is `forUser`),
   * and expects the type announced on planningEvents and the field (without filter) to deliver
   * it. A type of the field's list missing here, or one that is never announced, fails the test.
   * planningEvents, which listens to every type, has none.
   */
  announces?: Partial<Record<PlanningEventType, Announce>>;
}

/** Makes a change that announces one event type (after `prepare`, run before subscribing, when the change needs something first). */
export type Announce = AnnounceFn | { prepare: AnnounceFn; announce: AnnounceFn };
export type AnnounceFn = (gql: Gql, owner: TestOrg, w: World) => Promise<unknown>;

/** Text that makes a change's transaction fail at commit (see the contract test). */
export const ROLLBACK_MARKER = 'ROLLBACK-AT-COMMIT';

const CREATE_SQUAD = `mutation($i: CreateSquadInput!) { createSquad(input: $i) { squad { id } } }`;
const CREATE_CYCLE = `mutation($i: CreateCycleInput!) { createCycle(input: $i) { cycle { id } } }`;
const CREATE_OBJECTIVE = `mutation($i: CreateObjectiveInput!) { createObjective(input: $i) { objective { id } } }`;
const CREATE_KR = `mutation($i: CreateKeyResultInput!) { createKeyResult(input: $i) { keyResult { id version } } }`;
const CHECK_IN = `mutation($i: CheckInKeyResultInput!) {
  checkInKeyResult(input: $i) { checkIn { id value } keyResult { id currentValue progress version objective { id progress } } } }`;
const CREATE_TASK = `mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id title version } } }`;
const UPDATE_TASK = `mutation($i: UpdateTaskInput!) { updateTask(input: $i) { task { id title version } } }`;

const CREATE_BUDGET = `mutation($i: CreateBudgetInput!) { createBudget(input: $i) { budget { id } } }`;
const CREATE_CAMPAIGN = `mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id } } }`;
const RECORD_EXPENSE = `mutation($i: RecordExpenseInput!) { recordExpense(input: $i) { expense { id } } }`;
async function addLine(gql: Gql, owner: TestOrg, budgetId: string, name: string, planned: string): Promise<string> {
  return ok(
    await gql.gql(`mutation($i: AddBudgetLineInput!) { addBudgetLine(input: $i) { budgetLine { id } } }`, {
      i: { budgetId, name, category: 'media', kind: 'VARIABLE', planned },
    }, owner),
  ).addBudgetLine.budgetLine.id;
}

/** A squad, a cycle, an objective and one key result (1000 → 1300) owned by `forUser`. */
async function okrWorld(gql: Gql, owner: TestOrg, forUser: string): Promise<World> {
  const year = new Date().getUTCFullYear();
  const squadId = ok(await gql.gql(CREATE_SQUAD, { i: { name: '增长小组', leadId: owner.userId } }, owner)).createSquad.squad.id;
  const cycleId = ok(
    await gql.gql(CREATE_CYCLE, { i: { name: `C-${Math.random().toString(36).slice(2, 8)}`, startsOn: `${year - 1}-01-01`, endsOn: `${year + 1}-12-31` } }, owner),
  ).createCycle.cycle.id;
  const objectiveId = ok(await gql.gql(CREATE_OBJECTIVE, { i: { title: '提升用户创作活跃度', cycleId, squadId } }, owner)).createObjective.objective.id;
  const kr = ok(
    await gql.gql(CREATE_KR, { i: { objectiveId, title: '日均发布内容量', kind: 'INCREASE_TO', startValue: '1000', targetValue: '1300', ownerId: forUser } }, owner),
  ).createKeyResult.keyResult;
  return { squadId, cycleId, objectiveId, keyResultId: kr.id, version: kr.version };
}

/** The n-th check-in (value 1000 + 100·n); keeps the world's version current. */
async function checkIn(gql: Gql, owner: TestOrg, w: World, n: number) {
  const res = ok(await gql.gql(CHECK_IN, { i: { keyResultId: w.keyResultId, value: String(1000 + 100 * n), confidence: 0.8, expectedVersion: w.version } }, owner));
  w.version = res.checkInKeyResult.keyResult.version;
  return res.checkInKeyResult;
}

/** A check-in that is recorded, then fails at commit. */
const rolledBackCheckIn = (gql: Gql, owner: TestOrg, w: World) =>
  gql.gql(CHECK_IN, { i: { keyResultId: w.keyResultId, value: '1999', confidence: 0.1, note: ROLLBACK_MARKER, expectedVersion: w.version } }, owner);

const CREATE_KPI = `mutation($i: CreateKpiInput!) { createKpi(input: $i) { kpi { id key } } }`;
const RECORD_MEASUREMENTS = `mutation($i: RecordMeasurementsInput!) { recordMeasurements(input: $i) { alertsRaised } }`;
/** The Monday of the n-th week of 2026. */
const kpiWeek = (n: number) => new Date(Date.UTC(2026, 0, 5 + 7 * n)).toISOString().slice(0, 10);

export const subscriptionCases: Record<string, SubscriptionCase> = {
  planningEvents: {
    // Only the trigger's type: the setup's own events (KEY_RESULT_CREATED...) cross to the other
    // process after their commit and, on a loaded machine, may reach a subscription opened after
    // the setup returned (seen in CI). Delivery of each type is the `announces` test's.
    document: `subscription { planningEvents(filter: { types: [TASK_CREATED] }) { type entityType entityId } }`,
    setup: okrWorld,
    async trigger(gql, owner, w, n) {
      const task = ok(await gql.gql(CREATE_TASK, { i: { title: `任务 ${n}`, squadId: w.squadId } }, owner)).createTask.task;
      return { planningEvents: { type: 'TASK_CREATED', entityType: 'Task', entityId: task.id } };
    },
    rolledBack: (gql, owner, w) => gql.gql(CREATE_TASK, { i: { title: ROLLBACK_MARKER, squadId: w.squadId } }, owner),
  },

  keyResultCheckedIn: {
    document: `subscription($f: KeyResultCheckedInFilter) { keyResultCheckedIn(filter: $f) {
      checkIn { id value } keyResult { id currentValue progress version } } }`,
    variables: (w) => ({ f: { objectiveId: w.objectiveId } }),
    setup: okrWorld,
    async trigger(gql, owner, w, n) {
      const done = await checkIn(gql, owner, w, n);
      const { objective: _o, ...keyResult } = done.keyResult;
      return { keyResultCheckedIn: { checkIn: done.checkIn, keyResult } };
    },
    rolledBack: rolledBackCheckIn,
    announces: { KEY_RESULT_CHECKED_IN: (gql, owner, w) => checkIn(gql, owner, w, 9) },
  },

  objectiveProgressChanged: {
    document: `subscription($f: ObjectiveProgressChangedFilter) { objectiveProgressChanged(filter: $f) { id progress } }`,
    variables: (w) => ({ f: { cycleId: w.cycleId } }),
    setup: okrWorld,
    async trigger(gql, owner, w, n) {
      const done = await checkIn(gql, owner, w, n);
      return { objectiveProgressChanged: done.keyResult.objective };
    },
    rolledBack: rolledBackCheckIn,
    announces: { OBJECTIVE_PROGRESS_CHANGED: (gql, owner, w) => checkIn(gql, owner, w, 9) },
  },

  taskAssigned: {
    document: `subscription { taskAssigned { id title version } }`,
    async setup(gql, owner, forUser) {
      const squadId = ok(await gql.gql(CREATE_SQUAD, { i: { name: '任务小组', leadId: owner.userId } }, owner)).createSquad.squad.id;
      return { squadId, forUser };
    },
    async trigger(gql, owner, w, n) {
      const task = ok(await gql.gql(CREATE_TASK, { i: { title: `分配给你 ${n}`, squadId: w.squadId, assigneeId: w.forUser } }, owner)).createTask.task;
      return { taskAssigned: task };
    },
    rolledBack: (gql, owner, w) => gql.gql(CREATE_TASK, { i: { title: ROLLBACK_MARKER, squadId: w.squadId, assigneeId: w.forUser } }, owner),
    announces: { TASK_ASSIGNED: (gql, owner, w) => gql.gql(CREATE_TASK, { i: { title: '分配', squadId: w.squadId, assigneeId: w.forUser } }, owner).then(ok) },
  },

  taskChanged: {
    document: `subscription($f: TaskChangedFilter) { taskChanged(filter: $f) { id title status version assignee { id } squad { id } } }`,
    variables: (w) => ({ f: { squadId: w.squadId } }),
    async setup(gql, owner, forUser) {
      const squadId = ok(await gql.gql(CREATE_SQUAD, { i: { name: '看板小组', leadId: owner.userId } }, owner)).createSquad.squad.id;
      const task = ok(await gql.gql(CREATE_TASK, { i: { title: '看板任务', squadId, assigneeId: forUser } }, owner)).createTask.task;
      return { squadId, forUser, taskId: task.id, version: task.version };
    },
    /** The n-th new title of the board's task: the event shows it, fresh after commit. */
    async trigger(gql, owner, w, n) {
      const task = ok(await gql.gql(UPDATE_TASK, { i: { id: w.taskId, expectedVersion: w.version, title: `看板任务 ${n}` } }, owner)).updateTask.task;
      w.version = task.version;
      return { taskChanged: { id: w.taskId, title: `看板任务 ${n}`, status: 'TODO', version: task.version, assignee: { id: w.forUser }, squad: { id: w.squadId } } };
    },
    rolledBack: (gql, owner, w) => gql.gql(UPDATE_TASK, { i: { id: w.taskId, expectedVersion: w.version, title: ROLLBACK_MARKER } }, owner),
    announces: {
      TASK_CREATED: (gql, owner, w) => gql.gql(CREATE_TASK, { i: { title: '新看板任务', squadId: w.squadId } }, owner).then(ok),
      async TASK_UPDATED(gql, owner, w) {
        const version = ok(await gql.gql(`query($id: ID!) { node(id: $id) { ... on Task { version } } }`, { id: w.taskId }, owner)).node.version;
        ok(await gql.gql(UPDATE_TASK, { i: { id: w.taskId, expectedVersion: version, description: '更新' } }, owner));
      },
      TASK_STATUS_CHANGED: (gql, owner, w) =>
        gql.gql(`mutation($i: SetTaskStatusInput!) { setTaskStatus(input: $i) { task { id } } }`, { i: { id: w.taskId, status: 'IN_PROGRESS' } }, owner).then(ok),
    },
  },

  budgetThresholdCrossed: {
    document: `subscription($f: BudgetThresholdCrossedFilter) { budgetThresholdCrossed(filter: $f) { threshold line { id spent } budget { id } } }`,
    variables: (w) => ({ f: { budgetId: w.budgetId } }),
    async setup(gql, owner) {
      const year = new Date().getUTCFullYear();
      const budgetId = ok(
        await gql.gql(CREATE_BUDGET, { i: { name: '阈值预算', periodStart: `${year}-01-01`, periodEnd: `${year}-12-31`, currency: 'CNY' } }, owner),
      ).createBudget.budget.id;
      // A large line keeps the budget as a whole far from 80 %: only the small lines cross.
      await addLine(gql, owner, budgetId, '大额', '1000000');
      return { budgetId, day: `${year}-06-01` };
    },
    async trigger(gql, owner, w, n) {
      const lineId = await addLine(gql, owner, w.budgetId, `线 ${n}`, '100');
      ok(await gql.gql(RECORD_EXPENSE, { i: { budgetLineId: lineId, amount: String(80 + n), incurredOn: w.day } }, owner));
      return { budgetThresholdCrossed: { threshold: 80, line: { id: lineId, spent: `${80 + n}.00` }, budget: { id: w.budgetId } } };
    },
    async rolledBack(gql, owner, w) {
      const lineId = await addLine(gql, owner, w.budgetId, '回滚线', '100');
      return gql.gql(RECORD_EXPENSE, { i: { budgetLineId: lineId, amount: '90', incurredOn: w.day, description: ROLLBACK_MARKER } }, owner);
    },
    announces: {
      async BUDGET_THRESHOLD_CROSSED(gql, owner, w) {
        const lineId = await addLine(gql, owner, w.budgetId, '宣布线', '100');
        ok(await gql.gql(RECORD_EXPENSE, { i: { budgetLineId: lineId, amount: '85', incurredOn: w.day } }, owner));
      },
    },
  },

  campaignChanged: {
    document: `subscription($f: CampaignChangedFilter) { campaignChanged(filter: $f) { id status cost } }`,
    variables: (w) => ({ f: { squadId: w.squadId } }),
    async setup(gql, owner) {
      const squadId = ok(await gql.gql(CREATE_SQUAD, { i: { name: '活动小组', leadId: owner.userId } }, owner)).createSquad.squad.id;
      const budgetId = ok(
        await gql.gql(`mutation($i: CreateBudgetInput!) { createBudget(input: $i) { budget { id } } }`, {
          i: { name: '活动预算', periodStart: '2026-04-01', periodEnd: '2026-06-30', currency: 'CNY', hardCap: false },
        }, owner),
      ).createBudget.budget.id;
      const lineId = ok(
        await gql.gql(`mutation($i: AddBudgetLineInput!) { addBudgetLine(input: $i) { budgetLine { id } } }`, {
          i: { budgetId, name: '平台流量', category: 'media', kind: 'VARIABLE', planned: '100000' },
        }, owner),
      ).addBudgetLine.budgetLine.id;
      const campaignId = ok(
        await gql.gql(`mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id } } }`, {
          i: { name: '超级品牌日', squadId, startsOn: '2026-05-01', endsOn: '2026-05-31', budgetLineId: lineId },
        }, owner),
      ).createCampaign.campaign.id;
      return { squadId, lineId, campaignId };
    },
    /** The n-th expense tagged with the campaign (n × 100): its cost 100, 300, 600. */
    async trigger(gql, owner, w, n) {
      ok(await gql.gql(RECORD_EXPENSE, { i: { budgetLineId: w.lineId, amount: String(100 * n), incurredOn: '2026-05-02', campaignId: w.campaignId } }, owner));
      return { campaignChanged: { id: w.campaignId, status: 'DRAFT', cost: `${(100 * n * (n + 1)) / 2}.00` } };
    },
    rolledBack: (gql, owner, w) =>
      gql.gql(RECORD_EXPENSE, { i: { budgetLineId: w.lineId, amount: '1', incurredOn: '2026-05-02', campaignId: w.campaignId, description: ROLLBACK_MARKER } }, owner),
    announces: {
      CAMPAIGN_CREATED: async (gql, owner, w) =>
        ok(await gql.gql(CREATE_CAMPAIGN, { i: { name: '第二个活动', squadId: w.squadId, startsOn: '2026-06-01', endsOn: '2026-06-10', budgetLineId: w.lineId } }, owner)),
      async CAMPAIGN_UPDATED(gql, owner, w) {
        const version = ok(await gql.gql(`query($id: ID!) { campaign(id: $id) { version } }`, { id: w.campaignId }, owner)).campaign.version;
        ok(await gql.gql(`mutation($i: UpdateCampaignInput!) { updateCampaign(input: $i) { campaign { id } } }`, { i: { id: w.campaignId, expectedVersion: version, name: '超级品牌日（改）' } }, owner));
      },
      CAMPAIGN_TRANSITIONED: async (gql, owner, w) =>
        ok(await gql.gql(`mutation($i: TransitionCampaignInput!) { transitionCampaign(input: $i) { campaign { id } } }`, { i: { id: w.campaignId, to: 'PLANNED' } }, owner)),
      CAMPAIGN_RETURN_RECORDED: async (gql, owner, w) =>
        ok(await gql.gql(`mutation($i: RecordCampaignReturnInput!) { recordCampaignReturn(input: $i) { campaign { id } } }`, { i: { campaignId: w.campaignId, kind: 'DIRECT', amount: '500' } }, owner)),
      EXPENSE_RECORDED: async (gql, owner, w) =>
        ok(await gql.gql(RECORD_EXPENSE, { i: { budgetLineId: w.lineId, amount: '10', incurredOn: '2026-05-03', campaignId: w.campaignId } }, owner)),
      EXPENSE_VOIDED: {
        prepare: async (gql, owner, w) => {
          w.toVoid = ok(await gql.gql(RECORD_EXPENSE, { i: { budgetLineId: w.lineId, amount: '20', incurredOn: '2026-05-04', campaignId: w.campaignId } }, owner)).recordExpense.expense.id;
        },
        announce: async (gql, owner, w) =>
          ok(await gql.gql(`mutation($i: VoidExpenseInput!) { voidExpense(input: $i) { expense { id } } }`, { i: { id: w.toVoid, reason: '重复报销' } }, owner)),
      },
    },
  },

  kpiAlertRaised: {
    document: `subscription { kpiAlertRaised { level value periodStart kpi { key } } }`,
    async setup(gql, owner) {
      const key = `refund_${Math.random().toString(36).slice(2, 8)}`;
      ok(await gql.gql(CREATE_KPI, { i: { key, name: '退款率', layer: 'OPERATIONAL', direction: 'LOWER_IS_BETTER', thresholds: { criticalAbove: '8' } } }, owner));
      return { key };
    },
    async trigger(gql, owner, w, n) {
      const value = String(10 + n);
      const done = ok(await gql.gql(RECORD_MEASUREMENTS, { i: { measurements: [{ kpiKey: w.key, periodStart: kpiWeek(n), value }] } }, owner));
      if (done.recordMeasurements.alertsRaised !== 1) throw new Error('the measurement raised no alert');
      return { kpiAlertRaised: { level: 'CRITICAL', value, periodStart: kpiWeek(n), kpi: { key: w.key } } };
    },
    rolledBack: (gql, owner, w) =>
      gql.gql(RECORD_MEASUREMENTS, { i: { measurements: [{ kpiKey: w.key, periodStart: kpiWeek(40), value: '50', source: ROLLBACK_MARKER }] } }, owner),
    announces: {
      KPI_ALERT_RAISED: async (gql, owner, w) => ok(await gql.gql(RECORD_MEASUREMENTS, { i: { measurements: [{ kpiKey: w.key, periodStart: kpiWeek(60), value: '30' }] } }, owner)),
    },
  },
  kpiAlertsRaisedInBulk: {
    document: `subscription { kpiAlertsRaisedInBulk { count critical warning kpis actor { id } } }`,
    async setup(gql, owner) {
      const key = `refund_${Math.random().toString(36).slice(2, 8)}`;
      ok(await gql.gql(CREATE_KPI, { i: { key, name: '退款率', layer: 'OPERATIONAL', direction: 'LOWER_IS_BETTER', thresholds: { criticalAbove: '8' } } }, owner));
      return { key };
    },
    // The n-th call raises 100 + n alerts (more than KPI_ALERT_EVENTS_MAX), in weeks of its own.
    async trigger(gql, owner, w, n) {
      const measurements = Array.from({ length: 100 + n }, (_, i) => ({ kpiKey: w.key, periodStart: kpiWeek(1000 * n + i), value: '12' }));
      const done = ok(await gql.gql(RECORD_MEASUREMENTS, { i: { measurements } }, owner));
      if (done.recordMeasurements.alertsRaised !== 100 + n) throw new Error('the measurements raised fewer alerts than expected');
      return { kpiAlertsRaisedInBulk: { count: 100 + n, critical: 100 + n, warning: 0, kpis: 1, actor: { id: owner.userId } } };
    },
    rolledBack: (gql, owner, w) =>
      gql.gql(RECORD_MEASUREMENTS, {
        i: { measurements: Array.from({ length: 150 }, (_, i) => ({ kpiKey: w.key, periodStart: kpiWeek(5000 + i), value: '50', source: ROLLBACK_MARKER })) },
      }, owner),
    announces: {
      KPI_ALERTS_RAISED_IN_BULK: async (gql, owner, w) =>
        ok(await gql.gql(RECORD_MEASUREMENTS, { i: { measurements: Array.from({ length: 120 }, (_, i) => ({ kpiKey: w.key, periodStart: kpiWeek(7000 + i), value: '12' })) } }, owner)),
    },
  },
  ...sopCases,
};
