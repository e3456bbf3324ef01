/** Corrections of a budget's set-up (corrections.service.ts): FINANCE/OWNER. */
import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { FINANCE_DESK } from '../../common/access';
import type { Context } from '../../common/context';
import { UpdateBudgetInput, VersionedBudgetInput, VersionedBudgetLineInput } from './budgets.inputs';
import { archiveBudget, archiveBudgetLine, removeBudgetLine, restoreBudget, updateBudget } from './corrections.service';
import { ArchiveBudgetLinePayload, ArchiveBudgetPayload, RemoveBudgetLinePayload, RestoreBudgetPayload, UpdateBudgetPayload } from './budgets.types';

@Resolver()
export class BudgetCorrectionsResolver {
  @Authorized(...FINANCE_DESK)
  @Mutation(() => UpdateBudgetPayload, {
    description:
      'FINANCE/OWNER. Name, hard cap, owner (squadId; null: the organisation) and end date; the currency and periodStart never change. ' +
      'periodEnd before the latest non-void expense: BAD_USER_INPUT (field periodEnd); hardCap on while a line is over plan: BUDGET_CAP_EXCEEDED; ' +
      'archived: ARCHIVED; stale expectedVersion: CONFLICT.',
  })
  updateBudget(@Arg('input') input: UpdateBudgetInput, @Ctx() ctx: Context) {
    return updateBudget(ctx, input);
  }

  @Authorized(...FINANCE_DESK)
  @Mutation(() => ArchiveBudgetPayload, {
    description:
      'FINANCE/OWNER. The budget leaves `budgets` (see filter.archived) and the overviews and takes no new expense, line or adjustment (ARCHIVED); ' +
      'its expenses stay in the ledger. Already archived: INVALID_TRANSITION.',
  })
  archiveBudget(@Arg('input') input: VersionedBudgetInput, @Ctx() ctx: Context) {
    return archiveBudget(ctx, input);
  }

  @Authorized(...FINANCE_DESK)
  @Mutation(() => RestoreBudgetPayload, { description: 'FINANCE/OWNER. An archived budget listed and open again; not archived: INVALID_TRANSITION.' })
  restoreBudget(@Arg('input') input: VersionedBudgetInput, @Ctx() ctx: Context) {
    return restoreBudget(ctx, input);
  }

  @Authorized(...FINANCE_DESK)
  @Mutation(() => RemoveBudgetLinePayload, {
    description:
      'FINANCE/OWNER. Only a line with no expense (void ones included), no adjustment and no campaign: otherwise BUDGET_LINE_IN_USE (archive it instead). ' +
      'The budget’s planned goes down by the line’s plan and its version goes up.',
  })
  removeBudgetLine(@Arg('input') input: VersionedBudgetLineInput, @Ctx() ctx: Context) {
    return removeBudgetLine(ctx, input);
  }

  @Authorized(...FINANCE_DESK)
  @Mutation(() => ArchiveBudgetLinePayload, {
    description: 'FINANCE/OWNER. The line takes no new expense or adjustment (ARCHIVED); it stays on its budget and counts in planned and spent.',
  })
  archiveBudgetLine(@Arg('input') input: VersionedBudgetLineInput, @Ctx() ctx: Context) {
    return archiveBudgetLine(ctx, input);
  }
}
