import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * KPIs module: an alert becomes RESOLVED when its period's measurement is recorded again inside
 * the thresholds, or deleted; `resolved_at` and `resolved_by` (the user whose correction or
 * deletion resolved it; null for the system) say when and by whom. Down turns RESOLVED alerts
 * into ACKNOWLEDGED ones (acknowledged when and by whom they were resolved, unless they were
 * acknowledged before), since the older code knows no other closed state, then drops the columns.
 */
export class KpiAlertsResolved1764700100000 implements MigrationInterface {
  name = 'KpiAlertsResolved1764700100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE kpi_alerts DROP CONSTRAINT kpi_alerts_status_check`);
    await q.query(`ALTER TABLE kpi_alerts ADD CONSTRAINT kpi_alerts_status_check CHECK (status IN ('OPEN','ACKNOWLEDGED','RESOLVED'))`);
    await q.query(`ALTER TABLE kpi_alerts ADD COLUMN resolved_at timestamptz(3), ADD COLUMN resolved_by uuid REFERENCES users(id) ON DELETE SET NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE kpi_alerts SET status = 'ACKNOWLEDGED',
             acknowledged_at = COALESCE(acknowledged_at, resolved_at), acknowledged_by = COALESCE(acknowledged_by, resolved_by)
       WHERE status = 'RESOLVED'`);
    await q.query(`ALTER TABLE kpi_alerts DROP COLUMN resolved_by, DROP COLUMN resolved_at`);
    await q.query(`ALTER TABLE kpi_alerts DROP CONSTRAINT kpi_alerts_status_check`);
    await q.query(`ALTER TABLE kpi_alerts ADD CONSTRAINT kpi_alerts_status_check CHECK (status IN ('OPEN','ACKNOWLEDGED'))`);
  }
}
