import type http from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { Config } from '../config';
import type { Context } from '../common/context';
import { yieldToEventLoop } from '../common/event-loop';
import { currentStatementScope } from '../common/statement-scope';
import { unavailableStatusPlugin } from './database-outage';
import type { createErrorFormatter } from './format-error';
import { inputTextPlugin } from './input-guard';
import { plannedReadsPlugin, stringifyPlannedResult } from './planned-reads';
import { queryLimitsPlugin, type queryLimitRules } from './query-limits';
import { responseStatusPlugin } from './response-status';
import type { WebSockets } from './websockets';

/** Apollo's own list (`recommendedCsrfPreventionRequestHeaders`). */
const CSRF_PREFLIGHT_HEADERS = ['x-apollo-operation-name', 'apollo-require-preflight'];

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

/** One log line per HTTP operation: its name, duration, SQL statements, errors and status. */
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

export interface ApolloDeps {
  httpServer: http.Server;
  webSockets: WebSockets;
  schema: GraphQLSchema;
  config: Config;
  formatError: ReturnType<typeof createErrorFormatter>;
  limitRules: ReturnType<typeof queryLimitRules>;
}

/**
 * Apollo for GraphQL over HTTP, started. Its `stop()` is the server's shutdown: the drain plugins
 * run in their order, first the HTTP server (stop accepting, finish in-flight requests within
 * SHUTDOWN_TIMEOUT_MS), then the WebSockets.
 */
export async function startApollo(deps: ApolloDeps): Promise<ApolloServer<Context>> {
  const { httpServer, webSockets, schema, config, formatError, limitRules } = deps;
  const limits = config.queryLimits;
  const apollo = new ApolloServer<Context>({
    schema,
    // A request that carries a header a browser may not send cross-site without a CORS preflight
    // cannot be a CSRF "simple request". Authorization is such a header, and GraphQL takes its
    // credentials only from it (bearer sessions and API tokens; no cookies), so a BI connector's
    // plain GET with a token is served; a GET without one still needs a preflight header.
    csrfPrevention: { requestHeaders: [...CSRF_PREFLIGHT_HEADERS, 'authorization'] },
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
    // A planned read's data is written as PostgreSQL serialized it (planned-reads.ts).
    stringifyResult: (result) => stringifyPlannedResult(result as Record<string, unknown>),
    hideSchemaDetailsFromClientErrors: config.nodeEnv !== 'development',
    formatError: (formatted, error) => formatError(formatted, error, currentStatementScope()?.requestId),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.shutdownTimeoutMs }),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await webSockets.dispose();
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
      responseStatusPlugin,
      // Its responseForOperation runs after every plugin's didResolveOperation (limits, input checks).
      plannedReadsPlugin(config),
    ],
  });
  await apollo.start();
  return apollo;
}
