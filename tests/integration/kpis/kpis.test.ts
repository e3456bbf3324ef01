import 'reflect-metadata';
import { addMember, createOrg, type TestOrg } from '../../support/factories';
import { createCycle, createKeyResult, createObjective } from '../../support/planning';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';
import { ARCHIVE_KPI, createKpi, CREATE_KPI, gmvTree, MOVE_KPI, record, setFormula, UPDATE_KPI } from './support';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const TREE = `query($k: String) { kpiTree(rootKey: $k) { depth parentKey kpi { key status formula latest { periodStart value source } } } }`;
const VALUE = `query($k: String!, $p: Date!) { kpi(key: $k) { key valueAt(periodStart: $p) valueReason(periodStart: $p) status latest { periodStart value } } }`;

describe('KPI definitions', () => {
  let org: TestOrg;
  beforeAll(async () => {
    org = await createOrg(app);
  });

  it('creates a driver tree, checks formulas against the own children and refuses cycles', async () => {
    const t = await gmvTree(app, org);
    const tree = ok(await app.gql(TREE, {}, org)).kpiTree;
    expect(tree.map((n: any) => [n.kpi.key, n.depth, n.parentKey])).toEqual([
      ['gmv', 0, null],
      ['visitors', 1, 'gmv'],
      ['conversion_rate', 1, 'gmv'],
      ['aov', 1, 'gmv'],
    ]);
    expect(tree[0].kpi.formula).toBe('visitors * conversion_rate * aov');

    // Unknown key, a key that is not a child, the KPI itself, syntax outside the language.
    const sub = await createKpi(app, org, { key: 'new_visitors', parentId: t.visitors.id });
    const bad = async (formula: string, kpi = t.gmv) => app.gql(UPDATE_KPI, { i: { id: kpi.id, expectedVersion: kpi.version, formula } }, org);
    let r = await bad('visitors * nope');
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].message).toMatch(/Unknown KPI key.*nope/);
    r = await bad('visitors * new_visitors');
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].message).toMatch(/own children.*new_visitors/);
    r = await bad('gmv * 2');
    expect(r.errors![0].message).toMatch(/itself/);
    for (const f of ['max(visitors, aov)', 'visitors.x', 'visitors % 2', '!visitors', 'visitors ? aov : 1', '"a"', 'visitors aov']) {
      r = await bad(f);
      expect([f, errorCode(r)]).toEqual([f, 'BAD_USER_INPUT']);
    }
    // A move under its own subtree is a cycle.
    const loop = await app.gql(MOVE_KPI, { i: { id: t.visitors.id, parentId: sub.id } }, org);
    expect(errorCode(loop)).toBe('BAD_USER_INPUT');
    expect(loop.errors![0].message).toMatch(/cycle/);
    // The parent's formula uses visitors: it can neither move away nor be archived.
    const away = await app.gql(MOVE_KPI, { i: { id: t.visitors.id, parentId: null } }, org);
    expect(away.errors![0].message).toMatch(/formula of gmv/);
    const archived = await app.gql(ARCHIVE_KPI, { i: { id: t.aov.id, expectedVersion: t.aov.version } }, org);
    expect(archived.errors![0].message).toMatch(/formula of gmv/);
    // Unused, childless KPIs move and archive.
    const moved = ok(await app.gql(MOVE_KPI, { i: { id: sub.id, parentId: t.aov.id } }, org)).moveKpi.kpi;
    expect(moved.parent.key).toBe('aov');
    ok(await app.gql(ARCHIVE_KPI, { i: { id: sub.id, expectedVersion: moved.version } }, org));
    // An archived KPI: as a parent ARCHIVED naming parentId; acted on, ARCHIVED; archived twice too.
    const under = await app.gql(CREATE_KPI, { i: { key: 'under_archived', name: 'x', layer: 'TACTICAL', parentId: sub.id } }, org);
    expect([errorCode(under), under.errors![0].extensions!.field]).toEqual(['ARCHIVED', 'parentId']);
    const moveUnder = await app.gql(MOVE_KPI, { i: { id: t.aov.id, parentId: sub.id } }, org);
    expect([errorCode(moveUnder), moveUnder.errors![0].extensions!.field]).toEqual(['ARCHIVED', 'parentId']);
    const again = await app.gql(ARCHIVE_KPI, { i: { id: sub.id, expectedVersion: moved.version + 1 } }, org);
    expect([errorCode(again), again.errors![0].extensions!.field]).toEqual(['ARCHIVED', undefined]);
    // Keys are unique; one north star.
    expect(errorCode(await app.gql(CREATE_KPI, { i: { key: 'gmv', name: 'again', layer: 'TACTICAL' } }, org))).toBe('BAD_USER_INPUT');
    const second = await app.gql(CREATE_KPI, { i: { key: 'gmv2', name: 'again', layer: 'STRATEGIC', isNorthStar: true } }, org);
    expect(second.errors![0].message).toMatch(/north star/);
    // Bad slug, inconsistent thresholds, stale version.
    expect(errorCode(await app.gql(CREATE_KPI, { i: { key: 'Bad Key', name: 'x', layer: 'TACTICAL' } }, org))).toBe('BAD_USER_INPUT');
    const thr = await app.gql(CREATE_KPI, { i: { key: 'thr', name: 'x', layer: 'TACTICAL', thresholds: { criticalBelow: '5', warningBelow: '1' } } }, org);
    expect(thr.errors![0].extensions!.field).toBe('thresholds');
    const stale = await app.gql(UPDATE_KPI, { i: { id: t.aov.id, expectedVersion: t.aov.version + 5, name: 'x' } }, org);
    expect(errorCode(stale)).toBe('CONFLICT');
  });

  it('lists KPIs by layer, owner and status', async () => {
    const o = await createOrg(app);
    await gmvTree(app, o);
    const list = async (filter: object) =>
      ok(await app.gql(`query($f: KpisFilter) { kpis(filter: $f, first: 50) { totalCount nodes { key } } }`, { f: filter }, o)).kpis;
    expect((await list({})).totalCount).toBe(4);
    expect((await list({ layer: 'STRATEGIC' })).nodes.map((k: any) => k.key)).toEqual(['gmv']);
    expect((await list({ status: 'NO_DATA' })).totalCount).toBe(4);
    ok(await record(app, o, [{ kpiKey: 'conversion_rate', periodStart: '2026-03-02', value: '0.015' }]));
    expect((await list({ status: 'WARNING' })).nodes.map((k: any) => k.key)).toEqual(['conversion_rate']);
    expect((await list({ ownerId: o.userId })).totalCount).toBe(0);
  });
});

describe('measurements, values and alerts', () => {
  it('upserts in bulk, computes formulas exactly per period, and explains nulls', async () => {
    const org = await createOrg(app);
    await gmvTree(app, org);
    const week1 = '2026-03-02';
    const week2 = '2026-03-09';
    const first = ok(
      await record(app, org, [
        { kpiKey: 'visitors', periodStart: week1, value: '10000', source: 'dw' },
        { kpiKey: 'conversion_rate', periodStart: week1, value: '0.1' },
        { kpiKey: 'aov', periodStart: week1, value: '0.3' },
        { kpiKey: 'visitors', periodStart: week2, value: '12000' },
        { kpiKey: 'conversion_rate', periodStart: week2, value: '0.05' },
      ]),
    ).recordMeasurements;
    expect(first).toEqual({ inserted: 5, updated: 0, alertsRaised: 0 });
    // 10000 × 0.1 × 0.3 = 300 exactly (0.1 × 0.3 in floating point is 0.030000000000000002).
    let v = ok(await app.gql(VALUE, { k: 'gmv', p: week1 }, org)).kpi;
    expect(v.valueAt).toBe('300');
    v = ok(await app.gql(VALUE, { k: 'gmv', p: week2 }, org)).kpi;
    expect(v.valueAt).toBeNull();
    expect(v.valueReason).toMatch(/No value for aov/);
    // The stored latest value of the formula KPI is at the latest period of its inputs (week 2: aov missing).
    expect(v.latest).toBeNull();
    expect(v.status).toBe('NO_DATA');
    const again = ok(
      await record(app, org, [
        { kpiKey: 'aov', periodStart: week2, value: '0.5' },
        { kpiKey: 'visitors', periodStart: week2, value: '12000' },
      ]),
    ).recordMeasurements;
    expect(again).toEqual({ inserted: 1, updated: 1, alertsRaised: 0 });
    v = ok(await app.gql(VALUE, { k: 'gmv', p: week2 }, org)).kpi;
    expect(v.valueAt).toBe('300');
    expect(v.latest).toEqual({ periodStart: week2, value: '300' });
    const m = ok(
      await app.gql(`{ kpi(key: "visitors") { measurements(first: 1) { totalCount nodes { periodStart value source recordedAt } } latest { value source } } }`, {}, org),
    ).kpi;
    expect(m.measurements.totalCount).toBe(2);
    expect(m.measurements.nodes[0]).toMatchObject({ periodStart: week2, value: '12000' });
    expect(m.latest).toEqual({ value: '12000', source: null });
    // A child outside the formula with a newer period does not move the formula's latest period.
    const gmv = ok(await app.gql(`{ kpi(key: "gmv") { id } }`, {}, org)).kpi;
    await createKpi(app, org, { key: 'refunds', parentId: gmv.id });
    ok(await record(app, org, [{ kpiKey: 'refunds', periodStart: '2026-03-30', value: '3' }]));
    expect(ok(await app.gql(VALUE, { k: 'gmv', p: week2 }, org)).kpi.latest).toEqual({ periodStart: week2, value: '300' });
  });

  it('gives null with a reason on division by zero, for that period only', async () => {
    const org = await createOrg(app);
    const ratio = await createKpi(app, org, { key: 'dau_mau', name: 'DAU/MAU', aggregation: 'LAST' });
    await createKpi(app, org, { key: 'dau', parentId: ratio.id, aggregation: 'AVERAGE' });
    await createKpi(app, org, { key: 'mau', parentId: ratio.id, aggregation: 'LAST' });
    await setFormula(app, org, ratio, 'dau / mau');
    ok(
      await record(app, org, [
        { kpiKey: 'dau', periodStart: '2026-03-02', value: '1' },
        { kpiKey: 'mau', periodStart: '2026-03-02', value: '3' },
        { kpiKey: 'dau', periodStart: '2026-03-09', value: '1' },
        { kpiKey: 'mau', periodStart: '2026-03-09', value: '0' },
      ]),
    );
    const q = `{ a: kpi(key: "dau_mau") { valueAt(periodStart: "2026-03-02") } b: kpi(key: "dau_mau") { valueAt(periodStart: "2026-03-09") valueReason(periodStart: "2026-03-09") } }`;
    const r = ok(await app.gql(q, {}, org));
    expect(r.a.valueAt).toBe(`0.${'3'.repeat(38)}`); // rounded to 38 significant digits
    expect(r.b).toEqual({ valueAt: null, valueReason: expect.stringMatching(/Division by zero: mau/) });
  });

  it('refuses the whole call with a per-row error list', async () => {
    const org = await createOrg(app);
    await gmvTree(app, org);
    await createKpi(app, org, { key: 'gone' }).then((k) => app.gql(ARCHIVE_KPI, { i: { id: k.id, expectedVersion: k.version } }, org));
    const r = await record(app, org, [
      { kpiKey: 'visitors', periodStart: '2026-03-02', value: '1' },
      { kpiKey: 'nope', periodStart: '2026-03-02', value: '1' },
      { kpiKey: 'gmv', periodStart: '2026-03-02', value: '1' },
      { kpiKey: 'aov', periodStart: '2026-03-02', value: 'abc' },
      { kpiKey: 'visitors', periodStart: '2026-03-02', value: '2' },
      { kpiKey: 'gone', periodStart: '2026-03-02', value: '2' },
    ]);
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    const rows = r.errors![0].extensions!.rows;
    expect(rows.map((e: any) => [e.index, e.kpiKey])).toEqual([
      [1, 'nope'],
      [2, 'gmv'],
      [3, 'aov'],
      [4, 'visitors'],
      [5, 'gone'],
    ]);
    expect(rows[1].message).toMatch(/formula/);
    expect(rows[2].message).toMatch(/Decimal/);
    expect(rows[3].message).toMatch(/Row 0/);
    expect(rows[4].message).toMatch(/archived/);
    // Nothing was recorded, not even the good row.
    const m = ok(await app.gql(`{ kpi(key: "visitors") { measurements { totalCount } } }`, {}, org)).kpi;
    expect(m.measurements.totalCount).toBe(0);
    expect(errorCode(await app.gql(`mutation { recordMeasurements(input: { measurements: [] }) { inserted } }`, {}, org))).toBe('BAD_USER_INPUT');
  });

  it('raises one alert per KPI, period and level, on the bad side only; the owner sees and acknowledges it', async () => {
    const org = await createOrg(app);
    const member = await addMember(app, org, 'MEMBER');
    const refund = await createKpi(app, org, {
      key: 'refund_rate',
      name: '退款率',
      unit: '%',
      direction: 'LOWER_IS_BETTER',
      aggregation: 'AVERAGE',
      ownerId: member.userId,
      normalRange: { min: '1', max: '5' },
      thresholds: { warningAbove: '6', criticalAbove: '8' },
    });
    const r1 = ok(
      await record(app, org, [
        { kpiKey: 'refund_rate', periodStart: '2026-03-02', value: '0.5' }, // better than normal: no alert
        { kpiKey: 'refund_rate', periodStart: '2026-03-09', value: '5.5' }, // outside the range on the bad side: WARNING
        { kpiKey: 'refund_rate', periodStart: '2026-03-16', value: '9' }, // past critical: CRITICAL
      ]),
    ).recordMeasurements;
    expect(r1.alertsRaised).toBe(2);
    // The same values again raise nothing; a new level for a period raises one.
    expect(ok(await record(app, org, [{ kpiKey: 'refund_rate', periodStart: '2026-03-16', value: '9' }])).recordMeasurements).toEqual({
      inserted: 0,
      updated: 1,
      alertsRaised: 0,
    });
    expect(ok(await record(app, org, [{ kpiKey: 'refund_rate', periodStart: '2026-03-16', value: '7' }])).recordMeasurements.alertsRaised).toBe(1);
    const alerts = ok(
      await app.gql(`{ kpiAlerts(filter: { status: OPEN }, first: 10) { totalCount nodes { id level status message periodStart kpi { key } measurement { value } } } }`, {}, org),
    ).kpiAlerts;
    expect(alerts.totalCount).toBe(3);
    expect(alerts.nodes.map((a: any) => [a.periodStart, a.level]).sort()).toEqual([
      ['2026-03-09', 'WARNING'],
      ['2026-03-16', 'CRITICAL'],
      ['2026-03-16', 'WARNING'],
    ]);
    const critical = alerts.nodes.find((a: any) => a.level === 'CRITICAL');
    expect(critical.message).toMatch(/退款率 \(refund_rate\) is 9 % .*above the critical threshold 8/);
    expect(critical.measurement).toEqual({ value: '7' });
    expect(ok(await app.gql(`{ kpi(key: "refund_rate") { status alerts(first: 5) { totalCount } } }`, {}, org)).kpi).toEqual({
      status: 'WARNING',
      alerts: { totalCount: 3 },
    });
    // The owner's myWork lists the open alerts.
    const work = ok(await app.gql(`{ myWork(first: 10) { totalCount nodes { kind reason subject { id } } } }`, {}, member)).myWork;
    expect(work.nodes.filter((n: any) => n.kind === 'KPI_ALERT_OPEN')).toHaveLength(3);
    // Another member may not acknowledge; the owner may, once.
    const other = await addMember(app, org, 'MEMBER');
    const ACK = `mutation($i: AcknowledgeKpiAlertInput!) { acknowledgeKpiAlert(input: $i) { alert { status note acknowledgedBy { id } acknowledgedAt } } }`;
    expect(errorCode(await app.gql(ACK, { i: { id: critical.id } }, other))).toBe('FORBIDDEN');
    const acked = ok(await app.gql(ACK, { i: { id: critical.id, note: '已联系客服' } }, member)).acknowledgeKpiAlert.alert;
    expect(acked).toMatchObject({ status: 'ACKNOWLEDGED', note: '已联系客服', acknowledgedBy: { id: member.userId } });
    expect(errorCode(await app.gql(ACK, { i: { id: critical.id } }, org))).toBe('INVALID_TRANSITION');
    const after = ok(await app.gql(`{ myWork(first: 10) { nodes { kind } } }`, {}, member)).myWork;
    expect(after.nodes.filter((n: any) => n.kind === 'KPI_ALERT_OPEN')).toHaveLength(2);
    expect(ok(await app.gql(`{ kpiAlerts(filter: { status: ACKNOWLEDGED, level: CRITICAL }) { totalCount } }`, {}, org)).kpiAlerts.totalCount).toBe(1);
    void refund;
  });

  it('projects driver changes up the formulas without changing anything', async () => {
    const org = await createOrg(app);
    await gmvTree(app, org);
    ok(
      await record(app, org, [
        { kpiKey: 'visitors', periodStart: '2026-03-02', value: '10000' },
        { kpiKey: 'conversion_rate', periodStart: '2026-03-02', value: '0.03' },
        { kpiKey: 'aov', periodStart: '2026-03-02', value: '80' },
      ]),
    );
    const Q = `query($i: KpiWhatIfInput!) { kpiWhatIf(input: $i) { kpi { key } baseline projected deltaPercent reason } }`;
    const r = ok(await app.gql(Q, { i: { periodStart: '2026-03-02', changes: [{ kpiKey: 'conversion_rate', percent: '10' }] } }, org)).kpiWhatIf;
    const by = Object.fromEntries(r.map((p: any) => [p.kpi.key, p]));
    expect(by.gmv).toMatchObject({ baseline: '24000', projected: '26400', deltaPercent: '10' });
    expect(by.conversion_rate).toMatchObject({ baseline: '0.03', projected: '0.033' });
    expect(by.visitors).toMatchObject({ baseline: '10000', projected: '10000', deltaPercent: '0' });
    expect(ok(await app.gql(VALUE, { k: 'conversion_rate', p: '2026-03-02' }, org)).kpi.valueAt).toBe('0.03');
    const bad = await app.gql(Q, { i: { periodStart: '2026-03-02', changes: [{ kpiKey: 'nope', percent: '10' }] } }, org);
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
  });
});

describe('permissions', () => {
  it('lets OWNER/ADMIN define KPIs, recorders record, viewers and read-only tokens only read', async () => {
    const org = await createOrg(app);
    const mine = await addMember(app, org, 'MEMBER');
    await createKpi(app, org, { key: 'owned', ownerId: mine.userId });
    await createKpi(app, org, { key: 'other' });
    const row = (kpiKey: string) => [{ kpiKey, periodStart: '2026-03-02', value: '1' }];
    for (const role of ['ADMIN', 'FINANCE', 'SQUAD_LEAD', 'MEMBER', 'VIEWER']) {
      const m = role === 'MEMBER' ? mine : await addMember(app, org, role);
      const create = await app.gql(CREATE_KPI, { i: { key: `k_${role.toLowerCase()}`, name: 'x', layer: 'TACTICAL' } }, m);
      expect([role, errorCode(create) ?? 'OK']).toEqual([role, role === 'ADMIN' ? 'OK' : 'FORBIDDEN']);
      const rec = await record(app, m, row('other'));
      const expected = ['ADMIN', 'FINANCE', 'SQUAD_LEAD'].includes(role) ? 'OK' : role === 'MEMBER' ? 'BAD_USER_INPUT' : 'FORBIDDEN';
      expect([role, errorCode(rec) ?? 'OK']).toEqual([role, expected]);
      expect(ok(await app.gql(`{ kpis { totalCount } }`, {}, m)).kpis.totalCount).toBeGreaterThan(0);
    }
    // A MEMBER records the KPIs they own.
    ok(await record(app, mine, row('owned')));
    // API tokens: WRITE records, READ reads only.
    const token = async (scopes: string[]) =>
      ok(await app.gql(`mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { secret } }`, { i: { name: 'dw', scopes } }, org)).createApiToken.secret;
    const writer = { token: await token(['READ', 'WRITE']) };
    const reader = { token: await token(['READ']) };
    expect(ok(await record(app, writer, [{ kpiKey: 'other', periodStart: '2026-03-09', value: '2' }])).recordMeasurements.inserted).toBe(1);
    expect(errorCode(await record(app, reader, row('other')))).toBe('FORBIDDEN');
    expect(ok(await app.gql(`{ kpi(key: "other") { latest { value } } }`, {}, reader)).kpi.latest.value).toBe('2');
  });
});

describe('key results that follow a KPI', () => {
  it('records a system check-in when the KPI’s latest value changes', async () => {
    const org = await createOrg(app);
    const retention = await createKpi(app, org, { key: 'creator_retention', name: '创作者留存率', aggregation: 'AVERAGE', unit: '%' });
    const cycleId = await createCycle(app, org);
    const objective = await createObjective(app, org, { cycleId });
    const kr = await createKeyResult(app, org, { objectiveId: objective.id, title: '创作者留存率提升15%', startValue: '40', targetValue: '46', unit: '%', kpiId: retention.id });
    const KR = `query($id: ID!) { node(id: $id) { ... on KeyResult { currentValue progress version kpi { key } checkIns(first: 5) { nodes { value author { id } note } } } } }`;
    expect(ok(await app.gql(KR, { id: kr.id }, org)).node.kpi).toEqual({ key: 'creator_retention' });
    ok(await record(app, org, [{ kpiKey: 'creator_retention', periodStart: '2026-03-02', value: '43' }]));
    let node = ok(await app.gql(KR, { id: kr.id }, org)).node;
    expect(node.currentValue).toBe('43');
    expect(node.progress).toBeCloseTo(0.5);
    expect(node.checkIns.nodes).toEqual([{ value: '43', author: null, note: expect.stringMatching(/creator_retention/) }]);
    // An older period does not change the latest value: no check-in.
    ok(await record(app, org, [{ kpiKey: 'creator_retention', periodStart: '2026-02-23', value: '41' }]));
    node = ok(await app.gql(KR, { id: kr.id }, org)).node;
    expect(node.checkIns.nodes).toHaveLength(1);
    ok(await record(app, org, [{ kpiKey: 'creator_retention', periodStart: '2026-03-09', value: '46' }]));
    node = ok(await app.gql(KR, { id: kr.id }, org)).node;
    expect(node.currentValue).toBe('46');
    expect(node.checkIns.nodes.map((c: any) => c.value)).toEqual(['46', '43']);
    // Unlink; archived or foreign KPIs are refused.
    const upd = `mutation($i: UpdateKeyResultInput!) { updateKeyResult(input: $i) { keyResult { version kpi { key } } } }`;
    expect(ok(await app.gql(upd, { i: { id: kr.id, expectedVersion: node.version, kpiId: null } }, org)).updateKeyResult.keyResult.kpi).toBeNull();
    const other = await createOrg(app);
    const foreign = await createKpi(app, other, { key: 'foreign' });
    let r = await app.gql(upd, { i: { id: kr.id, expectedVersion: node.version + 1, kpiId: foreign.id } }, org);
    expect(errorCode(r)).toBe('NOT_FOUND');
    expect(r.errors![0].extensions).toMatchObject({ field: 'kpiId' });
    const gone = await createKpi(app, org, { key: 'gone' });
    ok(await app.gql(ARCHIVE_KPI, { i: { id: gone.id, expectedVersion: gone.version } }, org));
    r = await app.gql(upd, { i: { id: kr.id, expectedVersion: node.version + 1, kpiId: gone.id } }, org);
    expect(errorCode(r)).toBe('ARCHIVED');
    expect(r.errors![0].extensions).toMatchObject({ field: 'kpiId' });
    r = await app.gql(`mutation($i: CreateKeyResultInput!) { createKeyResult(input: $i) { keyResult { id } } }`,
      { i: { objectiveId: objective.id, title: 'x', kind: 'INCREASE_TO', startValue: '0', targetValue: '1', kpiId: gone.id } }, org);
    expect([errorCode(r), r.errors![0].extensions?.field]).toEqual(['ARCHIVED', 'kpiId']);
  });

  it('follows a formula KPI: new inputs and a new formula both record check-ins', async () => {
    const org = await createOrg(app);
    const ratio = await createKpi(app, org, { key: 'ratio', aggregation: 'LAST' });
    await createKpi(app, org, { key: 'a', parentId: ratio.id });
    await createKpi(app, org, { key: 'b', parentId: ratio.id });
    await setFormula(app, org, ratio, 'a / b');
    const objective = await createObjective(app, org, { cycleId: await createCycle(app, org) });
    const kr = await createKeyResult(app, org, { objectiveId: objective.id, startValue: '0', targetValue: '10', kpiId: ratio.id });
    ok(await record(app, org, [{ kpiKey: 'a', periodStart: '2026-03-02', value: '6' }, { kpiKey: 'b', periodStart: '2026-03-02', value: '3' }]));
    const KR = `query($id: ID!) { node(id: $id) { ... on KeyResult { currentValue checkIns { totalCount } } } }`;
    expect(ok(await app.gql(KR, { id: kr.id }, org)).node).toEqual({ currentValue: '2', checkIns: { totalCount: 1 } });
    await setFormula(app, org, ratio, 'a - b');
    expect(ok(await app.gql(KR, { id: kr.id }, org)).node).toEqual({ currentValue: '3', checkIns: { totalCount: 2 } });
  });
});

describe('kpiTree statements', () => {
  it('costs the same number of statements for 4 KPIs and for 60 with history', async () => {
    const Q = `query { kpiTree { depth kpi { key name status children { key } latest { periodStart value } } } }`;
    const small = await createOrg(app);
    await gmvTree(app, small);
    const s = await app.gql(Q, {}, small);
    ok(s);
    const big = await createOrg(app);
    const t = await gmvTree(app, big);
    const rows: Array<{ kpiKey: string; periodStart: string; value: string }> = [];
    let parent = t.visitors.id;
    for (let i = 0; i < 56; i++) {
      const k = await createKpi(app, big, { key: `driver_${i}`, parentId: i % 4 === 0 ? t.aov.id : parent, grain: 'DAY' });
      if (i % 7 === 0) parent = k.id;
      for (let w = 0; w < 10; w++) rows.push({ kpiKey: k.key, periodStart: `2026-0${1 + Math.floor(w / 4)}-0${1 + (w % 4)}`, value: String(i + w) });
    }
    ok(await record(app, big, rows));
    const b = await app.gql(Q, {}, big);
    expect(ok(b).kpiTree).toHaveLength(60);
    expect(b.statements).toBe(s.statements);
  });
});

describe('recordMeasurements statements', () => {
  it('costs the same number of statements for 3 rows and for 600 (set-based upsert and alerts)', async () => {
    const org = await createOrg(app);
    await gmvTree(app, org);
    const rows = (weeks: number, from: number) =>
      Array.from({ length: weeks }, (_, w) => new Date(Date.UTC(2024, 0, 1 + 7 * (from + w))).toISOString().slice(0, 10)).flatMap((periodStart, w) => [
        { kpiKey: 'visitors', periodStart, value: String(1000 + w) },
        { kpiKey: 'conversion_rate', periodStart, value: w % 2 === 0 ? '0.01' : '0.03' },
        { kpiKey: 'aov', periodStart, value: '80.5' },
      ]);
    const small = await record(app, org, rows(1, 0));
    const large = await record(app, org, rows(200, 1));
    expect(ok(large).recordMeasurements).toEqual({ inserted: 600, updated: 0, alertsRaised: 100 });
    expect(large.statements).toBe(small.statements);
  });
});

describe('recordMeasurements retries', () => {
  it('answers a retry with the same idempotencyKey with the first result and records nothing again', async () => {
    const org = await createOrg(app);
    await createKpi(app, org, { key: 'orders', thresholds: { criticalBelow: '10' } });
    const RECORD_KEYED = `mutation($i: RecordMeasurementsInput!) { recordMeasurements(input: $i) { inserted updated alertsRaised } }`;
    const i = { idempotencyKey: 'dw-2026-w10', measurements: [{ kpiKey: 'orders', periodStart: '2026-03-02', value: '5' }] };
    const first = ok(await app.gql(RECORD_KEYED, { i }, org)).recordMeasurements;
    expect(first).toEqual({ inserted: 1, updated: 0, alertsRaised: 1 });
    expect(ok(await app.gql(RECORD_KEYED, { i }, org)).recordMeasurements).toEqual(first);
    const [{ n }] = await app.ds.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'kpi.measurements_recorded' AND organization_id = (SELECT organization_id FROM kpis WHERE key = 'orders' ORDER BY created_at DESC LIMIT 1)`);
    expect(n).toBe(1);
    const other = await app.gql(RECORD_KEYED, { i: { ...i, measurements: [{ ...i.measurements[0], value: '6' }] } }, org);
    expect(errorCode(other)).toBe('CONFLICT');
  });
});

describe('concurrent recordings', () => {
  it('keep the formula KPI’s stored latest value right when drivers are recorded at the same time', async () => {
    const org = await createOrg(app);
    await gmvTree(app, org);
    const weeks = ['2026-03-02', '2026-03-09', '2026-03-16', '2026-03-23'];
    const calls = weeks.flatMap((periodStart, w) =>
      ['visitors', 'conversion_rate', 'aov'].map((kpiKey) =>
        record(app, org, [{ kpiKey, periodStart, value: kpiKey === 'visitors' ? String(1000 * (w + 1)) : kpiKey === 'aov' ? '50' : '0.1' }]),
      ),
    );
    for (const r of await Promise.all(calls)) ok(r);
    const gmv = ok(await app.gql(VALUE, { k: 'gmv', p: '2026-03-23' }, org)).kpi;
    expect(gmv.latest).toEqual({ periodStart: '2026-03-23', value: '20000' });
    expect(gmv.valueAt).toBe('20000');
  });
});
