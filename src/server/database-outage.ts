import type { ApolloServerPlugin } from '@apollo/server';
import type { Request, Response } from 'express';
import type { DataSource } from 'typeorm';
import type { Context } from '../common/context';
import { AppError, ErrorCode } from '../common/errors';
import type { Logger } from '../common/logger';
import type { DatabaseHealth, DatabaseState } from '../db/availability';
import { pendingMigrations } from '../db/data-source';

/**
 * What HTTP and WebSocket clients see while the database cannot be reached (see
 * src/db/availability.ts for how that is told and src/server/format-error.ts for the mapping).
 */

/** WebSocket close code "Try Again Later" (RFC 6455 registry): a connection that cannot be authenticated now. */
export const WS_TRY_AGAIN_LATER = 1013;

/** The UNAVAILABLE error the context factory throws, or null for any other error. */
export function unavailable(err: unknown): AppError | null {
  return err instanceof AppError && err.code === ErrorCode.UNAVAILABLE ? err : null;
}

/**
 * HTTP status 503 and Retry-After for a response whose errors say the database is unavailable
 * (resolvers' errors, which Apollo would answer with 200). Requests refused while building the
 * context carry them in the error itself.
 */
export const unavailableStatusPlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        const body = response.body.kind === 'single' ? response.body.singleResult : response.body.initialResult;
        const error = body.errors?.find((e) => e.extensions?.code === ErrorCode.UNAVAILABLE);
        if (!error) return;
        response.http.status = 503;
        response.http.headers.set('retry-after', String(error.extensions?.retryAfterSeconds ?? 5));
      },
    };
  },
};

/**
 * `GET /readyz`: 200 `{ status: 'ready', database: 'up' }` when the database answers and no
 * migration is pending; otherwise 503 with `database` (`up`, `restarting`: the embedded
 * PostgreSQL is being restarted, `down`: it does not answer) and a `reason`. Never the
 * database's own error text, which goes to the log.
 */
export function readiness(db: DataSource, health: DatabaseHealth, logger: Logger) {
  const notReady = (res: Response, database: DatabaseState, reason: string, extra: Record<string, unknown> = {}) =>
    void res.status(503).json({ status: 'not ready', database, reason, ...extra });
  return async (_req: Request, res: Response) => {
    if (health.isRestarting()) return notReady(res, 'restarting', 'database restarting');
    try {
      await db.query('SELECT 1');
    } catch (err) {
      if (health.isRestarting()) return notReady(res, 'restarting', 'database restarting');
      logger.warn({ err }, 'not ready: database unreachable');
      return notReady(res, 'down', 'database unreachable');
    }
    const pending = await pendingMigrations(db);
    if (pending.length) return notReady(res, 'up', 'migrations pending', { pending });
    res.json({ status: 'ready', database: 'up' });
  };
}
