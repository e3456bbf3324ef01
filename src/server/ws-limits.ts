import { AppError, ErrorCode } from '../common/errors';
import type { Viewer } from '../common/context';

/** The largest WebSocket frame accepted (as the HTTP body limit): bigger ones close the socket with 1009. */
export const MAX_WS_PAYLOAD_BYTES = 1024 * 1024;

/** Close code for a connection over WS_MAX_CONNECTIONS_PER_USER (like HTTP 429; graphql-ws clients do not retry it). */
export const TOO_MANY_CONNECTIONS = 4429;

export interface WsLimits {
  maxSubscriptionsPerConnection: number;
  maxConnectionsPerUser: number;
}

/** Open connections per signed-in user or API token, in this process. */
export function createConnectionCounter(max: number) {
  const open = new Map<string, number>();
  return {
    /** Takes a place for this caller; false when they already hold `max` connections. */
    acquire(viewer: Viewer): string | null {
      const key = viewer.apiTokenId ? `token:${viewer.apiTokenId}` : `user:${viewer.userId}`;
      const n = open.get(key) ?? 0;
      if (n >= max) return null;
      open.set(key, n + 1);
      return key;
    },
    release(key: string | null | undefined): void {
      if (!key) return;
      const n = (open.get(key) ?? 1) - 1;
      if (n <= 0) open.delete(key);
      else open.set(key, n);
    },
    /** The close reason for a connection refused by the cap (at most 123 bytes). */
    message: `Too many connections: at most ${max} per user or API token (WS_MAX_CONNECTIONS_PER_USER)`,
  };
}

/** The error for one subscription too many on a connection. */
export function tooManySubscriptions(max: number): AppError {
  return new AppError(
    ErrorCode.TOO_MANY_SUBSCRIPTIONS,
    `Too many subscriptions on this connection: at most ${max} (WS_MAX_SUBSCRIPTIONS_PER_CONNECTION); complete one first or open another connection`,
    { max },
  );
}
