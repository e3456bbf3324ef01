import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Budgets module: adjustment requests (money moved between lines, or a line raised), decided by
 * FINANCE/OWNER; the organisation's fast-track decision deadline; and the KPIs of a line kept
 * by id (the keys a line was linked with may later be renamed).
 */
export class BudgetAdjustments1764400110000 implements MigrationInterface {
  name = 'BudgetAdjustments1764400110000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE budget_lines ADD COLUMN kpi_ids uuid[] NOT NULL DEFAULT '{}'`);
    await q.query(`
      CREATE TABLE budget_adjustments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        budget_id uuid NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
        from_line_id uuid REFERENCES budget_lines(id) ON DELETE CASCADE,
        to_line_id uuid NOT NULL REFERENCES budget_lines(id) ON DELETE CASCADE,
        amount numeric NOT NULL CHECK (amount > 0),
        reason text NOT NULL,
        fast_track boolean NOT NULL DEFAULT false,
        status varchar(16) NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING','APPROVED','REJECTED')),
        due_at timestamptz(3) NOT NULL,
        requested_by uuid REFERENCES users(id) ON DELETE SET NULL,
        decided_by uuid REFERENCES users(id) ON DELETE SET NULL,
        decided_at timestamptz(3),
        note text,
        version int NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CHECK (from_line_id IS NULL OR from_line_id <> to_line_id)
      )`);
    await q.query(`CREATE INDEX budget_adjustments_org_budget_idx ON budget_adjustments (organization_id, budget_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX budget_adjustments_org_pending_idx ON budget_adjustments (organization_id, due_at, id) WHERE status = 'PENDING'`);
    await q.query(`CREATE INDEX budget_adjustments_org_from_idx ON budget_adjustments (organization_id, from_line_id) WHERE status = 'APPROVED'`);
    await q.query(`
      CREATE TABLE budget_settings (
        organization_id uuid PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
        fast_track_hours int NOT NULL DEFAULT 24 CHECK (fast_track_hours BETWEEN 1 AND 720),
        updated_by uuid REFERENCES users(id) ON DELETE SET NULL,
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE budget_settings`);
    await q.query(`DROP TABLE budget_adjustments`);
    await q.query(`ALTER TABLE budget_lines DROP COLUMN kpi_ids`);
  }
}
