import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ConnectionArgs } from '../../common/connection';
import { Role, type Context } from '../../common/context';
import { isoToday } from '../../common/dates';
import { fromGlobalId } from '../../common/ids';
import { required } from '../../common/loaders';
import { DecimalScalar } from '../../common/scalars';
import { User, referencedUserById } from '../identity';
import { Squad, squadById } from '../squads';
import { Budget, BudgetLine, Expense } from './budget.entity';
import { BudgetStatus, budgetStatus, burnRate, expectedBurn, forecastAtEnd } from './budget-rules';
import { requireBudget } from './budget-access';
import {
  AddBudgetLineInput,
  BudgetsFilter,
  CreateBudgetInput,
  RecordExpenseInput,
  UpdateBudgetLineInput,
  VoidExpenseInput,
} from './budgets.inputs';
import { budgetById, budgetLineById, expensesOfBudget, linesByBudgetId, MAX_BUDGET_LINES } from './budgets.loaders';
import { addBudgetLine, createBudget, listBudgets, updateBudgetLine } from './budgets.service';
import {
  AddBudgetLinePayload,
  BudgetConnection,
  CreateBudgetPayload,
  ExpenseConnection,
  RecordExpensePayload,
  UpdateBudgetLinePayload,
  VoidExpensePayload,
} from './budgets.types';
import { recordExpense, voidExpense } from './expenses.service';

/** FINANCE and OWNER manage budgets. */
export const BUDGET_MANAGERS = [Role.OWNER, Role.FINANCE];
/** Who may book expenses and request adjustments (a SQUAD_LEAD on their squad's budgets only). */
export const BUDGET_WORKERS = [Role.OWNER, Role.FINANCE, Role.SQUAD_LEAD];

@Resolver(() => Budget)
export class BudgetResolver {
  @Authorized()
  @Query(() => BudgetConnection, { description: 'Budgets, latest period first; filter by squad and by a day their period includes.' })
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

  @Authorized(...BUDGET_MANAGERS)
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

  @FieldResolver(() => DecimalScalar, { description: 'planned − spent (negative when overspent).' })
  remaining(@Root() b: Budget) {
    return b.planned.minus(b.spent);
  }

  @FieldResolver(() => DecimalScalar, { nullable: true, description: 'spent ÷ planned; null when nothing is planned.' })
  burnRate(@Root() b: Budget) {
    return burnRate(b.spent, b.planned);
  }

  @FieldResolver(() => DecimalScalar, {
    description: 'The elapsed share of the period today (UTC): days elapsed including today ÷ days in the period; 0 before, 1 from the last day.',
  })
  expectedBurn(@Root() b: Budget) {
    return expectedBurn(b.periodStart, b.periodEnd, isoToday());
  }

  @FieldResolver(() => DecimalScalar, { description: 'Run-rate projection of spend at the period’s end: spent ÷ expectedBurn (spent as is before the period and from its last day).' })
  forecastAtEnd(@Root() b: Budget) {
    return forecastAtEnd(b.spent, expectedBurn(b.periodStart, b.periodEnd, isoToday()));
  }

  @FieldResolver(() => BudgetStatus)
  status(@Root() b: Budget) {
    return budgetStatus(b.spent, b.planned, expectedBurn(b.periodStart, b.periodEnd, isoToday()));
  }

  @FieldResolver(() => ExpenseConnection, { description: 'Expenses (void ones included), newest first.' })
  expenses(@Root() b: Budget, @Args() page: ConnectionArgs, @Ctx() ctx: Context) {
    return expensesOfBudget(ctx, b.id, page);
  }
}

@Resolver(() => BudgetLine)
export class BudgetLineResolver {
  @Authorized(...BUDGET_MANAGERS)
  @Mutation(() => AddBudgetLinePayload, { description: 'FINANCE/OWNER. Adds to the budget’s planned total.' })
  addBudgetLine(@Arg('input') input: AddBudgetLineInput, @Ctx() ctx: Context) {
    return addBudgetLine(ctx, input);
  }

  @Authorized(...BUDGET_MANAGERS)
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

  @FieldResolver(() => DecimalScalar, { description: 'planned − spent (negative when overspent).' })
  remaining(@Root() l: BudgetLine) {
    return l.planned.minus(l.spent);
  }

  @FieldResolver(() => DecimalScalar, { nullable: true, description: 'spent ÷ planned; null when nothing is planned.' })
  burnRate(@Root() l: BudgetLine) {
    return burnRate(l.spent, l.planned);
  }
}

@Resolver(() => Expense)
export class ExpenseResolver {
  @Authorized(...BUDGET_WORKERS)
  @Mutation(() => RecordExpensePayload, {
    description:
      'FINANCE/OWNER, or the lead of the budget’s squad. With a hard cap, an expense that would take its line past planned is BUDGET_CAP_EXCEEDED (extensions.remaining). The same idempotencyKey books one expense.',
  })
  recordExpense(@Arg('input') input: RecordExpenseInput, @Ctx() ctx: Context) {
    return recordExpense(ctx, input);
  }

  @Authorized(...BUDGET_WORKERS)
  @Mutation(() => VoidExpensePayload, {
    description: 'FINANCE/OWNER, or the lead of the budget’s squad. The expense stays, marked void, and no longer counts; voiding twice is CONFLICT.',
  })
  voidExpense(@Arg('input') input: VoidExpenseInput, @Ctx() ctx: Context) {
    return voidExpense(ctx, input);
  }

  @FieldResolver(() => Budget)
  budget(@Root() e: Expense, @Ctx() ctx: Context) {
    return required(budgetById(ctx).load(e.budgetId), 'Budget');
  }

  @FieldResolver(() => BudgetLine)
  line(@Root() e: Expense, @Ctx() ctx: Context) {
    return required(budgetLineById(ctx).load(e.budgetLineId), 'BudgetLine');
  }

  @FieldResolver(() => User, { nullable: true, description: 'Null for a user no longer known.' })
  recordedBy(@Root() e: Expense, @Ctx() ctx: Context) {
    return e.recordedById ? referencedUserById(ctx).load(e.recordedById) : null;
  }

  @FieldResolver(() => User, { nullable: true })
  voidedBy(@Root() e: Expense, @Ctx() ctx: Context) {
    return e.voidedById ? referencedUserById(ctx).load(e.voidedById) : null;
  }
}
