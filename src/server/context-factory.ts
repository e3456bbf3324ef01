import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import type { Context } from '../common/context';
import { createLoaders } from '../common/loaders';
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
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function requestIdFrom(header: unknown): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : crypto.randomUUID();
}

/**
 * The one context factory for HTTP requests, WebSocket operations and subscription events:
 * it authenticates the credentials and gives fresh per-request loaders.
 */
export function createContextFactory(deps: AppDeps) {
  const sessions = { jwtSecret: deps.jwtSecret, ttlSeconds: deps.config.jwtTtlSeconds };
  return async function buildContext(credentials: Credentials, requestId: string, clientAddress: string | null = null): Promise<Context> {
    const auth = await authenticate(deps.db.manager, sessions, credentials.authorization, credentials.organizationHint);
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
    };
  };
}

export type ContextFactory = ReturnType<typeof createContextFactory>;
