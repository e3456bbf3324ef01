import type { ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { orgId } from '../common/auth';
import type { Context } from '../common/context';
import { byIdRegistrationOf } from '../common/loaders';
import { conditionText, rowShape, sqlName, type SqlCondition } from '../common/rows';

type Ctor<E> = abstract new (...args: never[]) => E;

export interface UpdateRowOptions {
  /**
   * Add 1 to the row's `version` (default: when the entity has a `version` column). `updated_at`
   * is set by TypeORM wherever the entity declares it.
   */
  bumpVersion?: boolean;
}

/** The condition "the row is still at version `expected`", for `updateRowWhere` / `updateWhere`. */
export const versionIs =
  (expected: number): SqlCondition<Context> =>
  (param) =>
    `version = ${param(expected)}`;

/**
 * One conditional update of one row of the caller's organisation, in one statement:
 * `UPDATE … SET … WHERE id = $id AND organization_id = $org AND (<condition>) RETURNING *`,
 * the returned row mapped once (`rowShape`). Null when no row matched (missing, of another
 * organisation, or the condition unmet): the caller decides what that means. `condition` is
 * written over the table's bare columns (`voided_at IS NULL`, `status = ${param('PENDING')}`).
 * Unaudited: modules record their writes through the audit kit's `updateWhere`, built on it.
 */
export async function updateRowWhere<E extends ObjectLiteral & { id: string }>(
  tx: Context,
  entity: Ctor<E>,
  id: string,
  condition: SqlCondition<Context> | null,
  set: QueryDeepPartialEntity<E>,
  options: UpdateRowOptions = {},
): Promise<E | null> {
  const target = entity as unknown as new () => E;
  const meta = tx.manager.connection.getMetadata(target);
  const hasVersion = Boolean(meta.findColumnWithPropertyName('version'));
  const bump = options.bumpVersion ?? hasVersion;
  if (bump && !hasVersion) throw new Error(`${meta.name} has no version column to bump`);
  const values = bump && !('version' in set) ? ({ ...set, version: () => 'version + 1' } as QueryDeepPartialEntity<E>) : set;
  const tenant = sqlName(byIdRegistrationOf(entity)?.tenantColumn ?? 'organization_id');
  const qb = tx.manager
    .createQueryBuilder()
    .update(target)
    .set(values)
    .where(`id = :__id AND ${tenant} = :__org`, { __id: id, __org: orgId(tx) });
  if (condition) {
    const params: Record<string, unknown> = {};
    const text = conditionText(condition, tx, (value) => {
      const name = `__w${Object.keys(params).length}`;
      params[name] = value;
      return `:${name}`;
    });
    qb.andWhere(`(${text})`, params);
  }
  const result = await qb.returning('*').execute();
  const rows = result.raw as Array<Record<string, unknown>>;
  return rows.length === 1 ? rowShape(tx.manager.connection, entity).map(rows[0]) : null;
}
