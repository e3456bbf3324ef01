import { Client } from 'pg';
import { subscribedEventTypes } from '../../src/modules/realtime/subscriptions';
import { buildAppSchema } from '../../src/server/schema';
import { addMember, createOrg, type TestOrg } from '../support/factories';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';
import { httpGql, ok } from '../support/test-app';
import { createTestDatabase } from '../support/test-db';
import { settle, subscribe, wsClient } from '../support/ws';
import { ROLLBACK_MARKER, subscriptionCases, type Announce, type Gql } from './subscriptions/cases';

/**
 * The contract every subscription field keeps, checked for EVERY field of the schema's
 * Subscription type (a new field fails here until tests/e2e/subscriptions/cases.ts has its case).
 * Two server processes share one database: the changes are made over HTTP on A, the subscriber
 * listens on B (events cross processes). For a member and for an API token, each field:
 * 1. announces the first change;
 * 2. publishes nothing for a change that rolled back;
 * 3. shows the second change's own data (fresh loaders per event, no stale cache);
 * 4. stops once the member is removed / the token revoked (re-authentication per event).
 * And for each field, every event type it listens to (its `planningSubscription` list) has a
 * change in its case (`announces`) that is announced as that type on planningEvents and
 * delivered to the field: a type nobody publishes any more fails here.
 */

type Subscriber = { kind: 'member' | 'token'; token: string; userId: string; revoke(): Promise<void> };

describe('subscription contract, across two server processes', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: SpawnedServer;
  let b: SpawnedServer;
  let gqlA: Gql;

  beforeAll(async () => {
    db = await createTestDatabase();
    // Any transaction whose audit event carries the marker fails at COMMIT, after the change was
    // recorded and its event queued: what a rolled-back mutation looks like at its worst.
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    await pg.query(`
      CREATE FUNCTION test_fail_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.after::text LIKE '%${ROLLBACK_MARKER}%' THEN RAISE EXCEPTION 'rolled back at commit by the test'; END IF;
        RETURN NULL;
      END $$`);
    await pg.query(`CREATE CONSTRAINT TRIGGER test_fail_at_commit AFTER INSERT ON audit_events
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_fail_at_commit()`);
    await pg.end();
    const env = { DATABASE_URL: db.url, SEED_DEMO: 'false', JWT_SECRET: process.env.JWT_SECRET, NODE_ENV: 'test' };
    [a, b] = await Promise.all([spawnServer(env), spawnServer(env)]);
    gqlA = httpGql(a.url, db.url);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  it('has a case for every subscription field', async () => {
    const fields = Object.keys((await buildAppSchema()).getSubscriptionType()?.getFields() ?? {});
    expect(fields.length).toBeGreaterThan(0);
    expect(fields.filter((f) => !subscriptionCases[f])).toEqual([]);
  });

  // The types each field listens to, as the code declares them (the schema is built above).
  const listenedTypes = (field: string) => subscribedEventTypes().get(field);

  for (const field of Object.keys(subscriptionCases)) {
    it(`${field}: every event type it listens to is announced and delivered`, async () => {
      await buildAppSchema();
      const types = listenedTypes(field);
      expect(types).toBeDefined();
      const c = subscriptionCases[field];
      if (types === null) {
        // planningEvents: every declared type (tests/unit/platform/events.test.ts: each has a publisher).
        expect(c.announces).toBeUndefined();
        return;
      }
      expect(Object.keys(c.announces ?? {}).sort()).toEqual([...types!].sort());
      const owner = await createOrg(gqlA, `宣布 ${field}`);
      const world = await c.setup(gqlA, owner, owner.userId);
      const client = wsClient(b.url, { authorization: `Bearer ${owner.token}`, organizationId: owner.organizationId });
      try {
        for (const type of types!) {
          const step: Announce = c.announces![type]!;
          const { prepare, announce } = typeof step === 'function' ? { prepare: null, announce: step } : step;
          await prepare?.(gqlA, owner, world);
          const feed = subscribe(client, `subscription($t: [PlanningEventType!]) { planningEvents(filter: { types: $t }) { type } }`, { t: [type] });
          const delivered = subscribe(client, c.document); // no filter: every change of the field's types
          await settle(300);
          await announce(gqlA, owner, world);
          expect({ type, event: await feed.next(5000).catch((e: Error) => e.message) }).toEqual({ type, event: { planningEvents: { type } } });
          const got = await delivered.next(5000).catch((e: Error) => ({ errors: [e.message] }));
          expect({ type, errors: (got as { errors?: unknown }).errors }).toEqual({ type, errors: undefined });
          await Promise.all([feed.close(), delivered.close()]);
        }
      } finally {
        await client.dispose();
      }
    });
  }

  async function memberSubscriber(owner: TestOrg): Promise<Subscriber> {
    const m = await addMember(gqlA, owner, 'MEMBER');
    return {
      kind: 'member',
      token: m.token,
      userId: m.userId,
      revoke: async () => void ok(await gqlA.gql(`mutation($i: RemoveMemberInput!) { removeMember(input: $i) { removedMemberId } }`, { i: { memberId: m.memberId } }, owner)),
    };
  }

  async function tokenSubscriber(owner: TestOrg): Promise<Subscriber> {
    const created = ok(
      await gqlA.gql(`mutation { createApiToken(input: { name: "看板", scopes: [READ] }) { secret apiToken { id } } }`, {}, owner),
    ).createApiToken;
    return {
      kind: 'token',
      token: created.secret,
      userId: owner.userId, // a token acts for the user who created it
      revoke: async () =>
        void ok(await gqlA.gql(`mutation($id: ID!) { revokeApiToken(input: { id: $id }) { apiToken { revokedAt } } }`, { id: created.apiToken.id }, owner)),
    };
  }

  const fields = Object.keys(subscriptionCases);
  for (const field of fields) {
    for (const kind of ['member', 'token'] as const) {
      it(`${field} (${kind}): announces, ignores a rollback, carries fresh data, stops when access ends`, async () => {
        const c = subscriptionCases[field];
        const owner = await createOrg(gqlA, `订阅 ${field}`);
        const subscriber = kind === 'member' ? await memberSubscriber(owner) : await tokenSubscriber(owner);
        const world = await c.setup(gqlA, owner, subscriber.userId);
        const client = wsClient(b.url, { authorization: `Bearer ${subscriber.token}`, organizationId: owner.organizationId });
        const sub = subscribe(client, c.document, c.variables?.(world) ?? {});
        await settle(300);
        try {
          const first = await c.trigger(gqlA, owner, world, 1);
          expect(await sub.next(5000)).toMatchObject(first);

          const refused = await c.rolledBack(gqlA, owner, world);
          expect(refused.errors?.length).toBeGreaterThan(0);

          const second = await c.trigger(gqlA, owner, world, 2);
          // The next event is the second change's, with its data: the rolled-back one published nothing.
          expect(await sub.next(5000)).toMatchObject(second);

          await subscriber.revoke();
          // (Assigning a task to a removed member is itself refused: nothing to announce either way.)
          await c.trigger(gqlA, owner, world, 3).catch(() => undefined);
          await settle(500);
          expect(sub.pending()).toEqual([]);
        } finally {
          await client.dispose();
        }
      });
    }
  }
});
