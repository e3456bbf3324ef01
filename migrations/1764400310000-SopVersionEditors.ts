import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SOPs: every person who changed a version's content while it was a draft (`editor_ids`, in the
 * order they first changed it). None of them may approve that version, whoever saved it last.
 * Existing versions start with their author, the only editor known.
 */
export class SopVersionEditors1764400310000 implements MigrationInterface {
  name = 'SopVersionEditors1764400310000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sop_versions ADD COLUMN editor_ids uuid[] NOT NULL DEFAULT '{}'`);
    await q.query(`UPDATE sop_versions SET editor_ids = ARRAY[author_id] WHERE author_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sop_versions DROP COLUMN editor_ids`);
  }
}
