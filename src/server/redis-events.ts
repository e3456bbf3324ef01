import crypto from 'node:crypto';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import type { PubSubEventTarget } from '@graphql-yoga/subscription';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../common/logger';
import { createEventBusFromTarget, type EventBus, type EventTopics } from './event-bus';

/**
 * Events between server processes over Redis pub/sub (set REDIS_URL), through
 * @graphql-yoga/redis-event-target: one connection publishes, one subscribes to the topics
 * this process has subscribers for. At start, Redis must answer within a few bounded attempts
 * or the start fails with a clear message; once started, lost connections are retried with
 * backoff for as long as the process runs (and subscriptions are restored).
 */

export interface RedisEventOptions {
  /** Per attempt, at start. */
  connectTimeoutMs?: number;
  /** Attempts at start before giving up. */
  startAttempts?: number;
}

function where(redisUrl: string): string {
  try {
    const u = new URL(redisUrl);
    return `${u.hostname}:${u.port || 6379}`;
  } catch {
    return 'REDIS_URL';
  }
}

function errorMessage(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length) return errorMessage(err.errors[0]);
  const e = err as { message?: string; code?: string };
  return e?.message || e?.code || String(err);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface RedisEventBus extends EventBus {
  /** CLIENT SETNAME of this process's two connections (unique per process). */
  readonly connectionNames: { publish: string; subscribe: string };
}

export async function createRedisEventBus(redisUrl: string, logger: Logger, options: RedisEventOptions = {}): Promise<RedisEventBus> {
  const connectTimeoutMs = options.connectTimeoutMs ?? 3_000;
  const startAttempts = options.startAttempts ?? 3;
  let started = false;
  let closing = false;

  const base: RedisOptions = {
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    keepAlive: 10_000,
    // Before the start succeeded, failed connections are not retried in the background: the
    // start loop below decides. Afterwards: exponential backoff up to 5 s, forever.
    retryStrategy: (times) => (started && !closing ? Math.min(100 * 2 ** Math.min(times, 6), 5_000) : null),
  };
  const instance = crypto.randomBytes(4).toString('hex');
  const connectionNames = { publish: `plangraph-events-pub-${instance}`, subscribe: `plangraph-events-sub-${instance}` };
  const pub = new Redis(redisUrl, { ...base, connectionName: connectionNames.publish });
  // Subscribe and unsubscribe commands wait for a reconnect instead of failing.
  const sub = new Redis(redisUrl, { ...base, connectionName: connectionNames.subscribe, maxRetriesPerRequest: null });

  const clients = [
    { name: 'publish', client: pub },
    { name: 'subscribe', client: sub },
  ];
  let lastError: unknown = null;
  for (const { name, client } of clients) {
    let down = false;
    let downSince = 0;
    client.on('error', (err: Error) => {
      lastError = err;
      if (started && !down) logger.warn({ connection: name, err: errorMessage(err) }, 'event transport: Redis connection error');
    });
    client.on('reconnecting', (delayMs: number) => {
      if (!down) {
        down = true;
        downSince = Date.now();
        logger.warn({ connection: name, retryInMs: delayMs }, 'event transport lost its Redis connection; reconnecting');
      }
    });
    client.on('ready', () => {
      if (!down) return;
      down = false;
      logger.info({ connection: name, downtimeMs: Date.now() - downSince }, 'event transport reconnected to Redis');
    });
  }

  // (On a client that has already ended, ioredis's disconnect() would arm a 2 s timer waiting for
  // a socket close that never comes, holding the process open.)
  const disconnect = (client: Redis) => {
    if (client.status !== 'end') client.disconnect();
  };
  const disconnectAll = () => {
    for (const { client } of clients) disconnect(client);
  };

  for (const { client } of clients) {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.connect();
        break;
      } catch (err) {
        lastError ??= err;
        if (attempt >= startAttempts) {
          disconnectAll();
          throw new Error(
            `Cannot connect to Redis at ${where(redisUrl)} (REDIS_URL) after ${attempt} attempts: ${errorMessage(lastError)}`,
          );
        }
        lastError = null;
        await sleep(250 * attempt);
      }
    }
  }
  started = true;

  // The event target ignores the promises of publish/subscribe/unsubscribe; these adapters make
  // sure a failure is logged instead of becoming an unhandled rejection.
  const publishClient = {
    publish: (channel: string, message: string) =>
      pub.publish(channel, message).catch((err: unknown) => {
        logger.error({ err: errorMessage(err), topic: channel }, 'event not sent to other instances');
        return 0;
      }),
  };
  const subscribeClient = {
    on: (event: string, fn: (...args: any[]) => void) => sub.on(event, fn),
    subscribe: (topic: string) =>
      sub.subscribe(topic).catch((err: unknown) => logger.error({ err: errorMessage(err), topic }, 'Redis subscribe failed')),
    unsubscribe: (topic: string) =>
      sub.unsubscribe(topic).catch((err: unknown) => logger.warn({ err: errorMessage(err), topic }, 'Redis unsubscribe failed')),
  };
  const target = createRedisEventTarget({
    publishClient: publishClient as unknown as Redis,
    subscribeClient: subscribeClient as unknown as Redis,
  }) as unknown as PubSubEventTarget<EventTopics>;

  let closed: Promise<void> | null = null;
  const bus = createEventBusFromTarget('redis', target, () => {
    closed ??= (async () => {
      closing = true;
      await Promise.all(
        clients.map(async ({ client }) => {
          if (client.status === 'ready') {
            let timer: NodeJS.Timeout | undefined;
            await Promise.race([
              client.quit().catch(() => undefined),
              new Promise<void>((resolve) => (timer = setTimeout(resolve, 2_000))),
            ]);
            clearTimeout(timer);
          }
          disconnect(client);
        }),
      );
    })();
    return closed;
  });
  return Object.assign(bus, { connectionNames });
}
