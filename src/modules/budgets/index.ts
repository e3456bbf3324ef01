import { Budget, BudgetLine, Expense } from './budget.entity';
// The by-id loaders register Budget, BudgetLine and Expense for node(id:).
import './budgets.loaders';
import { BudgetLineResolver, BudgetResolver, ExpenseResolver } from './budgets.resolver';

export { Budget, BudgetLine, Expense } from './budget.entity';
export { BudgetLineKind, BudgetStatus } from './budget-rules';
export { budgetById, budgetLineById, expenseById, campaignCostById, type CampaignCost } from './budgets.loaders';
export { RecordExpenseInput } from './budgets.inputs';
export { registerExpenseCampaignCheck, type ExpenseCampaignCheck } from './expenses.service';
export { requireBudget, requireBudgetLine } from './budget-access';

export const budgetsEntities = [Budget, BudgetLine, Expense];
export const budgetsResolvers = [BudgetResolver, BudgetLineResolver, ExpenseResolver] as const;
