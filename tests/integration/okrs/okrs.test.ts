import { decodeGlobalId } from '../../../src/common/ids';
import { addMember, createOrg, type TestOrg } from '../../support/factories';
import { checkIn, createCycle, createKeyResult, createObjective, createSquad } from '../../support/planning';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const OBJECTIVE = /* GraphQL */ `
  query($id: ID!) {
    objective(id: $id) {
      id title progress status score weight version
      cycle { id name } owner { id } squad { id } parent { id } children { id progress }
      keyResults { id title kind progress status confidence currentValue score version owner { id } latestCheckIn { value confidence note } }
    }
  }
`;
const UPDATE_OBJECTIVE = `mutation($i: UpdateObjectiveInput!) { updateObjective(input: $i) { objective { id title version parent { id } squad { id } } } }`;
const UPDATE_KR = `mutation($i: UpdateKeyResultInput!) { updateKeyResult(input: $i) { keyResult { id title weight targetValue version progress } } }`;
const CREATE_KR = `mutation($i: CreateKeyResultInput!) { createKeyResult(input: $i) { keyResult { id } } }`;

async function planWithSquad(org: TestOrg) {
  const lead = await addMember(app, org, 'SQUAD_LEAD', '张伟');
  const squadId = await createSquad(app, org, lead.userId);
  const cycleId = await createCycle(app, org);
  return { lead, squadId, cycleId };
}

describe('objectives and key results', () => {
  it('measure progress per kind and roll it up, weighted, to the parent objective', async () => {
    const org = await createOrg(app);
    const { lead, squadId, cycleId } = await planWithSquad(org);
    const company = await createObjective(app, org, { cycleId, title: '公司：内容生态繁荣' });
    const objective = await createObjective(app, lead, { cycleId, squadId, parentId: company.id, weight: '2' });
    const other = await createObjective(app, org, { cycleId, title: '其他', parentId: company.id });
    const posts = await createKeyResult(app, lead, { objectiveId: objective.id, weight: '3' });
    const retention = await createKeyResult(app, lead, {
      objectiveId: objective.id, title: '退款率从8%降到5%', kind: 'DECREASE_TO', startValue: '0.08', targetValue: '0.05', unit: '%',
    });
    const launch = await createKeyResult(app, org, { objectiveId: other.id, title: '上线激励计划', kind: 'MILESTONE', startValue: null, targetValue: null });

    // 1000 → 1300 posts/day, now 1150: 0.5; refund rate 8% → 5%, now 9% (worse): 0
    ok(await checkIn(app, lead, posts.id, 1, '1150', 0.8, '春节后回升'));
    const worse = ok(await checkIn(app, lead, retention.id, 1, '0.09', 0.3)).checkInKeyResult;
    expect(worse.keyResult).toMatchObject({ progress: 0, status: 'OFF_TRACK', currentValue: '0.09', confidence: 0.3, version: 2 });
    ok(await checkIn(app, org, launch.id, 1, '1', 0.9));

    const o = ok(await app.gql(OBJECTIVE, { id: objective.id }, lead)).objective;
    expect(o.keyResults.map((k: { progress: number }) => k.progress)).toEqual([0.5, 0]);
    expect(o.progress).toBeCloseTo((3 * 0.5 + 0) / 4, 12);
    expect(o.status).toBe('OFF_TRACK'); // its weakest key result
    expect(o.keyResults[0].latestCheckIn).toEqual({ value: '1150', confidence: 0.8, note: '春节后回升' });
    expect(o.parent.id).toBe(company.id);
    expect(o.score).toBeNull();

    const c = ok(await app.gql(OBJECTIVE, { id: company.id }, org)).objective;
    expect(c.children.map((x: { id: string }) => x.id)).toEqual([objective.id, other.id]);
    expect(c.progress).toBeCloseTo((2 * 0.375 + 1 * 1) / 3, 12);
    expect(c.status).toBe('OFF_TRACK');
  });

  it('refuses definitions that cannot be measured, all-zero weights and alignment loops', async () => {
    const org = await createOrg(app);
    const { cycleId } = await planWithSquad(org);
    const a = await createObjective(app, org, { cycleId, title: 'A' });
    const same = await app.gql(CREATE_KR, { i: { objectiveId: a.id, title: 'x', kind: 'INCREASE_TO', startValue: '5', targetValue: '5.0' } }, org);
    expect(errorCode(same)).toBe('BAD_USER_INPUT');
    expect(same.errors![0].extensions!.field).toBe('targetValue');
    const missing = await app.gql(CREATE_KR, { i: { objectiveId: a.id, title: 'x', kind: 'STAY_ABOVE', targetValue: '5' } }, org);
    expect(errorCode(missing)).toBe('BAD_USER_INPUT');
    const zero = await app.gql(CREATE_KR, { i: { objectiveId: a.id, title: 'x', kind: 'MILESTONE', weight: '0' } }, org);
    expect(errorCode(zero)).toBe('BAD_USER_INPUT');
    const kr = await createKeyResult(app, org, { objectiveId: a.id });
    ok(await app.gql(CREATE_KR, { i: { objectiveId: a.id, title: 'zero is fine beside others', kind: 'MILESTONE', weight: '0' } }, org));
    expect(errorCode(await app.gql(UPDATE_KR, { i: { id: kr.id, weight: '0', expectedVersion: 1 } }, org))).toBe('BAD_USER_INPUT');
    expect(errorCode(await app.gql(UPDATE_KR, { i: { id: kr.id, weight: '-1', expectedVersion: 1 } }, org))).toBe('BAD_USER_INPUT');
    const milestoneValue = await createKeyResult(app, org, { objectiveId: a.id, kind: 'MILESTONE', startValue: null, targetValue: null });
    expect(errorCode(await checkIn(app, org, milestoneValue.id, 1, '0.5'))).toBe('BAD_USER_INPUT');
    expect(errorCode(await checkIn(app, org, kr.id, 1, '1100', 1.5))).toBe('BAD_USER_INPUT');

    const b = await createObjective(app, org, { cycleId, title: 'B', parentId: a.id });
    const c = await createObjective(app, org, { cycleId, title: 'C', parentId: b.id });
    const loop = await app.gql(UPDATE_OBJECTIVE, { i: { id: a.id, parentId: c.id, expectedVersion: a.version } }, org);
    expect(errorCode(loop)).toBe('BAD_USER_INPUT');
    expect(loop.errors![0].message).toMatch(/roll up into itself/);
    expect(errorCode(await app.gql(UPDATE_OBJECTIVE, { i: { id: a.id, parentId: a.id, expectedVersion: a.version } }, org))).toBe('BAD_USER_INPUT');
    // Re-aligning elsewhere, and removing the link, are fine.
    const moved = ok(await app.gql(UPDATE_OBJECTIVE, { i: { id: c.id, parentId: a.id, expectedVersion: c.version } }, org)).updateObjective.objective;
    expect(moved).toMatchObject({ parent: { id: a.id }, version: c.version + 1 });
    const unlinked = ok(await app.gql(UPDATE_OBJECTIVE, { i: { id: c.id, parentId: null, expectedVersion: moved.version } }, org)).updateObjective.objective;
    expect(unlinked.parent).toBeNull();
  });

  it('answers a stale expectedVersion with CONFLICT and the current version', async () => {
    const org = await createOrg(app);
    const { cycleId } = await planWithSquad(org);
    const o = await createObjective(app, org, { cycleId });
    const kr = await createKeyResult(app, org, { objectiveId: o.id });
    ok(await checkIn(app, org, kr.id, 1, '1100'));
    const stale = await checkIn(app, org, kr.id, 1, '1200');
    expect(errorCode(stale)).toBe('CONFLICT');
    expect(stale.errors![0].extensions!.currentVersion).toBe(2);
    ok(await checkIn(app, org, kr.id, 2, '1200'));

    ok(await app.gql(UPDATE_OBJECTIVE, { i: { id: o.id, title: '新标题', expectedVersion: 1 } }, org));
    const staleObjective = await app.gql(UPDATE_OBJECTIVE, { i: { id: o.id, title: '旧', expectedVersion: 1 } }, org);
    expect(errorCode(staleObjective)).toBe('CONFLICT');
    expect(staleObjective.errors![0].extensions!.currentVersion).toBe(2);
    const staleKr = await app.gql(UPDATE_KR, { i: { id: kr.id, title: 'x', expectedVersion: 1 } }, org);
    expect(staleKr.errors![0].extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 3 });
    const updated = ok(await app.gql(UPDATE_KR, { i: { id: kr.id, targetValue: '1400', expectedVersion: 3 } }, org)).updateKeyResult.keyResult;
    expect(updated).toMatchObject({ targetValue: '1400', version: 4, progress: 0.5 });

    const history = ok(
      await app.gql(`query($id: ID!) { node(id: $id) { ... on KeyResult { checkIns(first: 10) { totalCount nodes { value author { id } } } } } }`, { id: kr.id }, org),
    ).node.checkIns;
    expect(history).toEqual({ totalCount: 2, nodes: [{ value: '1200', author: { id: org.userId } }, { value: '1100', author: { id: org.userId } }] });
  });

  it('lets exactly one of 50 parallel check-ins with the same version succeed', async () => {
    const org = await createOrg(app);
    const { cycleId } = await planWithSquad(org);
    const o = await createObjective(app, org, { cycleId });
    const kr = await createKeyResult(app, org, { objectiveId: o.id });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => checkIn(app, org, kr.id, 1, String(1000 + i), 0.5)));
    const succeeded = results.filter((r) => !r.errors);
    const codes = results.filter((r) => r.errors).map((r) => errorCode(r));
    expect(succeeded).toHaveLength(1);
    expect(new Set(codes)).toEqual(new Set(['CONFLICT']));
    const [{ n }] = await app.ds.query(`SELECT count(*)::int AS n FROM check_ins WHERE key_result_id = $1`, [decodeGlobalId(kr.id)!.id]);
    expect(n).toBe(1);
    const now = ok(await app.gql(OBJECTIVE, { id: o.id }, org)).objective.keyResults[0];
    expect(now.version).toBe(2);
    expect(now.currentValue).toBe(succeeded[0].data.checkInKeyResult.checkIn.value);
  });

  it('closing a cycle scores key results (rounded to 0.1) and freezes them', async () => {
    const org = await createOrg(app);
    const { lead, squadId, cycleId } = await planWithSquad(org);
    const o = await createObjective(app, lead, { cycleId, squadId });
    const kr1 = await createKeyResult(app, lead, { objectiveId: o.id, startValue: '0', targetValue: '3' });
    const kr2 = await createKeyResult(app, lead, { objectiveId: o.id, kind: 'STAY_BELOW', startValue: '0', targetValue: '5' });
    ok(await checkIn(app, lead, kr1.id, 1, '2', 0.6)); // 0.667 → 0.7
    ok(await checkIn(app, lead, kr2.id, 1, '6', 0.2)); // above the ceiling → 0

    const close = `mutation($i: CloseCycleInput!) { closeCycle(input: $i) { cycle { id closedAt } } }`;
    expect(errorCode(await app.gql(close, { i: { cycleId } }, lead))).toBe('FORBIDDEN');
    expect(ok(await app.gql(close, { i: { cycleId } }, org)).closeCycle.cycle.closedAt).toBeTruthy();
    expect(errorCode(await app.gql(close, { i: { cycleId } }, org))).toBe('CYCLE_CLOSED');

    const after = ok(await app.gql(OBJECTIVE, { id: o.id }, lead)).objective;
    expect(after.keyResults.map((k: { score: number }) => k.score)).toEqual([0.7, 0]);
    expect(after.score).toBeCloseTo(0.35, 12);
    const frozen = await checkIn(app, lead, kr1.id, after.keyResults[0].version, '3');
    expect(errorCode(frozen)).toBe('CYCLE_CLOSED');
    expect(errorCode(await app.gql(CREATE_KR, { i: { objectiveId: o.id, title: 'x', kind: 'MILESTONE' } }, org))).toBe('CYCLE_CLOSED');
    expect(errorCode(await app.gql(UPDATE_OBJECTIVE, { i: { id: o.id, title: 'x', expectedVersion: o.version } }, org))).toBe('CYCLE_CLOSED');
    expect(errorCode(await app.gql(`mutation($i: CreateObjectiveInput!) { createObjective(input: $i) { objective { id } } }`, { i: { cycleId, title: 'x' } }, org))).toBe('CYCLE_CLOSED');
    const cycles = ok(await app.gql(`{ open: cycles(filter: { open: true }) { totalCount } closed: cycles(filter: { open: false }) { nodes { id } } }`, {}, org));
    expect(cycles.open.totalCount).toBe(0);
    expect(cycles.closed.nodes).toEqual([{ id: cycleId }]);
  });

  it('derives status from pace when there is no check-in', async () => {
    const org = await createOrg(app);
    const today = new Date();
    const iso = (d: Date) => d.toISOString().slice(0, 10);
    const start = new Date(today.getTime() - 50 * 86400000);
    const end = new Date(today.getTime() + 49 * 86400000); // about half elapsed
    const cycleId = await createCycle(app, org, { startsOn: iso(start), endsOn: iso(end) });
    const o = await createObjective(app, org, { cycleId });
    const kr = await createKeyResult(app, org, { objectiveId: o.id, startValue: '0', targetValue: '100' });
    const status = async () => ok(await app.gql(OBJECTIVE, { id: o.id }, org)).objective.keyResults[0].status;
    expect(await status()).toBe('OFF_TRACK');
    await app.ds.query(`UPDATE key_results SET current_value = 30 WHERE id = $1`, [decodeGlobalId(kr.id)!.id]);
    expect(await status()).toBe('AT_RISK'); // 0.3 of an expected 0.51: 59%
    await app.ds.query(`UPDATE key_results SET current_value = 40 WHERE id = $1`, [decodeGlobalId(kr.id)!.id]);
    expect(await status()).toBe('ON_TRACK'); // 78%
  });

  it('filters objectives by cycle, squad, owner and status', async () => {
    const org = await createOrg(app);
    const { lead, squadId, cycleId } = await planWithSquad(org);
    const otherCycle = await createCycle(app, org);
    const good = await createObjective(app, lead, { cycleId, squadId, title: 'good' });
    const bad = await createObjective(app, org, { cycleId, title: 'bad', ownerId: lead.userId });
    await createObjective(app, org, { cycleId: otherCycle, title: 'elsewhere' });
    const k1 = await createKeyResult(app, lead, { objectiveId: good.id });
    const k2 = await createKeyResult(app, org, { objectiveId: bad.id });
    ok(await checkIn(app, lead, k1.id, 1, '1100', 0.9));
    ok(await checkIn(app, org, k2.id, 1, '1100', 0.1));
    const q = `query($f: ObjectivesFilter, $first: Int, $after: String) { objectives(filter: $f, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { title } } }`;
    const titles = async (f: Record<string, unknown>) => ok(await app.gql(q, { f }, org)).objectives.nodes.map((n: { title: string }) => n.title);
    expect(await titles({ cycleId })).toEqual(['good', 'bad']);
    expect(await titles({ squadId })).toEqual(['good']);
    expect(await titles({ ownerId: lead.userId })).toEqual(['good', 'bad']);
    expect(await titles({ cycleId, status: 'OFF_TRACK' })).toEqual(['bad']);
    expect(await titles({ status: 'ON_TRACK', cycleId })).toEqual(['good']);
    const paged = ok(await app.gql(q, { f: { cycleId, status: 'OFF_TRACK' }, first: 0 }, org)).objectives;
    expect(paged).toMatchObject({ totalCount: 1 });
    const squadView = ok(await app.gql(`query($id: ID!) { squad(id: $id) { objectives(first: 10) { nodes { title } } } }`, { id: squadId }, org));
    expect(squadView.squad.objectives.nodes).toEqual([{ title: 'good' }]);
  });
});

describe('OKR permissions', () => {
  it('let a squad lead manage only their squads, and owners of key results check in', async () => {
    const org = await createOrg(app);
    const { lead, squadId, cycleId } = await planWithSquad(org);
    const otherLead = await addMember(app, org, 'SQUAD_LEAD');
    const member = await addMember(app, org, 'MEMBER');
    const finance = await addMember(app, org, 'FINANCE');
    const viewer = await addMember(app, org, 'VIEWER');
    const create = `mutation($i: CreateObjectiveInput!) { createObjective(input: $i) { objective { id } } }`;
    expect(errorCode(await app.gql(create, { i: { cycleId, title: 'x' } }, lead))).toBe('FORBIDDEN'); // no squad
    expect(errorCode(await app.gql(create, { i: { cycleId, title: 'x', squadId } }, otherLead))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(create, { i: { cycleId, title: 'x', squadId } }, member))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(create, { i: { cycleId, title: 'x', squadId } }, finance))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(create, { i: { cycleId, title: 'x', squadId } }, viewer))).toBe('FORBIDDEN');
    const createCycle = `mutation { createCycle(input: { name: "x", startsOn: "2026-01-01", endsOn: "2026-03-31" }) { cycle { id } } }`;
    expect(errorCode(await app.gql(createCycle, {}, lead))).toBe('FORBIDDEN');

    const o = await createObjective(app, lead, { cycleId, squadId });
    expect(errorCode(await app.gql(UPDATE_OBJECTIVE, { i: { id: o.id, title: 'x', expectedVersion: 1 } }, otherLead))).toBe('FORBIDDEN');
    const kr = await createKeyResult(app, lead, { objectiveId: o.id, ownerId: member.userId });
    expect(errorCode(await app.gql(CREATE_KR, { i: { objectiveId: o.id, title: 'x', kind: 'MILESTONE' } }, otherLead))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(UPDATE_KR, { i: { id: kr.id, title: 'x', expectedVersion: 1 } }, member))).toBe('FORBIDDEN');

    expect(errorCode(await checkIn(app, otherLead, kr.id, 1, '1010'))).toBe('FORBIDDEN');
    expect(errorCode(await checkIn(app, finance, kr.id, 1, '1010'))).toBe('FORBIDDEN');
    expect(errorCode(await checkIn(app, viewer, kr.id, 1, '1010'))).toBe('FORBIDDEN');
    ok(await checkIn(app, member, kr.id, 1, '1010', 0.7)); // the owner
    ok(await checkIn(app, lead, kr.id, 2, '1020', 0.7)); // the squad's lead
    ok(await checkIn(app, org, kr.id, 3, '1030', 0.7)); // OWNER
    const read = ok(await app.gql(OBJECTIVE, { id: o.id }, viewer)).objective;
    expect(read.keyResults[0]).toMatchObject({ currentValue: '1030', owner: { id: member.userId } });
  });
});
