import type { EntityManager } from 'typeorm';
import { DEMO } from './ids';

/**
 * Inserts one row of the demo organisation into `table` (its organization_id added), unless a row
 * with the same key is there: seeds are idempotent and never overwrite a user's changes. Returns
 * whether it inserted. The seed of a module calls it for that module's own tables only
 * (tests/unit/platform/dependencies.test.ts reads the table named here).
 */
export async function insertRow(m: EntityManager, table: string, row: Record<string, unknown>): Promise<boolean> {
  const cols = Object.keys(row);
  const inserted: unknown[] = await m.query(
    `INSERT INTO ${table} (organization_id, ${cols.join(', ')}) VALUES ($1, ${cols.map((_, i) => `$${i + 2}`).join(', ')})
     ON CONFLICT DO NOTHING RETURNING 1`,
    [DEMO.organizationId, ...Object.values(row)],
  );
  return inserted.length > 0;
}
