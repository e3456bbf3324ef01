/** A budget's period close and reopen (period-close.service.ts), and who closed it. */
import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { FINANCE_DESK, OWNER_ONLY } from '../../common/access';
import type { Context } from '../../common/context';
import { User, referencedUserById } from '../identity';
import { Budget } from './budget.entity';
import { CloseBudgetPeriodInput, CloseBudgetPeriodPayload, ReopenBudgetPeriodInput, ReopenBudgetPeriodPayload } from './period-close.inputs';
import { closeBudgetPeriod, reopenBudgetPeriod } from './period-close.service';

@Resolver(() => Budget)
export class BudgetPeriodCloseResolver {
  @Authorized(...FINANCE_DESK)
  @Mutation(() => CloseBudgetPeriodPayload, {
    description:
      'FINANCE/OWNER. Closes the budget’s period through a day (within the period, not after today (UTC), not before the current close): expenses, voids and adjustments dated on or before it are then refused with PERIOD_CLOSED. Stale expectedVersion: CONFLICT.',
  })
  closeBudgetPeriod(@Arg('input') input: CloseBudgetPeriodInput, @Ctx() ctx: Context) {
    return closeBudgetPeriod(ctx, input);
  }

  @Authorized(...OWNER_ONLY)
  @Mutation(() => ReopenBudgetPeriodPayload, {
    description:
      'OWNER only, with a reason (audited). Moves the close back to an earlier day of the period, or opens the whole period (through: null). A budget that is not closed: INVALID_TRANSITION.',
  })
  reopenBudgetPeriod(@Arg('input') input: ReopenBudgetPeriodInput, @Ctx() ctx: Context) {
    return reopenBudgetPeriod(ctx, input);
  }

  @FieldResolver(() => User, { nullable: true, description: 'Who last set closedThrough; null while the period is open, or for a user no longer known.' })
  closedBy(@Root() b: Budget, @Ctx() ctx: Context) {
    return b.closedById ? referencedUserById(ctx).load(b.closedById) : null;
  }
}
