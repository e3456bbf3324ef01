import { orgId } from '../common/auth';
import type { Context } from '../common/context';
import { AppError, ErrorCode } from '../common/errors';
import { conditionText, positional, sqlName, tableOf, type SqlCondition } from '../common/rows';

type Ctor<E> = abstract new (...args: never[]) => E;

export interface CapSpec {
  /** The table of the counted rows (an entity class, or a table name). */
  table: string | Ctor<unknown>;
  /** Their column holding the parent's id (e.g. `budget_id`). */
  parentColumn: string;
  parentId: string;
  max: number;
  /** Only rows meeting this condition count, over alias `c` (e.g. `c.archived_at IS NULL`). */
  where?: SqlCondition<Context>;
  /** How many rows the change adds (default 1). */
  adding?: number;
  /** The input field named in the refusal (`budgetId`). */
  field: string;
  /** The refusal, e.g. `(max) => \`A budget has at most ${max} lines\``. */
  message: (max: number) => string;
}

/**
 * Refuses a change that would give a parent more than `max` children: BAD_USER_INPUT with
 * `extensions.field` and `extensions.max`. One statement, counting at most `max` rows of the
 * caller's organisation. The caller has locked the parent first (`lockById`), so that two
 * changes adding children at the same time count each other.
 */
export async function assertBelowCap(tx: Context, spec: CapSpec): Promise<void> {
  const organizationId = orgId(tx);
  const adding = spec.adding ?? 1;
  if (adding <= 0) return;
  const params: unknown[] = [organizationId, spec.parentId];
  const where = spec.where ? ` AND (${conditionText(spec.where, tx, positional(params))})` : '';
  const limit = positional(params)(spec.max);
  const [{ n }]: Array<{ n: number }> = await tx.manager.query(
    `SELECT count(*)::int AS n FROM (
       SELECT 1 FROM ${tableOf(tx.manager.connection, spec.table)} c
        WHERE c.organization_id = $1 AND c.${sqlName(spec.parentColumn)} = $2${where}
        LIMIT ${limit}) c`,
    params,
  );
  if (n + adding > spec.max) throw new AppError(ErrorCode.BAD_USER_INPUT, spec.message(spec.max), { field: spec.field, max: spec.max });
}
