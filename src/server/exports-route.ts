import express, { type Request, type Response, type Router } from 'express';
import {
  execute,
  getNamedType,
  GraphQLError,
  isInputObjectType,
  isListType,
  isNonNullType,
  parse,
  typeFromAST,
  validate,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import type { Context } from '../common/context';
import { AppError, badInput, ErrorCode } from '../common/errors';
import { createLoaders } from '../common/loaders';
import type { Logger } from '../common/logger';
import { currentStatementScope, runCountingStatements, type StatementScope } from '../common/statement-scope';
import { EXPORT_PAGE_SIZE, exportSource, type ExportSource } from '../modules/exports';
import { requestIdFrom } from './context-factory';
import { CONTENT_TYPES, csvWriter, xlsxWriter, type SheetWriter } from './export-writers';
import type { createErrorFormatter } from './format-error';
import type { StatementScopes } from './http-app';
import type { BuildContext } from './websockets';

/**
 * `GET /export/<name>.csv` and `GET /export/<name>.xlsx`: a registered export source (src/modules/exports)
 * written as a spreadsheet. The source's GraphQL operation runs through the schema with a context
 * from the same factory as /graphql, so the token, the permission rules, the validation of the
 * arguments and the organisation's scoping are those of the GraphQL field it reads.
 *
 * Query parameters are the fields of the source's filter and its other variables; a list is a
 * repeated parameter (`budgetIds=A&budgetIds=B`) or, given once, a comma-separated list; booleans are
 * `true`/`false`. An error before the first row (no token 401, forbidden 403, an id not found 404, a
 * bad parameter 400) is a JSON body `{ errors: [{ message, extensions: { code, field } }] }`; the
 * `field` is the query parameter. Pages are read one at a time (EXPORT_PAGE_SIZE rows, the
 * connection's keyset cursor) and written as they come, waiting for the client to drain the
 * response (the next page is read while one is written: at most two pages are held); a client
 * that goes away stops the export.
 */

const STATUS: Record<string, number> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.UNAVAILABLE]: 503,
  [ErrorCode.INTERNAL_SERVER_ERROR]: 500,
};

interface Prepared {
  document: DocumentNode;
  variables: Map<string, GraphQLInputType>;
  paged: boolean;
}

const prepared = new WeakMap<ExportSource, Prepared>();

function prepare(schema: GraphQLSchema, source: ExportSource): Prepared {
  let p = prepared.get(source);
  if (p) return p;
  const document = parse(source.document);
  const invalid = validate(schema, document);
  if (invalid.length) throw new Error(`export ${source.name}: ${invalid.map((e) => e.message).join('; ')}`);
  const variables = new Map<string, GraphQLInputType>();
  for (const def of document.definitions) {
    if (def.kind !== 'OperationDefinition') continue;
    for (const v of def.variableDefinitions ?? []) variables.set(v.variable.name.value, typeFromAST(schema, v.type as never) as GraphQLInputType);
  }
  p = { document, variables, paged: variables.has('first') && variables.has('after') };
  prepared.set(source, p);
  return p;
}

function scalarOf(text: string, type: GraphQLInputType, field: string): unknown {
  switch (getNamedType(type).name) {
    case 'Boolean':
      if (text === 'true' || text === 'false') return text === 'true';
      throw badInput(`${field} must be true or false`, field);
    case 'Int':
      if (/^-?\d{1,9}$/.test(text)) return Number(text);
      throw badInput(`${field} must be an integer`, field);
    case 'Float':
      if (text.trim() !== '' && Number.isFinite(Number(text))) return Number(text);
      throw badInput(`${field} must be a number`, field);
    default:
      return text;
  }
}

/** A query parameter's values as a GraphQL variable value of `type`. */
function valueOf(values: string[], type: GraphQLInputType, field: string): unknown {
  const t = isNonNullType(type) ? type.ofType : type;
  if (isListType(t)) {
    const items = values.length === 1 ? values[0].split(',') : values;
    return items.map((v) => scalarOf(v, t.ofType, field));
  }
  if (values.length > 1) throw badInput(`${field} is given more than once`, field);
  return scalarOf(values[0], t, field);
}

/** The operation's variables from the query string (without first/after); the `each` variable's values apart. */
function variablesOf(source: ExportSource, p: Prepared, query: URLSearchParams) {
  const variables: Record<string, unknown> = {};
  const filterType = source.filterVariable ? getNamedType(p.variables.get(source.filterVariable)!) : null;
  const filterFields = filterType && isInputObjectType(filterType) ? filterType.getFields() : {};
  const filter: Record<string, unknown> = {};
  let each: string[] = [];
  for (const name of new Set(query.keys())) {
    const values = query.getAll(name);
    if (name === source.each) each = values;
    else if (filterFields[name]) filter[name] = valueOf(values, filterFields[name].type, name);
    else if (p.variables.has(name) && name !== source.filterVariable && !(p.paged && (name === 'first' || name === 'after'))) {
      variables[name] = valueOf(values, p.variables.get(name)!, name);
    } else {
      throw badInput(`Unknown parameter ${name} for the ${source.name} export`, name);
    }
  }
  if (source.filterVariable && Object.keys(filter).length) variables[source.filterVariable] = filter;
  if (source.each && !each.length) throw badInput(`${source.each} is required`, source.each);
  return { variables, each };
}

/** When `res` drains or closes (the listeners removed either way). */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

export interface ExportsRouteDeps {
  schema: GraphQLSchema;
  buildContext: BuildContext;
  formatError: ReturnType<typeof createErrorFormatter>;
  logger: Logger;
  scopes: StatementScopes;
}

export function exportsRouter(deps: ExportsRouteDeps): Router {
  const { schema, buildContext, formatError, logger, scopes } = deps;
  const router = express.Router();

  /** A GraphQL error as the client sees it, its `field` named as the query parameter. */
  function clientError(error: GraphQLError, source: ExportSource | undefined, requestId: string): GraphQLFormattedError {
    const requestLevel = !error.path && !(error.extensions?.code);
    const formatted = requestLevel
      ? { message: error.message, extensions: { code: ErrorCode.BAD_USER_INPUT, field: /at "([^"]+)"/.exec(error.message)?.[1] } }
      : formatError(error.toJSON(), error, requestId);
    const ext = { ...(formatted.extensions ?? {}) } as Record<string, unknown>;
    const prefix = source?.filterVariable ? `${source.filterVariable}.` : null;
    if (typeof ext.field === 'string' && prefix && ext.field.startsWith(prefix)) ext.field = ext.field.slice(prefix.length);
    if (ext.field === undefined) delete ext.field;
    return { message: formatted.message, extensions: ext };
  }

  function sendErrors(res: Response, errors: GraphQLFormattedError[]) {
    const code = String(errors[0]?.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR);
    if (code === ErrorCode.UNAVAILABLE) res.setHeader('retry-after', String(errors[0].extensions?.retryAfterSeconds ?? 5));
    res.status(STATUS[code] ?? 400).json({ errors });
  }

  router.get('/export/:file', async (req: Request, res: Response) => {
    const requestId = requestIdFrom(req.headers['x-request-id']);
    res.setHeader('x-request-id', requestId);
    const scope: StatementScope = { count: 0, statements: [], requestId };
    scopes.keep(requestId, scope);
    await runCountingStatements(scope, () => runExport(req, res, requestId));
  });

  async function runExport(req: Request, res: Response, requestId: string) {
    const match = /^([a-z][a-z0-9-]*)\.(csv|xlsx)$/.exec(String(req.params.file));
    const source = match ? exportSource(match[1]) : undefined;
    if (!match || !source) {
      sendErrors(res, [{ message: `No export ${String(req.params.file)}: /export/<name>.csv or .xlsx`, extensions: { code: ErrorCode.NOT_FOUND } }]);
      return;
    }
    let closed = false;
    res.on('close', () => {
      closed = true;
    });
    let ctx: Context;
    let plan: { variables: Record<string, unknown>; each: string[] };
    const p = prepare(schema, source);
    try {
      plan = variablesOf(source, p, new URL(req.originalUrl, 'http://export').searchParams);
      const auth = req.headers.authorization;
      const org = req.headers['x-organization-id'];
      ctx = await buildContext(
        { authorization: typeof auth === 'string' ? auth : null, organizationHint: typeof org === 'string' ? org : null },
        requestId,
        req.ip ?? null,
        typeof req.headers['accept-language'] === 'string' ? req.headers['accept-language'] : null,
      );
    } catch (err) {
      if (err instanceof AppError) {
        sendErrors(res, [clientError(err, source, requestId)]);
      } else {
        const e = err instanceof GraphQLError ? err : new GraphQLError('Internal server error', { originalError: err as Error });
        sendErrors(res, [clientError(e, source, requestId)]);
      }
      return;
    }

    /** One page: a fresh set of loaders each time (the context's caches would otherwise hold every row exported). */
    async function page(variables: Record<string, unknown>) {
      const result = await execute({ schema, document: p.document, variableValues: variables, contextValue: { ...ctx, loaders: createLoaders(), pageSizeLimit: EXPORT_PAGE_SIZE } });
      if (result.errors?.length) return { errors: result.errors.map((e) => clientError(e, source, requestId)) };
      try {
        return source!.read(result.data, variables);
      } catch (err) {
        // A refusal the source raised from the answer (the kit's AppError): sent as the field's errors are.
        if (!(err instanceof AppError)) throw err;
        return { errors: [clientError(err, source, requestId)] };
      }
    }

    let writer: SheetWriter | null = null;
    const started = Date.now();
    let rowCount = 0;
    try {
      const runs = plan.each.length ? plan.each.map((v) => ({ ...plan.variables, [source.each!]: v })) : [plan.variables];
      for (const base of runs) {
        const read = (after: string | null) => {
          const pending = page(p.paged ? { ...base, first: EXPORT_PAGE_SIZE, after } : base);
          pending.catch(() => undefined); // awaited below, unless the client has gone by then
          return pending;
        };
        let next = read(null);
        let after: string | null = null;
        do {
          const result = await next;
          if (closed) return;
          after = p.paged && !('errors' in result) ? result.after : null;
          // The next page is read while this one is written and sent.
          if (after) next = read(after);
          if ('errors' in result) {
            if (!writer) sendErrors(res, result.errors!);
            else {
              logger.warn({ requestId, export: source.name, errors: result.errors }, 'export failed after its first rows');
              res.destroy();
            }
            return;
          }
          if (!writer) {
            const ext = match[2];
            res.attachment(`${source.name}-${new Date().toISOString().slice(0, 10)}.${ext}`);
            res.setHeader('cache-control', 'no-store');
            res.setHeader('content-type', CONTENT_TYPES[ext]);
            writer = ext === 'csv' ? csvWriter(res, source.columns) : xlsxWriter(res, source.sheet, source.columns);
          }
          writer.rows(result.rows);
          rowCount += result.rows.length;
          if (res.writableNeedDrain && !closed) await drained(res);
        } while (after);
      }
      if (closed) return;
      if (!writer) throw new Error('no page read');
      await writer.end();
      logger.info({ requestId, export: source.name, rows: rowCount, durationMs: Date.now() - started, sqlStatements: currentStatementScope()?.count }, 'export');
    } catch (err) {
      logger.error({ err, requestId, export: source.name }, 'export failed');
      if (!res.headersSent) sendErrors(res, [{ message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }]);
      else res.destroy();
    }
  }

  return router;
}
