import type { DataSource, EntityManager, ValueTransformer } from 'typeorm';
import { queryStatement } from './statements';

type Ctor<E> = abstract new (...args: never[]) => E;

/**
 * Reads rows for GraphQL fields without TypeORM's entity hydration: the driver's values (dates,
 * numbers, arrays already parsed by `pg`) are copied once onto an object of the entity's class,
 * through the column transformers (numeric → Decimal...). Columns declared `select: false`
 * (password and token hashes) are never read. TypeORM stays for migrations and writes.
 */
export interface RowShape<E> {
  /** The table, quoted. */
  readonly table: string;
  /** `alias."col", ...` for every selectable column; with `prefix`, `alias."col" AS "<prefix>col"`. */
  columns(alias: string, prefix?: string): string;
  /** Maps one raw row whose keys are `<prefix><column>` (prefix `''` for `SELECT alias.col`). */
  map(row: Record<string, unknown>, prefix?: string): E;
}

interface ColumnShape {
  db: string;
  prop: string;
  from: ((value: unknown) => unknown) | null;
}

const shapes = new WeakMap<object, RowShape<unknown>>();

function transformFrom(transformer: ValueTransformer | ValueTransformer[] | undefined): ColumnShape['from'] {
  if (!transformer) return null;
  // TypeORM applies an array of transformers in reverse when reading.
  const list = Array.isArray(transformer) ? [...transformer].reverse() : [transformer];
  return (value) => list.reduce((v, t) => t.from(v), value);
}

export function rowShape<E>(ds: DataSource, entity: Ctor<E>): RowShape<E> {
  const known = shapes.get(entity);
  if (known) return known as RowShape<E>;
  const meta = ds.getMetadata(entity as unknown as new () => E);
  const cols: ColumnShape[] = meta.columns
    .filter((c) => c.isSelect && !c.relationMetadata)
    .map((c) => ({ db: c.databaseName, prop: c.propertyName, from: transformFrom(c.transformer) }));
  const proto = (entity as unknown as { prototype: object }).prototype;
  // The row keys per prefix, built once (a tree of 200 rows would otherwise concatenate 7,000 strings).
  const keysByPrefix = new Map<string, string[]>();
  const keysFor = (prefix: string) => {
    let keys = keysByPrefix.get(prefix);
    if (!keys) keysByPrefix.set(prefix, (keys = cols.map((c) => prefix + c.db)));
    return keys;
  };
  const shape: RowShape<E> = {
    table: `"${meta.tableName}"`,
    columns: (alias, prefix) =>
      cols.map((c) => (prefix ? `${alias}."${c.db}" AS "${prefix}${c.db}"` : `${alias}."${c.db}"`)).join(', '),
    map(row, prefix = '') {
      const e = Object.create(proto) as Record<string, unknown>;
      const keys = keysFor(prefix);
      for (let i = 0; i < cols.length; i++) {
        const c = cols[i];
        const v = row[keys[i]];
        e[c.prop] = c.from ? c.from(v) : v;
      }
      return e as E;
    },
  };
  shapes.set(entity, shape as RowShape<unknown>);
  return shape;
}

/**
 * Runs `sql` (whose select list is `shape.columns(alias)`) and maps the rows. With `prepared`, as a
 * named prepared statement (`queryStatement`: for a hot read whose text never varies with its values).
 */
export async function queryRows<E>(
  manager: EntityManager,
  entity: Ctor<E>,
  sql: string,
  params: unknown[],
  options: { prepared?: boolean } = {},
): Promise<E[]> {
  const shape = rowShape(manager.connection, entity);
  const rows: Array<Record<string, unknown>> = options.prepared ? await queryStatement(manager, sql, params) : await manager.query(sql, params);
  return rows.map((r) => shape.map(r));
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * A table or column name the code names (never input), checked and quoted: `"budget_id"`. A name
 * that is not a plain lower-case SQL identifier is a programming error, refused when the loader or
 * helper is declared.
 */
export function sqlName(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a plain SQL identifier: ${JSON.stringify(name)}`);
  return `"${name}"`;
}

/** The quoted table of an entity class, or a plain table name checked by `sqlName`. */
export function tableOf(ds: DataSource, table: string | Ctor<unknown>): string {
  return typeof table === 'string' ? sqlName(table) : rowShape(ds, table).table;
}

/**
 * An extra condition in a kit statement (loaders, `updateWhere`), written over the statement's
 * alias (loaders: `c`; updates: the bare columns). Values are never written into the text: a
 * function form binds each one with `param(value)`, which returns its placeholder, e.g.
 * `(param) => \`c.starts_on <= ${param(isoToday())}\``.
 */
export type SqlCondition<C = unknown> = string | ((param: (value: unknown) => string, ctx: C) => string);

/** The text of `condition`, its values bound through `bind` (which returns each placeholder). */
export function conditionText<C>(condition: SqlCondition<C>, ctx: C, bind: (value: unknown) => string): string {
  return typeof condition === 'string' ? condition : condition(bind, ctx);
}

/** A binder for positional parameters: pushes onto `params` and answers `$n`. */
export const positional = (params: unknown[]) => (value: unknown) => {
  params.push(value);
  return `$${params.length}`;
};
