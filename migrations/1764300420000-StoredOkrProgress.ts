import type { MigrationInterface, QueryRunner } from 'typeorm';
import { storeOrganizationProgress } from '../src/modules/okrs/okr-progress-store';

/**
 * Stored OKR progress and status: key results and objectives keep their progress (0..1) and
 * the first day their status is AT_RISK and OFF_TRACK (see src/modules/okrs/okr-status-dates.ts),
 * so that status filters and counts are index scans. Backfilled per organisation with the same
 * code that maintains them.
 */
export class StoredOkrProgress1764300420000 implements MigrationInterface {
  name = 'StoredOkrProgress1764300420000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['key_results', 'objectives']) {
      await q.query(`
        ALTER TABLE ${table}
          ADD COLUMN progress numeric NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
          ADD COLUMN at_risk_from date,
          ADD COLUMN off_track_from date`);
    }
    await q.query(`CREATE INDEX objectives_org_status_idx ON objectives (organization_id, at_risk_from, off_track_from)`);
    const orgs: Array<{ id: string }> = await q.query(`SELECT DISTINCT organization_id AS id FROM objectives`);
    for (const org of orgs) await storeOrganizationProgress((text, params) => q.query(text, params), org.id);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX objectives_org_status_idx`);
    for (const table of ['objectives', 'key_results']) {
      await q.query(`ALTER TABLE ${table} DROP COLUMN off_track_from, DROP COLUMN at_risk_from, DROP COLUMN progress`);
    }
  }
}
