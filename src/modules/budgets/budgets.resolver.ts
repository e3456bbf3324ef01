/** The budgets and their lines (budgets.service.ts), and the thresholds they cross. */
import { IsOptional } from 'class-validator';
import Decimal from 'decimal.js';
import { Arg, Args, Authorized, Ctx, Field, FieldResolver, ID, InputType, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { FINANCE_DESK } from '../../common/access';
import { ConnectionArgs } from '../../common/connection';
import type { Context } from '../../common/context';
import type { PlanningEventPayload } from '../../common/events';
import { GlobalIdOf } from '../../common/global-ids';
import { fromGlobalId } from '../../common/ids';
import { required } from '../../common/loaders';
import { roundAmount } from '../../common/money';
import { today } from '../../common/periods';
import { DecimalScalar } from '../../common/scalars';
import { Kpi, kpiById } from '../kpis';
import { metaMatches, planningSubscription } from '../realtime';
import { Squad, squadById } from '../squads';
import { BudgetAdjustmentsOfBudgetFilter } from './adjustments.inputs';
import { currencyOfBudget, requireBudget } from './budget-access';
import { Budget, BudgetLine } from './budget.entity';
import { BudgetStatus, budgetStatus, burnRate, expectedBurn, expectedBurnShown, forecastAtEnd, toleratedLossAmount } from './budget-rules';
import { BUDGETS_EVENTS } from './budgets.events';
import { AddBudgetLineInput, BudgetsFilter, CreateBudgetInput, UpdateBudgetLineInput } from './budgets.inputs';
import { adjustmentsOfBudget, budgetById, budgetLineById, drawnByLineId, expensesOfBudget, linesByBudgetId, MAX_BUDGET_LINES } from './budgets.loaders';
import { addBudgetLine, createBudget, listBudgets, updateBudgetLine } from './budgets.service';
import {
  AddBudgetLinePayload,
  BudgetAdjustmentConnection,
  BudgetConnection,
  BudgetThresholdCrossed,
  CreateBudgetPayload,
  ExpenseConnection,
  UpdateBudgetLinePayload,
} from './budgets.types';

@InputType()
export class BudgetThresholdCrossedFilter {
  @Field(() => ID, { nullable: true }) @GlobalIdOf('Budget') @IsOptional() budgetId?: string;
}

@Resolver(() => Budget)
export class BudgetResolver {
  @Authorized()
  @Query(() => BudgetConnection, { description: 'Budgets, latest period first: active ones unless filter.archived is true; filter by squad and by a day their period includes.' })
  budgets(
    @Arg('filter', () => BudgetsFilter, { nullable: true }) filter: BudgetsFilter | null,
    @Args() page: ConnectionArgs,
    @Ctx() ctx: Context,
  ) {
    return listBudgets(ctx, filter ?? {}, page);
  }

  @Authorized()
  @Query(() => Budget, { description: 'One budget; NOT_FOUND when it does not exist in this organisation.' })
  budget(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return requireBudget(ctx, fromGlobalId(id, 'Budget', 'id'));
  }

  @Authorized(...FINANCE_DESK)
  @Mutation(() => CreateBudgetPayload, { description: 'FINANCE/OWNER. No squadId: an organisation-wide budget.' })
  createBudget(@Arg('input') input: CreateBudgetInput, @Ctx() ctx: Context) {
    return createBudget(ctx, input);
  }

  @FieldResolver(() => Squad, { nullable: true, description: 'The owning squad; null for an organisation-wide budget.' })
  squad(@Root() b: Budget, @Ctx() ctx: Context) {
    return b.squadId ? squadById(ctx).load(b.squadId) : null;
  }

  @FieldResolver(() => [BudgetLine], { description: `Lines, oldest first (at most ${MAX_BUDGET_LINES}).` })
  async lines(@Root() b: Budget, @Ctx() ctx: Context) {
    return (await linesByBudgetId(ctx).load(b.id)) ?? [];
  }

  @FieldResolver()
  planned(@Root() b: Budget): Decimal {
    return roundAmount(b.planned, b.currency);
  }

  @FieldResolver()
  spent(@Root() b: Budget): Decimal {
    return roundAmount(b.spent, b.currency);
  }

  @FieldResolver(() => DecimalScalar, { description: 'planned − spent (negative when overspent).' })
  remaining(@Root() b: Budget) {
    return roundAmount(b.planned.minus(b.spent), b.currency);
  }

  @FieldResolver(() => DecimalScalar, { nullable: true, description: 'spent ÷ planned; null when nothing is planned.' })
  burnRate(@Root() b: Budget) {
    return burnRate(b.spent, b.planned);
  }

  @FieldResolver(() => DecimalScalar, {
    description: 'The elapsed share of the period today (UTC): days elapsed including today ÷ days in the period; 0 before, 1 from the last day.',
  })
  expectedBurn(@Root() b: Budget) {
    return expectedBurnShown(b.periodStart, b.periodEnd, today());
  }

  @FieldResolver(() => DecimalScalar, { description: 'Run-rate projection of spend at the period’s end: spent ÷ expectedBurn (spent as is before the period and from its last day).' })
  forecastAtEnd(@Root() b: Budget) {
    return forecastAtEnd(b.spent, expectedBurn(b.periodStart, b.periodEnd, today()), b.currency);
  }

  @FieldResolver(() => Boolean, { description: 'spent > planned (possible only without a hard cap).' })
  overspent(@Root() b: Budget) {
    return b.spent.gt(b.planned);
  }

  @FieldResolver(() => BudgetStatus)
  status(@Root() b: Budget) {
    return budgetStatus(b.spent, b.planned, expectedBurn(b.periodStart, b.periodEnd, today()));
  }

  @FieldResolver(() => ExpenseConnection, { description: 'Expenses (void ones included), newest first.' })
  expenses(@Root() b: Budget, @Args() page: ConnectionArgs, @Ctx() ctx: Context) {
    return expensesOfBudget(ctx, b.id, page);
  }

  @FieldResolver(() => BudgetAdjustmentConnection, { description: 'Adjustment requests, newest first; filter by status or overdue.' })
  adjustments(
    @Root() b: Budget,
    @Arg('filter', () => BudgetAdjustmentsOfBudgetFilter, { nullable: true }) filter: BudgetAdjustmentsOfBudgetFilter | null,
    @Args() page: ConnectionArgs,
    @Ctx() ctx: Context,
  ) {
    return adjustmentsOfBudget(ctx, b.id, page, { status: filter?.status, overdue: filter?.overdue });
  }

  @Authorized()
  @Subscription(() => BudgetThresholdCrossed, {
    description: 'A line or a budget reached 80 % or 100 % of its plan (once each); filter by budget.',
    ...planningSubscription<{ filter?: BudgetThresholdCrossedFilter }>([BUDGETS_EVENTS.BUDGET_THRESHOLD_CROSSED], (payload, args) =>
      metaMatches(payload, { budgetId: args.filter?.budgetId }),
    ),
  })
  async budgetThresholdCrossed(
    @Root() payload: PlanningEventPayload,
    @Arg('filter', () => BudgetThresholdCrossedFilter, { nullable: true }) _filter: BudgetThresholdCrossedFilter | null,
    @Ctx() ctx: Context,
  ): Promise<BudgetThresholdCrossed> {
    const budget = await required(budgetById(ctx).load(payload.meta!.budgetId!), 'Budget');
    const lineId = payload.meta?.budgetLineId;
    const line = lineId ? await required(budgetLineById(ctx).load(lineId), 'BudgetLine') : null;
    return { budget, line, threshold: Number(payload.meta?.threshold) };
  }
}

@Resolver(() => BudgetLine)
export class BudgetLineResolver {
  @Authorized(...FINANCE_DESK)
  @Mutation(() => AddBudgetLinePayload, { description: 'FINANCE/OWNER. Adds to the budget’s planned total.' })
  addBudgetLine(@Arg('input') input: AddBudgetLineInput, @Ctx() ctx: Context) {
    return addBudgetLine(ctx, input);
  }

  @Authorized(...FINANCE_DESK)
  @Mutation(() => UpdateBudgetLinePayload, {
    description: 'FINANCE/OWNER. Stale expectedVersion: CONFLICT. With a hard cap, planned cannot go below spent (BUDGET_CAP_EXCEEDED).',
  })
  updateBudgetLine(@Arg('input') input: UpdateBudgetLineInput, @Ctx() ctx: Context) {
    return updateBudgetLine(ctx, input);
  }

  @FieldResolver(() => Budget)
  budget(@Root() l: BudgetLine, @Ctx() ctx: Context) {
    return required(budgetById(ctx).load(l.budgetId), 'Budget');
  }

  @FieldResolver()
  async planned(@Root() l: BudgetLine, @Ctx() ctx: Context): Promise<Decimal> {
    return roundAmount(l.planned, await currencyOfBudget(ctx, l.budgetId));
  }

  @FieldResolver()
  async spent(@Root() l: BudgetLine, @Ctx() ctx: Context): Promise<Decimal> {
    return roundAmount(l.spent, await currencyOfBudget(ctx, l.budgetId));
  }

  @FieldResolver(() => DecimalScalar, { description: 'planned − spent (negative when overspent).' })
  async remaining(@Root() l: BudgetLine, @Ctx() ctx: Context) {
    return roundAmount(l.planned.minus(l.spent), await currencyOfBudget(ctx, l.budgetId));
  }

  @FieldResolver(() => DecimalScalar, { nullable: true, description: 'spent ÷ planned; null when nothing is planned.' })
  burnRate(@Root() l: BudgetLine) {
    return burnRate(l.spent, l.planned);
  }

  @FieldResolver(() => Boolean, { description: 'spent > planned (possible only without a hard cap).' })
  overspent(@Root() l: BudgetLine) {
    return l.spent.gt(l.planned);
  }

  @FieldResolver(() => [Kpi], { description: 'The KPIs this line should move (at most 10), in kpiKeys order.' })
  async kpis(@Root() l: BudgetLine, @Ctx() ctx: Context) {
    const kpis = await kpiById(ctx).loadMany(l.kpiIds);
    return kpis.filter((k): k is Kpi => k != null && !(k instanceof Error));
  }

  @FieldResolver(() => DecimalScalar, { nullable: true, description: 'Reserve pools: what approved adjustments have drawn from it; null for other lines.' })
  async reserveDrawn(@Root() l: BudgetLine, @Ctx() ctx: Context) {
    if (!l.reservePool) return null;
    const [drawn, currency] = await Promise.all([drawnByLineId(ctx).load(l.id), currencyOfBudget(ctx, l.budgetId)]);
    return roundAmount(drawn ?? new Decimal(0), currency);
  }

  @FieldResolver(() => DecimalScalar, { nullable: true, description: 'Reserve pools: the loss tolerated on what was drawn, reserveDrawn × toleratedLoss; null without a tolerated loss.' })
  async toleratedLossAmount(@Root() l: BudgetLine, @Ctx() ctx: Context) {
    if (!l.reservePool || l.toleratedLoss == null) return null;
    const [drawn, currency] = await Promise.all([drawnByLineId(ctx).load(l.id), currencyOfBudget(ctx, l.budgetId)]);
    return toleratedLossAmount(drawn ?? new Decimal(0), l.toleratedLoss, currency);
  }
}
