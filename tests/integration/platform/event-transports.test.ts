import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import pino from 'pino';
import { loadConfig } from '../../../src/config';
import { createLogger, type Logger } from '../../../src/common/logger';
import { freePort } from '../../../src/db/embedded-postgres';
import { orgTopic, type EventBus, type PlanningEventPayload } from '../../../src/server/event-bus';
import { createEventBus } from '../../../src/server/event-transport';
import { createPostgresEventBus, type PostgresEventBus } from '../../../src/server/postgres-events';
import { Redis } from 'ioredis';
import { createRedisEventBus, type RedisEventBus } from '../../../src/server/redis-events';
import { redisAnswers, TEST_REDIS_URL } from '../../support/redis';
import { createTestDatabase } from '../../support/test-db';

/** Two event buses in one jest worker stand for two server processes. */

const silent = createLogger('silent');

/** A logger that keeps what it writes, to check what operators would see. */
function capturingLogger(): { logger: Logger; messages: () => string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), messages: () => lines.map((l) => JSON.parse(l).msg as string) };
}

function event(organizationId: string, meta?: Record<string, string | null>): PlanningEventPayload {
  return {
    type: 'SQUAD_UPDATED',
    organizationId,
    entityType: 'Test',
    entityId: crypto.randomUUID(),
    actorId: null,
    at: new Date().toISOString(),
    meta,
  };
}

/** Collects what `bus` delivers on the organisation's topic. */
function listen(bus: EventBus, organizationId: string) {
  const received: PlanningEventPayload[] = [];
  const iterator = bus.pubSub.subscribe(orgTopic(organizationId));
  void (async () => {
    for await (const e of iterator) received.push(e);
  })();
  return {
    received,
    async waitFor(pred: (e: PlanningEventPayload) => boolean, timeoutMs = 10_000): Promise<PlanningEventPayload> {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const found = received.find(pred);
        if (found) return found;
        if (Date.now() > end) throw new Error(`event not received within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop: () => iterator.return(undefined),
  };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PostgreSQL LISTEN/NOTIFY event transport', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: PostgresEventBus;
  let b: PostgresEventBus;
  let bLog: ReturnType<typeof capturingLogger>;

  beforeAll(async () => {
    db = await createTestDatabase();
    bLog = capturingLogger();
    a = await createPostgresEventBus(db.url, silent);
    b = await createPostgresEventBus(db.url, bLog.logger, { reconnectMinMs: 50 });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  it('delivers an event published on one process to the other, and once to its own subscribers', async () => {
    const org = crypto.randomUUID();
    const onA = listen(a, org);
    const onB = listen(b, org);
    const sent = event(org, { squadId: 'squad-1' });
    a.publish(sent);
    expect(await onB.waitFor((e) => e.entityId === sent.entityId)).toEqual(sent);
    await pause(200);
    expect(onA.received).toEqual([sent]);
    expect(onB.received).toEqual([sent]);
    await onA.stop();
    await onB.stop();
  });

  it('keeps the order in which one process published', async () => {
    const org = crypto.randomUUID();
    const onB = listen(b, org);
    const big = '大'.repeat(3000);
    const sent = Array.from({ length: 20 }, (_, i) => event(org, { i: String(i), big: i % 5 === 0 ? big : null }));
    for (const e of sent) a.publish(e);
    await onB.waitFor((e) => e.entityId === sent[19].entityId);
    expect(onB.received.map((e) => e.entityId)).toEqual(sent.map((e) => e.entityId));
    await onB.stop();
  });

  it('carries a payload over NOTIFY’s 8000-byte limit intact, through event_payloads', async () => {
    const org = crypto.randomUUID();
    const onB = listen(b, org);
    // 3-byte characters: 9000 bytes in 3000 characters, so the limit must be counted in bytes.
    const sent = event(org, { note: '事'.repeat(3000), more: 'x'.repeat(20_000) });
    expect(Buffer.byteLength(JSON.stringify(sent))).toBeGreaterThan(8000);
    a.publish(sent);
    expect(await onB.waitFor((e) => e.entityId === sent.entityId)).toEqual(sent);
    const check = new Client({ connectionString: db.url });
    await check.connect();
    try {
      const { rows } = await check.query(`SELECT topic FROM event_payloads WHERE payload LIKE $1`, [`%${sent.entityId}%`]);
      expect(rows).toEqual([{ topic: orgTopic(org) }]);
    } finally {
      await check.end();
    }
    await onB.stop();
  });

  it('deletes stored payloads older than the retention period', async () => {
    const check = new Client({ connectionString: db.url });
    await check.connect();
    const c = await createPostgresEventBus(db.url, silent, { retentionSeconds: 60 });
    try {
      const old = crypto.randomUUID();
      await check.query(
        `INSERT INTO event_payloads (id, topic, payload, created_at) VALUES ($1, 'org:x', '{}', now() - interval '10 minutes')`,
        [old],
      );
      const org = crypto.randomUUID();
      const onB = listen(b, org);
      const sent = event(org, { big: 'y'.repeat(9000) });
      c.publish(sent);
      await onB.waitFor((e) => e.entityId === sent.entityId);
      await onB.stop();
      const end = Date.now() + 5000;
      let left = 1;
      while (left && Date.now() < end) {
        left = (await check.query(`SELECT 1 FROM event_payloads WHERE id = $1`, [old])).rowCount ?? 0;
        if (left) await pause(50);
      }
      expect(left).toBe(0);
      // The payload just stored is young and stays.
      const { rowCount } = await check.query(`SELECT 1 FROM event_payloads WHERE payload LIKE $1`, [`%${sent.entityId}%`]);
      expect(rowCount).toBe(1);
    } finally {
      await c.close();
      await check.end();
    }
  });

  it('reconnects its listener after pg_terminate_backend and keeps delivering, and logs it', async () => {
    const org = crypto.randomUUID();
    const onB = listen(b, org);
    const before = b.listenerStatus();
    expect(before.connected).toBe(true);
    const admin = new Client({ connectionString: db.url });
    await admin.connect();
    try {
      const { rows } = await admin.query('SELECT pg_terminate_backend($1) AS done', [before.backendPid]);
      expect(rows[0].done).toBe(true);
    } finally {
      await admin.end();
    }
    // Publish until one arrives (events sent while B is disconnected are missed, by design).
    const end = Date.now() + 20_000;
    let delivered: PlanningEventPayload | null = null;
    while (!delivered && Date.now() < end) {
      const sent = event(org);
      a.publish(sent);
      delivered = await onB.waitFor((e) => e.entityId === sent.entityId, 200).catch(() => null);
    }
    expect(delivered).not.toBeNull();
    const after = b.listenerStatus();
    expect(after.connected).toBe(true);
    expect(after.reconnects).toBe(before.reconnects + 1);
    expect(after.backendPid).not.toBe(before.backendPid);
    expect(bLog.messages()).toEqual(
      expect.arrayContaining([
        'event listener lost its PostgreSQL connection; reconnecting',
        'event listener reconnected to PostgreSQL',
      ]),
    );
    // Large payloads too (they are read back over the new connection).
    const big = event(org, { big: 'z'.repeat(10_000) });
    a.publish(big);
    expect(await onB.waitFor((e) => e.entityId === big.entityId)).toEqual(big);
    await onB.stop();
  });

  it('fails to start with a clear message when PostgreSQL cannot be reached', async () => {
    const port = await freePort();
    await expect(createPostgresEventBus(`postgres://nobody:x@127.0.0.1:${port}/none`, silent)).rejects.toThrow(
      /Cannot LISTEN for events on PostgreSQL/,
    );
  });
});

describe('choosing the transport', () => {
  it('is PostgreSQL without REDIS_URL', async () => {
    const db = await createTestDatabase();
    try {
      const bus = await createEventBus(loadConfig({ NODE_ENV: 'test' }), db.url, silent);
      expect(bus.transport).toBe('postgres');
      await bus.close();
    } finally {
      await db.drop();
    }
  });

  it('is Redis with REDIS_URL, and an unreachable Redis fails the start quickly and clearly', async () => {
    const port = await freePort();
    const config = loadConfig({ NODE_ENV: 'test', REDIS_URL: `redis://127.0.0.1:${port}` });
    const started = Date.now();
    await expect(createEventBus(config, 'postgres://unused', silent)).rejects.toThrow(
      new RegExp(`Cannot connect to Redis at 127\\.0\\.0\\.1:${port} \\(REDIS_URL\\) after 3 attempts: .*ECONNREFUSED`),
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

const redisUp = redisAnswers();
if (!redisUp) console.warn(`Redis event transport tests skipped: no Redis answers at ${TEST_REDIS_URL}`);
(redisUp ? describe : describe.skip)('Redis event transport', () => {
  let a: RedisEventBus;
  let b: RedisEventBus;
  let bLog: ReturnType<typeof capturingLogger>;
  beforeAll(async () => {
    bLog = capturingLogger();
    a = await createRedisEventBus(TEST_REDIS_URL, silent);
    b = await createRedisEventBus(TEST_REDIS_URL, bLog.logger);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('delivers an event published on one process to the other, large ones too', async () => {
    const org = crypto.randomUUID();
    const onA = listen(a, org);
    const onB = listen(b, org);
    await pause(100); // SUBSCRIBE is sent to Redis asynchronously
    const small = event(org);
    const large = event(org, { big: '事'.repeat(10_000) });
    a.publish(small);
    a.publish(large);
    expect(await onB.waitFor((e) => e.entityId === large.entityId)).toEqual(large);
    expect(onB.received).toEqual([small, large]);
    await onA.waitFor((e) => e.entityId === large.entityId);
    expect(onA.received).toEqual([small, large]);
    await onA.stop();
    await onB.stop();
  });

  it('reconnects and resubscribes after its subscribe connection is killed, and logs it', async () => {
    const org = crypto.randomUUID();
    const onB = listen(b, org);
    await pause(100);
    const admin = new Redis(TEST_REDIS_URL, { lazyConnect: true });
    await admin.connect();
    try {
      const list = (await admin.client('LIST')) as string;
      const line = list.split('\n').find((l) => l.includes(` name=${b.connectionNames.subscribe} `));
      const id = /(?:^|\s)id=(\d+)/.exec(line ?? '')?.[1];
      expect(id).toBeDefined();
      expect(await admin.client('KILL', 'ID', id!)).toBe(1);
    } finally {
      admin.disconnect();
    }
    const end = Date.now() + 20_000;
    let delivered: PlanningEventPayload | null = null;
    while (!delivered && Date.now() < end) {
      const sent = event(org);
      a.publish(sent);
      delivered = await onB.waitFor((e) => e.entityId === sent.entityId, 200).catch(() => null);
    }
    expect(delivered).not.toBeNull();
    expect(bLog.messages()).toEqual(
      expect.arrayContaining(['event transport lost its Redis connection; reconnecting', 'event transport reconnected to Redis']),
    );
    await onB.stop();
  });
});
