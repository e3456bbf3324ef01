import { addMember, createOrg } from '../../support/factories';
import { checkIn, createCycle, createKeyResult, createObjective, createSquad } from '../../support/planning';
import { ok, startTestApp, type TestApp } from '../../support/test-app';
import { settle, subscribe, wsClient } from '../../support/ws';

/**
 * Event types are one enum (PlanningEventType) and subscription filter ids are typed: what a
 * front end gets wrong is an error when it subscribes, not a subscription that silently never fires.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

type WsError = { message: string; extensions?: Record<string, unknown> };

/** Subscribes and resolves with the errors the server answers, or [] when it accepted the subscription (none within 1 s). */
function errorsOf(client: ReturnType<typeof wsClient>, query: string, variables: Record<string, unknown> = {}) {
  return new Promise<WsError[]>((resolve) => {
    const collected: WsError[] = [];
    const dispose = client.subscribe(
      { query, variables },
      {
        next: (v) => collected.push(...((v.errors ?? []) as WsError[])),
        error: (e) => resolve(Array.isArray(e) ? e : [{ message: String(e) }]),
        complete: () => resolve(collected),
      },
    );
    setTimeout(() => {
      dispose();
      resolve(collected);
    }, 1000);
  });
}

describe('subscription filters with typed ids', () => {
  it('refuse an id of another type, or a malformed one, as BAD_USER_INPUT naming the filter field, when subscribing', async () => {
    const org = await createOrg(app);
    const squadId = await createSquad(app, org, org.userId);
    const cycleId = await createCycle(app, org);
    const client = wsClient(app.url, { authorization: `Bearer ${org.token}` });
    try {
      const cases: Array<[string, string, Record<string, unknown>, string]> = [
        ['objectiveProgressChanged', 'ObjectiveProgressChangedFilter', { cycleId: squadId }, 'filter.cycleId is not a valid Cycle id'],
        ['keyResultCheckedIn', 'KeyResultCheckedInFilter', { squadId: cycleId }, 'filter.squadId is not a valid Squad id'],
        ['keyResultCheckedIn', 'KeyResultCheckedInFilter', { objectiveId: 'not-an-id' }, 'filter.objectiveId is not a valid Objective id'],
        ['kpiAlertRaised', 'KpiAlertRaisedFilter', { kpiId: squadId }, 'filter.kpiId is not a valid Kpi id'],
        ['budgetThresholdCrossed', 'BudgetThresholdCrossedFilter', { budgetId: squadId }, 'filter.budgetId is not a valid Budget id'],
        ['campaignChanged', 'CampaignChangedFilter', { squadId: cycleId }, 'filter.squadId is not a valid Squad id'],
        ['raciMatrixChanged', 'RaciMatrixChangedFilter', { matrixId: squadId }, 'filter.matrixId is not a valid RaciMatrix id'],
        ['taskChanged', 'TaskChangedFilter', { squadId: cycleId }, 'filter.squadId is not a valid Squad id'],
        ['taskChanged', 'TaskChangedFilter', { sprintId: squadId }, 'filter.sprintId is not a valid Sprint id'],
        ['taskChanged', 'TaskChangedFilter', { assigneeId: squadId }, 'filter.assigneeId is not a valid User id'],
      ];
      for (const [field, filterType, filter, message] of cases) {
        const errors = await errorsOf(client, `subscription($f: ${filterType}) { ${field}(filter: $f) { __typename } }`, { f: filter });
        expect({ field, errors }).toEqual({ field, errors: [expect.objectContaining({ message, extensions: { code: 'BAD_USER_INPUT', field: message.split(' ')[0] } })] });
      }
    } finally {
      await client.dispose();
    }
  });

  it('still deliver what a correctly typed id selects, and nothing else', async () => {
    const org = await createOrg(app);
    const lead = await addMember(app, org, 'SQUAD_LEAD');
    const squadId = await createSquad(app, org, lead.userId);
    const [cycleA, cycleB] = [await createCycle(app, org), await createCycle(app, org)];
    const inA = await createObjective(app, lead, { cycleId: cycleA, squadId });
    const inB = await createObjective(app, lead, { cycleId: cycleB, squadId });
    const krA = await createKeyResult(app, lead, { objectiveId: inA.id });
    const krB = await createKeyResult(app, lead, { objectiveId: inB.id });
    const client = wsClient(app.url, { authorization: `Bearer ${org.token}` });
    try {
      const progress = subscribe(client, `subscription($f: ObjectiveProgressChangedFilter) { objectiveProgressChanged(filter: $f) { id } }`, { f: { cycleId: cycleA } });
      const checkIns = subscribe(client, `subscription($f: KeyResultCheckedInFilter) { keyResultCheckedIn(filter: $f) { keyResult { id } } }`, {
        f: { squadId, objectiveId: inB.id },
      });
      await settle(300);
      ok(await checkIn(app, lead, krB.id, krB.version, '1100'));
      ok(await checkIn(app, lead, krA.id, krA.version, '1100'));
      expect(await progress.next()).toEqual({ objectiveProgressChanged: { id: inA.id } });
      expect(await checkIns.next()).toEqual({ keyResultCheckedIn: { keyResult: { id: krB.id } } });
      await settle(300);
      expect([progress.pending(), checkIns.pending()]).toEqual([[], []]);
    } finally {
      await client.dispose();
    }
  });
});

describe('the audit log’s actor filter', () => {
  it('takes a User id: another type is BAD_USER_INPUT naming the field, a user’s id selects their changes', async () => {
    const org = await createOrg(app);
    const squadId = await createSquad(app, org, org.userId);
    const wrong = await app.gql(`query($f: AuditEventsFilter) { auditEvents(filter: $f) { totalCount } }`, { f: { actorId: squadId } }, org);
    expect(wrong.errors![0]).toMatchObject({ message: 'filter.actorId is not a valid User id', extensions: { code: 'BAD_USER_INPUT', field: 'filter.actorId' } });
    const mine = ok(await app.gql(`query($f: AuditEventsFilter) { auditEvents(filter: $f, first: 50) { nodes { action } } }`, { f: { actorId: org.userId } }, org));
    expect(mine.auditEvents.nodes.map((n: { action: string }) => n.action)).toContain('squad.created');
  });
});

describe('PlanningEventType', () => {
  it('is the type of planningEvents’ type and of its filter: a misspelt type is refused when subscribing, a declared one delivers', async () => {
    const org = await createOrg(app);
    const client = wsClient(app.url, { authorization: `Bearer ${org.token}` });
    try {
      const literal = await errorsOf(client, `subscription { planningEvents(filter: { types: [MEMBER_ADDDED] }) { type } }`);
      expect(literal).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED' }) })]);
      expect(literal[0].message).toMatch(/MEMBER_ADDDED.*PlanningEventType.*Did you mean the enum value "MEMBER_ADDED"/);
      const variable = await errorsOf(client, `subscription($f: PlanningEventsFilter) { planningEvents(filter: $f) { type } }`, { f: { types: ['MEMBER_ADDDED'] } });
      expect(variable).toEqual([expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } })]);
      expect(variable[0].message).toMatch(/MEMBER_ADDDED.*PlanningEventType/);

      const added = subscribe(client, `subscription($t: [PlanningEventType!]) { planningEvents(filter: { types: $t }) { type entityType } }`, { t: ['MEMBER_ADDED'] });
      await settle(300);
      await addMember(app, org, 'MEMBER');
      expect(await added.next()).toEqual({ planningEvents: { type: 'MEMBER_ADDED', entityType: 'Member' } });
    } finally {
      await client.dispose();
    }
  });

  it('lists every declared type, each described and owned by the module that publishes it', async () => {
    const org = await createOrg(app);
    const type = ok(await app.gql(`{ __type(name: "PlanningEventType") { kind enumValues { name description } } }`, {}, org)).__type;
    expect(type.kind).toBe('ENUM');
    const names = type.enumValues.map((v: { name: string }) => v.name);
    expect(names).toEqual(expect.arrayContaining(['MEMBER_ADDED', 'KEY_RESULT_CHECKED_IN', 'OBJECTIVE_PROGRESS_CHANGED', 'KPI_ALERTS_RAISED_IN_BULK', 'TASK_SOP_STEP_LINKED', 'EXPENSE_VOIDED']));
    for (const v of type.enumValues) expect(v.description).toMatch(/^\(\w+\) ./);
    const eventField = ok(await app.gql(`{ __type(name: "PlanningEvent") { fields { name type { kind ofType { name } } } } }`, {}, org)).__type.fields;
    expect(eventField.find((f: { name: string }) => f.name === 'type').type).toEqual({ kind: 'NON_NULL', ofType: { name: 'PlanningEventType' } });
  });
});
