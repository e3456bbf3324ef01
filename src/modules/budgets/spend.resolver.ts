/** Spend by period (spend.service.ts): non-cumulative buckets by budget, line, category, squad, campaign. */
import { Arg, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../common/context';
import { Grain } from '../../common/graphql-enums';
import { toGlobalId } from '../../common/ids';
import { required } from '../../common/loaders';
import { Squad, squadById } from '../squads';
import { Budget, BudgetLine } from './budget.entity';
import { SpendFilter, SpendGroup } from './budgets.inputs';
import { budgetById, budgetLineById } from './budgets.loaders';
import { SpendBucket } from './budgets.types';
import { MAX_SPEND_BUCKETS, MAX_SPEND_ROWS, spend } from './spend.service';

@Resolver(() => SpendBucket)
export class SpendResolver {
  @Authorized()
  @Query(() => [SpendBucket], {
    description: `Spend by WEEK, MONTH or QUARTER (DAY is BAD_USER_INPUT naming grain), not cumulative, grouped by the keys of groupBy and always by currency, oldest bucket first (at most ${MAX_SPEND_ROWS}; more is BAD_USER_INPUT naming groupBy). At most ${MAX_SPEND_BUCKETS} buckets (more is BAD_USER_INPUT naming to); from and to default to the matching budgets’ periods (the last ${MAX_SPEND_BUCKETS} buckets). A bucket without a plan or spend in it is not listed. The filter is checked as Query.expenses’s.`,
  })
  spend(
    @Arg('filter', () => SpendFilter, { nullable: true }) filter: SpendFilter | null,
    @Arg('grain', () => Grain) grain: Grain,
    @Arg('groupBy', () => [SpendGroup], { defaultValue: [] }) groupBy: SpendGroup[],
    @Ctx() ctx: Context,
  ) {
    return spend(ctx, filter ?? {}, grain, groupBy);
  }

  @FieldResolver(() => Budget, { nullable: true, description: 'Grouped by BUDGET: the budget.' })
  budget(@Root() b: SpendBucket, @Ctx() ctx: Context) {
    return b.budgetId ? required(budgetById(ctx).load(b.budgetId), 'Budget') : null;
  }

  @FieldResolver(() => BudgetLine, { nullable: true, description: 'Grouped by LINE: the line.' })
  line(@Root() b: SpendBucket, @Ctx() ctx: Context) {
    return b.lineId ? required(budgetLineById(ctx).load(b.lineId), 'BudgetLine') : null;
  }

  @FieldResolver(() => Squad, { nullable: true, description: 'Grouped by SQUAD: the squad owning the budgets; null for organisation-wide budgets.' })
  squad(@Root() b: SpendBucket, @Ctx() ctx: Context) {
    return b.squadId ? squadById(ctx).load(b.squadId) : null;
  }

  @FieldResolver(() => ID, { nullable: true, description: 'Grouped by CAMPAIGN: the id of the Campaign the spend is tagged with (read it with node(id:)); null for untagged spend.' })
  campaignId(@Root() b: SpendBucket) {
    return b.campaignId ? toGlobalId('Campaign', b.campaignId) : null;
  }
}
