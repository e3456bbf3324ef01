import { addBudgetLine, createBudget, recordExpense } from '../../support/budgets';
import { RECORD_RETURN, createCampaign, transition } from '../../support/campaigns';
import { addMember, createOrg } from '../../support/factories';
import { createSquad } from '../../support/planning';
import { ok, startTestApp, type TestApp } from '../../support/test-app';
import { settle, subscribe, wsClient } from '../../support/ws';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const CHANGED = `subscription($f: CampaignChangedFilter) { campaignChanged(filter: $f) { id status cost totalReturn } }`;

describe('campaignChanged', () => {
  it("announces a squad's status, cost and return changes, and not another squad's", async () => {
    const org = await createOrg(app);
    const lead = await addMember(app, org, 'SQUAD_LEAD');
    const member = await addMember(app, org, 'MEMBER');
    const squadA = await createSquad(app, org, lead.userId, 'A');
    const squadB = await createSquad(app, org, lead.userId, 'B');
    const budget = await createBudget(app, org);
    const line = await addBudgetLine(app, org, { budgetId: budget.id });
    const a = await createCampaign(app, lead, { squadId: squadA, budgetLineId: line.id });
    const b = await createCampaign(app, lead, { squadId: squadB, budgetLineId: line.id });

    const client = wsClient(app.url, { authorization: `Bearer ${member.token}`, organizationId: org.organizationId });
    const sub = subscribe(client, CHANGED, { f: { squadId: squadA } });
    await settle(300);
    try {
      // Changes of squad B's campaign (status, cost, return) are not announced to A's filter.
      ok(await transition(app, lead, b.id, 'PLANNED'));
      ok(await recordExpense(app, org, { budgetLineId: line.id, amount: '5.00', campaignId: b.id }));
      ok(await app.gql(RECORD_RETURN, { i: { campaignId: b.id, kind: 'BRAND', amount: '1' } }, org));

      ok(await transition(app, lead, a.id, 'PLANNED'));
      expect(await sub.next()).toEqual({ campaignChanged: { id: a.id, status: 'PLANNED', cost: '0.00', totalReturn: '0.00' } });
      ok(await recordExpense(app, org, { budgetLineId: line.id, amount: '12.50', campaignId: a.id }));
      expect(await sub.next()).toEqual({ campaignChanged: { id: a.id, status: 'PLANNED', cost: '12.50', totalReturn: '0.00' } });
      ok(await app.gql(RECORD_RETURN, { i: { campaignId: a.id, kind: 'DIRECT', basis: { gmv: '100', grossMargin: '0.3' } } }, org));
      expect(await sub.next()).toEqual({ campaignChanged: { id: a.id, status: 'PLANNED', cost: '12.50', totalReturn: '30.00' } });
      // An expense without a campaign announces nothing here.
      ok(await recordExpense(app, org, { budgetLineId: line.id, amount: '1.00' }));
      await settle(300);
      expect(sub.pending()).toEqual([]);
    } finally {
      await client.dispose();
    }
  });
});
