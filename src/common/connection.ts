import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import DataLoader from 'dataloader';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { Brackets } from 'typeorm';
import type { Context } from './context';
import { isCursorUuid, listCursors, type ListCursors } from './cursors';
import { badInput } from './errors';
import { LOADER_OPTIONS, primeById } from './loaders';
import { rowShape } from './rows';

/** Relay connections: keyset-paginated lists with `first/after/last/before`, capped at 100. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

@ObjectType({ description: 'Relay page information.' })
export class PageInfo {
  @Field() hasNextPage: boolean;
  @Field() hasPreviousPage: boolean;
  @Field(() => String, { nullable: true }) startCursor: string | null;
  @Field(() => String, { nullable: true }) endCursor: string | null;
}

@ArgsType()
export class ConnectionArgs {
  @Field(() => Int, { nullable: true, description: `Items after \`after\`; at most ${MAX_PAGE_SIZE}.` })
  first?: number | null;
  @Field(() => String, { nullable: true }) after?: string | null;
  @Field(() => Int, { nullable: true, description: `Items before \`before\`; at most ${MAX_PAGE_SIZE}.` })
  last?: number | null;
  @Field(() => String, { nullable: true }) before?: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface ConnectionResult<T> {
  edges: Edge<T>[];
  nodes: T[];
  pageInfo: PageInfo;
  readonly totalCount: Promise<number> | number;
}

const connectionTypes = new Map<string, ClassType>();

/**
 * Declares `<Name>Connection` and `<Name>Edge` for a node type (once per name).
 * Use: `export const MemberConnection = Connection(Member)` and `@Field(() => MemberConnection)`.
 */
export function Connection<T extends object>(nodeType: ClassType<T>, name: string = nodeType.name): ClassType<ConnectionResult<T>> {
  const existing = connectionTypes.get(name);
  if (existing) return existing as ClassType<ConnectionResult<T>>;

  @ObjectType(`${name}Edge`)
  class EdgeType {
    @Field({ description: 'Opaque cursor for `after`/`before`.' }) cursor: string;
    @Field(() => nodeType) node: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${name} items.` })
  class ConnectionType {
    @Field(() => [EdgeType]) edges: EdgeType[];
    @Field(() => [nodeType], { description: 'The nodes of `edges`, for clients that need no cursors.' }) nodes: T[];
    @Field(() => PageInfo) pageInfo: PageInfo;
    @Field(() => Int, { description: 'Items in the whole list, ignoring pagination.' }) totalCount: number;
  }
  connectionTypes.set(name, ConnectionType);
  return ConnectionType as unknown as ClassType<ConnectionResult<T>>;
}

export interface SortKey<E> {
  /** SQL expression on the query's alias, e.g. `m.created_at`; must be NOT NULL. */
  column: string;
  direction: 'ASC' | 'DESC';
  /**
   * Reads the key from a loaded row, for the cursor: a Date, a YYYY-MM-DD date, a uuid, an
   * int32 or another string (see src/common/cursors.ts).
   */
  value: (row: E) => unknown;
}

/** A cursor of a list sorted by `sort`: one value per key, the last the row's uuid. */
const fitsSort = <E>(sort: SortKey<E>[]) => (values: unknown[]) => values.length === sort.length && isCursorUuid(values[values.length - 1]);

export function validatePageArgs(args: ConnectionArgs, max = MAX_PAGE_SIZE): { limit: number; backward: boolean } {
  const { first, last } = args;
  if (first != null && last != null) throw badInput('Pass either first or last, not both', 'first');
  for (const [name, v] of [['first', first], ['last', last]] as const) {
    if (v != null && (v < 0 || v > max)) {
      throw badInput(`${name} must be between 0 and ${max} (got ${v}); page with after/before for more`, name);
    }
  }
  if (last != null || (args.before != null && first == null)) return { limit: last ?? DEFAULT_PAGE_SIZE, backward: true };
  return { limit: first ?? DEFAULT_PAGE_SIZE, backward: false };
}

/**
 * Keeps the rows after (`forwardOfCursor`) or before the cursor. When every key sorts the same
 * way this is one row-value comparison, `(a, id) > ($1, $2)`, which an index on `(…, a, id)`
 * answers directly (an `a > $1 OR (a = $1 AND id > $2)` filter is applied row by row).
 */
function applyCursor<E extends ObjectLiteral>(
  qb: SelectQueryBuilder<E>,
  sort: SortKey<E>[],
  cursors: ListCursors,
  cursor: string,
  field: string,
  forwardOfCursor: boolean,
): void {
  const values = cursors.decode(cursor, field, fitsSort(sort));
  const param = (i: number) => `__c_${field}_${i}`;
  const opFor = (key: SortKey<E>) => ((key.direction === 'ASC') === forwardOfCursor ? '>' : '<');
  if (sort.every((k) => k.direction === sort[0].direction)) {
    const cols = sort.map((k) => k.column).join(', ');
    const params = sort.map((_, i) => `:${param(i)}`).join(', ');
    qb.andWhere(`(${cols}) ${opFor(sort[0])} (${params})`);
  } else {
    qb.andWhere(
      new Brackets((outer) => {
        sort.forEach((key, i) => {
          outer.orWhere(
            new Brackets((inner) => {
              for (let j = 0; j < i; j++) inner.andWhere(`${sort[j].column} = :${param(j)}`);
              inner.andWhere(`${key.column} ${opFor(key)} :${param(i)}`);
            }),
          );
        });
      }),
    );
  }
  values.forEach((v, i) => qb.setParameter(param(i), v));
}

function orderExpression<E>(sort: SortKey<E>[], backward: boolean): string {
  return sort
    .map((key) => `${key.column} ${backward ? (key.direction === 'ASC' ? 'DESC' : 'ASC') : key.direction}`)
    .join(', ');
}

/** The entity class an entity query builder reads (its main alias). */
function entityOf<E extends ObjectLiteral>(qb: SelectQueryBuilder<E>): new () => E {
  return qb.expressionMap.mainAlias!.target as new () => E;
}

/** Maps raw rows of an entity query builder (`<alias>_<column>` keys) without hydration. */
export function mapRaw<E extends ObjectLiteral>(qb: SelectQueryBuilder<E>, rows: Array<Record<string, unknown>>): E[] {
  const shape = rowShape(qb.connection, entityOf(qb));
  const prefix = `${qb.expressionMap.mainAlias!.name}_`;
  return rows.map((r) => shape.map(r, prefix));
}

/** Primes the by-id loader of the query's entity, if it has one, with the rows of a page. */
function primePage<E extends ObjectLiteral>(ctx: Context, qb: SelectQueryBuilder<E>, rows: E[]): void {
  type Row = E & { id: string };
  primeById(ctx, entityOf(qb) as unknown as abstract new () => Row, rows as Row[]);
}

function pageOf<E>(
  rows: E[],
  limit: number,
  backward: boolean,
  args: ConnectionArgs,
  sort: SortKey<E>[],
  cursors: ListCursors,
  totalCount: () => Promise<number>,
): ConnectionResult<E> {
  const hasMore = rows.length > limit;
  const slice = rows.slice(0, limit);
  if (backward) slice.reverse();
  const edges = slice.map((node) => ({ node, cursor: cursors.encode(sort.map((k) => k.value(node))) }));
  let count: Promise<number> | null = null;
  return {
    edges,
    nodes: slice,
    pageInfo: {
      hasNextPage: backward ? Boolean(args.before) : hasMore,
      hasPreviousPage: backward ? hasMore : Boolean(args.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    get totalCount() {
      count ??= totalCount();
      return count;
    },
  };
}

/**
 * Runs a keyset-paginated query. `sort` must end with a unique key (the id) so that cursors
 * are total; `list` names the list in its cursors (`'Query.kpis'`: a cursor of another list is
 * refused, see `listCursors`). Rows are mapped without entity hydration and prime the by-id
 * loader of the query's entity (when it has one and the caller may see the type), so a field
 * that loads a listed object by id costs no statement. The count query runs only when a client
 * asks for `totalCount`.
 */
export async function paginate<E extends ObjectLiteral>(
  ctx: Context,
  qb: SelectQueryBuilder<E>,
  args: ConnectionArgs,
  sort: SortKey<E>[],
  list: string,
): Promise<ConnectionResult<E>> {
  const { limit, backward } = validatePageArgs(args, ctx.pageSizeLimit);
  const cursors = listCursors(ctx, list);
  const countQb = qb.clone();
  const page = qb.clone();
  if (args.after) applyCursor(page, sort, cursors, args.after, 'after', true);
  if (args.before) applyCursor(page, sort, cursors, args.before, 'before', false);
  sort.forEach((key, i) => {
    const dir = backward ? (key.direction === 'ASC' ? 'DESC' : 'ASC') : key.direction;
    if (i === 0) page.orderBy(key.column, dir);
    else page.addOrderBy(key.column, dir);
  });
  const rows = limit === 0 ? [] : mapRaw(page, await page.limit(limit + 1).getRawMany());
  primePage(ctx, page, rows);
  return pageOf(rows, limit, backward, args, sort, cursors, () => countQb.getCount());
}

/** A connection field under a parent: `(ctx, parentId, page, filter)` → that parent's page. */
export type NestedConnection<E, F> = (
  ctx: Context,
  parentId: string,
  page: ConnectionArgs,
  filter?: F,
) => Promise<ConnectionResult<E>>;

export interface NestedConnectionSpec<E extends ObjectLiteral, F> {
  /** Unique name, for the per-request loaders; it also names the list in its cursors. */
  name: string;
  /** The rows of every parent: tenancy and filter, no parent condition, no order. */
  query: (ctx: Context, filter: F | undefined) => SelectQueryBuilder<E>;
  /** SQL expression of the parent key on the query's alias, e.g. `t.squad_id`. */
  parent: string;
  /** Sort keys; the last one unique (the id). */
  sort: SortKey<E>[];
  /**
   * Called with every page's rows, for what else they answer. The type's by-id loader is primed
   * with them already (when it has one).
   */
  loaded?: (ctx: Context, rows: E[]) => void;
}

const pageKey = (page: ConnectionArgs, filter: unknown) =>
  JSON.stringify([page.first ?? null, page.after ?? null, page.last ?? null, page.before ?? null, filter ?? null]);

/**
 * Declares a connection field under a parent type (`KeyResult.checkIns`, `Squad.tasks`...) that
 * batches across parents: every parent asking for the same page arguments and filter in the
 * same request is answered by ONE statement (`row_number() OVER (PARTITION BY parent ORDER BY
 * sort)`, keeping the first `limit + 1` rows of each parent), and `totalCount` by one
 * `GROUP BY parent` statement, so a connection under a list costs the same for 5 parents and
 * for 100. A single parent takes the same path. Every page's rows prime the by-id loader of
 * the query's entity.
 */
export function defineNestedConnection<E extends ObjectLiteral, F = undefined>(spec: NestedConnectionSpec<E, F>): NestedConnection<E, F> {
  const counts = (ctx: Context, filter: F | undefined) =>
    ctx.loaders.get(
      `${spec.name}:count:${JSON.stringify(filter ?? null)}`,
      () =>
        new DataLoader<string, number>(async (parents) => {
          const rows: Array<{ parent: string; n: string }> = await spec
            .query(ctx, filter)
            .select(spec.parent, 'parent')
            .addSelect('count(*)', 'n')
            .andWhere(`${spec.parent} = ANY(:__parents)`, { __parents: parents })
            .groupBy(spec.parent)
            .getRawMany();
          const byParent = new Map(rows.map((r) => [r.parent, Number(r.n)]));
          return parents.map((p) => byParent.get(p) ?? 0);
        }, LOADER_OPTIONS),
    );

  const pages = (ctx: Context, page: ConnectionArgs, filter: F | undefined) => {
    const { limit, backward } = validatePageArgs(page, ctx.pageSizeLimit);
    const cursors = listCursors(ctx, spec.name);
    return ctx.loaders.get(
      `${spec.name}:page:${pageKey(page, filter)}`,
      () =>
        new DataLoader<string, ConnectionResult<E>>(async (parents) => {
          const total = (parent: string) => () => counts(ctx, filter).load(parent);
          if (limit === 0) return parents.map((p) => pageOf<E>([], 0, backward, page, spec.sort, cursors, total(p)));
          const qb = spec.query(ctx, filter);
          if (page.after) applyCursor(qb, spec.sort, cursors, page.after, 'after', true);
          if (page.before) applyCursor(qb, spec.sort, cursors, page.before, 'before', false);
          // One parent (`squad(id:) { tasks }`): an equality, so that the index order serves the page.
          if (parents.length === 1) qb.andWhere(`${spec.parent} = :__parent`, { __parent: parents[0] });
          else qb.andWhere(`${spec.parent} = ANY(:__parents)`, { __parents: parents });
          qb.addSelect(spec.parent, '__parent')
            .addSelect(`row_number() OVER (PARTITION BY ${spec.parent} ORDER BY ${orderExpression(spec.sort, backward)})`, '__rn');
          const [sql, params] = qb.getQueryAndParameters();
          const raw: Array<Record<string, unknown>> = await ctx.manager.query(
            `SELECT * FROM (${sql}) "__page" WHERE "__rn" <= $${params.length + 1} ORDER BY "__parent", "__rn"`,
            [...params, limit + 1],
          );
          const rows = mapRaw(qb, raw);
          const byParent = new Map<string, E[]>();
          raw.forEach((r, i) => {
            const key = r.__parent as string;
            const list = byParent.get(key);
            if (list) list.push(rows[i]);
            else byParent.set(key, [rows[i]]);
          });
          primePage(ctx, qb, rows);
          spec.loaded?.(ctx, rows);
          return parents.map((p) => pageOf(byParent.get(p) ?? [], limit, backward, page, spec.sort, cursors, total(p)));
        }, LOADER_OPTIONS),
    );
  };

  return (ctx, parentId, page, filter) => pages(ctx, page, filter).load(parentId);
}
