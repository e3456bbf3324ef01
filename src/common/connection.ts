import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { Brackets } from 'typeorm';
import { badInput } from './errors';

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
  /** Reads the key from a loaded row, for the cursor. */
  value: (row: E) => unknown;
}

function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values.map((v) => (v instanceof Date ? v.toISOString() : v))), 'utf8').toString(
    'base64url',
  );
}

const CURSOR_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CURSOR_DATE = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2}))?$/;

/** A date or timestamp PostgreSQL accepts as such (a real calendar day, year 1 to 9999). */
function isCursorDate(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  const m = CURSOR_DATE.exec(v);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  return y >= 1 && day.getUTCFullYear() === y && day.getUTCMonth() === mo - 1 && day.getUTCDate() === d && !Number.isNaN(Date.parse(v));
}

/**
 * Reads a cursor back, refusing anything this server did not make (BAD_USER_INPUT naming the
 * argument) before it reaches SQL: a JSON array of the sort's arity whose last key is the row's
 * uuid and whose other keys are dates or timestamps (every list sorts that way today; a list
 * sorted by another kind of key extends this check).
 */
function decodeCursor(cursor: string, arity: number, field: string): unknown[] {
  try {
    if (cursor.length <= 512 && /^[A-Za-z0-9_-]+$/.test(cursor)) {
      const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      if (
        Array.isArray(values) &&
        values.length === arity &&
        typeof values[arity - 1] === 'string' &&
        CURSOR_UUID.test(values[arity - 1] as string) &&
        values.slice(0, -1).every(isCursorDate)
      ) {
        return values;
      }
    }
  } catch {
    /* fall through */
  }
  throw badInput(`${field} is not a cursor of this list: pass a cursor this list returned (pageInfo.endCursor, edges.cursor)`, field);
}

export function validatePageArgs(args: ConnectionArgs): { limit: number; backward: boolean } {
  const { first, last } = args;
  if (first != null && last != null) throw badInput('Pass either first or last, not both', 'first');
  for (const [name, v] of [['first', first], ['last', last]] as const) {
    if (v != null && (v < 0 || v > MAX_PAGE_SIZE)) {
      throw badInput(`${name} must be between 0 and ${MAX_PAGE_SIZE} (got ${v}); page with after/before for more`, name);
    }
  }
  if (last != null || (args.before != null && first == null)) return { limit: last ?? DEFAULT_PAGE_SIZE, backward: true };
  return { limit: first ?? DEFAULT_PAGE_SIZE, backward: false };
}

/**
 * Runs a keyset-paginated query. `sort` must end with a unique key (the id) so that cursors
 * are total. The count query runs only when a client asks for `totalCount`.
 */
export async function paginate<E extends ObjectLiteral>(
  qb: SelectQueryBuilder<E>,
  args: ConnectionArgs,
  sort: SortKey<E>[],
): Promise<ConnectionResult<E>> {
  const { limit, backward } = validatePageArgs(args);
  const countQb = qb.clone();
  const page = qb.clone();
  const applyCursor = (cursor: string, field: string, forwardOfCursor: boolean) => {
    const values = decodeCursor(cursor, sort.length, field);
    page.andWhere(
      new Brackets((outer) => {
        sort.forEach((key, i) => {
          outer.orWhere(
            new Brackets((inner) => {
              for (let j = 0; j < i; j++) inner.andWhere(`${sort[j].column} = :__c_${field}_${j}`);
              const ascending = key.direction === 'ASC';
              const op = ascending === forwardOfCursor ? '>' : '<';
              inner.andWhere(`${key.column} ${op} :__c_${field}_${i}`);
            }),
          );
        });
      }),
    );
    values.forEach((v, i) => page.setParameter(`__c_${field}_${i}`, v));
  };
  if (args.after) applyCursor(args.after, 'after', true);
  if (args.before) applyCursor(args.before, 'before', false);

  sort.forEach((key, i) => {
    const dir = backward ? (key.direction === 'ASC' ? 'DESC' : 'ASC') : key.direction;
    if (i === 0) page.orderBy(key.column, dir);
    else page.addOrderBy(key.column, dir);
  });
  const rows = limit === 0 ? [] : await page.take(limit + 1).getMany();
  const hasMore = rows.length > limit;
  const slice = rows.slice(0, limit);
  if (backward) slice.reverse();
  const edges = slice.map((node) => ({ node, cursor: encodeCursor(sort.map((k) => k.value(node))) }));

  let count: Promise<number> | null = null;
  return {
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: {
      hasNextPage: backward ? Boolean(args.before) : hasMore,
      hasPreviousPage: backward ? hasMore : Boolean(args.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    get totalCount() {
      count ??= countQb.getCount();
      return count;
    },
  };
}
