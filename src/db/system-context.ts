import crypto from 'node:crypto';
import pino from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import { loadConfig, type Config } from '../config';
import { Role, type Context, type Viewer } from '../common/context';
import type { EventBus, EventStream, PlanningEventPayload } from '../common/event-contract';
import type { Logger } from '../common/logger';
import { createLoaders } from '../common/loaders';

/** A stream that ends at once: what a no-op bus gives its readers. */
function endedStream(): EventStream {
  const done = async (): Promise<IteratorResult<PlanningEventPayload>> => ({ done: true, value: undefined });
  return { next: done, return: done, [Symbol.asyncIterator]() { return this; } };
}

/** An event bus that drops what is published (seeds, bench and tests that check no event). */
export const NO_EVENTS: EventBus = {
  publish() {},
  subscribe: () => endedStream(),
  pubSub: { publish() {}, subscribe: () => endedStream() },
  close: async () => {},
  transport: 'memory',
};

/** Signs the cursors of system contexts that were given no config with a secret: one per process. */
const PROCESS_SECRET = crypto.randomBytes(32).toString('hex');

/** A signed-in user as a viewer (for `systemContext` and `actingIn`). */
export function userViewer(userId: string): Viewer {
  return { kind: 'user', userId, apiTokenId: null, scopes: [] };
}

export interface SystemContextOptions {
  /** The user the context acts as (the audit actor); default none: the system. */
  actorId?: string | null;
  /** The role it acts with (default OWNER: seeds, tests and bench may do anything). */
  role?: Role;
  /** Where events go (default `NO_EVENTS`). */
  events?: EventBus;
  /** Default: a silent logger. */
  logger?: Logger;
  /** Default: the defaults of `loadConfig({})` (no environment read), with a per-process cursor secret. */
  config?: Config;
  requestId?: string;
}

/**
 * A service context for code that is not a request: seeds, tests and bench call the modules'
 * exported functions with it instead of building a context by hand. It acts in
 * `organizationId` as the system (no actor) or as `actorId`, with `role` (OWNER by default), fresh
 * loaders and no client.
 *
 * `source` is the data source (each `withTransaction` then opens its own transaction) or an
 * entity manager. A transaction's manager (`ds.transaction(async (m) => …)`, a seed) makes the
 * context join that transaction: `withTransaction` runs its callback inside it, and what is queued
 * for after commit collects in `ctx.afterCommit`, which the caller may run once it has committed
 * (events go to `NO_EVENTS` unless `events` is given).
 */
export function systemContext(source: DataSource | EntityManager, organizationId: string, options: SystemContextOptions = {}): Context {
  const manager = source instanceof DataSource ? source.manager : source;
  const db = manager.connection;
  const config = options.config ?? loadConfig({});
  const inTransaction = Boolean(manager.queryRunner?.isTransactionActive);
  return {
    requestId: options.requestId ?? `system-${crypto.randomUUID()}`,
    logger: options.logger ?? pino({ level: 'silent' }),
    config,
    db,
    manager,
    viewer: options.actorId ? userViewer(options.actorId) : null,
    authError: null,
    organizationId,
    role: options.role ?? Role.OWNER,
    loaders: createLoaders(),
    events: options.events ?? NO_EVENTS,
    sessions: { jwtSecret: config.jwtSecret ?? PROCESS_SECRET, ttlSeconds: config.jwtTtlSeconds },
    clientAddress: null,
    credentials: { authorization: null, organizationHint: null },
    connection: null,
    afterCommit: inTransaction ? [] : null,
  };
}

/**
 * The context of a change recorded in another organisation than the request's, inside the same
 * transaction (accepting an invitation, creating an organisation at sign-up, a user's own change
 * audited in each of their organisations): the same transaction and after-commit queue, acting
 * in `organizationId` as `viewer` with `role`, and loaders of its own (the request's answer for
 * the request's organisation only).
 */
export function actingIn(tx: Context, organizationId: string, viewer: Viewer | null, role: Role | null): Context {
  return { ...tx, organizationId, viewer, role, loaders: createLoaders() };
}
