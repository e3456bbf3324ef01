import { orgId } from '../common/auth';
import type { Context } from '../common/context';
import { AppError, ErrorCode } from '../common/errors';
import { toGlobalId } from '../common/ids';
import { byIdRegistrationOf, primeById } from '../common/loaders';
import { rowShape, sqlName } from '../common/rows';

type Ctor<E> = abstract new (...args: never[]) => E;

/**
 * How a row is locked until the transaction ends:
 * - `UPDATE` (the default): the row will be changed or deleted; others wait to lock or change it;
 * - `NO KEY UPDATE`: the row will be changed but not its key; rows that reference it may still
 *   be inserted meanwhile (a roll-up written on a parent while children are added);
 * - `SHARE`: the row must not change until commit (a campaign read to tag an expense), but
 *   others may read and share-lock it too.
 */
export type LockMode = 'UPDATE' | 'NO KEY UPDATE' | 'SHARE';

export interface LockOptions {
  mode?: LockMode;
  /** The input field the id came from: NOT_FOUND then carries `extensions.field`. */
  field?: string;
  /** The type NOT_FOUND names (default: the type of the entity's by-id loader, else the class name). */
  type?: string;
}

function lockTarget<E>(tx: Context, entity: Ctor<E>, what: string) {
  if (!tx.afterCommit) throw new Error(`${what} outside a transaction: the lock would end with its statement`);
  const organizationId = orgId(tx);
  const reg = byIdRegistrationOf(entity);
  return {
    shape: rowShape(tx.manager.connection, entity),
    tenant: sqlName(reg?.tenantColumn ?? 'organization_id'),
    typeName: reg?.typeName ?? (entity as unknown as { name: string }).name,
    organizationId,
  };
}

/** NOT_FOUND naming the type and the global id (and the input field, when known). */
function missing(typeName: string, id: string, field: string | undefined): AppError {
  return new AppError(ErrorCode.NOT_FOUND, `${typeName} ${toGlobalId(typeName, id)} was not found`, field ? { field } : {});
}

const uniqueSorted = (ids: readonly string[]) => [...new Set(ids)].sort();

/**
 * Locks rows of the caller's organisation in id order (`… WHERE id = ANY($1) AND
 * organization_id = $2 ORDER BY id FOR <mode>`), so that writers of several rows never wait on
 * each other in a circle, and returns them in id order, each mapped once (`rowShape`). The rows
 * replace what the entity's by-id loader held (the transaction's loaders). A row that does not
 * exist, or exists in another organisation, is NOT_FOUND (unless `required: false`: it is then
 * left out). Any other error (a lock timeout, a deadlock, a lost connection) reaches the caller
 * unchanged. Call inside `withTransaction`.
 */
export async function lockByIds<E extends { id: string }>(
  tx: Context,
  entity: Ctor<E>,
  ids: readonly string[],
  options: LockOptions & { required?: boolean } = {},
): Promise<E[]> {
  const t = lockTarget(tx, entity, 'lockByIds');
  const wanted = uniqueSorted(ids);
  if (wanted.length === 0) return [];
  const raw: Array<Record<string, unknown>> = await tx.manager.query(
    `SELECT ${t.shape.columns('c')} FROM ${t.shape.table} c
      WHERE c.id = ANY($1::uuid[]) AND c.${t.tenant} = $2
      ORDER BY c.id FOR ${options.mode ?? 'UPDATE'}`,
    [wanted, t.organizationId],
  );
  const rows = raw.map((r) => t.shape.map(r));
  if (options.required !== false && rows.length < wanted.length) {
    const found = new Set(rows.map((r) => r.id));
    const first = ids.find((id) => !found.has(id))!;
    throw missing(options.type ?? t.typeName, first, options.field);
  }
  primeById(tx, entity, rows, { replace: true });
  return rows;
}

/** Locks one row of the caller's organisation and returns it: see `lockByIds` (NOT_FOUND when it is missing). */
export async function lockById<E extends { id: string }>(tx: Context, entity: Ctor<E>, id: string, options: LockOptions = {}): Promise<E> {
  const [row] = await lockByIds(tx, entity, [id], options);
  return row;
}

/**
 * Locks rows like `lockByIds` without reading them (`SELECT id … FOR <mode>`), for a writer that
 * needs the lock only (a KPI tree refreshed after measurements); returns the ids locked, in order.
 */
export async function lockIds<E extends { id: string }>(
  tx: Context,
  entity: Ctor<E>,
  ids: readonly string[],
  options: LockOptions & { required?: boolean } = {},
): Promise<string[]> {
  const t = lockTarget(tx, entity, 'lockIds');
  const wanted = uniqueSorted(ids);
  if (wanted.length === 0) return [];
  const rows: Array<{ id: string }> = await tx.manager.query(
    `SELECT c.id FROM ${t.shape.table} c WHERE c.id = ANY($1::uuid[]) AND c.${t.tenant} = $2 ORDER BY c.id FOR ${options.mode ?? 'UPDATE'}`,
    [wanted, t.organizationId],
  );
  if (options.required !== false && rows.length < wanted.length) {
    const found = new Set(rows.map((r) => r.id));
    throw missing(options.type ?? t.typeName, ids.find((id) => !found.has(id))!, options.field);
  }
  return rows.map((r) => r.id);
}
