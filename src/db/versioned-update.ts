import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { Context } from '../common/context';
import { orgId } from '../common/auth';
import { conflict } from '../common/errors';

/** Maps a raw row (`RETURNING *`) to an entity once, with the columns' transformers. */
export function hydrateRow<E extends ObjectLiteral>(manager: EntityManager, entity: EntityTarget<E>, raw: Record<string, unknown>): E {
  const metadata = manager.connection.getMetadata(entity);
  const row = metadata.create() as E;
  for (const column of metadata.columns) {
    if (!(column.databaseName in raw)) continue;
    column.setEntityValue(row, manager.connection.driver.prepareHydratedValue(raw[column.databaseName], column));
  }
  return row;
}

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
  const qb = tx.manager
    .createQueryBuilder()
    .update(entity)
    .set({ ...set, version: () => 'version + 1', updatedAt: () => 'now()' } as QueryDeepPartialEntity<E>)
    .where('id = :id AND organization_id = :org', { id, org: orgId(tx) });
  if (expectedVersion != null) qb.andWhere('version = :expectedVersion', { expectedVersion });
  const result = await qb.returning('*').execute();
  const rows = result.raw as Array<Record<string, unknown>>;
  if (rows.length === 1) return hydrateRow(tx.manager, entity, rows[0]);
  const [current] = (await tx.manager
    .createQueryBuilder()
    .select('t.version', 'version')
    .from(entity, 't')
    .where('t.id = :id AND t.organization_id = :org', { id, org: orgId(tx) })
    .getRawMany()) as Array<{ version: number }>;
  throw conflict(
    `${what} was changed by someone else (now version ${current?.version ?? 'unknown'}, you sent ${expectedVersion}): reload it and apply your change again`,
    { currentVersion: current?.version ?? null },
  );
}
