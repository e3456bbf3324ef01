import http from 'node:http';
import type { ApolloServer } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import type { Context } from '../common/context';
import { ErrorCode } from '../common/errors';
import type { Logger } from '../common/logger';
import { currentStatementScope, runCountingStatements, type StatementScope } from '../common/statement-scope';
import type { DatabaseHealth } from '../db/availability';
import { accountPagesRouter } from '../modules/identity';
import { requestIdFrom } from './context-factory';
import { readiness } from './database-outage';
import { exportsRouter } from './exports-route';
import type { createErrorFormatter } from './format-error';
import { mountGraphiql } from './graphiql';
import type { BuildContext } from './websockets';

const MAX_KEPT_SCOPES = 1000;

function header(req: http.IncomingMessage, name: string): string | null {
  const v = req.headers[name];
  return typeof v === 'string' ? v : Array.isArray(v) ? (v[0] ?? null) : null;
}

/** The SQL statements of the last 1000 HTTP requests, by X-Request-Id. */
export interface StatementScopes {
  keep(requestId: string, scope: StatementScope): void;
  get(requestId: string): StatementScope | undefined;
}

export function statementScopes(): StatementScopes {
  const scopes = new Map<string, StatementScope>();
  return {
    keep(id, scope) {
      scopes.set(id, scope);
      if (scopes.size > MAX_KEPT_SCOPES) scopes.delete(scopes.keys().next().value as string);
    },
    get: (id) => scopes.get(id),
  };
}

/**
 * The express app (security headers on every response; the GraphiQL page sets its own
 * Content-Security-Policy) and the HTTP server it serves, not listening yet: routes are mounted
 * by `mountRoutes` once Apollo has started.
 */
export function createHttpApp(config: Config): { app: Express; httpServer: http.Server } {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use(helmet());
  return { app, httpServer: http.createServer(app) };
}

export interface RouteDeps {
  config: Config;
  logger: Logger;
  db: DataSource;
  health: DatabaseHealth;
  buildContext: BuildContext;
  apollo: ApolloServer<Context>;
  scopes: StatementScopes;
  schema: GraphQLSchema;
  formatError: ReturnType<typeof createErrorFormatter>;
}

/**
 * The routes, in order: health (`/healthz`) and readiness (`/readyz`), GraphiQL when enabled, the
 * account pages behind the links in account mail, CORS and GraphQL on `/graphql` (each request
 * counted in its statement scope under its X-Request-Id), the exports on `/export/<name>.csv|.xlsx`, and last a GraphQL-shaped JSON error
 * for whatever express rejects.
 */
export function mountRoutes(app: Express, deps: RouteDeps): void {
  const { config, logger, buildContext, apollo, scopes } = deps;
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', readiness(deps.db, deps.health, logger));
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
      ['/graphql', '/export'],
      cors({
        origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
        allowedHeaders: ['content-type', 'authorization', 'x-organization-id', 'x-request-id', 'apollo-require-preflight'],
        exposedHeaders: ['x-request-id', 'content-disposition'],
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
      scopes.keep(requestId, statements);
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
          header(req, 'accept-language'),
        );
      },
    }),
  );
  // Spreadsheet exports of the modules' lists (src/modules/exports), read through the schema with the same context.
  app.use(exportsRouter({ schema: deps.schema, buildContext, formatError: deps.formatError, logger, scopes }));
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
}
