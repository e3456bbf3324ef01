import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * KPIs module: agreed metric definitions (one per key in an organisation) arranged in a driver
 * tree (parent_id), their measurements per period (one per KPI and period start), the threshold
 * alerts raised from them (at most one per KPI, period and level), and key results that follow
 * a KPI (key_results.kpi_id). Each KPI keeps its latest value and status (from its latest
 * measurement, or its formula at the latest period of its inputs) so that the status filter is
 * an index scan; maintained by src/modules/kpis/kpi-state.ts.
 */
export class Kpis1764400000000 implements MigrationInterface {
  name = 'Kpis1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE kpis (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        key varchar(64) NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]*$'),
        name text NOT NULL CHECK (length(trim(name)) > 0),
        definition text NOT NULL DEFAULT '',
        unit text,
        layer varchar(16) NOT NULL CHECK (layer IN ('STRATEGIC','TACTICAL','OPERATIONAL')),
        direction varchar(24) NOT NULL CHECK (direction IN ('HIGHER_IS_BETTER','LOWER_IS_BETTER')),
        aggregation varchar(8) NOT NULL CHECK (aggregation IN ('SUM','AVERAGE','LAST')),
        formula text,
        parent_id uuid REFERENCES kpis(id) ON DELETE SET NULL,
        owner_id uuid REFERENCES users(id) ON DELETE SET NULL,
        is_north_star boolean NOT NULL DEFAULT false,
        normal_min numeric,
        normal_max numeric,
        warning_below numeric,
        critical_below numeric,
        warning_above numeric,
        critical_above numeric,
        latest_period date,
        latest_value numeric,
        status varchar(8) NOT NULL DEFAULT 'NO_DATA' CHECK (status IN ('NORMAL','WARNING','CRITICAL','NO_DATA')),
        version int NOT NULL DEFAULT 1,
        archived_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CHECK (parent_id IS NULL OR parent_id <> id),
        CHECK (normal_min IS NULL OR normal_max IS NULL OR normal_min <= normal_max)
      )`);
    await q.query(`CREATE UNIQUE INDEX kpis_org_key_idx ON kpis (organization_id, key)`);
    await q.query(`CREATE UNIQUE INDEX kpis_org_north_star_idx ON kpis (organization_id) WHERE is_north_star AND archived_at IS NULL`);
    await q.query(`CREATE INDEX kpis_org_created_idx ON kpis (organization_id, created_at, id)`);
    await q.query(`CREATE INDEX kpis_org_parent_idx ON kpis (organization_id, parent_id)`);
    await q.query(`CREATE INDEX kpis_org_owner_idx ON kpis (organization_id, owner_id)`);
    await q.query(`CREATE INDEX kpis_org_status_idx ON kpis (organization_id, status, created_at, id)`);
    await q.query(`
      CREATE TABLE kpi_measurements (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        kpi_id uuid NOT NULL REFERENCES kpis(id) ON DELETE CASCADE,
        period_start date NOT NULL,
        value numeric NOT NULL,
        source text,
        recorded_by uuid REFERENCES users(id) ON DELETE SET NULL,
        recorded_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX kpi_measurements_org_kpi_period_idx ON kpi_measurements (organization_id, kpi_id, period_start)`);
    await q.query(`
      CREATE TABLE kpi_alerts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        kpi_id uuid NOT NULL REFERENCES kpis(id) ON DELETE CASCADE,
        measurement_id uuid REFERENCES kpi_measurements(id) ON DELETE SET NULL,
        period_start date NOT NULL,
        level varchar(8) NOT NULL CHECK (level IN ('WARNING','CRITICAL')),
        value numeric NOT NULL,
        message text NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN','ACKNOWLEDGED')),
        acknowledged_by uuid REFERENCES users(id) ON DELETE SET NULL,
        acknowledged_at timestamptz(3),
        note text,
        version int NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX kpi_alerts_org_kpi_period_level_idx ON kpi_alerts (organization_id, kpi_id, period_start, level)`);
    await q.query(`CREATE INDEX kpi_alerts_org_created_idx ON kpi_alerts (organization_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX kpi_alerts_org_status_idx ON kpi_alerts (organization_id, status, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX kpi_alerts_org_kpi_created_idx ON kpi_alerts (organization_id, kpi_id, created_at DESC, id DESC)`);
    await q.query(`ALTER TABLE key_results ADD COLUMN kpi_id uuid REFERENCES kpis(id) ON DELETE SET NULL`);
    await q.query(`CREATE INDEX key_results_org_kpi_idx ON key_results (organization_id, kpi_id) WHERE kpi_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX key_results_org_kpi_idx`);
    await q.query(`ALTER TABLE key_results DROP COLUMN kpi_id`);
    await q.query(`DROP TABLE kpi_alerts`);
    await q.query(`DROP TABLE kpi_measurements`);
    await q.query(`DROP TABLE kpis`);
  }
}
