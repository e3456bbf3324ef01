import type { DataSource, EntityManager, ValueTransformer } from 'typeorm';

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

/** Runs `sql` (whose select list is `shape.columns(alias)`) and maps the rows. */
export async function queryRows<E>(manager: EntityManager, entity: Ctor<E>, sql: string, params: unknown[]): Promise<E[]> {
  const shape = rowShape(manager.connection, entity);
  const rows: Array<Record<string, unknown>> = await manager.query(sql, params);
  return rows.map((r) => shape.map(r));
}
