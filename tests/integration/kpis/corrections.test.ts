import 'reflect-metadata';
import { addMember, createOrg } from '../../support/factories';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';
import { createKpi, type Gql } from './support';

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
