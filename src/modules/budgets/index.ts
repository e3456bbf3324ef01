// The event types this module publishes (PlanningEventType); campaigns listens to its expenses' events.
export { BUDGETS_EVENTS } from './budgets.events';
import { Budget, BudgetAdjustment, BudgetLine, BudgetSettings, Expense } from './budget.entity';
import { registerWorkSource } from '../work';
import { adjustmentWork } from './adjustments.work';
// The by-id loaders register Budget, BudgetLine, Expense and BudgetAdjustment for node(id:).
import './budgets.loaders';
import { BudgetAdjustmentResolver, BudgetSettingsResolver } from './adjustments.resolver';
import { BudgetLineResolver, BudgetResolver } from './budgets.resolver';
import { ExpenseResolver } from './expenses.resolver';
import { BudgetReportsResolver } from './reports.resolver';

export { Budget, BudgetAdjustment, BudgetLine, Expense } from './budget.entity';
export { BudgetLineKind, BudgetStatus } from './budget-rules';
export { budgetById, budgetLineById, expenseById, sumExpensesThrough } from './budgets.loaders';
export { RecordExpenseInput } from './budgets.inputs';
export { expenseCampaignLink, setExpenseCampaignLink, type ExpenseCampaignLink } from './expense-campaigns';
export { requireBudget, requireBudgetLine } from './budget-access';

export const budgetsEntities = [Budget, BudgetLine, Expense, BudgetAdjustment, BudgetSettings];
export const budgetsResolvers = [
  BudgetResolver,
  BudgetLineResolver,
  ExpenseResolver,
  BudgetAdjustmentResolver,
  BudgetSettingsResolver,
  BudgetReportsResolver,
] as const;

registerWorkSource(adjustmentWork);
