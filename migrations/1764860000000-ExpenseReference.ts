import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Budgets module: an expense's `reference` (invoice or purchase-order number), and the indexes
 * of the organisation's ledger (`Query.expenses`): its order (incurred_on DESC, created_at DESC,
 * id DESC) and the case-insensitive prefix search on the reference. Down drops both indexes and
 * the column (references are lost).
 */
export class ExpenseReference1764860000000 implements MigrationInterface {
  name = 'ExpenseReference1764860000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE expenses ADD COLUMN reference text CHECK (char_length(reference) <= 100)`);
    await q.query(`CREATE INDEX expenses_org_incurred_idx ON expenses (organization_id, incurred_on DESC, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX expenses_org_reference_idx ON expenses (organization_id, lower(reference) text_pattern_ops) WHERE reference IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX expenses_org_reference_idx`);
    await q.query(`DROP INDEX expenses_org_incurred_idx`);
    await q.query(`ALTER TABLE expenses DROP COLUMN reference`);
  }
}
