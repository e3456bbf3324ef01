/** Finance's reports (reports.service.ts): the burn beside the KPIs, and each line's cost per KPI unit. */
import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { Context } from '../../common/context';
import { Grain } from '../../common/graphql-enums';
import { fromGlobalId } from '../../common/ids';
import { MAX_BUDGET_LINES } from './budgets.loaders';
import { BurnPoint, LineEfficiency } from './budgets.types';
import { budgetBurn, budgetEfficiency } from './reports.service';

@Resolver()
export class BudgetReportsResolver {
  @Authorized()
  @Query(() => [BurnPoint], {
    description:
      'Burn by week, month or quarter over the budget’s period (at most 106 weeks, 25 months or 9 quarters; DAY is BAD_USER_INPUT), beside the KPIs of its lines and the cost per KPI unit.',
  })
  budgetBurn(@Arg('budgetId', () => ID) budgetId: string, @Arg('grain', () => Grain) grain: Grain, @Ctx() ctx: Context) {
    return budgetBurn(ctx, fromGlobalId(budgetId, 'Budget', 'budgetId'), grain);
  }

  @Authorized()
  @Query(() => [LineEfficiency], { description: `Each line’s cost per unit of its KPI, best (cheapest) first (at most ${MAX_BUDGET_LINES}).` })
  budgetEfficiency(@Arg('budgetId', () => ID) budgetId: string, @Ctx() ctx: Context) {
    return budgetEfficiency(ctx, fromGlobalId(budgetId, 'Budget', 'budgetId'));
  }
}
