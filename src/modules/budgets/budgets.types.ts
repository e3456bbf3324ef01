import { Field, ObjectType } from 'type-graphql';
import { Connection } from '../../common/connection';
import { Budget, BudgetLine, Expense } from './budget.entity';

export const BudgetConnection = Connection(Budget);
export const ExpenseConnection = Connection(Expense);

@ObjectType()
export class CreateBudgetPayload {
  @Field(() => Budget) budget: Budget;
}

@ObjectType()
export class AddBudgetLinePayload {
  @Field(() => BudgetLine) budgetLine: BudgetLine;
  @Field(() => Budget) budget: Budget;
}

@ObjectType()
export class UpdateBudgetLinePayload {
  @Field(() => BudgetLine) budgetLine: BudgetLine;
  @Field(() => Budget) budget: Budget;
}

@ObjectType()
export class RecordExpensePayload {
  @Field(() => Expense) expense: Expense;
  @Field(() => BudgetLine) budgetLine: BudgetLine;
  @Field(() => Budget) budget: Budget;
}

@ObjectType()
export class VoidExpensePayload {
  @Field(() => Expense) expense: Expense;
  @Field(() => BudgetLine) budgetLine: BudgetLine;
  @Field(() => Budget) budget: Budget;
}
