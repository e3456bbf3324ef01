import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * OKRs module: cycles are edited (updateCycle) under optimistic concurrency, so they carry a
 * version; objectives and key results are archived (a key result with check-ins is never deleted).
 */
export class OkrsLifeCycle1764300410000 implements MigrationInterface {
  name = 'OkrsLifeCycle1764300410000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE okr_cycles ADD COLUMN version int NOT NULL DEFAULT 1, ADD COLUMN updated_at timestamptz(3) NOT NULL DEFAULT now()`,
    );
    await q.query(`ALTER TABLE objectives ADD COLUMN archived_at timestamptz(3)`);
    await q.query(`ALTER TABLE key_results ADD COLUMN archived_at timestamptz(3)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE key_results DROP COLUMN archived_at`);
    await q.query(`ALTER TABLE objectives DROP COLUMN archived_at`);
    await q.query(`ALTER TABLE okr_cycles DROP COLUMN updated_at, DROP COLUMN version`);
  }
}
