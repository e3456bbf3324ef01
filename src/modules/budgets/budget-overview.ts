/** The budget part of the overviews: planned, spent and burn per currency, and the lines over plan. */
import Decimal from 'decimal.js';
import { Field, Int, ObjectType } from 'type-graphql';
import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { roundAmount } from '../../common/money';
import { DecimalScalar } from '../../common/scalars';
import { burnRate } from './budget-rules';

@ObjectType({ description: 'The budgets of one currency, summed: amounts in different currencies are never added.' })
export class BudgetTotals {
  @Field({ description: 'ISO 4217 code.' }) currency: string;
  @Field(() => Int) budgetCount: number;
  @Field(() => DecimalScalar, { description: 'Sum of the budgets’ planned amounts, at the currency’s scale.' }) planned: Decimal;
  @Field(() => DecimalScalar, { description: 'Sum of their non-void expenses, at the currency’s scale.' }) spent: Decimal;
  @Field(() => DecimalScalar, { nullable: true, description: 'spent ÷ planned, a ratio (6 places); null when nothing is planned.' })
  burnRate: Decimal | null;
  @Field(() => Int, { description: 'Lines of these budgets whose spend is above their planned amount.' }) linesOverPlan: number;
}

/**
 * The active (not archived) budgets whose period overlaps `from`..`to` (all of the organisation's, or those of one
 * squad), summed per currency. One statement.
 */
export async function budgetTotals(ctx: Context, scope: { squadId: string | null; from: string; to: string }): Promise<BudgetTotals[]> {
  const rows: Array<{ currency: string; budgets: number; planned: string; spent: string; lines_over: number }> = await ctx.manager.query(
    `SELECT b.currency, count(*)::int AS budgets, sum(b.planned)::text AS planned, sum(b.spent)::text AS spent,
            coalesce(sum((SELECT count(*) FROM budget_lines l WHERE l.organization_id = $1 AND l.budget_id = b.id AND l.spent > l.planned)), 0)::int AS lines_over
       FROM budgets b
      WHERE b.organization_id = $1 AND b.archived_at IS NULL AND ($2::uuid IS NULL OR b.squad_id = $2::uuid) AND b.period_start <= $4::date AND b.period_end >= $3::date
      GROUP BY b.currency
      ORDER BY b.currency`,
    [orgId(ctx), scope.squadId, scope.from, scope.to],
  );
  return rows.map((r) => {
    const currency = r.currency.trim();
    const planned = new Decimal(r.planned);
    const spent = new Decimal(r.spent);
    return {
      currency,
      budgetCount: r.budgets,
      planned: roundAmount(planned, currency),
      spent: roundAmount(spent, currency),
      burnRate: burnRate(spent, planned),
      linesOverPlan: r.lines_over,
    };
  });
}
