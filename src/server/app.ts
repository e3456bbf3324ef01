import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { ExecutionResult, GraphQLError } from 'graphql';
import helmet from 'helmet';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Context } from '../common/context';
import type { SubscriberConnection } from '../common/event-contract';
import { yieldToEventLoop } from '../common/event-loop';
import { AppError, ErrorCode } from '../common/errors';
import { DatabaseHealth } from '../db/availability';
import { currentStatementScope, runCountingStatements, type StatementScope } from '../common/statement-scope';
import { accountPagesRouter } from '../modules/identity';
import { createContextFactory, requestIdFrom, type AppDeps, type Credentials } from './context-factory';
import { readiness, unavailable, unavailableStatusPlugin, WS_TRY_AGAIN_LATER } from './database-outage';
import { createErrorFormatter } from './format-error';
import { mountGraphiql } from './graphiql';
import { checkOperationText, inputTextPlugin } from './input-guard';
import { checkWsOperation, queryLimitRules, queryLimitsPlugin } from './query-limits';
import {
  createConnectionCounter,
  ImmediateSendWebSocket,
  MAX_WS_PAYLOAD_BYTES,
  TOO_MANY_CONNECTIONS,
  TOO_SLOW,
  tooManyOrganizationSubscriptions,
  tooManySubscriptions,
} from './ws-limits';
import { buildAppSchema } from './schema';

export interface RunningServer {
  url: string;
  port: number;
  httpServer: http.Server;
  /** SQL statements issued while serving the request with this X-Request-Id (kept for the last 1000). */
  statementsFor(requestId: string): StatementScope | undefined;
  stop(): Promise<void>;
}

const MAX_KEPT_SCOPES = 1000;
/** Requests with a body over this size (bulk imports) let the event loop run between pricing and execution. */
const LARGE_REQUEST_BYTES = 64 * 1024;

/**
 * Pricing a request coerces its variables, and so does execution: for a 10,000-row import each is
 * tens of milliseconds of uninterrupted work. Between the two, a large request lets timers, I/O and
 * other requests run (the hooks of didResolveOperation run in order; this one is listed after the
 * query limits).
 */
const yieldOnLargeRequests: ApolloServerPlugin<Context> = {
  async requestDidStart({ request }) {
    if (Number(request.http?.headers.get('content-length') ?? 0) < LARGE_REQUEST_BYTES) return;
    return {
      async didResolveOperation() {
        await yieldToEventLoop();
      },
    };
  },
};

function header(req: http.IncomingMessage, name: string): string | null {
  const v = req.headers[name];
  return typeof v === 'string' ? v : Array.isArray(v) ? (v[0] ?? null) : null;
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

/** Starts HTTP and WebSocket GraphQL on one port and path (`/graphql`). */
export async function startServer(deps: AppDeps, port: number, host = '0.0.0.0'): Promise<RunningServer> {
  const { config, logger } = deps;
  const development = config.nodeEnv === 'development';
  const schema = await buildAppSchema(deps.events);
  const health = deps.health ?? new DatabaseHealth(logger);
  const buildContext = createContextFactory({ ...deps, health });
  const formatError = createErrorFormatter({ logger, development, health });
  const scopes = new Map<string, StatementScope>();
  const keepScope = (id: string, scope: StatementScope) => {
    scopes.set(id, scope);
    if (scopes.size > MAX_KEPT_SCOPES) scopes.delete(scopes.keys().next().value as string);
  };

  const limits = config.queryLimits;
  const limitRules = queryLimitRules(limits);
  const wsLimits = config.wsLimits;
  const connections = createConnectionCounter(wsLimits);

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  // Security headers on every response (the GraphiQL page sets its own Content-Security-Policy).
  app.use(helmet());
  const httpServer = http.createServer(app);

  // --- WebSocket (graphql-ws) on the same path ---
  // Upgrades are routed here rather than by attaching the WebSocket server to the HTTP server,
  // which would also forward HTTP server errors (PORT in use) to graphql-ws, which prints them
  // with a stack trace as a WebSocket failure.
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
  // The GraphQLError itself goes to the formatter (not only its JSON), so that a request-level
  // error (bad variables, a failed validation) is recognised as the client's, as over HTTP.
  const formatWsErrors = (errors: readonly GraphQLError[] | undefined, requestId: string) =>
    errors?.map((e) => formatError(e.toJSON(), e, requestId));
  type WsExtra = {
    credentials?: Credentials;
    connectionKeys?: [string, string] | null;
    organizationId?: string;
    connection?: SubscriberConnection;
    costs?: Map<string, number | null>;
  };
  /** The open graphql-ws connections of each organisation, to count its subscriptions. */
  type WsConnection = { subscriptions: Record<string, unknown> };
  const byOrganization = new Map<string, Set<WsConnection>>();
  const subscriptionsOf = (organizationId: string) => {
    let n = 0;
    for (const c of byOrganization.get(organizationId) ?? []) n += Object.keys(c.subscriptions).length;
    return n;
  };
  const wsCleanup = useServer<Record<string, unknown>, WsExtra>(
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
        const socket = ctx.extra.socket;
        let closing = false;
        ctx.extra.connection = {
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
            logger.info({ organizationId: probe.organizationId, bufferedAmount: socket.bufferedAmount, reason }, 'websocket closed: client too slow');
            socket.close(TOO_SLOW, reason);
          },
        };
        let open = byOrganization.get(probe.organizationId);
        if (!open) byOrganization.set(probe.organizationId, (open = new Set()));
        open.add(ctx);
        return true;
      },
      onClose: (ctx) => {
        connections.release(ctx.extra.connectionKeys);
        const open = ctx.extra.organizationId ? byOrganization.get(ctx.extra.organizationId) : undefined;
        open?.delete(ctx);
        if (open && !open.size) byOrganization.delete(ctx.extra.organizationId!);
      },
      // Limits before anything runs: subscriptions per connection and per organisation, then
      // tokens, depth, aliases, cost. (The subscription being started is already counted.)
      onSubscribe: async (ctx, id, payload) => {
        if (Object.keys(ctx.subscriptions).length > wsLimits.maxSubscriptionsPerConnection) {
          return [tooManySubscriptions(wsLimits.maxSubscriptionsPerConnection)];
        }
        if (subscriptionsOf(ctx.extra.organizationId!) > wsLimits.maxSubscriptionsPerOrganization) {
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

  // --- Apollo (HTTP) ---
  const loggingPlugin: ApolloServerPlugin<Context> = {
    async requestDidStart({ contextValue, request }) {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ response, errors, operationName }) {
          const scope = currentStatementScope();
          contextValue.logger.info(
            {
              operationName: operationName ?? request.operationName ?? null,
              durationMs: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
              sqlStatements: scope?.count,
              errors: errors?.length ?? 0,
              status: response.http.status ?? 200,
            },
            'graphql operation',
          );
        },
      };
    },
  };

  const apollo = new ApolloServer<Context>({
    schema,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    // main.ts owns signal handling and the shutdown order (HTTP, WebSockets, events, pool, database).
    stopOnTerminationSignals: false,
    // Anonymous callers may not introspect in production (queryLimitsPlugin); others may.
    introspection: true,
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: limitRules,
    // Stack traces go to the log, never to clients.
    includeStacktraceInErrorResponses: false,
    // Compact JSON: Apollo's default pretty-prints every response (2-space indentation), which on
    // the squad dashboard is a third more bytes to build and write.
    stringifyResult: (result) => JSON.stringify(result),
    hideSchemaDetailsFromClientErrors: !development,
    formatError: (formatted, error) => formatError(formatted, error, currentStatementScope()?.requestId),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.shutdownTimeoutMs }),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
      ApolloServerPluginLandingPageDisabled(),
      queryLimitsPlugin({ limits, anonymousIntrospection: config.nodeEnv !== 'production' }),
      yieldOnLargeRequests,
      // Nothing sets cache hints, and its willResolveField hook wraps every field resolver.
      ApolloServerPluginCacheControlDisabled(),
      loggingPlugin,
      inputTextPlugin,
      unavailableStatusPlugin,
    ],
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', readiness(deps.db, health, logger));
  if (config.graphiql) mountGraphiql(app, { demoLogin: config.seedDemo && config.nodeEnv !== 'production' });
  // The pages behind the links in account mail, for when PUBLIC_URL is this server.
  app.use(
    accountPagesRouter({
      logger,
      context: (req) => buildContext({ authorization: null, organizationHint: null }, requestIdFrom(header(req, 'x-request-id')), req.ip ?? null),
    }),
  );

  if (config.corsOrigins.length) {
    app.use(
      '/graphql',
      cors({
        origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
        allowedHeaders: ['content-type', 'authorization', 'x-organization-id', 'x-request-id', 'apollo-require-preflight'],
        exposedHeaders: ['x-request-id'],
        maxAge: 600,
      }),
    );
  }
  app.use(
    '/graphql',
    // Parse first: body events run outside any async scope set before them.
    express.json({ limit: '1mb' }),
    (req: Request, _res: Response, next: NextFunction) => {
      const requestId = requestIdFrom(header(req, 'x-request-id'));
      const statements: StatementScope = { count: 0, statements: [], requestId };
      keepScope(requestId, statements);
      _res.setHeader('x-request-id', requestId);
      runCountingStatements(statements, () => next());
    },
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const requestId = currentStatementScope()?.requestId ?? requestIdFrom(null);
        return buildContext(
          { authorization: header(req, 'authorization'), organizationHint: header(req, 'x-organization-id') },
          requestId,
          req.ip ?? null,
        );
      },
    }),
  );
  // Malformed bodies and anything else express rejects: a GraphQL-shaped JSON error.
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) logger.error({ err }, 'http error');
    res.status(status).json({
      errors: [
        {
          message:
            err.type === 'entity.parse.failed'
              ? 'The request body is not valid JSON'
              : err.type === 'entity.too.large'
                ? 'The request body is larger than 1 MB'
                : status === 500
                  ? 'Internal server error'
                  : err.message,
          extensions: { code: status === 500 ? ErrorCode.INTERNAL_SERVER_ERROR : ErrorCode.BAD_REQUEST },
        },
      ],
    });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, () => resolve());
  });
  const actualPort = (httpServer.address() as AddressInfo).port;
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;

  let stopping: Promise<void> | null = null;
  return {
    url: `http://${shownHost}:${actualPort}`,
    port: actualPort,
    httpServer,
    statementsFor: (id) => scopes.get(id),
    stop() {
      // Drain: stop accepting, finish in-flight requests, close WebSockets.
      stopping ??= apollo.stop();
      return stopping;
    },
  };
}
