import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config';
import { createLogger, type Logger } from '../../src/common/logger';
import { createDataSource } from '../../src/db/data-source';
import { entities } from '../../src/modules/entities';
import { startServer, type RunningServer } from '../../src/server/app';
import { createEventBusFromTarget, type EventBus } from '../../src/server/event-bus';
import { createTestDatabase } from './test-db';

export interface GqlResult<T = any> {
  data?: T;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, any> }>;
  status: number;
  /** SQL statements the server issued for this operation. */
  statements: number;
}

export interface Caller {
  token?: string;
  organizationId?: string;
}

export interface TestApp {
  url: string;
  ds: DataSource;
  server: RunningServer;
  events: EventBus;
  gql<T = any>(query: string, variables?: Record<string, unknown>, as?: Caller): Promise<GqlResult<T>>;
  stop(): Promise<void>;
}

/**
 * The whole server stack (HTTP, Apollo, context, services) on a fresh database copied from the
 * migrated template, listening on a free port. One per test file.
 */
export async function startTestApp(options: { events?: EventBus; logger?: Logger } = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', DATABASE_URL: db.url, PORT: '0' });
  const logger = options.logger ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const ds = createDataSource(db.url, logger, 20, entities);
  await ds.initialize();
  const events = options.events ?? createEventBusFromTarget('memory', undefined);
  const server = await startServer({ config, logger, db: ds, events, jwtSecret: config.jwtSecret! }, 0, '127.0.0.1');
  const url = `http://127.0.0.1:${server.port}`;
  return {
    url,
    ds,
    server,
    events,
    async gql(query, variables, as = {}) {
      const requestId = crypto.randomUUID();
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-request-id': requestId };
      if (as.token) headers.authorization = `Bearer ${as.token}`;
      if (as.organizationId) headers['x-organization-id'] = as.organizationId;
      const res = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      const body = (await res.json()) as GqlResult;
      return { ...body, status: res.status, statements: server.statementsFor(requestId)?.count ?? -1 };
    },
    async stop() {
      await server.stop();
      await events.close();
      await ds.destroy();
      await db.drop();
    },
  };
}

/** GraphQL over HTTP against a server started some other way (e.g. `spawnServer`). */
export function httpGql(url: string): Pick<TestApp, 'gql'> {
  return {
    async gql(query, variables, as = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (as.token) headers.authorization = `Bearer ${as.token}`;
      if (as.organizationId) headers['x-organization-id'] = as.organizationId;
      const res = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      return { ...((await res.json()) as GqlResult), status: res.status, statements: -1 };
    },
  };
}

/** Asserts an operation succeeded and returns its data. */
export function ok<T>(result: GqlResult<T>): T {
  if (result.errors?.length) {
    throw new Error(`GraphQL errors: ${JSON.stringify(result.errors, null, 2)}`);
  }
  return result.data as T;
}

/** The `extensions.code` of the first error. */
export function errorCode(result: GqlResult): string | undefined {
  return result.errors?.[0]?.extensions?.code;
}
