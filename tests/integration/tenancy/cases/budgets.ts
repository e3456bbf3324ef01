import { ok } from '../../../support/test-app';
import { registerTenancy } from '../registry';

const RECORD = `mutation($i: RecordExpenseInput!) { recordExpense(input: $i) { expense { id } } }`;

/** Budgets: A's squad budget with a line (for A's GMV), an expense and a pending adjustment. */
registerTenancy(
  async (app, org, ids) => {
    const budget = ok(
      await app.gql(`mutation($i: CreateBudgetInput!) { createBudget(input: $i) { budget { id } } }`, {
        i: { name: 'A 预算', squadId: ids.squad, periodStart: '2026-04-01', periodEnd: '2026-06-30', currency: 'CNY', hardCap: true },
      }, org),
    ).createBudget.budget.id;
    const addLine = async (name: string, kpiKeys: string[] = []) =>
      ok(
        await app.gql(`mutation($i: AddBudgetLineInput!) { addBudgetLine(input: $i) { budgetLine { id } } }`, {
          i: { budgetId: budget, name, category: 'media', kind: 'VARIABLE', planned: '1000', kpiKeys },
        }, org),
      ).addBudgetLine.budgetLine.id;
    const budgetLine = await addLine('A 线', ['a_gmv']);
    const otherLine = await addLine('A 另一线');
    // A line nothing is booked on or requested for: the one removeBudgetLine could remove.
    const spareLine = await addLine('A 空线');
    const expense = ok(await app.gql(RECORD, { i: { budgetLineId: budgetLine, amount: '10', incurredOn: '2026-04-02' } }, org)).recordExpense.expense.id;
    const budgetAdjustment = ok(
      await app.gql(`mutation($i: RequestBudgetAdjustmentInput!) { requestBudgetAdjustment(input: $i) { budgetAdjustment { id } } }`, {
        i: { budgetId: budget, fromLineId: budgetLine, toLineId: otherLine, amount: '5', reason: 'A 调整' },
      }, org),
    ).requestBudgetAdjustment.budgetAdjustment.id;
    return { budget, budgetLine, otherLine, spareLine, expense, budgetAdjustment };
  },
  {
    'Query.budgets': { operation: () => ({ query: `{ budgets(first: 100) { nodes { id name } } }` }), expect: 'ANY' },
    'Query.budget': { operation: (a) => ({ query: `query($id: ID!) { budget(id: $id) { id } }`, variables: { id: a.ids.budget } }), expect: 'NOT_FOUND' },
    'Query.expenses': {
      operation: (a) => ({
        query: `query($f: ExpensesFilter) { expenses(filter: $f, first: 100) { totalCount total { currency amount } nodes { id vendor reference } } }`,
        variables: { f: { budgetIds: [a.ids.budget], lineIds: [a.ids.budgetLine], squadIds: [a.ids.squad] } },
      }),
      expect: 'NOT_FOUND',
    },
    'Query.budgetAdjustments': { operation: () => ({ query: `{ budgetAdjustments(first: 100) { nodes { id reason } } }` }), expect: 'ANY' },
    'Query.budgetBurn': {
      operation: (a) => ({ query: `query($id: ID!) { budgetBurn(budgetId: $id, grain: MONTH) { periodStart spentCumulative } }`, variables: { id: a.ids.budget } }),
      expect: 'NOT_FOUND',
    },
    'Query.spend': {
      operation: (a) => ({
        query: `query($f: SpendFilter) { spend(filter: $f, grain: MONTH, groupBy: [BUDGET, LINE, SQUAD]) { periodStart spent budget { id } line { id } squad { id } } }`,
        variables: { f: { budgetIds: [a.ids.budget], lineIds: [a.ids.budgetLine], squadIds: [a.ids.squad] } },
      }),
      expect: 'NOT_FOUND',
    },
    'Query.budgetEfficiency': {
      operation: (a) => ({ query: `query($id: ID!) { budgetEfficiency(budgetId: $id) { spent } }`, variables: { id: a.ids.budget } }),
      expect: 'NOT_FOUND',
    },
    'Query.budgetSettings': { operation: () => ({ query: `{ budgetSettings { fastTrackDecisionHours } }` }), expect: 'ANY' },
    'Mutation.createBudget': {
      operation: (a) => ({
        query: `mutation($i: CreateBudgetInput!) { createBudget(input: $i) { budget { id } } }`,
        variables: { i: { name: 'B', squadId: a.ids.squad, periodStart: '2026-04-01', periodEnd: '2026-06-30', currency: 'CNY' } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.addBudgetLine': {
      operation: (a) => ({
        query: `mutation($i: AddBudgetLineInput!) { addBudgetLine(input: $i) { budgetLine { id } } }`,
        variables: { i: { budgetId: a.ids.budget, name: 'B', category: 'c', kind: 'FIXED', planned: '1' } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.updateBudgetLine': {
      operation: (a) => ({
        query: `mutation($i: UpdateBudgetLineInput!) { updateBudgetLine(input: $i) { budgetLine { id } } }`,
        variables: { i: { id: a.ids.budgetLine, planned: '1', expectedVersion: 1 } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.recordExpense': {
      operation: (a) => ({ query: RECORD, variables: { i: { budgetLineId: a.ids.budgetLine, amount: '1', incurredOn: '2026-04-02' } } }),
      expect: 'NOT_FOUND',
    },
    'Mutation.voidExpense': {
      operation: (a) => ({
        query: `mutation($i: VoidExpenseInput!) { voidExpense(input: $i) { expense { id } } }`,
        variables: { i: { id: a.ids.expense, reason: 'B' } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.requestBudgetAdjustment': {
      operation: (a) => ({
        query: `mutation($i: RequestBudgetAdjustmentInput!) { requestBudgetAdjustment(input: $i) { budgetAdjustment { id } } }`,
        variables: { i: { budgetId: a.ids.budget, toLineId: a.ids.otherLine, amount: '1', reason: 'B' } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.approveBudgetAdjustment': {
      operation: (a) => ({
        query: `mutation($i: DecideBudgetAdjustmentInput!) { approveBudgetAdjustment(input: $i) { budgetAdjustment { id } } }`,
        variables: { i: { id: a.ids.budgetAdjustment } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.rejectBudgetAdjustment': {
      operation: (a) => ({
        query: `mutation($i: DecideBudgetAdjustmentInput!) { rejectBudgetAdjustment(input: $i) { budgetAdjustment { id } } }`,
        variables: { i: { id: a.ids.budgetAdjustment } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.closeBudgetPeriod': {
      operation: (a) => ({
        query: `mutation($i: CloseBudgetPeriodInput!) { closeBudgetPeriod(input: $i) { budget { id closedThrough } } }`,
        variables: { i: { budgetId: a.ids.budget, through: '2026-04-30' } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.reopenBudgetPeriod': {
      operation: (a) => ({
        query: `mutation($i: ReopenBudgetPeriodInput!) { reopenBudgetPeriod(input: $i) { budget { id closedThrough } } }`,
        variables: { i: { budgetId: a.ids.budget, through: null, reason: 'B' } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.updateBudget': {
      operation: (a) => ({
        query: `mutation($i: UpdateBudgetInput!) { updateBudget(input: $i) { budget { id } } }`,
        variables: { i: { id: a.ids.budget, expectedVersion: 1, name: 'B' } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.archiveBudget': {
      operation: (a) => ({
        query: `mutation($i: VersionedBudgetInput!) { archiveBudget(input: $i) { budget { id } } }`,
        variables: { i: { id: a.ids.budget, expectedVersion: 1 } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.restoreBudget': {
      operation: (a) => ({
        query: `mutation($i: VersionedBudgetInput!) { restoreBudget(input: $i) { budget { id } } }`,
        variables: { i: { id: a.ids.budget, expectedVersion: 1 } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.removeBudgetLine': {
      operation: (a) => ({
        query: `mutation($i: VersionedBudgetLineInput!) { removeBudgetLine(input: $i) { removedBudgetLineId } }`,
        variables: { i: { id: a.ids.spareLine, expectedVersion: 1 } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.archiveBudgetLine': {
      operation: (a) => ({
        query: `mutation($i: VersionedBudgetLineInput!) { archiveBudgetLine(input: $i) { budgetLine { id } } }`,
        variables: { i: { id: a.ids.otherLine, expectedVersion: 1 } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.withdrawBudgetAdjustment': {
      operation: (a) => ({
        query: `mutation($i: WithdrawBudgetAdjustmentInput!) { withdrawBudgetAdjustment(input: $i) { budgetAdjustment { id } } }`,
        variables: { i: { id: a.ids.budgetAdjustment } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.setBudgetSettings': {
      operation: () => ({
        query: `mutation($i: SetBudgetSettingsInput!) { setBudgetSettings(input: $i) { settings { fastTrackDecisionHours } } }`,
        variables: { i: { fastTrackDecisionHours: 12 } },
      }),
      expect: 'ANY',
    },
    'Subscription.budgetThresholdCrossed': {
      operation: () => ({ query: `subscription { budgetThresholdCrossed { threshold budget { id name } } }` }),
      expect: 'ANY',
      trigger: async (app, a) => {
        ok(await app.gql(RECORD, { i: { budgetLineId: a.ids.otherLine, amount: '900', incurredOn: '2026-04-03' } }, a.org));
      },
    },
  },
  {
    'Budget.lines': { parent: 'budget', children: { table: 'budget_lines', set: { budget_id: 'budget' } } },
    // With its line too: the stored daily sums are kept by line, and follow the expense.
    'Budget.expenses': { parent: 'budget', children: { table: 'expenses', set: { budget_id: 'budget', budget_line_id: 'budgetLine' } } },
    'Budget.adjustments': { parent: 'budget', children: { table: 'budget_adjustments', set: { budget_id: 'budget' } } },
    'BudgetLine.kpis': { parent: 'budgetLine', references: { table: 'budget_lines', columns: ['kpi_ids'] } },
    'BurnPoint.kpiValues': { exempt: 'points computed by budgetBurn (a root field with its own case) from KPI values, no rows of their own' },
    'BurnPoint.costPerUnit': { exempt: 'points computed by budgetBurn (a root field with its own case) from KPI values, no rows of their own' },
  },
);
