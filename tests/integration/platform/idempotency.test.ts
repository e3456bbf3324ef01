import { Client } from 'pg';
import { decodeGlobalId } from '../../../src/common/ids';
import { sweepExpiredIdempotencyKeys } from '../../../src/db/idempotency';
import { createEventBusFromTarget, type PlanningEventPayload } from '../../../src/server/event-bus';
import { addMember, createOrg, type TestOrg } from '../../support/factories';
import { createCycle, createKeyResult, createObjective, createSquad } from '../../support/planning';
import { errorCode, ok, startTestApp, type Caller, type GqlResult, type TestApp } from '../../support/test-app';
import { settle, subscribe, wsClient } from '../../support/ws';

/** Every event the server publishes, to show that a replay publishes none. */
const published: PlanningEventPayload[] = [];
let app: TestApp;
beforeAll(async () => {
  const events = createEventBusFromTarget('memory', undefined);
  const publish = events.publish.bind(events);
  events.publish = (e) => {
    published.push(e);
    publish(e);
  };
  app = await startTestApp({ events });
});
afterAll(() => app.stop());

const uuid = (globalId: string) => decodeGlobalId(globalId)!.id;
let keySeq = 0;
const newKey = () => `key-${Date.now().toString(36)}-${++keySeq}`;

interface Plan {
  org: TestOrg;
  lead: Caller & { userId: string };
  squadId: string;
  cycleId: string;
  objectiveId: string;
  keyResult: { id: string; version: number };
}

async function plan(): Promise<Plan> {
  const org = await createOrg(app);
  const lead = await addMember(app, org, 'SQUAD_LEAD');
  const squadId = await createSquad(app, org, lead.userId);
  const cycleId = await createCycle(app, org);
  const objective = await createObjective(app, org, { cycleId, squadId });
  const keyResult = await createKeyResult(app, org, { objectiveId: objective.id });
  return { org, lead, squadId, cycleId, objectiveId: objective.id, keyResult };
}

/** One case per guarded mutation: the operation, a valid input, the table it writes, where the created id is. */
interface Case {
  name: string;
  table: string;
  mutation: string;
  input(p: Plan, n: number): Record<string, unknown>;
  id(data: any): string;
}

const CASES: Case[] = [
  {
    name: 'createSquad',
    table: 'squads',
    mutation: `mutation($i: CreateSquadInput!) { createSquad(input: $i) { squad { id name lead { id } } } }`,
    input: (p, n) => ({ name: `飞轮小组 ${n}`, leadId: p.lead.userId }),
    id: (d) => d.createSquad.squad.id,
  },
  {
    name: 'createSprint',
    table: 'sprints',
    mutation: `mutation($i: CreateSprintInput!) { createSprint(input: $i) { sprint { id name squad { id } } } }`,
    input: (p, n) => ({ squadId: p.squadId, name: `冲刺 ${n}`, startsOn: `2030-${String(n).padStart(2, '0')}-01` }),
    id: (d) => d.createSprint.sprint.id,
  },
  {
    name: 'createCycle',
    table: 'okr_cycles',
    mutation: `mutation($i: CreateCycleInput!) { createCycle(input: $i) { cycle { id name } } }`,
    input: (_p, n) => ({ name: `2031-Q${n}`, startsOn: '2031-01-01', endsOn: '2031-03-31' }),
    id: (d) => d.createCycle.cycle.id,
  },
  {
    name: 'createObjective',
    table: 'objectives',
    mutation: `mutation($i: CreateObjectiveInput!) { createObjective(input: $i) { objective { id title progress } } }`,
    input: (p, n) => ({ cycleId: p.cycleId, title: `提升创作活跃度 ${n}` }),
    id: (d) => d.createObjective.objective.id,
  },
  {
    name: 'createKeyResult',
    table: 'key_results',
    mutation: `mutation($i: CreateKeyResultInput!) { createKeyResult(input: $i) { keyResult { id title objective { id } } } }`,
    input: (p, n) => ({ objectiveId: p.objectiveId, title: `留存率 ${n}`, kind: 'INCREASE_TO', startValue: '10', targetValue: `${20 + n}` }),
    id: (d) => d.createKeyResult.keyResult.id,
  },
  {
    name: 'checkInKeyResult',
    table: 'check_ins',
    mutation: `mutation($i: CheckInKeyResultInput!) { checkInKeyResult(input: $i) { checkIn { id value } keyResult { id version } } }`,
    input: (p, n) => ({ keyResultId: p.keyResult.id, value: `${10 + n}`, confidence: 0.5, expectedVersion: p.keyResult.version }),
    id: (d) => d.checkInKeyResult.checkIn.id,
  },
  {
    name: 'createTask',
    table: 'tasks',
    mutation: `mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id title } } }`,
    input: (p, n) => ({ title: `整理名单 ${n}`, squadId: p.squadId }),
    id: (d) => d.createTask.task.id,
  },
];

async function counts(org: TestOrg, table: string) {
  const orgUuid = uuid(org.organizationId);
  const q = async (sql: string) => Number((await app.ds.query(sql, [orgUuid]))[0].n);
  return {
    rows: await q(`SELECT count(*) AS n FROM ${table} WHERE organization_id = $1`),
    audit: await q(`SELECT count(*) AS n FROM audit_events WHERE organization_id = $1`),
    keys: await q(`SELECT count(*) AS n FROM idempotency_keys WHERE organization_id = $1`),
    events: published.filter((e) => e.organizationId === orgUuid).length,
  };
}

const send = (c: Case, input: Record<string, unknown>, key: string | undefined, as: Caller) =>
  app.gql(c.mutation, { i: key === undefined ? input : { ...input, idempotencyKey: key } }, as);

describe('idempotency keys', () => {
  describe.each(CASES)('$name', (c) => {
    it('a retry with the same key returns the first result and writes nothing; another input is CONFLICT', async () => {
      const p = await plan();
      const key = newKey();
      const input = c.input(p, 1);
      const first = ok(await send(c, input, key, p.org));
      const afterFirst = await counts(p.org, c.table);
      expect(afterFirst.keys).toBe(1);

      const retry = await send(c, input, key, p.org);
      expect(ok(retry)).toEqual(first);
      expect(await counts(p.org, c.table)).toEqual(afterFirst);

      const other = await send(c, c.input(p, 2), key, p.org);
      expect(errorCode(other)).toBe('CONFLICT');
      expect(other.errors![0].message).toMatch(/idempotencyKey was already used with a different input/);
      expect(await counts(p.org, c.table)).toEqual(afterFirst);

      // Without a key nothing changes: a new row each time (or the usual CONFLICT of a check-in's stale version).
      const fresh = await send(c, c.input(p, 3), undefined, p.org);
      if (c.name === 'checkInKeyResult') expect(errorCode(fresh)).toBe('CONFLICT');
      else expect(c.id(ok(fresh))).not.toBe(c.id(first));
    });
  });

  it('sends one subscription event over graphql-ws for a create and its retry', async () => {
    const p = await plan();
    const client = wsClient(app.url, { authorization: `Bearer ${p.lead.token}`, organizationId: p.org.organizationId });
    try {
      const assigned = subscribe(client, `subscription { taskAssigned { id title } }`);
      await settle();
      const task = CASES.find((c) => c.name === 'createTask')!;
      const key = newKey();
      const input = { ...task.input(p, 1), assigneeId: p.lead.userId };
      const id = task.id(ok(await send(task, input, key, p.org)));
      expect(task.id(ok(await send(task, input, key, p.org)))).toBe(id);
      expect(((await assigned.next()) as any).taskAssigned.id).toBe(id);
      await settle(300);
      expect(assigned.pending()).toEqual([]);
    } finally {
      await client.dispose();
    }
  });

  it('replays a check-in even after the key result moved on, where a plain retry would be a stale-version CONFLICT', async () => {
    const p = await plan();
    const key = newKey();
    const input = { keyResultId: p.keyResult.id, value: '15', confidence: 0.7, expectedVersion: p.keyResult.version, note: '周报' };
    const checkIn = CASES.find((c) => c.name === 'checkInKeyResult')!;
    const first = ok(await send(checkIn, input, key, p.org)).checkInKeyResult;
    const next = ok(await send(checkIn, { ...input, value: '16', expectedVersion: first.keyResult.version }, undefined, p.org));
    const replay = ok(await send(checkIn, input, key, p.org)).checkInKeyResult;
    expect(replay.checkIn).toEqual(first.checkIn);
    // The objects are returned as they are now.
    expect(replay.keyResult.version).toBe(next.checkInKeyResult.keyResult.version);
    const rows = await app.ds.query(`SELECT count(*)::int AS n FROM check_ins WHERE key_result_id = $1`, [uuid(p.keyResult.id)]);
    expect(rows[0].n).toBe(2);
  });

  it('treats equal values written differently as the same input, and a key used for another operation as CONFLICT', async () => {
    const p = await plan();
    const kr = CASES.find((c) => c.name === 'createKeyResult')!;
    const key = newKey();
    const input = { objectiveId: p.objectiveId, title: '转化率', kind: 'INCREASE_TO', startValue: '10', targetValue: '20', unit: null };
    const first = ok(await send(kr, input, key, p.org));
    const same = await send(kr, { title: '转化率', objectiveId: p.objectiveId, kind: 'INCREASE_TO', startValue: '10.0', targetValue: '2e1' }, key, p.org);
    expect(ok(same)).toEqual(first);

    const squad = CASES.find((c) => c.name === 'createSquad')!;
    const reused = await send(squad, squad.input(p, 1), key, p.org);
    expect(errorCode(reused)).toBe('CONFLICT');
    expect(reused.errors![0].message).toMatch(/already used for createKeyResult/);
  });

  it('belongs to one caller: another user, an API token and its creator each have their own keys', async () => {
    const p = await plan();
    const admin = await addMember(app, p.org, 'ADMIN');
    const task = CASES.find((c) => c.name === 'createTask')!;
    const key = newKey();
    const token = ok(
      await app.gql(`mutation { createApiToken(input: { name: "集成", scopes: [READ, WRITE] }) { secret } }`, {}, p.org),
    ).createApiToken.secret;
    const asToken = { token, organizationId: p.org.organizationId };

    const ids = [];
    for (const as of [p.org, admin, asToken]) ids.push(task.id(ok(await send(task, task.input(p, 1), key, as))));
    expect(new Set(ids).size).toBe(3);
    // ... and each one replays its own.
    for (const [i, as] of [p.org, admin, asToken].entries()) expect(task.id(ok(await send(task, task.input(p, 1), key, as)))).toBe(ids[i]);
    // A different input under the same key is still each caller's own business.
    expect(errorCode(await send(task, task.input(p, 2), key, admin))).toBe('CONFLICT');
  });

  it('belongs to one organisation: the same key in another organisation is independent', async () => {
    const a = await plan();
    const b = await plan();
    const cycle = CASES.find((c) => c.name === 'createCycle')!;
    const key = newKey();
    const inA = cycle.id(ok(await send(cycle, cycle.input(a, 1), key, a.org)));
    const inB = cycle.id(ok(await send(cycle, cycle.input(b, 1), key, b.org)));
    expect(inA).not.toBe(inB);
  });

  it('expires after 24 hours: then the key is new again, and the sweep deletes expired keys', async () => {
    const p = await plan();
    const task = CASES.find((c) => c.name === 'createTask')!;
    const key = newKey();
    const first = task.id(ok(await send(task, task.input(p, 1), key, p.org)));
    const [row] = await app.ds.query(
      `SELECT extract(epoch FROM expires_at - created_at)::int AS ttl FROM idempotency_keys WHERE organization_id = $1 AND key = $2`,
      [uuid(p.org.organizationId), key],
    );
    expect(row.ttl).toBe(24 * 3600);

    await app.ds.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1`, [key]);
    const again = task.id(ok(await send(task, task.input(p, 2), key, p.org)));
    expect(again).not.toBe(first);
    expect(task.id(ok(await send(task, task.input(p, 2), key, p.org)))).toBe(again);

    await app.ds.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1`, [key]);
    expect(await sweepExpiredIdempotencyKeys(app.ds)).toBeGreaterThanOrEqual(1);
    expect((await app.ds.query(`SELECT 1 FROM idempotency_keys WHERE key = $1`, [key])).length).toBe(0);
  });

  it('stores nothing for a request that failed, so the key can be used again', async () => {
    const p = await plan();
    const cycle = CASES.find((c) => c.name === 'createCycle')!;
    const taken = cycle.input(p, 1);
    ok(await send(cycle, taken, undefined, p.org));
    const key = newKey();
    expect(errorCode(await send(cycle, taken, key, p.org))).toBe('BAD_USER_INPUT'); // the name exists
    const before = await counts(p.org, cycle.table);
    expect(before.keys).toBe(0);
    ok(await send(cycle, cycle.input(p, 2), key, p.org));
  });

  it('refuses keys that are empty, too long or not printable ASCII, naming the field', async () => {
    const p = await plan();
    const task = CASES.find((c) => c.name === 'createTask')!;
    for (const bad of ['', 'x'.repeat(101), 'a b', 'ключ', 'a\u0000b', '\u202e123']) {
      const r = await send(task, task.input(p, 1), bad, p.org);
      expect(errorCode(r)).toBe('BAD_USER_INPUT');
      expect(r.errors![0].message).toMatch(/idempotencyKey/);
    }
    expect(task.id(ok(await send(task, task.input(p, 1), 'x'.repeat(100), p.org)))).toBeTruthy();
  });

  it('lets one of parallel requests with the same key write; the others wait and return the same result', async () => {
    const p = await plan();
    const squad = CASES.find((c) => c.name === 'createSquad')!;
    const key = newKey();
    const before = await counts(p.org, squad.table);
    const results: GqlResult[] = await Promise.all(Array.from({ length: 8 }, () => send(squad, squad.input(p, 1), key, p.org)));
    const ids = results.map((r) => squad.id(ok(r)));
    expect(new Set(ids).size).toBe(1);
    const after = await counts(p.org, squad.table);
    expect(after.rows - before.rows).toBe(1);
    expect(after.audit - before.audit).toBe(1);
    expect(after.events - before.events).toBe(1);
  });

  it('answers CONFLICT "in progress" when the request holding the key takes longer than the wait, and takes over a key whose holder failed', async () => {
    const p = await plan();
    const task = CASES.find((c) => c.name === 'createTask')!;
    const key = newKey();
    const holder = new Client({ connectionString: (app.ds.options as { url: string }).url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(
        `INSERT INTO idempotency_keys (organization_id, caller, key, operation, request_hash, expires_at)
         VALUES ($1, $2, $3, 'createTask', 'x', now() + interval '1 hour')`,
        [uuid(p.org.organizationId), `user:${uuid(p.org.userId)}`, key],
      );
      const r = await send(task, task.input(p, 1), key, p.org);
      expect(errorCode(r)).toBe('CONFLICT');
      expect(r.errors![0].message).toMatch(/still in progress/);
      // A request waiting on a holder that then fails (rolls back) does the work itself.
      const waiting = send(task, task.input(p, 1), key, p.org);
      await new Promise((r) => setTimeout(r, 500));
      await holder.query('ROLLBACK');
      const id = task.id(ok(await waiting));
      expect(task.id(ok(await send(task, task.input(p, 1), key, p.org)))).toBe(id);
    } finally {
      await holder.end();
    }
  });
});
