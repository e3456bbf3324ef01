import 'reflect-metadata';
import { addMember, createOrg } from '../../support/factories';
import { createCycle, createKeyResult, createObjective } from '../../support/planning';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';
import { createKpi, gmvTree, type Gql } from './support';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const ALERTS = `query($k: ID!) { kpiAlerts(filter: { kpiId: $k }, first: 10) { nodes { id status level periodStart resolvedAt resolvedBy { id } } } }`;
const MY_ALERTS = `{ myWork(first: 50) { nodes { kind subject { id } } } }`;
const RECORD = `mutation($i: RecordMeasurementsInput!) { recordMeasurements(input: $i) { inserted updated alertsRaised alertsResolved } }`;
const record = (app: Gql, as: Parameters<Gql['gql']>[2], measurements: Array<{ kpiKey: string; periodStart: string; value: string }>) =>
  app.gql(RECORD, { i: { measurements } }, as);
const ACK = `mutation($i: AcknowledgeKpiAlertInput!) { acknowledgeKpiAlert(input: $i) { alert { status } } }`;

async function refundRate(ownerId: string, org: Parameters<typeof createKpi>[1]) {
  return createKpi(app, org, {
    key: 'refund_rate',
    name: '退款率',
    direction: 'LOWER_IS_BETTER',
    ownerId,
    thresholds: { warningAbove: '6', criticalAbove: '8' },
  });
}

describe('alerts resolve when their period is corrected', () => {
  it('resolves an open alert when the period is recorded again inside the thresholds, and it leaves myWork', async () => {
    const org = await createOrg(app);
    const owner = await addMember(app, org, 'MEMBER');
    const kpi = await refundRate(owner.userId, org);
    ok(await record(app, owner, [{ kpiKey: 'refund_rate', periodStart: '2026-03-02', value: '9' }]));
    let alerts = ok(await app.gql(ALERTS, { k: kpi.id }, org)).kpiAlerts.nodes;
    expect(alerts).toMatchObject([{ status: 'OPEN', level: 'CRITICAL', periodStart: '2026-03-02', resolvedAt: null, resolvedBy: null }]);
    const alertId = alerts[0].id;
    const inWork = async () =>
      ok(await app.gql(MY_ALERTS, {}, owner)).myWork.nodes.filter((n: any) => n.kind === 'KPI_ALERT_OPEN').map((n: any) => n.subject.id);
    expect(await inWork()).toEqual([alertId]);

    // Still past a threshold (WARNING now): the CRITICAL alert stays open, a WARNING one is raised.
    const warn = ok(await record(app, owner, [{ kpiKey: 'refund_rate', periodStart: '2026-03-02', value: '7' }])).recordMeasurements;
    expect(warn).toMatchObject({ alertsRaised: 1, alertsResolved: 0 });
    // Back inside the thresholds: both resolve, by the owner who corrected the value.
    const fixed = ok(await record(app, owner, [{ kpiKey: 'refund_rate', periodStart: '2026-03-02', value: '3' }])).recordMeasurements;
    expect(fixed).toMatchObject({ updated: 1, alertsRaised: 0, alertsResolved: 2 });
    alerts = ok(await app.gql(ALERTS, { k: kpi.id }, org)).kpiAlerts.nodes;
    expect(alerts.map((a: any) => [a.level, a.status, a.resolvedBy?.id])).toEqual(
      expect.arrayContaining([
        ['CRITICAL', 'RESOLVED', owner.userId],
        ['WARNING', 'RESOLVED', owner.userId],
      ]),
    );
    expect(alerts.every((a: any) => a.resolvedAt)).toBe(true);
    expect(await inWork()).toEqual([]);
    // A resolved alert is not acknowledged.
    const ack = await app.gql(ACK, { i: { id: alertId } }, owner);
    expect(errorCode(ack)).toBe('INVALID_TRANSITION');
    expect(ack.errors![0].message).toMatch(/resolved/);
    // Out of range again: the CRITICAL alert opens again and is back in myWork.
    expect(ok(await record(app, owner, [{ kpiKey: 'refund_rate', periodStart: '2026-03-02', value: '10' }])).recordMeasurements.alertsRaised).toBe(1);
    alerts = ok(await app.gql(ALERTS, { k: kpi.id }, org)).kpiAlerts.nodes;
    expect(alerts.find((a: any) => a.level === 'CRITICAL')).toMatchObject({ id: alertId, status: 'OPEN', resolvedAt: null, resolvedBy: null });
    expect(await inWork()).toEqual([alertId]);
  });

  it('resolves an acknowledged alert too; other periods keep theirs', async () => {
    const org = await createOrg(app);
    const owner = await addMember(app, org, 'MEMBER');
    const kpi = await refundRate(owner.userId, org);
    ok(
      await record(app, org, [
        { kpiKey: 'refund_rate', periodStart: '2026-03-02', value: '9' },
        { kpiKey: 'refund_rate', periodStart: '2026-03-09', value: '9' },
      ]),
    );
    const [a, b] = ok(await app.gql(ALERTS, { k: kpi.id }, org)).kpiAlerts.nodes;
    ok(await app.gql(ACK, { i: { id: a.id } }, owner));
    const fixedPeriod = a.periodStart;
    ok(await record(app, org, [{ kpiKey: 'refund_rate', periodStart: fixedPeriod, value: '1' }]));
    const after = ok(await app.gql(ALERTS, { k: kpi.id }, org)).kpiAlerts.nodes;
    expect(after.find((x: any) => x.id === a.id)).toMatchObject({ status: 'RESOLVED', resolvedBy: { id: org.userId } });
    expect(after.find((x: any) => x.id === b.id)).toMatchObject({ status: 'OPEN' });
  });
});

const DELETE = `mutation($i: DeleteMeasurementsInput!) {
  deleteMeasurements(input: $i) { deleted alertsResolved kpi { key status latest { periodStart value } } } }`;

describe('deleteMeasurements', () => {
  it('deletes periods in one call, recomputes the latest value, checks in following key results and resolves the alerts; again it deletes nothing', async () => {
    const org = await createOrg(app);
    const owner = await addMember(app, org, 'MEMBER');
    const kpi = await refundRate(owner.userId, org);
    const cycleId = await createCycle(app, org);
    const objective = await createObjective(app, org, { cycleId });
    const kr = await createKeyResult(app, org, { objectiveId: objective.id, title: '退款率降到 3%', kind: 'DECREASE_TO', startValue: '5', targetValue: '3', unit: '%', kpiId: kpi.id });
    ok(
      await record(app, owner, [
        { kpiKey: 'refund_rate', periodStart: '2026-03-02', value: '4' },
        { kpiKey: 'refund_rate', periodStart: '2026-03-09', value: '9' },
      ]),
    );
    const [alert] = ok(await app.gql(ALERTS, { k: kpi.id }, org)).kpiAlerts.nodes;
    expect(alert).toMatchObject({ status: 'OPEN', periodStart: '2026-03-09' });
    const KR = `query($id: ID!) { node(id: $id) { ... on KeyResult { currentValue checkIns(first: 5) { nodes { value author { id } } } } } }`;
    expect(ok(await app.gql(KR, { id: kr.id }, org)).node.currentValue).toBe('9');

    // The latest week (wrong) and a week without a measurement.
    const done = ok(await app.gql(DELETE, { i: { kpiId: kpi.id, periodStarts: ['2026-03-09', '2026-03-16'] } }, owner)).deleteMeasurements;
    expect(done).toEqual({ deleted: 1, alertsResolved: 1, kpi: { key: 'refund_rate', status: 'NORMAL', latest: { periodStart: '2026-03-02', value: '4' } } });
    const node = ok(await app.gql(KR, { id: kr.id }, org)).node;
    expect(node.currentValue).toBe('4');
    expect(node.checkIns.nodes[0]).toEqual({ value: '4', author: null });
    const after = ok(await app.gql(ALERTS, { k: kpi.id }, org)).kpiAlerts.nodes;
    expect(after).toMatchObject([{ id: alert.id, status: 'RESOLVED', resolvedBy: { id: owner.userId } }]);
    const work = ok(await app.gql(MY_ALERTS, {}, owner)).myWork.nodes.filter((n: any) => n.kind === 'KPI_ALERT_OPEN');
    expect(work).toEqual([]);
    // Idempotent: the same call again deletes nothing.
    expect(ok(await app.gql(DELETE, { i: { kpiId: kpi.id, periodStarts: ['2026-03-09', '2026-03-16'] } }, owner)).deleteMeasurements).toMatchObject({
      deleted: 0,
      alertsResolved: 0,
    });
    // Audited once, for the call that deleted.
    const audit = ok(await app.gql(`{ auditEvents(first: 20) { nodes { action } } }`, {}, org)).auditEvents.nodes.map((e: any) => e.action);
    expect(audit.filter((a: string) => a === 'kpi.measurements_deleted')).toHaveLength(1);
  });

  it('needs the roles that record, a MEMBER only for a KPI they own; refuses formula KPIs and more than 1,000 periods', async () => {
    const org = await createOrg(app);
    const owner = await addMember(app, org, 'MEMBER');
    const kpi = await refundRate(owner.userId, org);
    ok(await record(app, org, [{ kpiKey: 'refund_rate', periodStart: '2026-03-02', value: '4' }]));
    const other = await addMember(app, org, 'MEMBER');
    const viewer = await addMember(app, org, 'VIEWER');
    const i = { kpiId: kpi.id, periodStarts: ['2026-03-02'] };
    expect(errorCode(await app.gql(DELETE, { i }, other))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(DELETE, { i }, viewer))).toBe('FORBIDDEN');
    const many = await app.gql(DELETE, { i: { kpiId: kpi.id, periodStarts: Array.from({ length: 1001 }, () => '2026-03-02') } }, org);
    expect(errorCode(many)).toBe('BAD_USER_INPUT');
    const t = await gmvTree(app, org);
    const formula = await app.gql(DELETE, { i: { kpiId: t.gmv.id, periodStarts: ['2026-03-02'] } }, org);
    expect([errorCode(formula), formula.errors![0].extensions!.field]).toEqual(['BAD_USER_INPUT', 'kpiId']);
    const lead = await addMember(app, org, 'SQUAD_LEAD');
    expect(ok(await app.gql(DELETE, { i }, lead)).deleteMeasurements).toMatchObject({ deleted: 1, kpi: { status: 'NO_DATA', latest: null } });
  });
});
