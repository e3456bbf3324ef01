/** Expenses (expenses.service.ts): booked against a line, voided, never edited. */
import Decimal from 'decimal.js';
import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ConnectionArgs } from '../../common/connection';
import { FINANCE_DESK_AND_LEADS } from '../../common/access';
import type { Context } from '../../common/context';
import { required } from '../../common/loaders';
import { roundAmount } from '../../common/money';
import { User, referencedUserById } from '../identity';
import { currencyOfBudget } from './budget-access';
import { Budget, BudgetLine, Expense } from './budget.entity';
import { ExpensesFilter, RecordExpenseInput, VoidExpenseInput } from './budgets.inputs';
import { budgetById, budgetLineById } from './budgets.loaders';
import { ExpenseLedgerConnection, RecordExpensePayload, VoidExpensePayload } from './budgets.types';
import { listExpenses } from './ledger.service';
import { recordExpense, voidExpense } from './expenses.service';

@Resolver(() => Expense)
export class ExpenseResolver {
  @Authorized()
  @Query(() => ExpenseLedgerConnection, {
    description:
      'The organisation’s ledger: every expense (void ones included unless filtered), newest incurred first (then newest recorded). totalCount counts the matching expenses, total sums the non-void ones per currency. A filter id that is not of this organisation is NOT_FOUND naming its field (filter.budgetIds…).',
  })
  expenses(
    @Arg('filter', () => ExpensesFilter, { nullable: true }) filter: ExpensesFilter | null,
    @Args() page: ConnectionArgs,
    @Ctx() ctx: Context,
  ) {
    return listExpenses(ctx, filter ?? {}, page);
  }

  @Authorized(...FINANCE_DESK_AND_LEADS)
  @Mutation(() => RecordExpensePayload, {
    description:
      'FINANCE/OWNER, or the lead of the budget’s squad. With a hard cap, an expense that would take its line past planned is BUDGET_CAP_EXCEEDED (extensions.remaining). The same idempotencyKey books one expense.',
  })
  recordExpense(@Arg('input') input: RecordExpenseInput, @Ctx() ctx: Context) {
    return recordExpense(ctx, input);
  }

  @Authorized(...FINANCE_DESK_AND_LEADS)
  @Mutation(() => VoidExpensePayload, {
    description: 'FINANCE/OWNER, or the lead of the budget’s squad. The expense stays, marked void, and no longer counts; voiding twice is INVALID_TRANSITION.',
  })
  voidExpense(@Arg('input') input: VoidExpenseInput, @Ctx() ctx: Context) {
    return voidExpense(ctx, input);
  }

  @FieldResolver()
  async amount(@Root() e: Expense, @Ctx() ctx: Context): Promise<Decimal> {
    return roundAmount(e.amount, await currencyOfBudget(ctx, e.budgetId));
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
