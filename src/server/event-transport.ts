import type { Config } from '../config';
import type { Logger } from '../common/logger';
import type { EventBus } from './event-bus';
import { createPostgresEventBus } from './postgres-events';
import { createRedisEventBus } from './redis-events';

/**
 * Chooses how events travel between server processes: Redis when REDIS_URL is set,
 * otherwise PostgreSQL LISTEN/NOTIFY on the application database. (The in-memory bus of
 * `createEventBusFromTarget('memory', ...)` only serves single-process tests.)
 */
export async function createEventBus(config: Config, databaseUrl: string, logger: Logger): Promise<EventBus> {
  const log = logger.child({ component: 'events' });
  if (config.redisUrl) return createRedisEventBus(config.redisUrl, log);
  return createPostgresEventBus(databaseUrl, log);
}
