import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Budgets module: budgets, their lines and the expenses booked against them.
 *
 * Each line and each budget keeps its `spent` (the sum of its non-void expenses) and a daily
 * sum per line (`budget_spend_daily`), so reports read stored sums instead of scanning expenses.
 * Statement-level triggers on `expenses` maintain them from the inserted and updated rows
 * (one aggregate per statement, so a set-based insert of many expenses costs what one costs);
 * expenses are never deleted or edited, only voided (`voided_at`), which the update trigger
 * subtracts. `expenses.campaign_id` is a plain column: the campaigns module adds its key.
 */
export class Budgets1764400100000 implements MigrationInterface {
  name = 'Budgets1764400100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE budgets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(trim(name)) > 0),
        squad_id uuid REFERENCES squads(id),
        period_start date NOT NULL,
        period_end date NOT NULL,
        currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        hard_cap boolean NOT NULL DEFAULT false,
        planned numeric NOT NULL DEFAULT 0,
        spent numeric NOT NULL DEFAULT 0,
        crossed_80_at timestamptz(3),
        crossed_100_at timestamptz(3),
        version int NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CHECK (period_end >= period_start)
      )`);
    await q.query(`CREATE INDEX budgets_org_created_idx ON budgets (organization_id, period_start DESC, id DESC)`);
    await q.query(`CREATE INDEX budgets_org_squad_idx ON budgets (organization_id, squad_id, period_start DESC, id DESC)`);
    await q.query(`
      CREATE TABLE budget_lines (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        budget_id uuid NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(trim(name)) > 0),
        category text NOT NULL,
        kind varchar(16) NOT NULL CHECK (kind IN ('FIXED','VARIABLE')),
        planned numeric NOT NULL CHECK (planned >= 0),
        spent numeric NOT NULL DEFAULT 0,
        kpi_keys text[] NOT NULL DEFAULT '{}',
        reserve_pool boolean NOT NULL DEFAULT false,
        tolerated_loss numeric CHECK (tolerated_loss >= 0 AND tolerated_loss <= 1),
        crossed_80_at timestamptz(3),
        crossed_100_at timestamptz(3),
        version int NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX budget_lines_org_budget_idx ON budget_lines (organization_id, budget_id, created_at, id)`);
    await q.query(`
      CREATE TABLE expenses (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        budget_id uuid NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
        budget_line_id uuid NOT NULL REFERENCES budget_lines(id) ON DELETE CASCADE,
        amount numeric NOT NULL CHECK (amount > 0),
        incurred_on date NOT NULL,
        description text,
        vendor text,
        campaign_id uuid,
        recorded_by uuid REFERENCES users(id) ON DELETE SET NULL,
        voided_at timestamptz(3),
        voided_by uuid REFERENCES users(id) ON DELETE SET NULL,
        void_reason text,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX expenses_org_budget_created_idx ON expenses (organization_id, budget_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX expenses_org_line_idx ON expenses (organization_id, budget_line_id, incurred_on)`);
    await q.query(`CREATE INDEX expenses_org_campaign_idx ON expenses (organization_id, campaign_id) WHERE campaign_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE budget_spend_daily (
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        budget_id uuid NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
        budget_line_id uuid NOT NULL REFERENCES budget_lines(id) ON DELETE CASCADE,
        day date NOT NULL,
        amount numeric NOT NULL,
        PRIMARY KEY (organization_id, budget_line_id, day)
      )`);
    await q.query(`CREATE INDEX budget_spend_daily_org_budget_idx ON budget_spend_daily (organization_id, budget_id, day) INCLUDE (amount)`);
    // Stored sums follow the expenses: inserted rows add, voided rows subtract.
    await q.query(`
      CREATE FUNCTION budgets_add_spend(orgs uuid[], budget_ids uuid[], line_ids uuid[], days date[], amounts numeric[])
      RETURNS void LANGUAGE sql AS $$
        WITH d AS (SELECT * FROM unnest(orgs, budget_ids, line_ids, days, amounts) AS d(org, budget_id, line_id, day, amount)),
        lines AS (
          UPDATE budget_lines l SET spent = l.spent + x.amount
            FROM (SELECT org, line_id, sum(amount) AS amount FROM d GROUP BY 1, 2) x
           WHERE l.id = x.line_id AND l.organization_id = x.org),
        totals AS (
          UPDATE budgets b SET spent = b.spent + x.amount
            FROM (SELECT org, budget_id, sum(amount) AS amount FROM d GROUP BY 1, 2) x
           WHERE b.id = x.budget_id AND b.organization_id = x.org)
        INSERT INTO budget_spend_daily AS s (organization_id, budget_id, budget_line_id, day, amount)
          SELECT org, budget_id, line_id, day, amount FROM d ORDER BY line_id, day
          ON CONFLICT (organization_id, budget_line_id, day) DO UPDATE SET amount = s.amount + EXCLUDED.amount
      $$`);
    await q.query(`
      CREATE FUNCTION budgets_expenses_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM budgets_add_spend(array_agg(org), array_agg(budget_id), array_agg(line_id), array_agg(day), array_agg(amount))
           FROM (SELECT n.organization_id AS org, n.budget_id, n.budget_line_id AS line_id, n.incurred_on AS day, sum(n.amount) AS amount
                   FROM new_rows n WHERE n.voided_at IS NULL GROUP BY 1, 2, 3, 4) d
         HAVING count(*) > 0;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION budgets_expenses_updated() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM budgets_add_spend(array_agg(org), array_agg(budget_id), array_agg(line_id), array_agg(day), array_agg(amount))
           FROM (SELECT org, budget_id, line_id, day, sum(amount) AS amount FROM (
                   SELECT n.organization_id AS org, n.budget_id, n.budget_line_id AS line_id, n.incurred_on AS day, n.amount
                     FROM new_rows n WHERE n.voided_at IS NULL
                   UNION ALL
                   SELECT o.organization_id, o.budget_id, o.budget_line_id, o.incurred_on, -o.amount
                     FROM old_rows o WHERE o.voided_at IS NULL) c
                 GROUP BY 1, 2, 3, 4 HAVING sum(amount) <> 0) d
         HAVING count(*) > 0;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER expenses_inserted AFTER INSERT ON expenses
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION budgets_expenses_inserted()`);
    await q.query(`
      CREATE TRIGGER expenses_updated AFTER UPDATE ON expenses
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION budgets_expenses_updated()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER expenses_updated ON expenses`);
    await q.query(`DROP TRIGGER expenses_inserted ON expenses`);
    await q.query(`DROP FUNCTION budgets_expenses_updated()`);
    await q.query(`DROP FUNCTION budgets_expenses_inserted()`);
    await q.query(`DROP FUNCTION budgets_add_spend(uuid[], uuid[], uuid[], date[], numeric[])`);
    await q.query(`DROP TABLE budget_spend_daily`);
    await q.query(`DROP TABLE expenses`);
    await q.query(`DROP TABLE budget_lines`);
    await q.query(`DROP TABLE budgets`);
  }
}
