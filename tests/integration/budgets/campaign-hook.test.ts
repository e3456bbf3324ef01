import 'reflect-metadata';
import { decodeGlobalId } from '../../../src/common/ids';
import type { Context } from '../../../src/common/context';
import { AppError, ErrorCode } from '../../../src/common/errors';
import { createLoaders } from '../../../src/common/loaders';
import { campaignCostById, registerExpenseCampaignCheck, type BudgetLine } from '../../../src/modules/budgets';
import { createOrg } from '../../support/factories';
import { addBudgetLine, createBudget, recordExpense } from '../../support/budgets';
import { createCampaign } from '../../support/campaigns';
import { createSquad } from '../../support/planning';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const uuid = (id: string) => decodeGlobalId(id)!.id;
const gidOf = (id: string) => Buffer.from(`Campaign:${id}`).toString('base64url');

describe('expenses tagged with a campaign', () => {
  it('run the registered check in the transaction, store the tag, announce it, and sum into campaignCostById', async () => {
    const org = await createOrg(app);
    const budget = await createBudget(app, org);
    const line = await addBudgetLine(app, org, { budgetId: budget.id, planned: '10000' });
    // Real campaigns: expenses.campaign_id references campaigns (the campaigns migration's key).
    const squadId = await createSquad(app, org, org.userId, '活动组');
    const CAMPAIGN = uuid((await createCampaign(app, org, { squadId, budgetLineId: line.id })).id);
    const OTHER = uuid((await createCampaign(app, org, { squadId, budgetLineId: line.id, name: '另一活动' })).id);
    // The test's own check replaces the campaigns module's for this file.
    const calls: Array<{ campaignId: string; lineId: string; inTx: boolean }> = [];
    registerExpenseCampaignCheck(async (ctx, tx, campaignId, l: BudgetLine) => {
      calls.push({ campaignId, lineId: l.id, inTx: tx.queryRunner?.isTransactionActive === true && ctx.manager === tx });
      if (campaignId === OTHER) throw new AppError(ErrorCode.BAD_USER_INPUT, 'This campaign runs on another budget line', { field: 'campaignId' });
    });
    const events: Array<Record<string, string | null> | undefined> = [];
    const sub = app.events.pubSub.subscribe(`org:${uuid(org.organizationId)}`);
    const reading = (async () => {
      for await (const e of sub) if (e.type === 'EXPENSE_RECORDED' || e.type === 'EXPENSE_VOIDED') events.push(e.meta);
    })();

    const first = ok(await recordExpense(app, org, { budgetLineId: line.id, amount: '100.10', campaignId: gidOf(CAMPAIGN) })).recordExpense.expense;
    ok(await recordExpense(app, org, { budgetLineId: line.id, amount: '0.20', campaignId: gidOf(CAMPAIGN) }));
    ok(await recordExpense(app, org, { budgetLineId: line.id, amount: '5' }));
    const refused = await recordExpense(app, org, { budgetLineId: line.id, amount: '7', campaignId: gidOf(OTHER) });
    expect(errorCode(refused)).toBe('BAD_USER_INPUT');
    expect(calls).toEqual([
      { campaignId: CAMPAIGN, lineId: uuid(line.id), inTx: true },
      { campaignId: CAMPAIGN, lineId: uuid(line.id), inTx: true },
      { campaignId: OTHER, lineId: uuid(line.id), inTx: true },
    ]);
    const [{ n }] = await app.ds.query(`SELECT count(*)::int AS n FROM expenses WHERE campaign_id = $1`, [CAMPAIGN]);
    expect(n).toBe(2);

    const ctx = { organizationId: uuid(org.organizationId), manager: app.ds.manager, loaders: createLoaders() } as unknown as Context;
    const [cost, none] = await Promise.all([campaignCostById(ctx).load(CAMPAIGN), campaignCostById(ctx).load(OTHER)]);
    expect(cost!.map((c) => ({ cost: c.amount.toFixed(2), currency: c.currency }))).toEqual([{ cost: '100.30', currency: 'CNY' }]);
    expect(none).toEqual([]);

    ok(await app.gql(`mutation($i: VoidExpenseInput!) { voidExpense(input: $i) { expense { id } } }`, { i: { id: first.id, reason: '退款' } }, org));
    const after = await campaignCostById({ ...ctx, loaders: createLoaders() } as Context).load(CAMPAIGN);
    expect(after!.map((c) => c.amount.toFixed())).toEqual(['0.2']);
    // Another organisation sees no cost.
    const other = await createOrg(app);
    const foreign = await campaignCostById({ ...ctx, organizationId: uuid(other.organizationId), loaders: createLoaders() } as Context).load(CAMPAIGN);
    expect(foreign).toEqual([]);

    await new Promise((r) => setTimeout(r, 100));
    await sub.return?.();
    await reading.catch(() => undefined);
    const budgetId = uuid(budget.id);
    expect(events).toEqual([
      { budgetId, budgetLineId: uuid(line.id), squadId: null, campaignId: CAMPAIGN },
      { budgetId, budgetLineId: uuid(line.id), squadId: null, campaignId: CAMPAIGN },
      { budgetId, budgetLineId: uuid(line.id), squadId: null, campaignId: null },
      { budgetId, budgetLineId: uuid(line.id), squadId: null, campaignId: CAMPAIGN },
    ]);
  });
});
