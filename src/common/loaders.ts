import DataLoader from 'dataloader';
import type { Context } from './context';
import { notFound } from './errors';
import { toGlobalId } from './ids';
import { registerNodeType } from './node';
import { queryRows, rowShape } from './rows';

/**
 * When a loader's batch goes out: after the current turn of the event loop (`setImmediate`)
 * rather than DataLoader's default (the end of the current promise jobs), so that loads queued
 * by resolvers that awaited something first (a roll-up awaiting its key results) still join the
 * batch. Batches never wait on the database.
 */
const scheduleBatch = (dispatch: () => void): void => {
  setImmediate(dispatch);
};

export class Loaders {
  private readonly map = new Map<string, DataLoader<unknown, unknown>>();

  get<K, V>(name: string, create: () => DataLoader<K, V>): DataLoader<K, V> {
    let loader = this.map.get(name);
    if (!loader) {
      loader = create() as unknown as DataLoader<unknown, unknown>;
      this.map.set(name, loader);
    }
    return loader as unknown as DataLoader<K, V>;
  }

  /** Drops every cached value (after a mutation changed rows some loader may hold). */
  clearAll(): void {
    for (const l of this.map.values()) l.clearAll();
  }
}

export function createLoaders(): Loaders {
  return new Loaders();
}

/** DataLoader options shared by every per-request loader. */
export const LOADER_OPTIONS = { maxBatchSize: 1000, batchScheduleFn: scheduleBatch } as const;

export type LoaderAccessor<K, V> = (ctx: Context) => DataLoader<K, V>;

/**
 * Declares a loader. `batch` receives the request context (for `organizationId` and the
 * entity manager) and the keys; it must return one value (or null) per key, in key order.
 */
export function defineLoader<K, V>(
  name: string,
  batch: (ctx: Context, keys: readonly K[]) => Promise<Array<V | null | Error>>,
): LoaderAccessor<K, V | null> {
  return (ctx) =>
    ctx.loaders.get(
      name,
      () =>
        new DataLoader<K, V | null>((keys) => batch(ctx, keys), LOADER_OPTIONS),
    );
}

type Ctor<E> = abstract new (...args: never[]) => E;

export interface ByIdLoaderOptions {
  /** Loader name (default `<TypeName>.byId`). */
  name?: string;
  /**
   * The column that must equal the request's organisation: `organization_id` (default), or `id`
   * for the organisation itself.
   */
  tenantColumn?: string;
  /** Whether the caller may see this type at all (e.g. OWNER/ADMIN only); others load null. */
  visible?: (ctx: Context) => boolean;
  /** Register the type for `node(id:)`/`nodes(ids:)` (default true). */
  node?: boolean;
}

/**
 * The by-id loader of a tenant-owned type, and its `node(id:)` fetcher: one statement per batch,
 * filtered by the request's organisation, rows mapped without entity hydration. Other ids (of
 * another organisation, or when `visible` refuses) load as null.
 */
export function defineByIdLoader<E extends { id: string }>(
  entity: Ctor<E>,
  typeName: string,
  options: ByIdLoaderOptions = {},
): LoaderAccessor<string, E | null> {
  const tenant = options.tenantColumn ?? 'organization_id';
  const accessor = defineLoader<string, E>(options.name ?? `${typeName}.byId`, async (ctx, ids) => {
    if (!ctx.organizationId || (options.visible && !options.visible(ctx))) return ids.map(() => null);
    const shape = rowShape(ctx.manager.connection, entity);
    const rows: Array<Record<string, unknown>> = await ctx.manager.query(
      `SELECT ${shape.columns('t')} FROM ${shape.table} t WHERE t.id = ANY($1::uuid[]) AND t."${tenant}" = $2`,
      [ids, ctx.organizationId],
    );
    return byKeys(
      ids,
      rows.map((r) => shape.map(r)),
      (e) => e.id,
    );
  });
  if (options.node !== false) registerNodeType(typeName, (ctx, ids) => accessor(ctx).loadMany(ids).then(nullOnError));
  return accessor;
}

export interface ChildLoaderSpec<E extends { id: string }> {
  name: string;
  entity: abstract new (...args: never[]) => E;
  /** The column holding the parent's id (e.g. `budget_id`). */
  parentColumn: string;
  parentOf: (row: E) => string;
  /** The order within one parent, over columns of alias `c` (e.g. `c.created_at, c.id`). */
  orderBy: string;
  /** The by-id loader to prime with the rows read. */
  prime?: LoaderAccessor<string, E | null>;
}

/**
 * Declares the loader of a parent's rows (a budget's lines, a campaign's returns): one statement
 * per batch of parents, in the caller's organisation, each parent's rows in `orderBy` order
 * (an empty list without any).
 */
export function defineChildLoader<E extends { id: string }>(spec: ChildLoaderSpec<E>): LoaderAccessor<string, E[] | null> {
  return defineLoader<string, E[]>(spec.name, async (ctx, ids) => {
    if (!ctx.organizationId) return ids.map(() => []);
    const shape = rowShape(ctx.manager.connection, spec.entity);
    const rows = await queryRows(
      ctx.manager,
      spec.entity,
      `SELECT ${shape.columns('c')} FROM ${shape.table} c
        WHERE c.organization_id = $1 AND c."${spec.parentColumn}" = ANY($2::uuid[])
        ORDER BY c."${spec.parentColumn}", ${spec.orderBy}`,
      [ctx.organizationId, ids],
    );
    if (spec.prime) primeAll(spec.prime(ctx), rows);
    return groupByKeys(ids, rows, spec.parentOf);
  });
}

/** Primes a by-id loader with rows another query already read (a list, a foreign-key loader). */
export function primeAll<E extends { id: string }>(loader: DataLoader<string, E | null>, rows: readonly E[]): void {
  for (const r of rows) loader.prime(r.id, r);
}

/** Orders rows by the keys asked for; missing keys give null. */
export function byKeys<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): Array<V | null> {
  const index = new Map<K, V>();
  for (const r of rows) index.set(keyOf(r), r);
  return keys.map((k) => index.get(k) ?? null);
}

/** Groups rows by key (for one-to-many loaders); every key gets an array. */
export function groupByKeys<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): V[][] {
  const index = new Map<K, V[]>();
  for (const r of rows) {
    const k = keyOf(r);
    const list = index.get(k);
    if (list) list.push(r);
    else index.set(k, [r]);
  }
  return keys.map((k) => index.get(k) ?? []);
}

/** `loadMany` gives an Error for a key whose batch failed; surface it, keep nulls as null. */
export function nullOnError<V>(values: Array<V | null | Error>): Array<V | null> {
  return values.map((v) => {
    if (v instanceof Error) throw v;
    return v;
  });
}

/** Awaits a load that must find its row (a relation the schema declares non-null). */
export async function required<T>(value: Promise<T | null>, what: string): Promise<T> {
  const v = await value;
  if (!v) throw notFound(what);
  return v;
}

/**
 * Loads an object by uuid (decoded at the API edge) through the type's by-id loader (which
 * filters by organisation): one of another organisation is NOT_FOUND, like one that does not exist.
 */
export async function requireById<V>(loader: DataLoader<string, V | null>, id: string, type: string): Promise<V> {
  return required(loader.load(id), `${type} ${toGlobalId(type, id)}`);
}
