import { AppError, ErrorCode } from '../common/errors';
import type { Logger } from '../common/logger';

/**
 * Whether the database can be reached, as requests and `/readyz` see it, and the one place that
 * tells an unreachable database (refused, terminated, shutting down, starting up, timed out)
 * from a statement that failed. While it is unreachable requests are answered UNAVAILABLE
 * (HTTP 503 with Retry-After) and the outage is logged once every few seconds, not once per
 * request; the embedded PostgreSQL is restarted meanwhile (see database.ts).
 */
export type DatabaseState = 'up' | 'restarting' | 'down';

/** SQLSTATEs of a connection that ended or could not be made. */
const UNREACHABLE_STATES = new Set([
  '57P01', // admin_shutdown: pg_terminate_backend, or a fast shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up, shutting down, in recovery
  '53300', // too_many_connections
]);
/** Node's socket errors when connecting or on an open connection. */
const SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED']);
/** What node-postgres says when a connection ended, timed out or was never made (no code). */
const DRIVER_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Client has encountered a connection error and is not queryable/,
  /^Client was closed and is not queryable/,
  /^Cannot use a pool after calling end on the pool/,
];

/**
 * Whether `err` (a pg or TypeORM error, possibly wrapped by GraphQL or Apollo) says that the
 * database cannot be reached, rather than that a statement was refused.
 */
export function isDatabaseUnreachable(err: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length) {
    const e = queue.shift();
    if (!e || typeof e !== 'object' || seen.has(e) || seen.size > 8) continue;
    seen.add(e);
    const { code, message, driverError, originalError, cause, errors } = e as {
      code?: unknown;
      message?: unknown;
      driverError?: unknown;
      originalError?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    // Class 08: connection exception.
    if (typeof code === 'string' && (UNREACHABLE_STATES.has(code) || /^08[0-9A-Z]{3}$/.test(code) || SOCKET_ERRORS.has(code))) return true;
    if (typeof message === 'string' && DRIVER_MESSAGES.some((m) => m.test(message))) return true;
    queue.push(driverError, originalError, cause, ...(Array.isArray(errors) ? errors : []));
  }
  return false;
}

/** Retry-After when nothing better is known (a DATABASE_URL server that does not answer). */
const DEFAULT_RETRY_AFTER_SECONDS = 5;
const MAX_RETRY_AFTER_SECONDS = 30;
/** About what a start of the embedded PostgreSQL after a crash takes (it syncs and replays its WAL). */
const START_SECONDS = 2;
/** An outage is logged at most this often (with the number of requests it refused meanwhile). */
const LOG_EVERY_MS = 10_000;

export class DatabaseHealth {
  private restartAt: number | null = null;
  private lastLogged = 0;
  private refused = 0;

  constructor(private readonly logger: Logger) {}

  /** The embedded PostgreSQL is down and its next start is due at `at` (epoch ms). */
  restarting(at: number): void {
    this.restartAt = at;
  }

  /** The embedded PostgreSQL runs again. */
  restarted(): void {
    this.restartAt = null;
    this.lastLogged = 0;
    this.refused = 0;
  }

  isRestarting(): boolean {
    return this.restartAt !== null;
  }

  /**
   * When to try again: while the embedded PostgreSQL restarts, at its next attempt plus the
   * seconds a start takes (crash recovery); otherwise a few seconds.
   */
  retryAfterSeconds(): number {
    if (this.restartAt === null) return DEFAULT_RETRY_AFTER_SECONDS;
    const s = Math.ceil((this.restartAt - Date.now()) / 1000) + START_SECONDS;
    return Math.min(Math.max(s, START_SECONDS), MAX_RETRY_AFTER_SECONDS);
  }

  /** A request found the database unreachable: logged once every 10 s with how many there were. */
  noteUnreachable(err: unknown, requestId?: string): void {
    this.refused += 1;
    const now = Date.now();
    if (now - this.lastLogged < LOG_EVERY_MS) return;
    this.lastLogged = now;
    const reason = err instanceof Error ? err.message : String(err);
    this.logger.warn(
      { reason, requestId, refused: this.refused, restarting: this.isRestarting() },
      'database unreachable: requests are answered UNAVAILABLE',
    );
    this.refused = 0;
  }
}

/**
 * What a request gets while the database cannot be reached: UNAVAILABLE with
 * `extensions.retryAfterSeconds`, and for HTTP status 503 with a Retry-After header.
 */
export function unavailableError(health: DatabaseHealth): AppError {
  const seconds = health.retryAfterSeconds();
  return new AppError(ErrorCode.UNAVAILABLE, `The database is unavailable: retry in ${seconds} s`, {
    retryAfterSeconds: seconds,
    http: { status: 503, headers: new Map([['retry-after', String(seconds)]]) },
  });
}
