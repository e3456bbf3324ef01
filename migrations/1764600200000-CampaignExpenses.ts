import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Campaigns module: the tag of an expense with a campaign moves out of the budgets module's
 * `expenses.campaign_id` into the campaigns module's own link table, `campaign_expenses` (one
 * campaign per expense at most). The tags are moved both ways: down restores the column, its key
 * and its index with every tag.
 */
export class CampaignExpenses1764600200000 implements MigrationInterface {
  name = 'CampaignExpenses1764600200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE campaign_expenses (
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        expense_id uuid PRIMARY KEY REFERENCES expenses(id) ON DELETE CASCADE,
        campaign_id uuid NOT NULL REFERENCES campaigns(id),
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX campaign_expenses_org_campaign_idx ON campaign_expenses (organization_id, campaign_id, expense_id)`);
    await q.query(`
      INSERT INTO campaign_expenses (organization_id, expense_id, campaign_id, created_at)
      SELECT e.organization_id, e.id, e.campaign_id, e.created_at FROM expenses e WHERE e.campaign_id IS NOT NULL`);
    await q.query(`DROP INDEX expenses_org_campaign_idx`);
    await q.query(`ALTER TABLE expenses DROP CONSTRAINT expenses_campaign_fk`);
    await q.query(`ALTER TABLE expenses DROP COLUMN campaign_id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE expenses ADD COLUMN campaign_id uuid`);
    await q.query(`
      UPDATE expenses e SET campaign_id = l.campaign_id
        FROM campaign_expenses l WHERE l.expense_id = e.id AND l.organization_id = e.organization_id`);
    await q.query(`ALTER TABLE expenses ADD CONSTRAINT expenses_campaign_fk FOREIGN KEY (campaign_id) REFERENCES campaigns(id)`);
    await q.query(`CREATE INDEX expenses_org_campaign_idx ON expenses (organization_id, campaign_id) WHERE campaign_id IS NOT NULL`);
    await q.query(`DROP TABLE campaign_expenses`);
  }
}
