import 'reflect-metadata';
import { decodeGlobalId } from '../../../src/common/ids';
import { createOrg, type TestOrg } from '../../support/factories';
import { checkIn, createCycle, createKeyResult, createObjective } from '../../support/planning';
import { errorCode, ok, startTestApp, type GqlResult, type TestApp } from '../../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const uuid = (globalId: string) => decodeGlobalId(globalId)!.id;

/** Dates a check-in back to `day` (noon UTC): the API records check-ins now. */
async function backdate(checkInId: string, day: string) {
  await app.ds.query(`UPDATE check_ins SET created_at = $2::timestamptz WHERE id = $1`, [uuid(checkInId), `${day}T12:00:00Z`]);
}

async function checkedIn(org: TestOrg, krId: string, version: number, value: string, confidence: number, day: string) {
  const res = ok(await checkIn(app, org, krId, version, value, confidence));
  await backdate(res.checkInKeyResult.checkIn.id, day);
  return res.checkInKeyResult.keyResult.version as number;
}

const KR_HISTORY = `query($id: ID!, $g: Grain!, $f: Date, $t: Date) {
  node(id: $id) { ... on KeyResult { currentValue progressHistory(grain: $g, from: $f, to: $t) { periodStart periodEnd value progress confidence status } } }
}`;
const OBJECTIVE_HISTORY = `query($id: ID!, $g: Grain!, $f: Date, $t: Date) {
  objective(id: $id) { progress progressHistory(grain: $g, from: $f, to: $t) { periodStart periodEnd progress status } }
}`;

describe('progressHistory', () => {
  let org: TestOrg;
  let objective: string;
  let a: string;
  let b: string;
  beforeAll(async () => {
    org = await createOrg(app);
    const cycleId = await createCycle(app, org, { startsOn: '2026-01-01', endsOn: '2026-03-31' });
    objective = (await createObjective(app, org, { cycleId, title: '提升创作者留存' })).id;
    // A (weight 1): 0 → 100; B (weight 3): 0 → 10; an aligned objective (weight 1) whose only key result has no check-in.
    a = (await createKeyResult(app, org, { objectiveId: objective, title: 'A', startValue: '0', targetValue: '100' })).id;
    b = (await createKeyResult(app, org, { objectiveId: objective, title: 'B', startValue: '0', targetValue: '10', weight: '3' })).id;
    const child = (await createObjective(app, org, { cycleId, title: '子目标', parentId: objective })).id;
    await createKeyResult(app, org, { objectiveId: child, title: 'C', startValue: '0', targetValue: '10' });

    let v = await checkedIn(org, a, 1, '20', 0.8, '2026-01-07'); // week of 2026-01-05
    v = await checkedIn(org, a, v, '50', 0.3, '2026-01-20'); // week of 2026-01-19 …
    v = await checkedIn(org, a, v, '60', 0.5, '2026-01-22'); // … the last of that week counts
    await checkedIn(org, b, 1, '5', 0.9, '2026-02-04'); // week of 2026-02-02
    // Today's value, far after the range: the history must not read it.
    ok(await checkIn(app, org, a, v, '90', 0.9));
  });

  it('gives a key result’s value, progress, confidence and status as of each bucket end, from check-ins, not today’s value', async () => {
    const res = ok(await app.gql(KR_HISTORY, { id: a, g: 'WEEK', f: '2026-01-01', t: '2026-02-08' }, org));
    expect(res.node.currentValue).toBe('90');
    expect(res.node.progressHistory).toEqual([
      { periodStart: '2025-12-29', periodEnd: '2026-01-04', value: '0', progress: null, confidence: null, status: null },
      { periodStart: '2026-01-05', periodEnd: '2026-01-11', value: '20', progress: 0.2, confidence: 0.8, status: 'ON_TRACK' },
      { periodStart: '2026-01-12', periodEnd: '2026-01-18', value: '20', progress: 0.2, confidence: 0.8, status: 'ON_TRACK' },
      { periodStart: '2026-01-19', periodEnd: '2026-01-25', value: '60', progress: 0.6, confidence: 0.5, status: 'AT_RISK' },
      { periodStart: '2026-01-26', periodEnd: '2026-02-01', value: '60', progress: 0.6, confidence: 0.5, status: 'AT_RISK' },
      { periodStart: '2026-02-02', periodEnd: '2026-02-08', value: '60', progress: 0.6, confidence: 0.5, status: 'AT_RISK' },
    ]);
  });

  it('rolls an objective up by the rule of Objective.progress, each key result as of the bucket end; null before any check-in', async () => {
    const res = ok(await app.gql(OBJECTIVE_HISTORY, { id: objective, g: 'WEEK', f: '2026-01-01', t: '2026-02-08' }, org));
    const points = res.objective.progressHistory as Array<{ periodStart: string; progress: number | null; status: string | null }>;
    expect(points.map((p) => p.periodStart)).toEqual(['2025-12-29', '2026-01-05', '2026-01-12', '2026-01-19', '2026-01-26', '2026-02-02']);
    // (1 × A + 3 × B + 1 × child) / 5
    const expected = [null, 0.2 / 5, 0.2 / 5, 0.6 / 5, 0.6 / 5, (0.6 + 3 * 0.5) / 5];
    points.forEach((p, i) => (expected[i] === null ? expect(p.progress).toBeNull() : expect(p.progress).toBeCloseTo(expected[i]!, 10)));
    expect(points[0].status).toBeNull();
    // The child's key result, unmeasured, is behind pace: the weakest status wins.
    expect(points[5].status).toBe('OFF_TRACK');
    // Today's roll-up reads today's value (A at 90): not the history's last point.
    expect(res.objective.progress).toBeCloseTo((0.9 + 1.5) / 5, 10);
  });

  it('defaults from and to to the cycle’s span', async () => {
    const res = ok(await app.gql(OBJECTIVE_HISTORY, { id: objective, g: 'MONTH' }, org));
    const months = res.objective.progressHistory as Array<{ periodStart: string; periodEnd: string; progress: number }>;
    expect(months.map((p) => [p.periodStart, p.periodEnd])).toEqual([
      ['2026-01-01', '2026-01-31'],
      ['2026-02-01', '2026-02-28'],
      ['2026-03-01', '2026-03-31'],
    ]);
    expect(months[0].progress).toBeCloseTo(0.12, 10);
    expect(months[2].progress).toBeCloseTo(0.42, 10);
    const kr = ok(await app.gql(KR_HISTORY, { id: b, g: 'MONTH' }, org)).node.progressHistory;
    expect(kr.map((p: { value: string }) => p.value)).toEqual(['0', '5', '5']);
  });

  it('refuses too many buckets and a range that ends before it starts, as BAD_USER_INPUT naming to', async () => {
    const many = await app.gql(OBJECTIVE_HISTORY, { id: objective, g: 'DAY', f: '2020-01-01', t: '2026-01-01' }, org);
    expect(errorCode(many)).toBe('BAD_USER_INPUT');
    expect(many.errors![0].extensions).toMatchObject({ field: 'to', max: 1100 });
    const backwards = await app.gql(KR_HISTORY, { id: a, g: 'WEEK', f: '2026-02-01', t: '2026-01-01' }, org);
    expect(errorCode(backwards)).toBe('BAD_USER_INPUT');
    // Only `from`, after the cycle's end: to (the cycle's end) is before from.
    const late = await app.gql(KR_HISTORY, { id: a, g: 'WEEK', f: '2026-06-01' }, org);
    expect(errorCode(late)).toBe('BAD_USER_INPUT');
  });
});

/** A cycle of `objectives` objectives with two key results each, checked in every week of `weeks`. */
async function plan(objectives: number, weeks: number) {
  const org = await createOrg(app);
  const cycleId = await createCycle(app, org, { startsOn: '2025-01-01', endsOn: '2025-12-31' });
  const first = await createObjective(app, org, { cycleId, title: '目标 0' });
  const kr = await createKeyResult(app, org, { objectiveId: first.id, startValue: '0', targetValue: '100' });
  await checkedIn(org, kr.id, 1, '10', 0.7, '2025-01-08');
  await app.ds.query(
    `WITH o AS (
       INSERT INTO objectives (organization_id, cycle_id, title, owner_id)
       SELECT $1, $2, '目标 ' || g, (SELECT owner_id FROM objectives WHERE id = $3) FROM generate_series(1, $4 - 1) g RETURNING id, owner_id),
     k AS (
       INSERT INTO key_results (organization_id, objective_id, cycle_id, title, kind, start_value, target_value, current_value, owner_id)
       SELECT $1, o.id, $2, '关键结果 ' || n, 'INCREASE_TO', 0, 100, 0, o.owner_id FROM o, generate_series(1, 2) n RETURNING id)
     INSERT INTO check_ins (organization_id, key_result_id, value, confidence, created_at)
     SELECT $1, k.id, w, 0.6, timestamptz '2025-01-06 09:00Z' + (w - 1) * interval '7 days' FROM k, generate_series(1, $5) w`,
    [uuid(org.organizationId), uuid(cycleId), uuid(first.id), objectives, weeks],
  );
  return { org, cycleId, to: new Date(Date.UTC(2025, 0, 5 + 7 * weeks)).toISOString().slice(0, 10) };
}

const PAGE = `query($c: ID!, $t: Date!) {
  objectives(filter: { cycleId: $c }, first: 20) {
    nodes { title progressHistory(grain: WEEK, from: "2025-01-06", to: $t) { periodStart progress status }
      keyResults { title progressHistory(grain: WEEK, from: "2025-01-06", to: $t) { value progress } } }
  }
}`;

async function measured(p: { org: TestOrg; cycleId: string; to: string }) {
  const requestId = `history-${Math.random().toString(36).slice(2)}`;
  const res = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': requestId, authorization: `Bearer ${p.org.token}` },
    body: JSON.stringify({ query: PAGE, variables: { c: p.cycleId, t: p.to } }),
  });
  const body = (await res.json()) as Pick<GqlResult, 'data' | 'errors'>;
  const scope = app.server.statementsFor(requestId)!;
  return { body, statements: scope.count, list: [...scope.statements] };
}

describe('progressHistory on a page of objectives', () => {
  it('costs the same SQL statements for 2 objectives over 5 weeks as for 20 over 52', async () => {
    const small = await measured(await plan(2, 5));
    const large = await measured(await plan(20, 52));
    expect(small.body.errors).toBeUndefined();
    expect(large.body.errors).toBeUndefined();
    const nodes = large.body.data!.objectives.nodes;
    expect(nodes).toHaveLength(20);
    expect(nodes[19].progressHistory).toHaveLength(52);
    expect(nodes[19].keyResults[1].progressHistory[51]).toEqual({ value: '52', progress: 0.52 });
    expect(nodes[19].progressHistory[9].progress).toBeCloseTo(0.1, 10);
    expect(small.body.data!.objectives.nodes[1].progressHistory).toHaveLength(5);
    // The caller's membership, the page, the key results, the aligned children of every objective, the cycles, and one
    // statement of check-ins for all objectives' histories and one for all key results' histories.
    expect(small.statements).toBe(7);
    expect(large.statements).toBe(7);
  });
});
