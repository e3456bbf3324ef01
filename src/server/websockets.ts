import type http from 'node:http';
import type { ExecutionResult, GraphQLError, GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Config } from '../config';
import type { Context } from '../common/context';
import type { SubscriberConnection } from '../common/event-contract';
import { AppError } from '../common/errors';
import type { Logger } from '../common/logger';
import { requestIdFrom, type Credentials } from './context-factory';
import { unavailable, WS_TRY_AGAIN_LATER } from './database-outage';
import type { createErrorFormatter } from './format-error';
import { checkOperationText } from './input-guard';
import { checkWsOperation, type queryLimitRules } from './query-limits';
import {
  createConnectionCounter,
  ImmediateSendWebSocket,
  MAX_WS_PAYLOAD_BYTES,
  TOO_MANY_CONNECTIONS,
  TOO_SLOW,
  tooManyOrganizationSubscriptions,
  tooManySubscriptions,
} from './ws-limits';

export type BuildContext = (credentials: Credentials, requestId: string, clientAddress?: string | null, acceptLanguage?: string | null) => Promise<Context>;

export interface WebSocketDeps {
  httpServer: http.Server;
  schema: GraphQLSchema;
  config: Config;
  logger: Logger;
  buildContext: BuildContext;
  formatError: ReturnType<typeof createErrorFormatter>;
  limitRules: ReturnType<typeof queryLimitRules>;
}

/** The graphql-ws server: `dispose()` closes every socket (Apollo's drain calls it after HTTP's). */
export interface WebSockets {
  dispose(): void | Promise<void>;
}

/** Credentials from graphql-ws `connection_init` payload: `{ authorization, organizationId }`. */
function credentialsFromParams(params: Record<string, unknown> | undefined): Credentials {
  const pick = (...keys: string[]) => {
    for (const k of keys) if (typeof params?.[k] === 'string') return params[k] as string;
    return null;
  };
  return {
    authorization: pick('authorization', 'Authorization'),
    organizationHint: pick('organizationId', 'X-Organization-Id', 'x-organization-id'),
  };
}

type WsExtra = {
  credentials?: Credentials;
  connectionKeys?: [string, string] | null;
  organizationId?: string;
  connection?: SubscriberConnection;
  costs?: Map<string, number | null>;
};
/** An open graphql-ws connection, as counted for its organisation's subscriptions. */
type WsConnection = { subscriptions: Record<string, unknown> };

/**
 * Routes upgrades of `/graphql` to a WebSocket server (anything else is 400). Upgrades are routed
 * here rather than by attaching the WebSocket server to the HTTP server, which would also forward
 * HTTP server errors (PORT in use) to graphql-ws, which prints them with a stack trace as a
 * WebSocket failure.
 */
function acceptUpgrades(httpServer: http.Server, logger: Logger): WebSocketServer {
  const wsServer = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_PAYLOAD_BYTES, WebSocket: ImmediateSendWebSocket });
  httpServer.on('upgrade', (req: http.IncomingMessage, socket, head) => {
    if ((req.url ?? '').split('?')[0] !== '/graphql') {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    wsServer.handleUpgrade(req, socket, head, (ws) => {
      wsServer.emit('connection', ws, req);
      // ws closes the socket itself on a protocol error (a frame over maxPayload: 1009): one log
      // line instead of graphql-ws's "internal error" with a stack trace.
      ws.removeAllListeners('error');
      ws.on('error', (err: Error & { code?: string }) => logger.info({ code: err.code, reason: err.message }, 'websocket protocol error'));
    });
  });
  return wsServer;
}

/** The open connections of each organisation, to count its subscriptions across them. */
function organizationConnections() {
  const byOrganization = new Map<string, Set<WsConnection>>();
  return {
    add(organizationId: string, connection: WsConnection) {
      let open = byOrganization.get(organizationId);
      if (!open) byOrganization.set(organizationId, (open = new Set()));
      open.add(connection);
    },
    remove(organizationId: string | undefined, connection: WsConnection) {
      const open = organizationId ? byOrganization.get(organizationId) : undefined;
      open?.delete(connection);
      if (open && !open.size) byOrganization.delete(organizationId!);
    },
    subscriptionsOf(organizationId: string) {
      let n = 0;
      for (const c of byOrganization.get(organizationId) ?? []) n += Object.keys(c.subscriptions).length;
      return n;
    },
  };
}

/** The subscriber a fan-out writes to: the socket's buffer, the limits, and closing it when too slow. */
function subscriberConnection(
  socket: { bufferedAmount: number; readyState: number; OPEN: number; close(code: number, reason: string): void },
  wsLimits: Config['wsLimits'],
  logger: Logger,
  organizationId: string,
): SubscriberConnection {
  let closing = false;
  return {
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
    maxBufferedBytes: wsLimits.maxBufferedBytes,
    maxEventBacklog: wsLimits.maxEventBacklog,
    get closing() {
      return closing || socket.readyState !== socket.OPEN;
    },
    closeSlow(reason) {
      if (closing) return;
      closing = true;
      logger.info({ organizationId, bufferedAmount: socket.bufferedAmount, reason }, 'websocket closed: client too slow');
      socket.close(TOO_SLOW, reason);
    },
  };
}

/**
 * GraphQL over WebSocket (graphql-ws) on the HTTP server's `/graphql`: authentication at
 * `connection_init`, connections per user and organisation, subscriptions per connection and per
 * organisation, the query limits and input checks per operation, the cost in each result's
 * extensions, and errors formatted as over HTTP.
 */
export function startWebSockets(deps: WebSocketDeps): WebSockets {
  const { schema, config, logger, buildContext, formatError, limitRules } = deps;
  const limits = config.queryLimits;
  const wsLimits = config.wsLimits;
  const connections = createConnectionCounter(wsLimits);
  const open = organizationConnections();
  const wsServer = acceptUpgrades(deps.httpServer, logger);
  // The GraphQLError itself goes to the formatter (not only its JSON), so that a request-level
  // error (bad variables, a failed validation) is recognised as the client's, as over HTTP.
  const formatWsErrors = (errors: readonly GraphQLError[] | undefined, requestId: string) =>
    errors?.map((e) => formatError(e.toJSON(), e, requestId));

  return useServer<Record<string, unknown>, WsExtra>(
    {
      schema,
      onConnect: async (ctx) => {
        const credentials = credentialsFromParams(ctx.connectionParams);
        const probe = await buildContext(credentials, requestIdFrom(null)).catch((err: unknown) => {
          if (!unavailable(err)) throw err;
          ctx.extra.socket.close(WS_TRY_AGAIN_LATER, (err as Error).message);
          return null;
        });
        if (!probe) return false;
        if (!probe.viewer) {
          ctx.extra.socket.close(CloseCode.Unauthorized, probe.authError ?? 'Unauthorized: send { authorization } in connection_init');
          return false;
        }
        if (!probe.organizationId) {
          ctx.extra.socket.close(CloseCode.Forbidden, probe.authError ?? 'Forbidden');
          return false;
        }
        const place = connections.acquire(probe.viewer, probe.organizationId);
        if ('refused' in place) {
          ctx.extra.socket.close(TOO_MANY_CONNECTIONS, place.refused);
          return false;
        }
        ctx.extra.connectionKeys = place.keys;
        ctx.extra.credentials = credentials;
        ctx.extra.organizationId = probe.organizationId;
        ctx.extra.connection = subscriberConnection(ctx.extra.socket, wsLimits, logger, probe.organizationId);
        open.add(probe.organizationId, ctx);
        return true;
      },
      onClose: (ctx) => {
        connections.release(ctx.extra.connectionKeys);
        open.remove(ctx.extra.organizationId, ctx);
      },
      // Limits before anything runs: subscriptions per connection and per organisation, then
      // tokens, depth, aliases, cost. (The subscription being started is already counted.)
      onSubscribe: async (ctx, id, payload) => {
        if (Object.keys(ctx.subscriptions).length > wsLimits.maxSubscriptionsPerConnection) {
          return [tooManySubscriptions(wsLimits.maxSubscriptionsPerConnection)];
        }
        if (open.subscriptionsOf(ctx.extra.organizationId!) > wsLimits.maxSubscriptionsPerOrganization) {
          return [tooManyOrganizationSubscriptions(wsLimits.maxSubscriptionsPerOrganization)];
        }
        const checked = checkWsOperation(schema, limits, limitRules, payload);
        if (Array.isArray(checked)) return checked;
        const textError = checkOperationText(checked.document, payload.variables);
        if (textError) return [textError];
        // The context is built here rather than in graphql-ws's `context` hook, so that an
        // unreachable database is this operation's UNAVAILABLE error rather than a closed socket.
        const context = await buildContext(ctx.extra.credentials!, requestIdFrom(null), ctx.extra.request.socket.remoteAddress ?? null).catch(
          (err: unknown) => {
            const refused = unavailable(err);
            if (!refused) throw err;
            return refused;
          },
        );
        if (context instanceof AppError) return [context];
        context.connection = ctx.extra.connection ?? null;
        context.logger.debug({ subscriptionId: id }, 'ws operation');
        (ctx.extra.costs ??= new Map()).set(id, checked.cost);
        return {
          schema,
          document: checked.document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: context as unknown as Record<string, unknown>,
        };
      },
      onComplete: (ctx, id) => void ctx.extra.costs?.delete(id),
      onNext: (ctx, id, _payload, _args, result) => {
        const r = result as ExecutionResult;
        const cost = { requested: ctx.extra.costs?.get(id) ?? null, limit: limits.maxCost };
        const errors = r.errors?.length ? { errors: formatWsErrors(r.errors, 'ws') } : {};
        return { ...r, ...errors, extensions: { ...r.extensions, cost } } as ExecutionResult;
      },
      onError: (_ctx, _id, _payload, errors) => formatWsErrors(errors, 'ws') as never,
    },
    wsServer,
  );
}
