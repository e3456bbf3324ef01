import type { EntityTarget, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { Context } from '../common/context';
import { orgId } from '../common/auth';
import { conflict, type AppError } from '../common/errors';
import { updateRowWhere, versionIs } from './conditional-update';

/**
 * Optimistic concurrency for rows several front ends edit, in one statement:
 * `UPDATE … SET …, version = version + 1 WHERE id AND organization_id [AND version = expected] RETURNING *`.
 * TypeORM's version column alone checks nothing on update, so the WHERE clause and the
 * affected-row count do the work: under concurrent writers with the same expected version,
 * exactly one succeeds (the others wait for its row lock, then match no row).
 *
 * Returns the updated row (no re-read), or throws CONFLICT with `extensions.currentVersion`.
 * `expectedVersion` null skips the check (a change that cannot lose another's edit, e.g. a
 * status). The caller must already know the row exists in the organisation (so a missing row
 * means a stale version).
 */
export async function updateVersioned<E extends ObjectLiteral & { id: string; version: number }>(
  tx: Context,
  entity: EntityTarget<E>,
  id: string,
  expectedVersion: number | null,
  set: QueryDeepPartialEntity<E>,
  what = 'This object',
): Promise<E> {
  const target = entity as abstract new () => E;
  const updated = await updateRowWhere(tx, target, id, expectedVersion == null ? null : versionIs(expectedVersion), set, { bumpVersion: true });
  if (updated) return updated;
  return staleVersion(tx, entity, id, orgId(tx), expectedVersion, what);
}

/**
 * CONFLICT for a write that matched no row at `expected`: reads the row's current version for
 * `extensions.currentVersion` (null when the row is gone).
 */
export async function staleVersionError(
  tx: Context,
  entity: EntityTarget<ObjectLiteral>,
  id: string,
  organizationId: string,
  expected: number | null,
  what = 'This object',
): Promise<AppError> {
  const [current] = (await tx.manager
    .createQueryBuilder()
    .select('t.version', 'version')
    .from(entity, 't')
    .where('t.id = :id AND t.organization_id = :org', { id, org: organizationId })
    .getRawMany()) as Array<{ version: number }>;
  return conflict(
    `${what} was changed by someone else (now version ${current?.version ?? 'unknown'}, you sent ${expected}): reload it and apply your change again`,
    { currentVersion: current?.version ?? null },
  );
}

/** Throws `staleVersionError`. */
export async function staleVersion(
  tx: Context,
  entity: EntityTarget<ObjectLiteral>,
  id: string,
  organizationId: string,
  expected: number | null,
  what = 'This object',
): Promise<never> {
  throw await staleVersionError(tx, entity, id, organizationId, expected, what);
}
