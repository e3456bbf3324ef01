/** Adjustment requests and the organisation's budget settings (adjustments.service.ts). */
import Decimal from 'decimal.js';
import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { FINANCE_DESK, FINANCE_DESK_AND_LEADS } from '../../common/access';
import { ConnectionArgs } from '../../common/connection';
import type { Context } from '../../common/context';
import { required } from '../../common/loaders';
import { roundAmount } from '../../common/money';
import { User, referencedUserById } from '../identity';
import { AdjustmentsFilter, DecideBudgetAdjustmentInput, RequestBudgetAdjustmentInput, SetBudgetSettingsInput, WithdrawBudgetAdjustmentInput } from './adjustments.inputs';
import {
  approveBudgetAdjustment,
  budgetSettings,
  listAdjustments,
  rejectBudgetAdjustment,
  requestBudgetAdjustment,
  setBudgetSettings,
  withdrawBudgetAdjustment,
} from './adjustments.service';
import { currencyOfBudget } from './budget-access';
import { Budget, BudgetAdjustment, BudgetLine, BudgetSettings } from './budget.entity';
import { budgetById, budgetLineById } from './budgets.loaders';
import {
  ApproveBudgetAdjustmentPayload,
  BudgetAdjustmentConnection,
  RejectBudgetAdjustmentPayload,
  RequestBudgetAdjustmentPayload,
  SetBudgetSettingsPayload,
  WithdrawBudgetAdjustmentPayload,
} from './budgets.types';

@Resolver(() => BudgetAdjustment)
export class BudgetAdjustmentResolver {
  @Authorized()
  @Query(() => BudgetAdjustmentConnection, { description: 'Adjustment requests, newest first; filter by budget, status, or overdue (pending past the decision deadline).' })
  budgetAdjustments(
    @Arg('filter', () => AdjustmentsFilter, { nullable: true }) filter: AdjustmentsFilter | null,
    @Args() page: ConnectionArgs,
    @Ctx() ctx: Context,
  ) {
    return listAdjustments(ctx, filter ?? {}, page);
  }

  @Authorized(...FINANCE_DESK_AND_LEADS)
  @Mutation(() => RequestBudgetAdjustmentPayload, {
    description: 'FINANCE/OWNER, or the lead of the budget’s squad. No fromLineId: raise the budget. The source line must have the amount left.',
  })
  requestBudgetAdjustment(@Arg('input') input: RequestBudgetAdjustmentInput, @Ctx() ctx: Context) {
    return requestBudgetAdjustment(ctx, input);
  }

  @Authorized(...FINANCE_DESK)
  @Mutation(() => ApproveBudgetAdjustmentPayload, {
    description: 'FINANCE/OWNER, never the requester (FORBIDDEN). Moves the money atomically; not PENDING: INVALID_TRANSITION.',
  })
  approveBudgetAdjustment(@Arg('input') input: DecideBudgetAdjustmentInput, @Ctx() ctx: Context) {
    return approveBudgetAdjustment(ctx, input);
  }

  @Authorized(...FINANCE_DESK)
  @Mutation(() => RejectBudgetAdjustmentPayload, { description: 'FINANCE/OWNER, never the requester (FORBIDDEN); not PENDING: INVALID_TRANSITION.' })
  rejectBudgetAdjustment(@Arg('input') input: DecideBudgetAdjustmentInput, @Ctx() ctx: Context) {
    return rejectBudgetAdjustment(ctx, input);
  }

  @Authorized(...FINANCE_DESK_AND_LEADS)
  @Mutation(() => WithdrawBudgetAdjustmentPayload, {
    description: 'Its requester only (others FORBIDDEN), while PENDING (else INVALID_TRANSITION): the status becomes WITHDRAWN and nothing moves.',
  })
  withdrawBudgetAdjustment(@Arg('input') input: WithdrawBudgetAdjustmentInput, @Ctx() ctx: Context) {
    return withdrawBudgetAdjustment(ctx, input);
  }

  @FieldResolver()
  async amount(@Root() a: BudgetAdjustment, @Ctx() ctx: Context): Promise<Decimal> {
    return roundAmount(a.amount, await currencyOfBudget(ctx, a.budgetId));
  }

  @FieldResolver(() => Budget)
  budget(@Root() a: BudgetAdjustment, @Ctx() ctx: Context) {
    return required(budgetById(ctx).load(a.budgetId), 'Budget');
  }

  @FieldResolver(() => BudgetLine, { nullable: true, description: 'The line giving the money; null when the request raises the budget.' })
  fromLine(@Root() a: BudgetAdjustment, @Ctx() ctx: Context) {
    return a.fromLineId ? budgetLineById(ctx).load(a.fromLineId) : null;
  }

  @FieldResolver(() => BudgetLine)
  toLine(@Root() a: BudgetAdjustment, @Ctx() ctx: Context) {
    return required(budgetLineById(ctx).load(a.toLineId), 'BudgetLine');
  }

  @FieldResolver(() => User, { nullable: true })
  requestedBy(@Root() a: BudgetAdjustment, @Ctx() ctx: Context) {
    return a.requestedById ? referencedUserById(ctx).load(a.requestedById) : null;
  }

  @FieldResolver(() => User, { nullable: true })
  decidedBy(@Root() a: BudgetAdjustment, @Ctx() ctx: Context) {
    return a.decidedById ? referencedUserById(ctx).load(a.decidedById) : null;
  }

  @FieldResolver(() => Boolean, { description: 'Pending past its decision deadline.' })
  overdue(@Root() a: BudgetAdjustment) {
    return a.status === 'PENDING' && a.dueAt.getTime() < Date.now();
  }
}

@Resolver(() => BudgetSettings)
export class BudgetSettingsResolver {
  @Authorized()
  @Query(() => BudgetSettings, { description: 'The organisation’s budget settings (defaults until FINANCE/OWNER change them).' })
  budgetSettings(@Ctx() ctx: Context) {
    return budgetSettings(ctx);
  }

  @Authorized(...FINANCE_DESK)
  @Mutation(() => SetBudgetSettingsPayload, { description: 'FINANCE/OWNER. The fast-track deadline applies to requests made from now on.' })
  setBudgetSettings(@Arg('input') input: SetBudgetSettingsInput, @Ctx() ctx: Context) {
    return setBudgetSettings(ctx, input);
  }
}
