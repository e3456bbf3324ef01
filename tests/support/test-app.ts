import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config';
import { createLogger, type Logger } from '../../src/common/logger';
import { createDataSource } from '../../src/db/data-source';
import { entities } from '../../src/modules/entities';
import { startServer, type RunningServer } from '../../src/server/app';
import { createEventBusFromTarget, type EventBus } from '../../src/server/event-bus';
import { closeLoginThrottle } from '../../src/modules/identity';
import { startMailSender, type MailSender } from '../../src/modules/mail';
import { readMail, readMailAt, type ReceivedMail } from './mailbox';
import { createTestDatabase } from './test-db';

export interface GqlResult<T = any> {
  data?: T;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, any> }>;
  status: number;
  /** SQL statements the server issued for this operation. */
  statements: number;
  /** Their text (the first 500), in the order issued: for tests of what a statement asks. */
  sql?: string[];
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
  /** The outbox sender of this app (prints mail to the log unless `env.SMTP_URL` is given). */
  mailer: MailSender;
  /** The newest mail queued for `to` (of `kind`, if given), read from the outbox; waits up to 5 s. */
  readMail(to: string, kind?: string): Promise<ReceivedMail>;
  gql<T = any>(query: string, variables?: Record<string, unknown>, as?: Caller, headers?: Record<string, string>): Promise<GqlResult<T>>;
  stop(): Promise<void>;
}

/**
 * The whole server stack (HTTP, Apollo, context, services) on a fresh database copied from the
 * migrated template, listening on a free port. One per test file.
 */
export async function startTestApp(
  options: { events?: EventBus; env?: Record<string, string>; logger?: Logger; poolSize?: number } = {},
): Promise<TestApp> {
  const db = await createTestDatabase();
  const config = loadConfig({
    MAIL_POLL_INTERVAL_MS: '200',
    ...process.env,
    ...options.env,
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    PORT: '0',
  });
  const logger = options.logger ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const ds = createDataSource(db.url, logger, options.poolSize ?? 20, entities, { preparedStatements: config.preparedStatements });
  await ds.initialize();
  const events = options.events ?? createEventBusFromTarget('memory', undefined);
  const server = await startServer({ config, logger, db: ds, events, jwtSecret: config.jwtSecret! }, 0, '127.0.0.1');
  const url = `http://127.0.0.1:${server.port}`;
  const mailer = startMailSender({ db: ds, config, logger });
  return {
    url,
    ds,
    server,
    events,
    mailer,
    readMail: (to, kind) => readMail(ds, to, kind),
    async gql(query, variables, as = {}, extraHeaders = {}) {
      const requestId = crypto.randomUUID();
      const headers: Record<string, string> = { ...extraHeaders, 'content-type': 'application/json', 'x-request-id': requestId };
      if (as.token) headers.authorization = `Bearer ${as.token}`;
      if (as.organizationId) headers['x-organization-id'] = as.organizationId;
      const res = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      const body = (await res.json()) as GqlResult;
      const scope = server.statementsFor(requestId);
      return { ...body, status: res.status, statements: scope?.count ?? -1, sql: scope?.statements ?? [] };
    },
    async stop() {
      await server.stop();
      await mailer.stop();
      await closeLoginThrottle(ds);
      await events.close();
      await ds.destroy();
      await db.drop();
    },
  };
}

/**
 * GraphQL over HTTP against a server started some other way (e.g. `spawnServer`); with the
 * server's database URL, `readMail` reads its outbox too.
 */
export function httpGql(url: string, databaseUrl?: string): Pick<TestApp, 'gql'> & Partial<Pick<TestApp, 'readMail'>> {
  return {
    ...(databaseUrl ? { readMail: (to: string, kind?: string) => readMailAt(databaseUrl, to, kind) } : {}),
    async gql(query, variables, as = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (as.token) headers.authorization = `Bearer ${as.token}`;
      if (as.organizationId) headers['x-organization-id'] = as.organizationId;
      const res = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      return { ...((await res.json()) as GqlResult), status: res.status, statements: -1, sql: [] };
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
