import type { EntityTarget, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { Context } from '../common/context';
import { orgId } from '../common/auth';
import { conflict } from '../common/errors';

/**
 * Optimistic concurrency for rows several front ends edit: one
 * `UPDATE ... SET ..., version = version + 1 WHERE id AND organization_id AND version = expected`.
 * TypeORM's version column alone checks nothing on update, so the WHERE clause and the
 * affected-row count do the work: under concurrent writers with the same expected version,
 * exactly one succeeds (the others wait for its row lock, then match no row).
 *
 * Returns the new version, or throws CONFLICT with `extensions.currentVersion`. The caller
 * must already know the row exists in the organisation (so a missing row means a stale version).
 */
export async function updateWithVersion<E extends ObjectLiteral & { version: number }>(
  tx: Context,
  entity: EntityTarget<E>,
  id: string,
  expectedVersion: number,
  set: QueryDeepPartialEntity<E>,
  what = 'This object',
): Promise<number> {
  const result = await tx.manager
    .createQueryBuilder()
    .update(entity)
    .set({ ...set, version: () => 'version + 1', updatedAt: () => 'now()' } as QueryDeepPartialEntity<E>)
    .where('id = :id AND organization_id = :org AND version = :expectedVersion', { id, org: orgId(tx), expectedVersion })
    .returning(['version'])
    .execute();
  if (result.affected === 1) return (result.raw as Array<{ version: number }>)[0].version;
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
