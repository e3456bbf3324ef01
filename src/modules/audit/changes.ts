import type { DeepPartial, EntityTarget, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { byIdLoaderOf, primeById, type LoaderAccessor } from '../../common/loaders';
import type { SqlCondition } from '../../common/rows';
import { updateRowWhere, versionIs } from '../../db/conditional-update';
import { staleVersion, staleVersionError } from '../../db/versioned-update';
import { recordChange, type Change } from './audit.service';

type Ctor<E> = abstract new (...args: never[]) => E;

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
  /**
   * The by-id loader to prime with the written row. `updateWhere`/`updateRecorded` and
   * `deleteRecorded` default to the entity's registered by-id loader; `createRecorded` primes
   * only the loader given here.
   */
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
  primeRegistered = true,
): Promise<void> {
  if (change.prime) {
    const loader = change.prime(tx).clear(row.id);
    if (after) loader.prime(row.id, after);
  } else if (primeRegistered && typeof entity === 'function') {
    if (after) primeById(tx, entity as Ctor<E>, [after], { replace: true });
    else byIdLoaderOf(entity as Ctor<E>)?.(tx).clear(row.id);
  }
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
  await record(tx, entity, null, row, row, change, false);
  return row;
}

/**
 * An audited conditional update of one row, in one statement: `UPDATE … SET … WHERE id AND
 * organization_id AND (<condition>) RETURNING *` (`updateRowWhere`). When a row matched, the
 * returned row is mapped once, replaces what the by-id loader held (`change.prime`, else the
 * entity's registered loader) and the change is recorded with `current` as before and the row
 * as after. When none matched (the condition unmet, e.g. already void, no longer PENDING, or
 * the row gone), it throws `change.unmet(current)` and records nothing. `condition` null: the row
 * only. `version` is bumped when the entity has one (unless `bumpVersion: false`).
 *
 *     const expense = await updateWhere(tx, Expense, current, 'voided_at IS NULL',
 *       { voidedAt: () => 'now()', voidReason: reason },
 *       { action: 'expense.voided', meta, unmet: () => new AppError(ErrorCode.INVALID_TRANSITION, 'This expense is already void') });
 */
export async function updateWhere<E extends ObjectLiteral & { id: string }>(
  tx: Context,
  entity: Ctor<E>,
  current: E,
  condition: SqlCondition<Context> | null,
  set: QueryDeepPartialEntity<E>,
  change: WriteChange<E> & { unmet: (current: E) => Error | Promise<Error>; bumpVersion?: boolean },
): Promise<E> {
  const updated = await updateRowWhere(tx, entity, current.id, condition, set, { bumpVersion: change.bumpVersion });
  if (!updated) throw await change.unmet(current);
  await record(tx, entity, current, updated, updated, change);
  return updated;
}

/**
 * Updates a versioned row in one statement (`updateWhere` with the condition `version = $n`;
 * stale version → CONFLICT with `currentVersion`; `expectedVersion` null skips the check),
 * records the change with before and after, and primes the by-id loader with the returned row
 * (no re-read).
 */
export async function updateRecorded<E extends ObjectLiteral & { id: string; version: number }>(
  tx: Context,
  entity: EntityTarget<E>,
  current: E,
  expectedVersion: number | null,
  set: QueryDeepPartialEntity<E>,
  change: WriteChange<E> & { what?: string },
): Promise<E> {
  return updateWhere(tx, entity as Ctor<E>, current, expectedVersion == null ? null : versionIs(expectedVersion), set, {
    ...change,
    bumpVersion: true,
    unmet: () => staleVersionError(tx, entity, current.id, orgId(tx), expectedVersion, change.what),
  });
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
