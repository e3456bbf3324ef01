import type { ApolloServerPlugin } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  getNamedType,
  getNullableType,
  isLeafType,
  isListType,
  isObjectType,
  Kind,
  parse,
  specifiedRules,
  validate,
  visit,
  type DocumentNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../common/connection';
import type { Context } from '../common/context';
import { AppError, ErrorCode } from '../common/errors';
import { bucketStarts, Grain, isDay, MAX_BUCKETS } from '../common/periods';

/**
 * Query limits, checked before anything runs, for HTTP (Apollo) and graphql-ws alike:
 * tokens (graphql-js's parser option), fields (counted before the rest of validation, whose
 * field-merging check grows with the square of repeated fields), depth and aliases
 * (graphql-armor validation rules) and cost (graphql-query-complexity with the estimator below). A refused query gets
 * QUERY_TOO_COMPLEX naming the limit it passed; every HTTP response reports its cost in
 * `extensions.cost { requested, limit }`.
 */
export interface QueryLimits {
  maxDepth: number;
  maxFields: number;
  maxAliases: number;
  maxTokens: number;
  maxCost: number;
}

const VARIABLE = {
  depth: 'QUERY_MAX_DEPTH',
  fields: 'QUERY_MAX_FIELDS',
  aliases: 'QUERY_MAX_ALIASES',
  tokens: 'QUERY_MAX_TOKENS',
  cost: 'QUERY_MAX_COST',
} as const;
type Limit = keyof typeof VARIABLE;

/** `depth 41 exceeds the limit of 12 (QUERY_MAX_DEPTH)`, as a QUERY_TOO_COMPLEX error. */
export function tooComplex(limit: Limit, max: number, found: number | null, http = false): AppError {
  const what = found === null || !Number.isFinite(found) ? `${limit === 'tokens' ? 'the number of tokens' : limit}` : `${limit} ${found}`;
  return new AppError(ErrorCode.QUERY_TOO_COMPLEX, `Query too complex: ${what} exceeds the limit of ${max} (${VARIABLE[limit]})`, {
    limit: VARIABLE[limit],
    max,
    ...(found !== null && Number.isFinite(found) ? { found } : {}),
    ...(http ? { http: { status: 400 } } : {}),
  });
}

/** The count graphql-armor found, read from its message ("... exceeded, found 41."). */
function foundIn(error: GraphQLError): number | null {
  const m = /found (\d+)/.exec(error.message);
  return m ? Number(m[1]) : null;
}

/** Field, depth and alias limits as graphql-js validation rules (Apollo caches documents that pass). */
export function queryLimitRules(limits: QueryLimits): ValidationRule[] {
  const report = (limit: Limit, max: number) => (ctx: ValidationContext | null, error: GraphQLError) =>
    ctx?.reportError(tooComplex(limit, max, foundIn(error)));
  return [
    maxFieldsRule(limits),
    maxDepthRule({
      n: limits.maxDepth,
      // The depth of the fields once fragments are expanded: a named or inline fragment is not a
      // level, so colocated fragments (one per component, Relay/Apollo style) reach the same depth
      // as the fields written out. (Fragment cycles are refused by graphql-js's NoFragmentCycles.)
      flattenFragments: true,
      // The introspection query (`__schema { ... }`) is priced by cost instead, so BI tools pass.
      ignoreIntrospection: true,
      propagateOnRejection: false,
      onReject: [report('depth', limits.maxDepth)],
    }),
    // `t1: __typename` counts too (graphql-armor leaves __typename out by default): every alias
    // is one more field in the answer.
    maxAliasesRule({ n: limits.maxAliases, allowList: [], propagateOnRejection: false, onReject: [report('aliases', limits.maxAliases)] }),
  ];
}

/** Fields written in the document (every operation and fragment; repeated ones each count). */
export function countFields(document: DocumentNode): number {
  let fields = 0;
  visit(document, { Field: () => void fields++ });
  return fields;
}

const EMPTY_DOCUMENT: DocumentNode = { kind: Kind.DOCUMENT, definitions: [] };

/**
 * The field limit, checked before the document is validated: graphql-js's check that fields of
 * the same name can be merged compares them pairwise and gives up, on about a thousand repeated
 * fields, with a bare "Validation aborted.". A validation rule (so Apollo and graphql-ws run it
 * with the others, and Apollo caches only documents that pass) on the Document node, which is
 * entered before anything in it: over the limit, it reports the error and returns an empty
 * document, which graphql-js's visitor then walks in place of the real one (a visitor's return
 * value replaces the node, for every rule visiting in parallel), so no other rule looks at it.
 */
function maxFieldsRule(limits: QueryLimits): ValidationRule {
  return (context) => ({
    Document(document) {
      const fields = countFields(document);
      if (fields <= limits.maxFields) return undefined;
      context.reportError(tooComplex('fields', limits.maxFields, fields));
      return EMPTY_DOCUMENT;
    },
  });
}

const TOKEN_LIMIT = /Document contains more tha[nt] (\d+) tokens/;

/**
 * Whether `error` (as Apollo or graphql-ws hands it over) is a query-limit refusal, and which:
 * validation rules' errors are wrapped by Apollo, and the token limit is a parser error.
 */
export function queryLimitError(error: unknown): AppError | null {
  for (let e: unknown = error, i = 0; e && i < 4; e = (e as GraphQLError).originalError, i++) {
    if (e instanceof AppError && e.code === ErrorCode.QUERY_TOO_COMPLEX) return e;
    const m = e instanceof GraphQLError ? TOKEN_LIMIT.exec(e.message) : null;
    if (m) return tooComplex('tokens', Number(m[1]), null);
  }
  return null;
}

// --- cost ---

/** What a list of the introspection schema is priced at per item (types, fields, args...). */
const INTROSPECTION_LIST_SIZE = 50;

/**
 * Lists that are not connections and hold at most a known number of items, by `Type.field`
 * (a test checks each against the field's "at most N" description). Other plain lists are
 * priced as a full page (100).
 */
export const PLAIN_LIST_SIZES: Record<string, number> = {
  'Objective.keyResults': 20, // okrs.service MAX_KEY_RESULTS
  'Squad.members': 50, // squads.service MAX_SQUAD_MEMBERS
  'Budget.lines': 100, // budgets.loaders MAX_BUDGET_LINES
  'BudgetLine.kpis': 10, // budgets.inputs MAX_LINE_KPIS
  'BurnPoint.kpiValues': 20, // reports.service MAX_BURN_KPIS
  'BurnPoint.costPerUnit': 20, // reports.service MAX_BURN_KPIS
  'Query.budgetEfficiency': 100, // budgets.loaders MAX_BUDGET_LINES
  'Campaign.targets': 10, // campaigns.inputs MAX_TARGETS
  'Campaign.returns': 100, // campaigns.inputs MAX_RETURNS
  'Campaign.experiments': 20, // campaigns.inputs MAX_EXPERIMENTS
  'Campaign.tasks': 20, // campaigns.inputs MAX_REVIEW_ACTIONS
  'Experiment.variants': 2, // campaign-rules MAX_VARIANTS
  'RaciMatrix.activities': 30, // sops raci-rules MAX_RACI_ACTIVITIES
  'RaciMatrix.problems': 90, // three per activity
  'RaciActivity.assignments': 15, // sops raci-rules MAX_RACI_ASSIGNMENTS
  'SopVersion.steps': 50, // sops sop-rules MAX_SOP_STEPS
  'Sop.pendingAcknowledgements': 100, // sops.loaders MAX_PENDING_LISTED
  'Impact.nodes': 200, // impact.service MAX_IMPACT_NODES
};

/**
 * Lists whose length follows from their arguments, by `Type.field`: priced at that length. A
 * range the field refuses (too long, `to` before `from`) is priced at 0 items: it returns none.
 */
/** `Query.budgetBurn`'s points by grain, at most (its description states them). */
const BURN_POINTS: Record<string, number> = { WEEK: 106, MONTH: 25, QUARTER: 9 };

/** `Query.spend`'s cap on rows (budgets spend.service MAX_SPEND_ROWS; a larger answer is refused). */
const MAX_SPEND_ROWS = 2000;
/** What a bucket of `Query.spend` is priced at: grouped, as many rows as a budget's lines at most; not grouped, one per currency. */
const SPEND_ROWS_PER_BUCKET = 100;
const SPEND_CURRENCIES_PER_BUCKET = 5;

export const ARGUMENT_LIST_SIZES: Record<string, (args: Record<string, unknown>) => number> = {
  // kpis kpi-series MAX_SERIES_POINTS (= MAX_BUCKETS): one point per bucket of grain from `from` to `to`.
  'Kpi.series': ({ grain, from, to }) => {
    if (!isDay(from) || !isDay(to) || !Object.values(Grain).includes(grain as Grain)) return MAX_BUCKETS;
    try {
      return bucketStarts(from, to, grain as Grain, { max: MAX_BUCKETS }).length;
    } catch {
      return 0;
    }
  },
  // budgets budget-rules MAX_PERIOD_DAYS (731): a budget spans at most 106 weeks, 25 months or 9
  // quarters; one point per bucket of grain (DAY is refused: no points).
  'Query.budgetBurn': ({ grain }) => BURN_POINTS[grain as string] ?? 0,
  // budgets spend.service MAX_SPEND_ROWS (2,000): a row per bucket of grain from filter.from to
  // filter.to and per group; priced at SPEND_ROWS_PER_BUCKET rows a bucket when grouped (a few
  // currencies when not), the cap when the range is left to the budgets' periods.
  'Query.spend': ({ grain, filter, groupBy }) => {
    const range = (filter ?? {}) as { from?: unknown; to?: unknown };
    if (!isDay(range.from) || !isDay(range.to) || !Object.values(Grain).includes(grain as Grain)) return MAX_SPEND_ROWS;
    try {
      const buckets = bucketStarts(range.from, range.to, grain as Grain, { max: MAX_BUCKETS }).length;
      const perBucket = Array.isArray(groupBy) && groupBy.length > 0 ? SPEND_ROWS_PER_BUCKET : SPEND_CURRENCIES_PER_BUCKET;
      return Math.min(MAX_SPEND_ROWS, buckets * perBucket);
    } catch {
      return 0;
    }
  },
  // okrs okr-history MAX_HISTORY_POINTS (= MAX_BUCKETS): one point per bucket; left to the cycle's span, priced at a year.
  'Objective.progressHistory': historyLength,
  'KeyResult.progressHistory': historyLength,
};

function historyLength({ grain, from, to }: Record<string, unknown>): number {
  if (!Object.values(Grain).includes(grain as Grain)) return MAX_BUCKETS;
  if (from == null || to == null) return bucketStarts('2024-01-01', '2024-12-31', grain as Grain).length + 1;
  if (!isDay(from) || !isDay(to)) return MAX_BUCKETS;
  try {
    return bucketStarts(from, to, grain as Grain, { max: MAX_BUCKETS }).length;
  } catch {
    return 0;
  }
}

function isConnectionType(type: GraphQLNamedType): boolean {
  if (!isObjectType(type)) return false;
  const fields = type.getFields();
  return 'pageInfo' in fields && 'edges' in fields;
}

function isEdgeType(type: GraphQLNamedType): boolean {
  return isObjectType(type) && type.name.endsWith('Edge') && 'cursor' in type.getFields() && 'node' in type.getFields();
}

const clamp = (n: unknown, fallback: number, max: number) =>
  typeof n === 'number' && Number.isFinite(n) ? Math.min(Math.max(Math.trunc(n), 0), max) : fallback;

/**
 * Shopify-style price: scalars cost 0, an object 1 plus what it selects, a connection 1 (its
 * page query), plus 1 per `totalCount`, plus `first`/`last` (default 20, capped at 100) times
 * the cost of one item; a plain list 1 plus its cap times the cost of one item. Introspection
 * objects are free and its lists are priced at 50 items, so the standard introspection query
 * is cheap while nesting `fields { type { fields ... } }` grows fast.
 */
export const costEstimator: ComplexityEstimator = ({ type, field, node, args, childComplexity }) => {
  const named = getNamedType(field.type);
  const list = isListType(getNullableType(field.type));
  if (field.name === '__typename') return 0;
  if (type.name.startsWith('__') || field.name === '__schema' || field.name === '__type') {
    return list ? 1 + INTROSPECTION_LIST_SIZE * childComplexity : childComplexity;
  }
  if (isConnectionType(type)) {
    if (field.name === 'totalCount') return 1;
    if (field.name === 'nodes') return 1 + childComplexity;
    return childComplexity; // edges, pageInfo
  }
  if (isEdgeType(type)) return field.name === 'node' ? 1 + childComplexity : 0;
  if (isLeafType(named)) return 0;
  if (isConnectionType(named)) {
    const size = args.first != null ? clamp(args.first, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE) : clamp(args.last, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    // `totalCount` is one count per connection, not one per item.
    const counts = (node.selectionSet?.selections ?? []).filter(
      (s) => s.kind === 'Field' && s.name.value === 'totalCount' && !s.directives?.length,
    ).length;
    return 1 + counts + size * Math.max(0, childComplexity - counts);
  }
  if (list) {
    const size =
      typeof args.first === 'number'
        ? clamp(args.first, MAX_PAGE_SIZE, MAX_PAGE_SIZE)
        : Array.isArray(args.ids)
          ? Math.min(args.ids.length, MAX_PAGE_SIZE)
          : (ARGUMENT_LIST_SIZES[`${type.name}.${field.name}`]?.(args) ?? PLAIN_LIST_SIZES[`${type.name}.${field.name}`] ?? MAX_PAGE_SIZE);
    return 1 + size * (1 + childComplexity);
  }
  return 1 + childComplexity;
};

/**
 * The variables as far as a price depends on them: a list longer than the largest page keeps its
 * first MAX_PAGE_SIZE items (the estimator counts at most that many `ids`), so a 10,000-row import
 * is not coerced a second time, item by item, only to be priced.
 */
function variablesForPricing(value: unknown): unknown {
  if (Array.isArray(value)) return (value.length > MAX_PAGE_SIZE ? value.slice(0, MAX_PAGE_SIZE) : value).map(variablesForPricing);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = variablesForPricing(v);
    return out;
  }
  return value;
}

/**
 * The operation's cost, or null when it cannot be priced because its variables are invalid
 * (execution then reports them). Infinity when it is too large to even walk.
 */
export function queryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | null | undefined,
): number | null {
  try {
    return getComplexity({
      schema,
      query: document,
      variables: variables && (variablesForPricing(variables) as Record<string, unknown>),
      operationName: operationName ?? undefined,
      estimators: [costEstimator],
    });
  } catch (err) {
    if (err instanceof GraphQLError && /maximum allowed number of nodes/.test(err.message)) return Infinity;
    return null;
  }
}

// --- HTTP (Apollo) ---

export interface QueryLimitsPluginOptions {
  limits: QueryLimits;
  /** Whether callers who are not signed in may introspect the schema (off in production). */
  anonymousIntrospection: boolean;
}

/**
 * After the document is parsed and validated (tokens, fields, depth, aliases: see app.ts), before
 * it runs: refuses subscriptions (they run over WebSocket), anonymous introspection when it is
 * off, and operations over the cost limit; then reports the cost on every response.
 */
export function queryLimitsPlugin(opts: QueryLimitsPluginOptions): ApolloServerPlugin<Context> {
  const { limits } = opts;
  return {
    async requestDidStart() {
      let requested: number | null = null;
      return {
        async didResolveOperation({ schema, document, operation, request, contextValue }) {
          if (operation?.operation === 'subscription') {
            throw new AppError(
              ErrorCode.BAD_REQUEST,
              'Subscriptions run over WebSocket (graphql-ws, protocol graphql-transport-ws) at /graphql, not over HTTP',
              { http: { status: 400 } },
            );
          }
          if (!opts.anonymousIntrospection && !contextValue.viewer && validate(schema, document, [NoSchemaIntrospectionCustomRule]).length) {
            throw new AppError(ErrorCode.UNAUTHENTICATED, 'Sign in to introspect the schema: send Authorization: Bearer <token>', {
              http: { status: 401 },
            });
          }
          const cost = queryCost(schema, document, request.variables, request.operationName);
          requested = cost !== null && Number.isFinite(cost) ? cost : null;
          if (cost !== null && cost > limits.maxCost) throw tooComplex('cost', limits.maxCost, cost, true);
        },
        async willSendResponse({ response }) {
          const body = response.body.kind === 'single' ? response.body.singleResult : response.body.initialResult;
          body.extensions = { ...body.extensions, cost: { requested, limit: limits.maxCost } };
        },
      };
    },
  };
}

// --- WebSocket (graphql-ws onSubscribe) ---

/**
 * The same checks for an operation arriving over graphql-ws: parse with the token limit,
 * validate with the standard rules and the limits, price it. Returns the document and its
 * cost, or the errors to send back (each with a stable code).
 */
export function checkWsOperation(
  schema: GraphQLSchema,
  limits: QueryLimits,
  rules: ValidationRule[],
  payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null },
): { document: DocumentNode; cost: number | null } | GraphQLError[] {
  let document: DocumentNode;
  try {
    document = parse(payload.query, { maxTokens: limits.maxTokens });
  } catch (err) {
    const limit = queryLimitError(err);
    if (limit) return [limit];
    return [new AppError(ErrorCode.GRAPHQL_PARSE_FAILED, (err as Error).message)];
  }
  const errors = validate(schema, document, [...specifiedRules, ...rules]);
  if (errors.length) {
    return errors.map((e) =>
      queryLimitError(e) ?? new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED } }),
    );
  }
  const cost = queryCost(schema, document, payload.variables ?? undefined, payload.operationName);
  if (cost !== null && cost > limits.maxCost) return [tooComplex('cost', limits.maxCost, cost)];
  return { document, cost: cost !== null && Number.isFinite(cost) ? cost : null };
}
