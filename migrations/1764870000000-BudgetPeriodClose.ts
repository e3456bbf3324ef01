import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Budgets module: a budget's period close. `closed_through` is the last day on which nothing more
 * is booked (expenses, voids, adjustments); null while the whole period is open. It stays within
 * the budget's period. `closed_at` and `closed_by` say when and by whom it was last moved (a close
 * or a partial reopen; both null once fully reopened). Down drops the columns (closes are lost).
 */
export class BudgetPeriodClose1764870000000 implements MigrationInterface {
  name = 'BudgetPeriodClose1764870000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE budgets
        ADD COLUMN closed_through date,
        ADD COLUMN closed_at timestamptz,
        ADD COLUMN closed_by uuid REFERENCES users(id) ON DELETE SET NULL,
        ADD CONSTRAINT budgets_closed_through_in_period
          CHECK (closed_through IS NULL OR (closed_through >= period_start AND closed_through <= period_end))
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE budgets
        DROP CONSTRAINT budgets_closed_through_in_period,
        DROP COLUMN closed_by,
        DROP COLUMN closed_at,
        DROP COLUMN closed_through
    `);
  }
}
