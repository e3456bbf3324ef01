import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApolloServer } from '@apollo/server';
import type { Context } from '../common/context';
import type { StatementScope } from '../common/statement-scope';
import { DatabaseHealth } from '../db/availability';
import { startApollo } from './apollo';
import { createContextFactory, type AppDeps } from './context-factory';
import { createErrorFormatter } from './format-error';
import { createHttpApp, mountRoutes, statementScopes, type StatementScopes } from './http-app';
import { queryLimitRules } from './query-limits';
import { buildAppSchema } from './schema';
import { startWebSockets } from './websockets';

export interface RunningServer {
  url: string;
  port: number;
  httpServer: http.Server;
  /** SQL statements issued while serving the request with this X-Request-Id (kept for the last 1000). */
  statementsFor(requestId: string): StatementScope | undefined;
  stop(): Promise<void>;
}

/** Listens on `port` and `host`; resolves with the port bound (`0` picks a free one). */
async function listen(httpServer: http.Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, () => resolve());
  });
  return (httpServer.address() as AddressInfo).port;
}

/**
 * The handle of a listening server. `stop()` drains once (later calls get the same promise):
 * Apollo's stop runs its drain plugins in order, HTTP first (stop accepting, finish in-flight
 * requests), then the WebSockets.
 */
function serverHandle(httpServer: http.Server, host: string, port: number, apollo: ApolloServer<Context>, scopes: StatementScopes): RunningServer {
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  let stopping: Promise<void> | null = null;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    httpServer,
    statementsFor: (id) => scopes.get(id),
    stop() {
      stopping ??= apollo.stop();
      return stopping;
    },
  };
}

/**
 * Starts HTTP and WebSocket GraphQL on one port and path (`/graphql`), in named steps: the shared
 * parts (schema, context factory, error formatter, query limits), the HTTP app, the WebSockets,
 * Apollo (whose drain closes both), the routes, then listening and the handle.
 */
export async function startServer(deps: AppDeps, port: number, host = '0.0.0.0'): Promise<RunningServer> {
  const { config, logger } = deps;
  const schema = await buildAppSchema(deps.events);
  const health = deps.health ?? new DatabaseHealth(logger);
  const buildContext = createContextFactory({ ...deps, health });
  const formatError = createErrorFormatter({ logger, development: config.nodeEnv === 'development', health });
  const limitRules = queryLimitRules(config.queryLimits);
  const scopes = statementScopes();

  const { app, httpServer } = createHttpApp(config);
  const webSockets = startWebSockets({ httpServer, schema, config, logger, buildContext, formatError, limitRules });
  const apollo = await startApollo({ httpServer, webSockets, schema, config, formatError, limitRules });
  mountRoutes(app, { config, logger, db: deps.db, health, buildContext, apollo, scopes, schema, formatError });

  const boundPort = await listen(httpServer, port, host);
  return serverHandle(httpServer, host, boundPort, apollo, scopes);
}
