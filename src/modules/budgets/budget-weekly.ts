/** The budget part of a squad's week (the squad weekly report): each line's spend in the week against its plan pro rata. */
import Decimal from 'decimal.js';
import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { roundAmount } from '../../common/money';
import { periodSql } from '../../common/periods';
import { plannedBetween } from './budget-rules';

export interface SquadLineSpend {
  budgetLineId: string;
  budgetName: string;
  lineName: string;
  currency: string;
  /** Non-void expenses incurred in the window, at the currency's scale. */
  spent: Decimal;
  /** The line's plan for the window's days inside its budget's period, by its kind (budget-rules plannedBetween). */
  planned: Decimal;
  difference: Decimal;
}

/**
 * The lines of the squad's active (not archived) budgets whose period overlaps `from`..`to`, with the spend incurred in
 * those days and the plan for them by the line's kind (budget-rules plannedBetween, as Query.spend).
 * One statement.
 */
export async function squadLineSpend(ctx: Context, squadId: string, from: string, to: string): Promise<SquadLineSpend[]> {
  const rows: Array<Record<string, any>> = await ctx.manager.query(
    `SELECT l.id, b.name AS budget_name, l.name AS line_name, b.currency, l.planned, l.kind,
            ${periodSql.dayText('b.period_start')} AS period_start, ${periodSql.dayText('b.period_end')} AS period_end,
            COALESCE((SELECT sum(e.amount) FROM expenses e
                      WHERE e.organization_id = $1 AND e.budget_line_id = l.id AND e.voided_at IS NULL
                        AND e.incurred_on >= $3::date AND e.incurred_on <= $4::date), 0) AS spent
     FROM budgets b
     JOIN budget_lines l ON l.budget_id = b.id AND l.organization_id = $1
     WHERE b.organization_id = $1 AND b.squad_id = $2 AND b.archived_at IS NULL AND b.period_start <= $4::date AND b.period_end >= $3::date
     ORDER BY b.period_start, b.name, l.created_at, l.id`,
    [orgId(ctx), squadId, from, to],
  );
  return rows.map((r) => {
    const planned = roundAmount(plannedBetween(new Decimal(String(r.planned)), r.kind, r.period_start, r.period_end, from, to), r.currency);
    const spent = roundAmount(new Decimal(String(r.spent)), r.currency);
    return {
      budgetLineId: r.id,
      budgetName: r.budget_name,
      lineName: r.line_name,
      currency: r.currency,
      spent,
      planned,
      difference: roundAmount(spent.minus(planned), r.currency),
    };
  });
}
