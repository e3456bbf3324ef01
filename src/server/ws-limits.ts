import WebSocket from 'ws';
import { AppError, ErrorCode } from '../common/errors';
import type { Viewer } from '../common/context';

/** The largest WebSocket frame accepted (as the HTTP body limit): bigger ones close the socket with 1009. */
export const MAX_WS_PAYLOAD_BYTES = 1024 * 1024;

/**
 * Close code for a connection over WS_MAX_CONNECTIONS_PER_USER or WS_MAX_CONNECTIONS_PER_ORGANIZATION
 * (like HTTP 429; graphql-ws clients do not retry it).
 */
export const TOO_MANY_CONNECTIONS = 4429;

/**
 * Close code for a connection whose client does not keep up: more than WS_MAX_BUFFERED_BYTES sent
 * and not yet read, or its subscriptions more than WS_MAX_EVENT_BACKLOG events behind. graphql-ws
 * clients retry it (with their back-off); the client should refetch what it shows.
 */
export const TOO_SLOW = 4413;

export interface WsLimits {
  maxSubscriptionsPerConnection: number;
  maxConnectionsPerUser: number;
  maxConnectionsPerOrganization: number;
  maxSubscriptionsPerOrganization: number;
  maxBufferedBytes: number;
  maxEventBacklog: number;
}

/** Open connections per key (a user, an API token, an organisation), in this process. */
function createCounter(max: number) {
  const open = new Map<string, number>();
  return {
    acquire(key: string): string | null {
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
  };
}

/**
 * Open connections per signed-in user or API token, and per organisation, in this process.
 * `acquire` takes a place under both limits, or returns the close reason (at most 123 bytes).
 */
export function createConnectionCounter(limits: Pick<WsLimits, 'maxConnectionsPerUser' | 'maxConnectionsPerOrganization'>) {
  const perCaller = createCounter(limits.maxConnectionsPerUser);
  const perOrganization = createCounter(limits.maxConnectionsPerOrganization);
  return {
    acquire(viewer: Viewer, organizationId: string): { keys: [string, string] } | { refused: string } {
      const caller = perCaller.acquire(viewer.apiTokenId ? `token:${viewer.apiTokenId}` : `user:${viewer.userId}`);
      if (!caller) return { refused: `Too many connections: at most ${limits.maxConnectionsPerUser} per user or API token (WS_MAX_CONNECTIONS_PER_USER)` };
      const organization = perOrganization.acquire(organizationId);
      if (!organization) {
        perCaller.release(caller);
        return { refused: `Too many connections: at most ${limits.maxConnectionsPerOrganization} per organisation (WS_MAX_CONNECTIONS_PER_ORGANIZATION)` };
      }
      return { keys: [caller, organization] };
    },
    release(keys: [string, string] | null | undefined): void {
      if (!keys) return;
      perCaller.release(keys[0]);
      perOrganization.release(keys[1]);
    },
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

/** The error for one subscription too many in an organisation (all connections of this instance). */
export function tooManyOrganizationSubscriptions(max: number): AppError {
  return new AppError(
    ErrorCode.TOO_MANY_SUBSCRIPTIONS,
    `Too many subscriptions in this organisation: at most ${max} on this server (WS_MAX_SUBSCRIPTIONS_PER_ORGANIZATION); complete one first`,
    { max },
  );
}

/**
 * The server's WebSockets:
 * - graphql-ws waits until each message has been written to the network before a subscription
 *   takes its next event, so a client that stops reading would hold every later event of its
 *   subscriptions in the server's queues, unseen and uncounted. Messages are handed to ws at once
 *   instead (a write error closes the socket anyway), and the fan-out closes a connection whose
 *   unread bytes (`bufferedAmount`) pass WS_MAX_BUFFERED_BYTES.
 * - The messages a connection gets in one burst (a batch of the fan-out) leave in one write: the
 *   socket is corked at the first and uncorked once the burst's microtasks have run, instead of
 *   one system call per message.
 */
export class ImmediateSendWebSocket extends WebSocket {
  private corked = false;

  override send(data: Parameters<WebSocket['send']>[0], optionsOrCallback?: unknown, callback?: (err?: Error) => void): void {
    const done = typeof optionsOrCallback === 'function' ? (optionsOrCallback as (err?: Error) => void) : callback;
    const options = typeof optionsOrCallback === 'object' && optionsOrCallback !== null ? optionsOrCallback : {};
    // ws's own socket (not part of its documented API, stable across ws 7 and 8).
    const socket = (this as unknown as { _socket?: { cork(): void; uncork(): void; destroyed: boolean } })._socket;
    if (socket && !this.corked && this.readyState === WebSocket.OPEN) {
      this.corked = true;
      socket.cork();
      process.nextTick(() => {
        this.corked = false;
        if (!socket.destroyed) socket.uncork();
      });
    }
    super.send(data, options, () => undefined);
    done?.();
  }
}
