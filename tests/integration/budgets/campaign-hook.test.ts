import 'reflect-metadata';
import { decodeGlobalId } from '../../../src/common/ids';
import { systemContext } from '../../../src/db/system-context';
import { setExpenseCampaignLink } from '../../../src/modules/budgets';
import { expenseCampaignLink } from '../../../src/modules/budgets/expense-campaigns';
import { campaignCostById } from '../../../src/modules/campaigns/campaigns.loaders';
import { createOrg } from '../../support/factories';
import { addBudgetLine, createBudget, recordExpense } from '../../support/budgets';
import { createCampaign, transition } from '../../support/campaigns';
import { createSquad } from '../../support/planning';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const uuid = (id: string) => decodeGlobalId(id)!.id;

describe('expenses tagged with a campaign', () => {
  it('go through the link the composition root wires: tagged in the campaigns module’s table, in the transaction, announced, summed', async () => {
    const org = await createOrg(app);
    const budget = await createBudget(app, org);
    const line = await addBudgetLine(app, org, { budgetId: budget.id, planned: '10000' });
    const other = await addBudgetLine(app, org, { budgetId: (await createBudget(app, org, { name: '另一预算' })).id, planned: '10000' });
    const squadId = await createSquad(app, org, org.userId, '活动组');
    const campaign = await createCampaign(app, org, { squadId, budgetLineId: line.id });
    const cancelled = await createCampaign(app, org, { squadId, budgetLineId: line.id, name: '取消的活动' });
    ok(await transition(app, org, cancelled.id, 'CANCELLED'));
    const events: Array<Record<string, string | null> | undefined> = [];
    const sub = app.events.pubSub.subscribe(`org:${uuid(org.organizationId)}`);
    const reading = (async () => {
      for await (const e of sub) if (e.type === 'EXPENSE_RECORDED' || e.type === 'EXPENSE_VOIDED') events.push(e.meta);
    })();

    const first = ok(await recordExpense(app, org, { budgetLineId: line.id, amount: '100.10', campaignId: campaign.id })).recordExpense.expense;
    ok(await recordExpense(app, org, { budgetLineId: line.id, amount: '0.20', campaignId: campaign.id }));
    ok(await recordExpense(app, org, { budgetLineId: line.id, amount: '5' }));
    // Refused by the campaigns module after the insert: the expense goes with the tag.
    expect(errorCode(await recordExpense(app, org, { budgetLineId: line.id, amount: '7', campaignId: cancelled.id }))).toBe('CAMPAIGN_CLOSED');
    const elsewhere = await recordExpense(app, org, { budgetLineId: other.id, amount: '8', campaignId: campaign.id });
    expect(elsewhere.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'campaignId' });
    const [{ n, tagged }] = await app.ds.query(
      `SELECT (SELECT count(*)::int FROM expenses WHERE organization_id = $1) AS n,
              (SELECT count(*)::int FROM campaign_expenses WHERE organization_id = $1 AND campaign_id = $2) AS tagged`,
      [uuid(org.organizationId), uuid(campaign.id)],
    );
    expect({ n, tagged }).toEqual({ n: 3, tagged: 2 });

    const ctx = systemContext(app.ds, uuid(org.organizationId));
    const cost = await campaignCostById(ctx).load(uuid(campaign.id));
    expect(cost!.map((c) => [c.amount.toFixed(), c.currency])).toEqual([['100.3', 'CNY']]);
    expect(await campaignCostById(ctx).load(uuid(cancelled.id))).toEqual([]);

    ok(await app.gql(`mutation($i: VoidExpenseInput!) { voidExpense(input: $i) { expense { id } } }`, { i: { id: first.id, reason: '退款' } }, org));
    expect((await campaignCostById(systemContext(app.ds, uuid(org.organizationId))).load(uuid(campaign.id)))!.map((c) => c.amount.toFixed())).toEqual(['0.2']);
    // Another organisation sees no cost.
    const foreign = await createOrg(app);
    expect(await campaignCostById(systemContext(app.ds, uuid(foreign.organizationId))).load(uuid(campaign.id))).toEqual([]);

    await new Promise((r) => setTimeout(r, 100));
    await sub.return?.();
    await reading.catch(() => undefined);
    const routing = { budgetId: uuid(budget.id), budgetLineId: uuid(line.id), squadId: null };
    expect(events).toEqual([
      { ...routing, campaignId: uuid(campaign.id) },
      { ...routing, campaignId: uuid(campaign.id) },
      { ...routing, campaignId: null },
      // The void's routing comes from the campaigns module too.
      { ...routing, campaignId: uuid(campaign.id) },
    ]);
  });

  it('with no link wired, a campaignId is BAD_USER_INPUT and nothing is booked', async () => {
    const org = await createOrg(app);
    const budget = await createBudget(app, org);
    const line = await addBudgetLine(app, org, { budgetId: budget.id, planned: '10000' });
    const campaign = await createCampaign(app, org, { squadId: await createSquad(app, org, org.userId), budgetLineId: line.id });
    const wired = expenseCampaignLink()!;
    expect(wired).not.toBeNull();
    setExpenseCampaignLink(null);
    try {
      const r = await recordExpense(app, org, { budgetLineId: line.id, amount: '1', campaignId: campaign.id });
      expect(r.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'campaignId' });
      expect(r.errors![0].message).toMatch(/campaigns are not available/);
    } finally {
      setExpenseCampaignLink(wired);
    }
    const [{ n }] = await app.ds.query(`SELECT count(*)::int AS n FROM expenses WHERE organization_id = $1`, [uuid(org.organizationId)]);
    expect(n).toBe(0);
  });
});
