import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Campaigns module: campaigns with their life cycle, KPI targets, returns by kind (with the basis
 * they were computed from), A/B experiments, the review (复盘) and the tasks it created.
 */
export class Campaigns1764400200000 implements MigrationInterface {
  name = 'Campaigns1764400200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE campaigns (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(trim(name)) > 0),
        squad_id uuid NOT NULL REFERENCES squads(id),
        status varchar(16) NOT NULL DEFAULT 'DRAFT'
          CHECK (status IN ('DRAFT','PLANNED','APPROVED','LIVE','COMPLETED','REVIEWED','CANCELLED')),
        starts_on date NOT NULL,
        ends_on date NOT NULL,
        budget_line_id uuid REFERENCES budget_lines(id),
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        version int NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CHECK (ends_on >= starts_on)
      )`);
    await q.query(`CREATE INDEX campaigns_org_starts_idx ON campaigns (organization_id, starts_on DESC, id DESC)`);
    await q.query(`CREATE INDEX campaigns_org_squad_starts_idx ON campaigns (organization_id, squad_id, starts_on DESC, id DESC)`);
    await q.query(`CREATE INDEX campaigns_org_status_starts_idx ON campaigns (organization_id, status, starts_on DESC, id DESC)`);
    await q.query(`
      CREATE TABLE campaign_targets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
        kpi_id uuid NOT NULL REFERENCES kpis(id),
        target numeric NOT NULL,
        position int NOT NULL,
        UNIQUE (campaign_id, kpi_id)
      )`);
    await q.query(`CREATE INDEX campaign_targets_org_campaign_idx ON campaign_targets (organization_id, campaign_id, position)`);
    await q.query(`
      CREATE TABLE campaign_returns (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
        kind varchar(16) NOT NULL CHECK (kind IN ('DIRECT','INDIRECT','BRAND')),
        amount numeric NOT NULL CHECK (amount >= 0),
        basis jsonb,
        recorded_by uuid REFERENCES users(id) ON DELETE SET NULL,
        recorded_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX campaign_returns_org_campaign_idx ON campaign_returns (organization_id, campaign_id, recorded_at, id) INCLUDE (amount)`);
    await q.query(`
      CREATE TABLE campaign_experiments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(trim(name)) > 0),
        hypothesis text NOT NULL,
        metric_kpi_id uuid REFERENCES kpis(id),
        alpha numeric NOT NULL CHECK (alpha > 0 AND alpha < 0.5),
        variants jsonb,
        decision varchar(16) CHECK (decision IN ('ROLL_OUT','KEEP_CONTROL','ITERATE')),
        concluded_at timestamptz(3),
        version int NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX campaign_experiments_org_campaign_idx ON campaign_experiments (organization_id, campaign_id, created_at, id)`);
    await q.query(`
      CREATE TABLE campaign_reviews (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        campaign_id uuid NOT NULL UNIQUE REFERENCES campaigns(id) ON DELETE CASCADE,
        summary text NOT NULL,
        went_well text NOT NULL,
        to_improve text NOT NULL,
        reviewed_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX campaign_reviews_org_campaign_idx ON campaign_reviews (organization_id, campaign_id)`);
    await q.query(`
      CREATE TABLE campaign_tasks (
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
        task_id uuid NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
        position int NOT NULL,
        PRIMARY KEY (campaign_id, task_id)
      )`);
    await q.query(`CREATE INDEX campaign_tasks_org_campaign_idx ON campaign_tasks (organization_id, campaign_id, position)`);
    await q.query(`CREATE INDEX campaign_tasks_org_task_idx ON campaign_tasks (organization_id, task_id)`);
    // Expenses tagged with a campaign (the budgets module's column).
    await q.query(`ALTER TABLE expenses ADD CONSTRAINT expenses_campaign_fk FOREIGN KEY (campaign_id) REFERENCES campaigns(id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE expenses DROP CONSTRAINT expenses_campaign_fk`);
    await q.query(`DROP TABLE campaign_tasks`);
    await q.query(`DROP TABLE campaign_reviews`);
    await q.query(`DROP TABLE campaign_experiments`);
    await q.query(`DROP TABLE campaign_returns`);
    await q.query(`DROP TABLE campaign_targets`);
    await q.query(`DROP TABLE campaigns`);
  }
}
