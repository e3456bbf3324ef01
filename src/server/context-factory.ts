import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import type { Context } from '../common/context';
import { createLoaders } from '../common/loaders';
import { isDatabaseUnreachable, unavailableError, type DatabaseHealth } from '../db/availability';
import type { Logger } from '../common/logger';
import { authenticate } from '../modules/identity';
import type { EventBus } from './event-bus';

export interface Credentials {
  authorization: string | null;
  organizationHint: string | null;
}

export interface AppDeps {
  config: Config;
  logger: Logger;
  db: DataSource;
  events: EventBus;
  jwtSecret: string;
  /** The database's reachability (main passes the one the embedded PostgreSQL's restarts report to). */
  health?: DatabaseHealth;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function requestIdFrom(header: unknown): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : crypto.randomUUID();
}

/**
 * The one context factory for HTTP requests, WebSocket operations and subscription events:
 * it authenticates the credentials and gives fresh per-request loaders. When the database
 * cannot be reached to authenticate, it throws UNAVAILABLE (HTTP 503 with Retry-After).
 */
export function createContextFactory(deps: AppDeps & { health: DatabaseHealth }) {
  const sessions = { jwtSecret: deps.jwtSecret, ttlSeconds: deps.config.jwtTtlSeconds };
  return async function buildContext(
    credentials: Credentials,
    requestId: string,
    clientAddress: string | null = null,
    acceptLanguage: string | null = null,
  ): Promise<Context> {
    const auth = await authenticate(deps.db.manager, sessions, credentials.authorization, credentials.organizationHint).catch(
      (err: unknown) => {
        if (!isDatabaseUnreachable(err)) throw err;
        deps.health.noteUnreachable(err, requestId);
        throw unavailableError(deps.health);
      },
    );
    return {
      requestId,
      logger: deps.logger.child({ requestId }),
      config: deps.config,
      db: deps.db,
      manager: deps.db.manager,
      viewer: auth.viewer,
      authError: auth.authError,
      organizationId: auth.organizationId,
      role: auth.role,
      loaders: createLoaders(),
      events: deps.events,
      sessions,
      afterCommit: null,
      credentials,
      clientAddress,
      acceptLanguage,
    };
  };
}

export type ContextFactory = ReturnType<typeof createContextFactory>;
