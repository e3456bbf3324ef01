import { defineEventTypes, type EventTypesOf } from '../../common/event-types';

/** The change events the budgets module publishes (budgets, lines, expenses, adjustments). */
export const BUDGETS_EVENTS = defineEventTypes('budgets', {
  BUDGET_CREATED: { description: 'A budget was created.' },
  BUDGET_UPDATED: { description: 'A budget’s name, hard cap, owner or end date changed.' },
  BUDGET_ARCHIVED: { description: 'A budget was archived.' },
  BUDGET_RESTORED: { description: 'An archived budget was restored.' },
  BUDGET_LINE_CREATED: { description: 'A line was added to a budget.' },
  BUDGET_LINE_UPDATED: { description: 'A budget line changed (its plan, KPIs or reserve settings).' },
  BUDGET_LINE_REMOVED: { description: 'A budget line without expenses or adjustments was removed (the budget’s planned went down).' },
  BUDGET_LINE_ARCHIVED: { description: 'A budget line was archived.' },
  EXPENSE_RECORDED: { description: 'An expense was booked on a budget line (entityType Expense).' },
  EXPENSE_VOIDED: { description: 'An expense was voided (entityType Expense).' },
  BUDGET_ADJUSTMENT_REQUESTED: { description: 'A budget adjustment was requested.' },
  BUDGET_ADJUSTMENT_APPROVED: { description: 'A budget adjustment was approved and applied.' },
  BUDGET_ADJUSTMENT_REJECTED: { description: 'A budget adjustment was rejected.' },
  BUDGET_ADJUSTMENT_WITHDRAWN: { description: 'A pending budget adjustment was withdrawn by its requester.' },
  BUDGET_SETTINGS_UPDATED: { description: 'The organisation’s budget settings changed.' },
  BUDGET_PERIOD_CLOSED: { description: 'A budget’s period was closed through a day (meta closedThrough).' },
  BUDGET_PERIOD_REOPENED: { description: 'A budget’s period was reopened, back to an earlier day or fully (meta closedThrough, null when fully open).' },
  BUDGET_THRESHOLD_CROSSED: { description: 'A line or a budget reached 80 % or 100 % of its plan, once each (entityType BudgetLine or Budget).' },
});

declare module '../../common/event-types' {
  interface PlanningEventTypeRegistry extends EventTypesOf<typeof BUDGETS_EVENTS> {}
}
