import { performance } from 'node:perf_hooks';
import { freePort } from '../../src/db/embedded-postgres';
import { addMember, createOrg, uniqueEmail } from '../support/factories';
import { redisAnswers, TEST_REDIS_URL } from '../support/redis';
import { runServerExpectingFailure, spawnServer, type SpawnedServer } from '../support/spawn-server';
import { httpGql, ok } from '../support/test-app';
import { createTestDatabase } from '../support/test-db';
import { settle, subscribe, wsClient, type Subscription } from '../support/ws';

/**
 * Two real server processes on one database: a change made through one reaches subscribers
 * connected to the other, over each transport.
 */

const EVENTS = `subscription($filter: PlanningEventsFilter) { planningEvents(filter: $filter) { type entityType entityId } }`;
const ADD = `mutation($input: AddMemberInput!) { addMember(input: $input) { member { id } } }`;
const REMOVE = `mutation($input: RemoveMemberInput!) { removeMember(input: $input) { removedMemberId } }`;

type EventData = { planningEvents: { type: string; entityType: string; entityId: string } };

const redisUp = redisAnswers();
if (!redisUp) {
  console.warn(`Redis case of realtime-instances skipped: no Redis answers at ${TEST_REDIS_URL} (npm test does not need one)`);
}

const cases = [
  { name: 'PostgreSQL LISTEN/NOTIFY', transport: 'postgres', env: {}, run: true },
  { name: 'Redis', transport: 'redis', env: { REDIS_URL: TEST_REDIS_URL }, run: redisUp },
];

for (const c of cases) {
  (c.run ? describe : describe.skip)(`two server processes, events over ${c.name}`, () => {
    let db: Awaited<ReturnType<typeof createTestDatabase>>;
    let a: SpawnedServer;
    let b: SpawnedServer;

    beforeAll(async () => {
      db = await createTestDatabase();
      const env = {
        DATABASE_URL: db.url,
        SEED_DEMO: 'false',
        JWT_SECRET: process.env.JWT_SECRET,
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        ...c.env,
      };
      [a, b] = await Promise.all([spawnServer(env), spawnServer(env)]);
    });
    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await db?.drop();
    });

    it(`both processes report the ${c.transport} transport`, async () => {
      const ready = new RegExp(`"transport":"${c.transport}".*"msg":"ready"`);
      // The log line and the banner are separate writes; the log may land a moment later.
      const end = Date.now() + 5000;
      while (![a, b].every((s) => ready.test(s.output())) && Date.now() < end) await settle(50);
      for (const s of [a, b]) expect(s.output()).toMatch(ready);
    });

    it('a mutation over HTTP on A reaches a subscriber on B within one second', async () => {
      const gqlA = httpGql(a.url, db.url);
      const owner = await createOrg(gqlA, 'Instances 实例');
      const client = wsClient(b.url, { authorization: `Bearer ${owner.token}`, organizationId: owner.organizationId });
      const sub = subscribe<EventData>(client, EVENTS, { filter: { types: ['MEMBER_ADDED'] } });
      await settle();

      const timed = async () => {
        const arrival = sub.next(5000).then((event) => ({ event, at: performance.now() }));
        const sentAt = performance.now();
        const added = ok(await gqlA.gql(ADD, { input: { email: uniqueEmail(), displayName: 'Remote 远程', role: 'MEMBER' } }, owner));
        const respondedAt = performance.now();
        const { event, at } = await arrival;
        expect(event.planningEvents).toEqual({ type: 'MEMBER_ADDED', entityType: 'Member', entityId: added.addMember.member.id });
        return { sentToEvent: at - sentAt, responseToEvent: at - respondedAt };
      };

      // A warm-up first: it also waits for B's subscription to reach the transport (Redis
      // SUBSCRIBE). The owner's own MEMBER_ADDED, announced on A when the organisation was made,
      // may reach a loaded B after B subscribed; A announces in order, so any such earlier event
      // arrives before the warm-up's and is skipped here (at most a few).
      const warmUp = ok(await gqlA.gql(ADD, { input: { email: uniqueEmail(), displayName: 'Warm-up 预热', role: 'MEMBER' } }, owner));
      for (let skipped = 0; ; skipped++) {
        const event = await sub.next(5000);
        if (event.planningEvents.entityId === warmUp.addMember.member.id) break;
        expect(skipped).toBeLessThan(3);
      }
      const runs = [];
      for (let i = 0; i < 5; i++) runs.push(await timed());
      const ms = (xs: number[]) => xs.map((x) => Math.round(x * 10) / 10);
      console.log(
        `cross-instance latency over ${c.name} (ms): mutation sent on A → event on B ${ms(runs.map((r) => r.sentToEvent)).join(', ')}; ` +
          `HTTP response on A → event on B ${ms(runs.map((r) => r.responseToEvent)).join(', ')}`,
      );
      for (const r of runs) expect(r.sentToEvent).toBeLessThan(1000);
      await client.dispose();
    });

    it('a member removed on A stops receiving on B while still connected', async () => {
      const gqlA = httpGql(a.url, db.url);
      const owner = await createOrg(gqlA, 'Removal 移除');
      const member = await addMember(gqlA, owner, 'MEMBER');
      const closes: number[] = [];
      const ownerClient = wsClient(b.url, { authorization: `Bearer ${owner.token}`, organizationId: owner.organizationId });
      const memberClient = wsClient(b.url, { authorization: `Bearer ${member.token}`, organizationId: owner.organizationId }, (code) =>
        closes.push(code),
      );
      const ownerSub: Subscription<EventData> = subscribe(ownerClient, EVENTS);
      const memberSub: Subscription<EventData> = subscribe(memberClient, EVENTS);
      await settle();

      const add = async () =>
        ok(await gqlA.gql(ADD, { input: { email: uniqueEmail(), displayName: 'Next 下一个', role: 'VIEWER' } }, owner)).addMember.member.id;

      // The member's own MEMBER_JOINED (the last step of addMember) may reach B after these
      // subscriptions started: skip it.
      const nextSkippingJoin = async (sub: Subscription<EventData>) => {
        for (;;) {
          const e = await sub.next(5000);
          if (!(e.planningEvents.type === 'MEMBER_JOINED' && e.planningEvents.entityId === member.memberId)) return e;
        }
      };
      const first = await add();
      expect((await nextSkippingJoin(ownerSub)).planningEvents).toMatchObject({ type: 'MEMBER_ADDED', entityId: first });
      expect((await nextSkippingJoin(memberSub)).planningEvents).toMatchObject({ type: 'MEMBER_ADDED', entityId: first });

      ok(await gqlA.gql(REMOVE, { input: { memberId: member.memberId } }, owner));
      expect((await ownerSub.next(5000)).planningEvents).toMatchObject({ type: 'MEMBER_REMOVED', entityId: member.memberId });
      const second = await add();
      expect((await ownerSub.next(5000)).planningEvents).toMatchObject({ type: 'MEMBER_ADDED', entityId: second });
      await settle(300);
      expect(memberSub.pending()).toEqual([]);
      expect(closes).toEqual([]);

      await ownerClient.dispose();
      await memberClient.dispose();
    });

    it('both processes shut down cleanly (event transport closed)', async () => {
      expect(await Promise.all([a.stop(), b.stop()])).toEqual([0, 0]);
      for (const s of [a, b]) expect(s.output()).not.toMatch(/"level":(50|60)/);
    });
  });
}

describe('start with REDIS_URL', () => {
  it('fails with a clear message, without hanging, when Redis does not answer', async () => {
    const db = await createTestDatabase();
    try {
      const port = await freePort();
      const started = Date.now();
      const { code, stderr } = await runServerExpectingFailure({
        DATABASE_URL: db.url,
        SEED_DEMO: 'false',
        JWT_SECRET: process.env.JWT_SECRET,
        NODE_ENV: 'test',
        REDIS_URL: `redis://127.0.0.1:${port}`,
      });
      expect(code).toBe(1);
      expect(stderr).toMatch(new RegExp(`plangraph: failed to start: Cannot connect to Redis at 127\\.0\\.0\\.1:${port} \\(REDIS_URL\\)`));
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      await db.drop();
    }
  });
});
