import type { Caller, TestApp } from './test-app';
import { ok } from './test-app';

/** Budget factories over GraphQL (the caller must be FINANCE or OWNER). */
export async function createBudget(app: TestApp, as: Caller, input: Record<string, unknown> = {}): Promise<{ id: string }> {
  return ok(
    await app.gql(`mutation($i: CreateBudgetInput!) { createBudget(input: $i) { budget { id } } }`, {
      i: { name: '2026 Q2 运营预算', periodStart: '2026-04-01', periodEnd: '2026-06-30', currency: 'CNY', hardCap: false, ...input },
    }, as),
  ).createBudget.budget;
}

export async function addBudgetLine(app: TestApp, as: Caller, input: Record<string, unknown>): Promise<{ id: string; version: number }> {
  return ok(
    await app.gql(`mutation($i: AddBudgetLineInput!) { addBudgetLine(input: $i) { budgetLine { id version } } }`, {
      i: { name: 'KOL 合作', category: 'media', kind: 'VARIABLE', planned: '1000.00', ...input },
    }, as),
  ).addBudgetLine.budgetLine;
}

export const RECORD_EXPENSE = /* GraphQL */ `
  mutation($i: RecordExpenseInput!) {
    recordExpense(input: $i) { expense { id amount incurredOn } budgetLine { id spent remaining } budget { id spent } }
  }
`;

export function recordExpense(app: TestApp, as: Caller, input: Record<string, unknown>) {
  return app.gql(RECORD_EXPENSE, { i: { amount: '10.00', incurredOn: '2026-04-15', ...input } }, as);
}
