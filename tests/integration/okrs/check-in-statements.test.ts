import { decodeGlobalId } from '../../../src/common/ids';
import { orgTopic, type PlanningEventPayload } from '../../../src/common/events';
import { sqlOf, storeOrganizationProgress } from '../../../src/modules/okrs/okr-progress-store';
import { addMember, createOrg, type TestOrg } from '../../support/factories';
import { checkIn, createCycle, createKeyResult, createObjective, createSquad } from '../../support/planning';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';

/**
 * `checkInKeyResult` in six statements, counted as the server counts them (every statement the
 * request sends, BEGIN and COMMIT included): authentication, BEGIN, the read with its locks, the
 * check-in and key-result write with the chain's contributors, the roll-up and audit write, COMMIT.
 * Its results are those of a full recomputation (storeOrganizationProgress), its events and audit
 * rows those of a check-in, its errors those of the checks.
 */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const uuid = (g: string) => decodeGlobalId(g)!.id;
const iso = (d: Date) => d.toISOString().slice(0, 10);
const CHECK_IN = `mutation($i: CheckInKeyResultInput!) { checkInKeyResult(input: $i) { checkIn { id value confidence note } keyResult { id currentValue confidence version } } }`;

/** A cycle half gone (pace matters), a company → squad → team chain with key results at every level. */
async function chain(org: TestOrg) {
  const now = Date.now();
  const cycleId = await createCycle(app, org, { startsOn: iso(new Date(now - 50 * 86400000)), endsOn: iso(new Date(now + 49 * 86400000)) });
  const company = await createObjective(app, org, { cycleId, title: '公司' });
  const squad = await createObjective(app, org, { cycleId, title: '小组', parentId: company.id, weight: '2' });
  const side = await createObjective(app, org, { cycleId, title: '旁支', parentId: company.id });
  const team = await createObjective(app, org, { cycleId, title: '团队', parentId: squad.id });
  const companyKr = await createKeyResult(app, org, { objectiveId: company.id, startValue: '0', targetValue: '10' });
  const squadKr = await createKeyResult(app, org, { objectiveId: squad.id, startValue: '100', targetValue: '50', kind: 'DECREASE_TO', weight: '3' });
  const sideKr = await createKeyResult(app, org, { objectiveId: side.id, startValue: '0', targetValue: '1', kind: 'MILESTONE' });
  const a = await createKeyResult(app, org, { objectiveId: team.id, startValue: '0', targetValue: '100' });
  const b = await createKeyResult(app, org, { objectiveId: team.id, startValue: '0', targetValue: '300', weight: '2' });
  return { cycleId, company, squad, side, team, companyKr, squadKr, sideKr, a, b };
}

/** Every stored progress and status date of the organisation's objectives and key results. */
async function stored(org: TestOrg) {
  return app.ds.query(
    `SELECT 'o' AS t, id, progress::text, at_risk_from::text, off_track_from::text FROM objectives WHERE organization_id = $1
     UNION ALL
     SELECT 'k', id, progress::text, at_risk_from::text, off_track_from::text FROM key_results WHERE organization_id = $1
     ORDER BY 1, 2`,
    [uuid(org.organizationId)],
  );
}

/** The stored values equal a full recomputation by the backfill (which rolls every objective up from scratch). */
async function expectSameAsRecomputed(org: TestOrg) {
  const before = await stored(org);
  await storeOrganizationProgress(sqlOf(app.ds.manager), uuid(org.organizationId));
  expect(before).toEqual(await stored(org));
  return before;
}

function recordEvents(org: TestOrg) {
  const seen: PlanningEventPayload[] = [];
  const iterator = app.events.pubSub.subscribe(orgTopic(uuid(org.organizationId)))[Symbol.asyncIterator]();
  let open = true;
  void (async () => {
    while (open) {
      const next = await iterator.next();
      if (next.done) return;
      seen.push(next.value);
    }
  })();
  return {
    async events() {
      await new Promise((r) => setTimeout(r, 50));
      return seen.map((e) => ({ type: e.type, entityType: e.entityType, entityId: e.entityId, meta: e.meta }));
    },
    stop() {
      open = false;
      void iterator.return?.();
    },
  };
}

describe('checkInKeyResult', () => {
  it('costs six statements and stores what a full recomputation stores, up a chain of three levels', async () => {
    const org = await createOrg(app);
    const w = await chain(org);
    await expectSameAsRecomputed(org);
    const steps: Array<[{ id: string }, number, string, number]> = [
      [w.a, 1, '40', 0.9],
      [w.b, 1, '30', 0.3],
      [w.squadKr, 1, '80', 0.6],
      [w.a, 2, '100', 0.95],
      [w.companyKr, 1, '2', 0.5],
      [w.sideKr, 1, '1', 0.8],
    ];
    let last: string[] = [];
    for (const [kr, version, value, confidence] of steps) {
      const r = await app.gql(CHECK_IN, { i: { keyResultId: kr.id, value, confidence, expectedVersion: version } }, org);
      expect(ok(r).checkInKeyResult.keyResult).toMatchObject({ id: kr.id, currentValue: value, confidence, version: version + 1 });
      expect(r.statements).toBe(6);
      last = r.sql!;
      await expectSameAsRecomputed(org);
    }
    expect(last[1]).toBe('START TRANSACTION');
    expect(last[5]).toBe('COMMIT');
    // Each key result's time of last check-in is its latest check-in's.
    const times = await app.ds.query(
      `SELECT bool_and(k.last_check_in_at = c.at) AS same, count(*)::int AS n
         FROM key_results k JOIN (SELECT key_result_id, max(created_at) AS at FROM check_ins GROUP BY key_result_id) c ON c.key_result_id = k.id
        WHERE k.organization_id = $1`,
      [uuid(org.organizationId)],
    );
    expect(times).toEqual([{ same: true, n: 5 }]);
    // The check-ins moved every level: nothing is left at the values of a chain never rolled up.
    const values = await stored(org);
    expect(new Set(values.filter((v: { t: string }) => v.t === 'o').map((v: { progress: string }) => v.progress)).size).toBeGreaterThan(2);
  });

  it('costs six statements for a squad lead, whose permission is read with the key result', async () => {
    const org = await createOrg(app);
    const lead = await addMember(app, org, 'SQUAD_LEAD');
    const squadId = await createSquad(app, org, lead.userId);
    const cycleId = await createCycle(app, org);
    const company = await createObjective(app, org, { cycleId, title: '公司' });
    const objective = await createObjective(app, org, { cycleId, squadId, parentId: company.id });
    const kr = await createKeyResult(app, org, { objectiveId: objective.id }); // owned by the org's owner, not the lead
    const r = await app.gql(CHECK_IN, { i: { keyResultId: kr.id, value: '1100', confidence: 0.8, expectedVersion: 1 } }, lead);
    ok(r);
    expect(r.statements).toBe(6);
    // Another lead's squad: FORBIDDEN, nothing written.
    const other = await addMember(app, org, 'SQUAD_LEAD');
    await createSquad(app, org, other.userId, '别的小组');
    const refused = await app.gql(CHECK_IN, { i: { keyResultId: kr.id, value: '1200', confidence: 0.8, expectedVersion: 2 } }, other);
    expect(errorCode(refused)).toBe('FORBIDDEN');
    expect(refused.errors![0].message).toBe('Only OWNER/ADMIN, the lead of the key result’s squad or its owner may check in on it');
    const [{ n }] = await app.ds.query(`SELECT count(*)::int AS n FROM check_ins WHERE key_result_id = $1`, [uuid(kr.id)]);
    expect(n).toBe(1);
  });

  it('writes one audit row and publishes the check-in, then the chain nearest first, after commit', async () => {
    const org = await createOrg(app);
    const w = await chain(org);
    const events = recordEvents(org);
    const before = ok(await app.gql(`query($id: ID!) { node(id: $id) { ... on KeyResult { version } } }`, { id: w.a.id }, org)).node;
    const r = ok(await app.gql(CHECK_IN, { i: { keyResultId: w.a.id, value: '55', confidence: 0.7, note: ' 进展顺利 ', expectedVersion: before.version } }, org));
    const checkInId = r.checkInKeyResult.checkIn.id;
    expect(r.checkInKeyResult.checkIn).toMatchObject({ value: '55', confidence: 0.7, note: '进展顺利' });
    const seen = await events.events();
    events.stop();
    const meta = { keyResultId: uuid(w.a.id), objectiveId: uuid(w.team.id), squadId: null, cycleId: uuid(w.cycleId) };
    expect(seen).toEqual([
      { type: 'KEY_RESULT_CHECKED_IN', entityType: 'CheckIn', entityId: uuid(checkInId), meta },
      { type: 'OBJECTIVE_PROGRESS_CHANGED', entityType: 'Objective', entityId: uuid(w.team.id), meta: { cycleId: uuid(w.cycleId) } },
      { type: 'OBJECTIVE_PROGRESS_CHANGED', entityType: 'Objective', entityId: uuid(w.squad.id), meta: { cycleId: uuid(w.cycleId) } },
      { type: 'OBJECTIVE_PROGRESS_CHANGED', entityType: 'Objective', entityId: uuid(w.company.id), meta: { cycleId: uuid(w.cycleId) } },
    ]);
    const audit = await app.ds.query(
      `SELECT action, entity_type, actor_id, before, after, request_id FROM audit_events WHERE entity_id = $1 AND action = 'key_result.checked_in'`,
      [uuid(w.a.id)],
    );
    expect(audit).toHaveLength(1);
    const [row] = audit;
    expect(row).toMatchObject({ entity_type: 'KeyResult', actor_id: uuid(org.userId) });
    expect(row.request_id).toEqual(expect.any(String));
    expect(row.before).toMatchObject({ id: uuid(w.a.id), currentValue: '0', confidence: null, version: before.version, lastCheckInAt: null });
    const [ci] = await app.ds.query(`SELECT id, created_at FROM check_ins WHERE id = $1`, [uuid(checkInId)]);
    const [kr] = await app.ds.query(`SELECT last_check_in_at, updated_at FROM key_results WHERE id = $1`, [uuid(w.a.id)]);
    expect(row.after).toMatchObject({
      id: uuid(w.a.id),
      currentValue: '55',
      confidence: 0.7,
      version: before.version + 1,
      lastCheckInAt: kr.last_check_in_at.toISOString(),
      updatedAt: kr.updated_at.toISOString(),
      checkIn: { id: uuid(checkInId), keyResultId: uuid(w.a.id), value: '55', confidence: 0.7, note: '进展顺利', authorId: uuid(org.userId), createdAt: ci.created_at.toISOString() },
    });
    // The key result's time of last check-in is its check-in's.
    const [same] = await app.ds.query(
      `SELECT k.last_check_in_at = c.created_at AS same FROM key_results k JOIN check_ins c ON c.key_result_id = k.id WHERE c.id = $1`,
      [uuid(checkInId)],
    );
    expect(same).toEqual({ same: true });
  });

  it('answers the errors of its checks and writes nothing', async () => {
    const org = await createOrg(app);
    const w = await chain(org);
    const count = async () => (await app.ds.query(`SELECT count(*)::int AS n FROM check_ins WHERE organization_id = $1`, [uuid(org.organizationId)]))[0].n;
    const audits = async () => (await app.ds.query(`SELECT count(*)::int AS n FROM audit_events WHERE organization_id = $1 AND action = 'key_result.checked_in'`, [uuid(org.organizationId)]))[0].n;
    ok(await checkIn(app, org, w.a.id, 1, '10'));
    const values = await stored(org);

    const stale = await checkIn(app, org, w.a.id, 1, '20');
    expect(errorCode(stale)).toBe('CONFLICT');
    expect(stale.errors![0].extensions!.currentVersion).toBe(2);
    expect(stale.errors![0].message).toBe('This key result was changed by someone else (now version 2, you sent 1): reload it and apply your change again');

    const milestone = await checkIn(app, org, w.sideKr.id, 1, '0.5');
    expect(errorCode(milestone)).toBe('BAD_USER_INPUT');
    expect(milestone.errors![0].extensions!.field).toBe('value');

    const member = await addMember(app, org, 'MEMBER');
    expect(errorCode(await checkIn(app, member, w.b.id, 1, '20'))).toBe('FORBIDDEN');

    const missing = await checkIn(app, org, 'S2V5UmVzdWx0OjAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMA', 1, '20');
    expect(errorCode(missing)).toBe('NOT_FOUND');

    expect(await stored(org)).toEqual(values);
    ok(await app.gql(`mutation($i: CloseCycleInput!) { closeCycle(input: $i) { cycle { id } } }`, { i: { cycleId: w.cycleId } }, org));
    const closed = await checkIn(app, org, w.a.id, 2, '30');
    expect(errorCode(closed)).toBe('CYCLE_CLOSED');

    // Only the first check-in was written and audited.
    expect(await count()).toBe(1);
    expect(await audits()).toBe(1);
  });

  it('two check-ins at once on key results of one objective both count in its roll-up and up the chain (no lost update)', async () => {
    for (let round = 0; round < 5; round++) {
      const org = await createOrg(app);
      const w = await chain(org);
      const [x, y] = await Promise.all([checkIn(app, org, w.a.id, 1, '50', 0.9), checkIn(app, org, w.b.id, 1, '150', 0.9)]);
      ok(x);
      ok(y);
      const [team] = await app.ds.query(`SELECT progress::float8 AS p FROM objectives WHERE id = $1`, [uuid(w.team.id)]);
      expect(team.p).toBeCloseTo(0.5, 12); // (1 × 0.5 + 2 × 0.5) / 3
      await expectSameAsRecomputed(org);
    }
  });
});
