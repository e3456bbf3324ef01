import { addMember, createOrg } from './factories';
import { createSquad } from './planning';
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

/**
 * A squad's budget world: an organisation, a FINANCE member and a SQUAD_LEAD, the lead's squad,
 * its Q2 2026 budget (CNY, no hard cap) with two lines, 媒体投放 (1,000) and 用户激励 (500).
 */
export async function squadBudgetWorld(app: TestApp) {
  const org = await createOrg(app);
  const finance = await addMember(app, org, 'FINANCE');
  const lead = await addMember(app, org, 'SQUAD_LEAD');
  const squadId = await createSquad(app, org, lead.userId);
  const budget = await createBudget(app, finance, { squadId });
  const media = await addBudgetLine(app, finance, { budgetId: budget.id, name: '媒体投放', planned: '1000' });
  const rewards = await addBudgetLine(app, finance, { budgetId: budget.id, name: '用户激励', planned: '500' });
  return { org, finance, lead, squadId, budget, media, rewards };
}
