import type { DeepPartial, EntityTarget, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { Context } from '../../common/context';
import type { LoaderAccessor } from '../../common/loaders';
import { staleVersion, updateVersioned } from '../../db/versioned-update';
import { recordChange, type Change } from './audit.service';

/**
 * The module kit's writes. Every mutation records its change through one of these (or
 * `recordChange` directly for a change that is neither a create, an update nor a delete of
 * one row): the audit event in the transaction, the change event after commit.
 */

/** What is recorded with a write: the action (`objective.created`) and the routing facts. */
export interface WriteChange<E> {
  action: string;
  /** GraphQL type of the changed object (defaults to the entity's class name). */
  entityType?: string;
  meta?: Record<string, string | null> | ((row: E) => Record<string, string | null>);
  /** The `after` snapshot, when it holds more than the row (e.g. the check-in with it). */
  after?: (row: E) => unknown;
  /** The event announced, when it is about another object than the row (default: the row). */
  event?: (row: E) => Change['event'];
  /** The by-id loader to prime with the written row. */
  prime?: LoaderAccessor<string, E | null>;
}

function typeName(entity: EntityTarget<unknown>): string {
  return typeof entity === 'function' ? entity.name : String(entity);
}

async function record<E extends ObjectLiteral & { id: string }>(
  tx: Context,
  entity: EntityTarget<E>,
  before: E | null,
  after: E | null,
  row: E,
  change: WriteChange<E>,
): Promise<void> {
  if (change.prime && after) change.prime(tx).clear(row.id).prime(row.id, after);
  if (change.prime && !after) change.prime(tx).clear(row.id);
  await recordChange(tx, {
    action: change.action,
    entityType: change.entityType ?? typeName(entity),
    entityId: row.id,
    before: before ?? undefined,
    after: after ? (change.after ? change.after(after) : after) : undefined,
    meta: typeof change.meta === 'function' ? change.meta(row) : change.meta,
    event: change.event?.(row),
  });
}

/** Inserts a row, records `<type>.created` and primes the by-id loader. Call inside `withTransaction`. */
export async function createRecorded<E extends ObjectLiteral & { id: string }>(
  tx: Context,
  entity: EntityTarget<E>,
  values: DeepPartial<E>,
  change: WriteChange<E>,
): Promise<E> {
  const row = await tx.manager.save(tx.manager.create(entity, values));
  await record(tx, entity, null, row, row, change);
  return row;
}

/**
 * Updates a versioned row in one statement (`UPDATE … WHERE version = $n RETURNING *`, stale
 * version → CONFLICT with `currentVersion`), records the change with before and after, and
 * primes the by-id loader with the returned row (no re-read).
 */
export async function updateRecorded<E extends ObjectLiteral & { id: string; version: number }>(
  tx: Context,
  entity: EntityTarget<E>,
  current: E,
  expectedVersion: number | null,
  set: QueryDeepPartialEntity<E>,
  change: WriteChange<E> & { what?: string },
): Promise<E> {
  const updated = await updateVersioned(tx, entity, current.id, expectedVersion, set, change.what);
  await record(tx, entity, current, updated, updated, change);
  return updated;
}

/**
 * Deletes a row (with `expectedVersion`: only at that version, else CONFLICT with
 * `currentVersion`), records the change with its last state and forgets it in the by-id loader.
 */
export async function deleteRecorded<E extends ObjectLiteral & { id: string; organizationId: string }>(
  tx: Context,
  entity: EntityTarget<E>,
  current: E,
  change: WriteChange<E> & { expectedVersion?: number | null; what?: string },
): Promise<void> {
  const qb = tx.manager
    .createQueryBuilder()
    .delete()
    .from(entity)
    .where('id = :id AND organization_id = :org', { id: current.id, org: current.organizationId });
  if (change.expectedVersion != null) qb.andWhere('version = :expectedVersion', { expectedVersion: change.expectedVersion });
  const result = await qb.execute();
  if (change.expectedVersion != null && result.affected !== 1) {
    await staleVersion(tx, entity, current.id, current.organizationId, change.expectedVersion, change.what);
  }
  await record(tx, entity, current, null, current, change);
}
