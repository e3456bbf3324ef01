import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Budgets module, corrections: a budget's and a line's `archived_at`, and WITHDRAWN among the
 * statuses of an adjustment (a pending request withdrawn by its requester). Down turns withdrawn
 * requests into REJECTED ones (the closest status the old check allows) and drops the columns
 * (archived budgets and lines become active again).
 */
export class BudgetCorrections1764871000000 implements MigrationInterface {
  name = 'BudgetCorrections1764871000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE budgets ADD COLUMN archived_at timestamptz(3)`);
    await q.query(`ALTER TABLE budget_lines ADD COLUMN archived_at timestamptz(3)`);
    await q.query(`ALTER TABLE budget_adjustments DROP CONSTRAINT budget_adjustments_status_check`);
    await q.query(
      `ALTER TABLE budget_adjustments ADD CONSTRAINT budget_adjustments_status_check CHECK (status IN ('PENDING','APPROVED','REJECTED','WITHDRAWN'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE budget_adjustments SET status = 'REJECTED' WHERE status = 'WITHDRAWN'`);
    await q.query(`ALTER TABLE budget_adjustments DROP CONSTRAINT budget_adjustments_status_check`);
    await q.query(`ALTER TABLE budget_adjustments ADD CONSTRAINT budget_adjustments_status_check CHECK (status IN ('PENDING','APPROVED','REJECTED'))`);
    await q.query(`ALTER TABLE budget_lines DROP COLUMN archived_at`);
    await q.query(`ALTER TABLE budgets DROP COLUMN archived_at`);
  }
}
