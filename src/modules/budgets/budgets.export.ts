import { connectionPage, type ExportSource } from '../exports';

/** Money columns of a budget's rows are in the budget's currency. */
interface ExpenseRow {
  id: string;
  incurredOn: string;
  amount: string;
  vendor: string | null;
  reference: string | null;
  description: string | null;
  createdAt: string;
  voidedAt: string | null;
  voidReason: string | null;
  budget: { id: string; name: string; currency: string; squad: { name: string } | null };
  line: { id: string; name: string; category: string };
}

/** `GET /export/expenses.csv|.xlsx`: the ledger (`Query.expenses`), its filter's fields as query parameters. */
export const expensesExport: ExportSource<ExpenseRow> = {
  name: 'expenses',
  sheet: 'Expenses',
  document: `query ExportExpenses($filter: ExpensesFilter, $first: Int, $after: String) {
    expenses(filter: $filter, first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node {
        id incurredOn amount vendor reference description createdAt voidedAt voidReason
        budget { id name currency squad { name } }
        line { id name category }
      } }
    }
  }`,
  filterVariable: 'filter',
  read: (data) => {
    const { nodes, after } = connectionPage<ExpenseRow>(data.expenses);
    return { rows: nodes, after };
  },
  columns: [
    { header: 'Incurred on', type: 'date', value: (e) => e.incurredOn },
    { header: 'Amount', type: 'money', value: (e) => e.amount, currency: (e) => e.budget.currency },
    { header: 'Currency', type: 'text', value: (e) => e.budget.currency },
    { header: 'Budget', type: 'text', value: (e) => e.budget.name },
    { header: 'Line', type: 'text', value: (e) => e.line.name },
    { header: 'Category', type: 'text', value: (e) => e.line.category },
    { header: 'Squad', type: 'text', value: (e) => e.budget.squad?.name },
    { header: 'Vendor', type: 'text', value: (e) => e.vendor },
    { header: 'Reference', type: 'text', value: (e) => e.reference },
    { header: 'Description', type: 'text', value: (e) => e.description },
    { header: 'Voided at', type: 'datetime', value: (e) => e.voidedAt },
    { header: 'Void reason', type: 'text', value: (e) => e.voidReason },
    { header: 'Recorded at', type: 'datetime', value: (e) => e.createdAt },
    { header: 'Expense id', type: 'text', value: (e) => e.id },
    { header: 'Budget id', type: 'text', value: (e) => e.budget.id },
    { header: 'Line id', type: 'text', value: (e) => e.line.id },
  ],
};

interface BudgetLineRow {
  budget: { id: string; name: string; currency: string; periodStart: string; periodEnd: string; status: string; hardCap: boolean; squad: { name: string } | null };
  line: { id: string; name: string; category: string; kind: string; planned: string; spent: string; remaining: string; overspent: boolean; kpiKeys: string[] };
}

/** `GET /export/budgets.csv|.xlsx`: one row per budget line with its budget's columns (`Query.budgets`, its filter's fields as query parameters). */
export const budgetsExport: ExportSource<BudgetLineRow> = {
  name: 'budgets',
  sheet: 'Budget lines',
  document: `query ExportBudgets($filter: BudgetsFilter, $first: Int, $after: String) {
    budgets(filter: $filter, first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node {
        id name currency periodStart periodEnd status hardCap squad { name }
        lines { id name category kind planned spent remaining overspent kpiKeys }
      } }
    }
  }`,
  filterVariable: 'filter',
  read: (data) => {
    const { nodes, after } = connectionPage<BudgetLineRow['budget'] & { lines: Array<BudgetLineRow['line']> }>(data.budgets);
    return { rows: nodes.flatMap(({ lines, ...budget }) => lines.map((line) => ({ budget, line }))), after };
  },
  columns: [
    { header: 'Budget', type: 'text', value: (r) => r.budget.name },
    { header: 'Squad', type: 'text', value: (r) => r.budget.squad?.name },
    { header: 'Period start', type: 'date', value: (r) => r.budget.periodStart },
    { header: 'Period end', type: 'date', value: (r) => r.budget.periodEnd },
    { header: 'Status', type: 'text', value: (r) => r.budget.status },
    { header: 'Hard cap', type: 'boolean', value: (r) => r.budget.hardCap },
    { header: 'Line', type: 'text', value: (r) => r.line.name },
    { header: 'Category', type: 'text', value: (r) => r.line.category },
    { header: 'Kind', type: 'text', value: (r) => r.line.kind },
    { header: 'Planned', type: 'money', value: (r) => r.line.planned, currency: (r) => r.budget.currency },
    { header: 'Spent', type: 'money', value: (r) => r.line.spent, currency: (r) => r.budget.currency },
    { header: 'Remaining', type: 'money', value: (r) => r.line.remaining, currency: (r) => r.budget.currency },
    { header: 'Currency', type: 'text', value: (r) => r.budget.currency },
    { header: 'Overspent', type: 'boolean', value: (r) => r.line.overspent },
    { header: 'KPI keys', type: 'text', value: (r) => r.line.kpiKeys.join(', ') },
    { header: 'Budget id', type: 'text', value: (r) => r.budget.id },
    { header: 'Line id', type: 'text', value: (r) => r.line.id },
  ],
};

interface SpendRow {
  periodStart: string;
  periodEnd: string;
  currency: string;
  planned: string | null;
  spent: string;
  variance: string | null;
  variancePercent: string | null;
  budget: { id: string; name: string } | null;
  line: { id: string; name: string } | null;
  category: string | null;
  squad: { id: string; name: string } | null;
  campaignId: string | null;
}

/**
 * `GET /export/spend.csv|.xlsx?grain=MONTH&groupBy=LINE&from=…&to=…`: `Query.spend`, one row per
 * bucket and group (its filter's fields, `grain` and `groupBy` as query parameters). The columns of
 * keys not grouped by are empty.
 */
export const spendExport: ExportSource<SpendRow> = {
  name: 'spend',
  sheet: 'Spend',
  document: `query ExportSpend($filter: SpendFilter, $grain: Grain!, $groupBy: [SpendGroup!]) {
    spend(filter: $filter, grain: $grain, groupBy: $groupBy) {
      periodStart periodEnd currency planned spent variance variancePercent
      budget { id name } line { id name } category squad { id name } campaignId
    }
  }`,
  filterVariable: 'filter',
  read: (data) => ({ rows: data.spend as SpendRow[], after: null }),
  columns: [
    { header: 'Period start', type: 'date', value: (r) => r.periodStart },
    { header: 'Period end', type: 'date', value: (r) => r.periodEnd },
    { header: 'Currency', type: 'text', value: (r) => r.currency },
    { header: 'Planned', type: 'money', value: (r) => r.planned, currency: (r) => r.currency },
    { header: 'Spent', type: 'money', value: (r) => r.spent, currency: (r) => r.currency },
    { header: 'Variance', type: 'money', value: (r) => r.variance, currency: (r) => r.currency },
    { header: 'Variance %', type: 'number', value: (r) => r.variancePercent },
    { header: 'Budget', type: 'text', value: (r) => r.budget?.name },
    { header: 'Line', type: 'text', value: (r) => r.line?.name },
    { header: 'Category', type: 'text', value: (r) => r.category },
    { header: 'Squad', type: 'text', value: (r) => r.squad?.name },
    { header: 'Budget id', type: 'text', value: (r) => r.budget?.id },
    { header: 'Line id', type: 'text', value: (r) => r.line?.id },
    { header: 'Squad id', type: 'text', value: (r) => r.squad?.id },
    { header: 'Campaign id', type: 'text', value: (r) => r.campaignId },
  ],
};
