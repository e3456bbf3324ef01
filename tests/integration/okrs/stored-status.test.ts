import Decimal from 'decimal.js';
import { decodeGlobalId } from '../../../src/common/ids';
import { sqlOf, storeOrganizationProgress } from '../../../src/modules/okrs/okr-progress-store';
import { OkrStatus, elapsedShare, objectiveStatus, weightedMean } from '../../../src/modules/okrs/okr-rules';
import { createOrg, type TestOrg } from '../../support/factories';
import { checkIn, createCycle, createKeyResult, createObjective } from '../../support/planning';
import { ok, startTestApp, type TestApp } from '../../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const iso = (d: Date) => d.toISOString().slice(0, 10);
const today = () => iso(new Date());
const STATUSES = [OkrStatus.ON_TRACK, OkrStatus.AT_RISK, OkrStatus.OFF_TRACK];

/** A cycle about half elapsed, so that pace matters. */
async function halfwayCycle(org: TestOrg) {
  const now = Date.now();
  const startsOn = iso(new Date(now - 50 * 86400000));
  const endsOn = iso(new Date(now + 49 * 86400000));
  return { id: await createCycle(app, org, { startsOn, endsOn }), startsOn, endsOn };
}

const ALL = /* GraphQL */ `
  query($cycleId: ID!) {
    objectives(filter: { cycleId: $cycleId }, first: 100) {
      nodes { id title progress status weight parent { id } keyResults { progress status weight } }
    }
  }
`;
const FILTERED = /* GraphQL */ `
  query($cycleId: ID!, $status: OkrStatus!) {
    objectives(filter: { cycleId: $cycleId, status: $status }, first: 100) { totalCount nodes { id } }
  }
`;

interface Row {
  id: string;
  title: string;
  progress: number;
  status: OkrStatus;
  weight: string;
  parent: { id: string } | null;
  keyResults: Array<{ progress: number; status: OkrStatus; weight: string }>;
}

/**
 * The status and progress each objective should have, computed here from its key results' own
 * fields (computed from the key-result row on read) and the rules, recursively over children.
 */
function expected(rows: Row[], cycle: { startsOn: string; endsOn: string }) {
  const out = new Map<string, { progress: number; status: OkrStatus }>();
  const eval1 = (o: Row): { progress: number; status: OkrStatus } => {
    const known = out.get(o.id);
    if (known) return known;
    const children = rows.filter((c) => c.parent?.id === o.id).map((c) => ({ weight: c.weight, ...eval1(c) }));
    const parts = [...o.keyResults, ...children];
    const progress = weightedMean(parts.map((p) => ({ weight: new Decimal(p.weight), value: p.progress })));
    const status = objectiveStatus(parts.map((p) => p.status), progress, elapsedShare(cycle.startsOn, cycle.endsOn, today()));
    out.set(o.id, { progress, status });
    return { progress, status };
  };
  rows.forEach(eval1);
  return out;
}

/** Every objective's stored status and progress, the status filters and their counts agree with the computed ones. */
async function expectAgreement(org: TestOrg, cycle: { id: string; startsOn: string; endsOn: string }) {
  const rows: Row[] = ok(await app.gql(ALL, { cycleId: cycle.id }, org)).objectives.nodes;
  const want = expected(rows, cycle);
  for (const o of rows) {
    expect({ title: o.title, status: o.status }).toEqual({ title: o.title, status: want.get(o.id)!.status });
    expect(o.progress).toBeCloseTo(want.get(o.id)!.progress, 12);
  }
  for (const status of STATUSES) {
    const page = ok(await app.gql(FILTERED, { cycleId: cycle.id, status }, org)).objectives;
    const ids = rows.filter((o) => want.get(o.id)!.status === status).map((o) => o.id);
    expect({ status, ids: page.nodes.map((n: { id: string }) => n.id) }).toEqual({ status, ids });
    expect({ status, totalCount: page.totalCount }).toEqual({ status, totalCount: ids.length });
  }
  return rows;
}

const UPDATE_OBJECTIVE = `mutation($i: UpdateObjectiveInput!) { updateObjective(input: $i) { objective { id version progress status } } }`;
const UPDATE_KR = `mutation($i: UpdateKeyResultInput!) { updateKeyResult(input: $i) { keyResult { id version } } }`;

describe('stored objective progress and status', () => {
  it('filter and totalCount agree with the computed status across check-ins, re-parenting and edits', async () => {
    const org = await createOrg(app);
    const cycle = await halfwayCycle(org);
    const ver = async (id: string) => ok(await app.gql(`query($id: ID!) { node(id: $id) { ... on Objective { version } ... on KeyResult { version } } }`, { id }, org)).node.version as number;
    const company = await createObjective(app, org, { cycleId: cycle.id, title: '公司目标' });
    const a = await createObjective(app, org, { cycleId: cycle.id, title: 'A', parentId: company.id });
    const b = await createObjective(app, org, { cycleId: cycle.id, title: 'B', parentId: company.id, weight: '2' });
    const lonely = await createObjective(app, org, { cycleId: cycle.id, title: '无关键结果' });
    await expectAgreement(org, cycle);

    const a1 = await createKeyResult(app, org, { objectiveId: a.id, startValue: '0', targetValue: '100' });
    const a2 = await createKeyResult(app, org, { objectiveId: a.id, startValue: '0', targetValue: '100', weight: '3' });
    const b1 = await createKeyResult(app, org, { objectiveId: b.id, startValue: '100', targetValue: '50', kind: 'DECREASE_TO' });
    await expectAgreement(org, cycle); // no check-in yet: every key result from pace (0 progress at half time: OFF_TRACK)

    ok(await checkIn(app, org, a1.id, 1, '80', 0.9));
    ok(await checkIn(app, org, a2.id, 1, '40', 0.5));
    await expectAgreement(org, cycle);
    ok(await checkIn(app, org, b1.id, 1, '70', 0.2));
    await expectAgreement(org, cycle);
    ok(await checkIn(app, org, b1.id, 2, '55', 0.95));
    let rows = await expectAgreement(org, cycle);
    expect(rows.find((o) => o.id === company.id)!.status).toBe('AT_RISK'); // A is AT_RISK (a2), B ON_TRACK

    // Re-parenting: B moves from the company objective to the one without key results, then to none.
    ok(await app.gql(UPDATE_OBJECTIVE, { i: { id: b.id, parentId: lonely.id, expectedVersion: await ver(b.id) } }, org));
    rows = await expectAgreement(org, cycle);
    expect(rows.find((o) => o.id === lonely.id)!.status).toBe('ON_TRACK'); // now from B
    ok(await app.gql(UPDATE_OBJECTIVE, { i: { id: b.id, parentId: null, expectedVersion: await ver(b.id) } }, org));
    await expectAgreement(org, cycle);
    ok(await app.gql(UPDATE_OBJECTIVE, { i: { id: b.id, parentId: company.id, expectedVersion: await ver(b.id) } }, org));
    await expectAgreement(org, cycle);

    // Edits: weights of objectives and key results, the target of a key result, its kind.
    ok(await app.gql(UPDATE_OBJECTIVE, { i: { id: a.id, weight: '0', expectedVersion: await ver(a.id) } }, org));
    await expectAgreement(org, cycle);
    ok(await app.gql(UPDATE_KR, { i: { id: a2.id, weight: '0', expectedVersion: await ver(a2.id) } }, org));
    await expectAgreement(org, cycle);
    ok(await app.gql(UPDATE_KR, { i: { id: a1.id, targetValue: '1000', expectedVersion: await ver(a1.id) } }, org));
    await expectAgreement(org, cycle);
    ok(await app.gql(UPDATE_KR, { i: { id: b1.id, kind: 'STAY_BELOW', expectedVersion: await ver(b1.id) } }, org));
    rows = await expectAgreement(org, cycle);
    expect(new Set(rows.map((o) => o.status)).size).toBeGreaterThan(1);
  });

  it('concurrent check-ins on key results of one objective each leave a roll-up that counts the others', async () => {
    const org = await createOrg(app);
    const cycle = await halfwayCycle(org);
    const company = await createObjective(app, org, { cycleId: cycle.id, title: '公司目标' });
    const o = await createObjective(app, org, { cycleId: cycle.id, title: '并发', parentId: company.id });
    const krs = [];
    for (let i = 0; i < 8; i++) krs.push(await createKeyResult(app, org, { objectiveId: o.id, startValue: '0', targetValue: '100' }));
    const results = await Promise.all(krs.map((kr, i) => checkIn(app, org, kr.id, 1, String(10 * (i + 1)), 0.9)));
    results.forEach((r) => ok(r));
    const rows = await expectAgreement(org, cycle);
    expect(rows.find((x) => x.id === o.id)!.progress).toBeCloseTo(0.45, 12); // mean of 0.1 … 0.8
  });

  it('returns the stored values from the mutation that changed them', async () => {
    const org = await createOrg(app);
    const cycle = await halfwayCycle(org);
    const created = ok(
      await app.gql(`mutation($i: CreateObjectiveInput!) { createObjective(input: $i) { objective { id progress status } } }`, { i: { cycleId: cycle.id, title: '新目标' } }, org),
    ).createObjective.objective;
    expect(created).toMatchObject({ progress: 0, status: 'OFF_TRACK' }); // no key result, half the cycle gone
    const kr = await createKeyResult(app, org, { objectiveId: created.id, startValue: '0', targetValue: '10' });
    const done = ok(
      await app.gql(`mutation($i: CheckInKeyResultInput!) { checkInKeyResult(input: $i) { keyResult { objective { progress status } } } }`, {
        i: { keyResultId: kr.id, value: '10', confidence: 0.9, expectedVersion: 1 },
      }, org),
    ).checkInKeyResult.keyResult.objective;
    expect(done).toEqual({ progress: 1, status: 'ON_TRACK' });
  });
});

/** Runs an operation with a known request id and returns the statements the server recorded for it. */
async function measured(as: { token: string }, query: string, variables: Record<string, unknown> = {}) {
  const requestId = `stored-status-${Math.random().toString(36).slice(2)}`;
  const res = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': requestId, authorization: `Bearer ${as.token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return { data: body.data, statements: app.server.statementsFor(requestId)!.count };
}

/** An organisation with `n` more objectives under one company objective, each with two key results at confidence 0.5, stored like a backfill. */
async function organisation(n: number) {
  const org = await createOrg(app);
  const cycle = await halfwayCycle(org);
  const company = await createObjective(app, org, { cycleId: cycle.id, title: '公司目标' });
  const first = await createObjective(app, org, { cycleId: cycle.id, title: '第一', parentId: company.id });
  const kr = await createKeyResult(app, org, { objectiveId: first.id, startValue: '0', targetValue: '100' });
  const uuid = (g: string) => decodeGlobalId(g)!.id;
  await app.ds.query(
    `WITH o AS (
       INSERT INTO objectives (organization_id, cycle_id, title, owner_id, parent_id)
       SELECT $1, $2, '目标 ' || g, $3, $4 FROM generate_series(1, $5) g RETURNING id)
     INSERT INTO key_results (organization_id, objective_id, cycle_id, title, kind, start_value, target_value, current_value, owner_id, confidence)
     SELECT $1, o.id, $2, '关键结果', 'INCREASE_TO', 0, 100, 40 + n * 10, $3, 0.5 FROM o, generate_series(1, 2) n`,
    [uuid(org.organizationId), uuid(cycle.id), uuid(org.userId), uuid(company.id), n],
  );
  await storeOrganizationProgress(sqlOf(app.ds.manager), uuid(org.organizationId));
  return { org, cycle, kr };
}

describe('statements', () => {
  const AT_RISK = `query($c: ID!) { objectives(filter: { cycleId: $c, status: AT_RISK }, first: 100) { totalCount nodes { id title progress status } } }`;

  it('the status filter and its totalCount cost the same statements for 5 and for 200 objectives', async () => {
    const small = await organisation(5);
    const large = await organisation(200);
    await measured(large.org, AT_RISK, { c: large.cycle.id });
    const s = await measured(small.org, AT_RISK, { c: small.cycle.id });
    const l = await measured(large.org, AT_RISK, { c: large.cycle.id });
    // The bulk objectives are AT_RISK (confidence 0.5); the first (no check-in, half the cycle gone) and the company objective are OFF_TRACK.
    expect(s.data.objectives.totalCount).toBe(5);
    expect(l.data.objectives.totalCount).toBe(200);
    expect(l.data.objectives.nodes).toHaveLength(100);
    expect(l.statements).toBe(s.statements);
    expect(l.statements).toBeLessThanOrEqual(3);
  });

  it('a check-in costs the same statements whatever the number of objectives beside it', async () => {
    const small = await organisation(5);
    const large = await organisation(200);
    const CHECK_IN = `mutation($i: CheckInKeyResultInput!) { checkInKeyResult(input: $i) { keyResult { version } } }`;
    const s = await measured(small.org, CHECK_IN, { i: { keyResultId: small.kr.id, value: '50', confidence: 0.6, expectedVersion: 1 } });
    const l = await measured(large.org, CHECK_IN, { i: { keyResultId: large.kr.id, value: '50', confidence: 0.6, expectedVersion: 1 } });
    expect(l.statements).toBe(s.statements);
  });
});
