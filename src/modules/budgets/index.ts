// The event types this module publishes (PlanningEventType); campaigns listens to its expenses' events.
export { BUDGETS_EVENTS } from './budgets.events';
import { Budget, BudgetAdjustment, BudgetDailySpend, BudgetLine, BudgetSettings, Expense } from './budget.entity';
import { registerWorkSource } from '../work';
import { adjustmentWork } from './adjustments.work';
// The by-id loaders register Budget, BudgetLine, Expense and BudgetAdjustment for node(id:).
import './budgets.loaders';
import { BudgetAdjustmentResolver, BudgetSettingsResolver } from './adjustments.resolver';
import { BudgetLineResolver, BudgetResolver } from './budgets.resolver';
import { ExpenseResolver } from './expenses.resolver';
import { BudgetReportsResolver } from './reports.resolver';
import { BudgetPeriodCloseResolver } from './period-close.resolver';
import { BudgetCorrectionsResolver } from './corrections.resolver';
import { SpendResolver } from './spend.resolver';

// What the campaigns module uses: a campaign's budget line (type, loaders, lookup), its expenses' sums.
export { BudgetLine, type Expense } from './budget.entity';
export { budgetByLineId, budgetLineById, sumExpensesThrough } from './budgets.loaders';
export { requireBudgetLine } from './budget-access';
// The impact lineage: the lines meant to move a KPI.
export { budgetLinesServingKpis } from './kpi-link';
// The link the composition root wires (src/modules/composition.ts) and the campaigns module fills.
export { setExpenseCampaignLink, type ExpenseCampaignLink } from './expense-campaigns';

// The overviews' budget part.
export { BudgetTotals, budgetTotals } from './budget-overview';
// The squad weekly report's spend part.
export { squadLineSpend } from './budget-weekly';
// The spreadsheet exports of the ledger and the budgets (registered in src/modules/composition.ts).
export { budgetsExport, expensesExport, spendExport } from './budgets.export';

export const budgetsEntities = [Budget, BudgetLine, Expense, BudgetAdjustment, BudgetSettings, BudgetDailySpend];
export const budgetsResolvers = [
  BudgetResolver,
  BudgetLineResolver,
  ExpenseResolver,
  BudgetAdjustmentResolver,
  BudgetSettingsResolver,
  BudgetReportsResolver,
  BudgetPeriodCloseResolver,
  BudgetCorrectionsResolver,
  SpendResolver,
] as const;

registerWorkSource(adjustmentWork);
