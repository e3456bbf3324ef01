import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Squads module: squads and sprints are edited (updateSquad, updateSprint) under optimistic
 * concurrency, so they carry a version; squads are archived rather than deleted.
 */
export class SquadsLifeCycle1764300400000 implements MigrationInterface {
  name = 'SquadsLifeCycle1764300400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE squads ADD COLUMN version int NOT NULL DEFAULT 1, ADD COLUMN archived_at timestamptz(3)`);
    await q.query(
      `ALTER TABLE sprints ADD COLUMN version int NOT NULL DEFAULT 1, ADD COLUMN updated_at timestamptz(3) NOT NULL DEFAULT now()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sprints DROP COLUMN updated_at, DROP COLUMN version`);
    await q.query(`ALTER TABLE squads DROP COLUMN archived_at, DROP COLUMN version`);
  }
}
