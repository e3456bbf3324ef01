import DataLoader from 'dataloader';
import Decimal from 'decimal.js';
import type { Context } from './context';
import { notFound } from './errors';
import { toGlobalId } from './ids';
import { registerNodeType } from './node';
import { conditionText, positional, queryRows, rowShape, sqlName, tableOf, type SqlCondition } from './rows';
import { queryStatement } from './statements';

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

/** What `defineByIdLoader` registered for an entity class: its loader, GraphQL type and rules. */
export interface ByIdRegistration<E> {
  loader: LoaderAccessor<string, E | null>;
  typeName: string;
  /** `organization_id`, or `id` for the organisation itself. */
  tenantColumn: string;
  visible?: (ctx: Context) => boolean;
}

const byIdRegistry = new Map<Function, ByIdRegistration<unknown>>();

/** The by-id registration of an entity class (undefined for a class without a by-id loader). */
export function byIdRegistrationOf<E>(entity: Ctor<E>): ByIdRegistration<E> | undefined {
  return byIdRegistry.get(entity) as ByIdRegistration<E> | undefined;
}

/** The by-id loader `defineByIdLoader` declared for an entity class, if any. */
export function byIdLoaderOf<E>(entity: Ctor<E>): LoaderAccessor<string, E | null> | undefined {
  return byIdRegistrationOf(entity)?.loader;
}

/**
 * Primes the by-id loader of `entity` (when it has one) with rows another statement read: a list,
 * a lock, a write. Nothing is primed for a caller the type's `visible` rule refuses, so a row
 * never reaches `node(id:)` through a list. With `replace`, a value the loader held is replaced
 * (after a write or a lock: the row just read is the newest); without, it is kept.
 */
export function primeById<E extends { id: string }>(ctx: Context, entity: Ctor<E>, rows: readonly E[], options: { replace?: boolean } = {}): void {
  const reg = byIdRegistrationOf(entity);
  if (!reg || rows.length === 0) return;
  const loader = reg.loader(ctx);
  if (reg.visible && !reg.visible(ctx)) {
    if (options.replace) for (const r of rows) loader.clear(r.id);
    return;
  }
  for (const r of rows) {
    if (options.replace) loader.clear(r.id);
    loader.prime(r.id, r);
  }
}

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
    const rows = await queryStatement(
      ctx.manager,
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
  byIdRegistry.set(entity, { loader: accessor, typeName, tenantColumn: tenant, visible: options.visible } as ByIdRegistration<unknown>);
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
  /** Only the rows that also meet this condition, over alias `c` (e.g. `c.archived_at IS NULL`). */
  where?: SqlCondition<Context>;
  /** At most this many rows per parent (the first in `orderBy` order). */
  limitPerParent?: number;
  /** The by-id loader to prime with the rows read (default: the entity's, if it has one); false: none. */
  prime?: LoaderAccessor<string, E | null> | false;
}

/**
 * Declares the loader of a parent's rows (a budget's lines, a campaign's returns, a KPI's active
 * children): one statement per batch of parents, in the caller's organisation, each parent's rows
 * in `orderBy` order (an empty list without any), optionally only those meeting `where` and at
 * most `limitPerParent` per parent (`row_number()` over each parent). Primes the by-id loader.
 */
export function defineChildLoader<E extends { id: string }>(spec: ChildLoaderSpec<E>): LoaderAccessor<string, E[] | null> {
  const parent = `c.${sqlName(spec.parentColumn)}`;
  if (spec.limitPerParent !== undefined && !(Number.isInteger(spec.limitPerParent) && spec.limitPerParent > 0)) {
    throw new Error(`${spec.name}: limitPerParent must be a positive integer`);
  }
  return defineLoader<string, E[]>(spec.name, async (ctx, ids) => {
    if (!ctx.organizationId) return ids.map(() => []);
    const shape = rowShape(ctx.manager.connection, spec.entity);
    const params: unknown[] = [ctx.organizationId, ids];
    const where = spec.where ? ` AND (${conditionText(spec.where, ctx, positional(params))})` : '';
    const filtered = `FROM ${shape.table} c WHERE c.organization_id = $1 AND ${parent} = ANY($2::uuid[])${where}`;
    const sql =
      spec.limitPerParent === undefined
        ? `SELECT ${shape.columns('c')} ${filtered} ORDER BY ${parent}, ${spec.orderBy}`
        : `SELECT * FROM (
             SELECT ${shape.columns('c')}, row_number() OVER (PARTITION BY ${parent} ORDER BY ${spec.orderBy}) AS "__rn" ${filtered}) c
            WHERE "__rn" <= ${positional(params)(spec.limitPerParent)} ORDER BY ${parent}, "__rn"`;
    const rows = await queryRows(ctx.manager, spec.entity, sql, params, { prepared: true });
    primeWith(ctx, spec.entity, spec.prime, rows);
    return groupByKeys(ids, rows, spec.parentOf);
  });
}

/** Primes `prime` (an explicit loader), or the entity's registered by-id loader (undefined), or nothing (false). */
function primeWith<E extends { id: string }>(ctx: Context, entity: Ctor<E>, prime: LoaderAccessor<string, E | null> | false | undefined, rows: E[]): void {
  if (prime === false) return;
  if (prime) primeAll(prime(ctx), rows);
  else primeById(ctx, entity, rows);
}

/** How the keys of a maker's loader are typed in SQL (uuid by default). */
export type KeyType = 'uuid' | 'text';

const keyArray = (type: KeyType = 'uuid') => (type === 'uuid' ? '$2::uuid[]' : '$2::text[]');

export interface RowByKeySpec<E extends { id: string }> {
  /** Unique loader name, e.g. `campaigns.reviewByCampaignId`. */
  name: string;
  entity: Ctor<E>;
  /**
   * The column the key is matched on: a column of `entity` (`campaign_id`), or with `through`,
   * of the link table (`task_id`). At most one row per key (a unique column).
   */
  keyColumn: string;
  keyType?: KeyType;
  /** The key lives in a link table of the organisation: `link.<keyColumn>` → `link.<rowColumn>` = the row's id. */
  through?: { table: string; rowColumn: string };
  /** Only rows meeting this condition, over alias `c` (the entity's table). */
  where?: SqlCondition<Context>;
  /** Prime the entity's by-id loader with the rows read (default true). */
  prime?: boolean;
}

/**
 * One row per key (a campaign's review, a user's membership, a task's SOP step through
 * `task_sop_steps`): one statement per batch, in the caller's organisation; a key without a row
 * loads null. Primes the entity's by-id loader.
 */
export function defineRowByKeyLoader<E extends { id: string }>(spec: RowByKeySpec<E>): LoaderAccessor<string, E | null> {
  const key = sqlName(spec.keyColumn);
  const link = spec.through ? { table: sqlName(spec.through.table), row: sqlName(spec.through.rowColumn) } : null;
  return defineLoader<string, E>(spec.name, async (ctx, keys) => {
    if (!ctx.organizationId) return keys.map(() => null);
    const shape = rowShape(ctx.manager.connection, spec.entity);
    const params: unknown[] = [ctx.organizationId, keys];
    const where = spec.where ? ` AND (${conditionText(spec.where, ctx, positional(params))})` : '';
    const sql = link
      ? `SELECT l.${key} AS "__key", ${shape.columns('c')} FROM ${link.table} l
           JOIN ${shape.table} c ON c.id = l.${link.row} AND c.organization_id = l.organization_id
          WHERE l.organization_id = $1 AND l.${key} = ANY(${keyArray(spec.keyType)})${where}`
      : `SELECT c.${key} AS "__key", ${shape.columns('c')} FROM ${shape.table} c
          WHERE c.organization_id = $1 AND c.${key} = ANY(${keyArray(spec.keyType)})${where}`;
    const raw = await queryStatement(ctx.manager, sql, params);
    const pairs = raw.map((r) => ({ key: String(r.__key), row: shape.map(r) }));
    if (spec.prime !== false) primeById(ctx, spec.entity, pairs.map((p) => p.row));
    return byKeys(keys, pairs, (p) => p.key).map((p) => p?.row ?? null);
  });
}

export interface SumSpec {
  name: string;
  /** The table (an entity class, or a table name). */
  table: string | Ctor<unknown>;
  keyColumn: string;
  keyType?: KeyType;
  /** What is summed, over alias `c` (e.g. `c.amount`). */
  sum: string;
  where?: SqlCondition<Context>;
}

/**
 * A sum per key (a campaign's returns, what was drawn from a line): one `GROUP BY` statement per
 * batch, in the caller's organisation, summed exactly by PostgreSQL; 0 for a key without rows.
 */
export function defineSumLoader(spec: SumSpec): LoaderAccessor<string, Decimal> {
  const key = sqlName(spec.keyColumn);
  return defineLoader<string, Decimal>(spec.name, async (ctx, keys) => {
    if (!ctx.organizationId) return keys.map(() => new Decimal(0));
    const params: unknown[] = [ctx.organizationId, keys];
    const where = spec.where ? ` AND (${conditionText(spec.where, ctx, positional(params))})` : '';
    const rows = await queryStatement<{ key: string; total: string | null }>(
      ctx.manager,
      `SELECT c.${key} AS key, sum(${spec.sum})::text AS total FROM ${tableOf(ctx.manager.connection, spec.table)} c
        WHERE c.organization_id = $1 AND c.${key} = ANY(${keyArray(spec.keyType)})${where}
        GROUP BY c.${key}`,
      params,
    );
    const totals = new Map(rows.map((r) => [String(r.key), new Decimal(r.total ?? 0)]));
    return keys.map((k) => totals.get(k) ?? new Decimal(0));
  }) as LoaderAccessor<string, Decimal>;
}

export interface IdListSpec {
  name: string;
  table: string | Ctor<unknown>;
  keyColumn: string;
  keyType?: KeyType;
  /** The column listed (e.g. `task_id`). */
  idColumn: string;
  /** The order within one key, over alias `c` (default: the listed column). */
  orderBy?: string;
  where?: SqlCondition<Context>;
}

/**
 * The ids listed per key (a campaign's action tasks by position, who acknowledged a version): one
 * statement per batch, in the caller's organisation; an empty list for a key without rows.
 */
export function defineIdListLoader(spec: IdListSpec): LoaderAccessor<string, string[]> {
  const key = sqlName(spec.keyColumn);
  const id = sqlName(spec.idColumn);
  return defineLoader<string, string[]>(spec.name, async (ctx, keys) => {
    if (!ctx.organizationId) return keys.map(() => []);
    const params: unknown[] = [ctx.organizationId, keys];
    const where = spec.where ? ` AND (${conditionText(spec.where, ctx, positional(params))})` : '';
    const rows = await queryStatement<{ key: string; id: string }>(
      ctx.manager,
      `SELECT c.${key} AS key, c.${id} AS id FROM ${tableOf(ctx.manager.connection, spec.table)} c
        WHERE c.organization_id = $1 AND c.${key} = ANY(${keyArray(spec.keyType)})${where}
        ORDER BY c.${key}, ${spec.orderBy ?? `c.${id}`}`,
      params,
    );
    return groupByKeys(keys, rows, (r) => String(r.key)).map((list) => list.map((r) => String(r.id)));
  }) as LoaderAccessor<string, string[]>;
}

export interface LatestSpec<E extends { id: string }> {
  name: string;
  entity: Ctor<E>;
  /** The column holding the key (e.g. `key_result_id`). */
  keyColumn: string;
  /** Newest first, over alias `c`, ending with a unique column (e.g. `c.created_at DESC, c.id DESC`). */
  orderBy: string;
  /** Only rows meeting this condition (an open sprint that has started). */
  where?: SqlCondition<Context>;
  /** Prime the entity's by-id loader with the rows read (default true). */
  prime?: boolean;
}

/** A latest-of-each loader; `latestOf` runs the same statement outside the request's loaders (a transaction's own keys). */
export type LatestLoader<E> = LoaderAccessor<string, E | null> & {
  latestOf(ctx: Context, keys: readonly string[]): Promise<Map<string, E>>;
};

/**
 * The latest row of each key (a key result's last check-in, a KPI's last measurement, a squad's
 * current sprint): ONE statement per batch, `unnest($keys) CROSS JOIN LATERAL (… ORDER BY …
 * LIMIT 1)`, so each key costs one index probe on (organization_id, key, order…) however long
 * its history. A key without rows loads null.
 */
export function defineLatestLoader<E extends { id: string }>(spec: LatestSpec<E>): LatestLoader<E> {
  const key = sqlName(spec.keyColumn);
  const run = async (ctx: Context, keys: readonly string[]): Promise<Array<{ key: string; row: E }>> => {
    if (!ctx.organizationId || keys.length === 0) return [];
    const shape = rowShape(ctx.manager.connection, spec.entity);
    const params: unknown[] = [ctx.organizationId, keys];
    const where = spec.where ? ` AND (${conditionText(spec.where, ctx, positional(params))})` : '';
    const raw = await queryStatement(
      ctx.manager,
      `SELECT c.* FROM unnest($2::uuid[]) AS k(key)
         CROSS JOIN LATERAL (
           SELECT k.key AS "__key", ${shape.columns('c')} FROM ${shape.table} c
            WHERE c.organization_id = $1 AND c.${key} = k.key${where}
            ORDER BY ${spec.orderBy}
            LIMIT 1) c`,
      params,
    );
    const pairs = raw.map((r) => ({ key: String(r.__key), row: shape.map(r) }));
    if (spec.prime !== false) primeById(ctx, spec.entity, pairs.map((p) => p.row));
    return pairs;
  };
  const accessor = defineLoader<string, E>(spec.name, async (ctx, keys) =>
    byKeys(keys, await run(ctx, keys), (p) => p.key).map((p) => p?.row ?? null),
  );
  return Object.assign(accessor, {
    latestOf: async (ctx: Context, keys: readonly string[]) => new Map((await run(ctx, [...new Set(keys)])).map((p) => [p.key, p.row])),
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
