import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Budgets module: the daily spend by line and campaign (`budget_daily_spend`) that `Query.spend`
 * reads instead of the expenses. One row per line, day and campaign tag (no tag: a null
 * campaign, one row: NULLS NOT DISTINCT), holding the sum and the count of the non-void
 * expenses; recordExpense adds to it and voidExpense subtracts from it, each with one upsert
 * in its transaction. The campaign is the id recordExpense was handed (the campaigns module's
 * link table is read here only to backfill the existing tags). Backfilled from the non-void
 * expenses; down drops the table.
 */
export class BudgetDailySpend1764872000000 implements MigrationInterface {
  name = 'BudgetDailySpend1764872000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE budget_daily_spend (
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        budget_id uuid NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
        budget_line_id uuid NOT NULL REFERENCES budget_lines(id) ON DELETE CASCADE,
        day date NOT NULL,
        campaign_id uuid,
        amount numeric NOT NULL,
        expense_count int NOT NULL,
        CONSTRAINT budget_daily_spend_key UNIQUE NULLS NOT DISTINCT (budget_line_id, day, campaign_id)
      )`);
    await q.query(`CREATE INDEX budget_daily_spend_org_day_idx ON budget_daily_spend (organization_id, day) INCLUDE (budget_line_id, campaign_id, amount, expense_count)`);
    await q.query(`
      INSERT INTO budget_daily_spend (organization_id, budget_id, budget_line_id, day, campaign_id, amount, expense_count)
      SELECT e.organization_id, e.budget_id, e.budget_line_id, e.incurred_on, ce.campaign_id, sum(e.amount), count(*)
        FROM expenses e
        LEFT JOIN campaign_expenses ce ON ce.expense_id = e.id AND ce.organization_id = e.organization_id
       WHERE e.voided_at IS NULL
       GROUP BY 1, 2, 3, 4, 5`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE budget_daily_spend`);
  }
}
