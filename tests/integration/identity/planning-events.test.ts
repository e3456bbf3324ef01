import { createOrg, uniqueEmail } from '../../support/factories';
import { ok, startTestApp, type TestApp } from '../../support/test-app';
import { settle, subscribe, wsClient } from '../../support/ws';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const EVENTS = `subscription($filter: PlanningEventsFilter) { planningEvents(filter: $filter) { type entityType entityId actor { id } at } }`;
const ADD = `mutation($input: AddMemberInput!) { addMember(input: $input) { member { id } } }`;

describe('planningEvents over graphql-ws', () => {
  it('delivers changes of the organisation, and only of it', async () => {
    const a = await createOrg(app, 'A');
    const b = await createOrg(app, 'B');
    const clientA = wsClient(app.url, { authorization: `Bearer ${a.token}` });
    const clientB = wsClient(app.url, { authorization: `Bearer ${b.token}` });
    const subA = subscribe(clientA, EVENTS, { filter: { types: ['MEMBER_ADDED'] } });
    const subB = subscribe(clientB, EVENTS);
    await settle();
    const added = ok(await app.gql(ADD, { input: { email: uniqueEmail(), displayName: 'New 新人', role: 'MEMBER' } }, a));
    const event = (await subA.next()) as any;
    expect(event.planningEvents).toMatchObject({
      type: 'MEMBER_ADDED',
      entityType: 'Member',
      entityId: added.addMember.member.id,
      actor: { id: a.userId },
    });
    await settle(200);
    expect(subB.pending()).toEqual([]);
    await clientA.dispose();
    await clientB.dispose();
  });

  it('stops delivering to an API token revoked while connected', async () => {
    const org = await createOrg(app, 'Revocation');
    const created = ok(
      await app.gql(`mutation { createApiToken(input: { name: "wall screen", scopes: [READ] }) { secret apiToken { id } } }`, {}, org),
    ).createApiToken;
    const client = wsClient(app.url, { authorization: `Bearer ${created.secret}` });
    const sub = subscribe(client, EVENTS, { filter: { types: ['MEMBER_ADDED'] } });
    await settle();
    ok(await app.gql(ADD, { input: { email: uniqueEmail(), displayName: 'one', role: 'MEMBER' } }, org));
    expect(((await sub.next()) as any).planningEvents.type).toBe('MEMBER_ADDED');
    ok(await app.gql(`mutation($id: ID!) { revokeApiToken(input: { id: $id }) { apiToken { revokedAt } } }`, { id: created.apiToken.id }, org));
    ok(await app.gql(ADD, { input: { email: uniqueEmail(), displayName: 'two', role: 'MEMBER' } }, org));
    await settle(400);
    expect(sub.pending()).toEqual([]);
    await client.dispose();
  });

  it('closes an unauthenticated connection with 4401', async () => {
    const closed = new Promise<number>((resolve) => {
      const c = wsClient(app.url, {}, (code) => resolve(code));
      subscribe(c, EVENTS);
    });
    expect(await closed).toBe(4401);
  });

  it('closes a connection with no organisation chosen with 4403', async () => {
    const a = await createOrg(app, 'Multi A');
    const b = await createOrg(app, 'Multi B');
    ok(await app.gql(ADD, { input: { email: b.email, role: 'VIEWER' } }, a));
    // b (whose address the sign-up verified) accepts the invitation.
    const [inv] = ok(await app.gql(`{ viewer { invitations { id } } }`, {}, b)).viewer.invitations;
    ok(await app.gql(`mutation($id: ID!) { acceptInvitation(input: { invitationId: $id }) { member { id } } }`, { id: inv.id }, b));
    const closed = new Promise<number>((resolve) => {
      const c = wsClient(app.url, { authorization: `Bearer ${b.token}` }, (code) => resolve(code));
      subscribe(c, EVENTS);
    });
    expect(await closed).toBe(4403);
    const chosen = wsClient(app.url, { authorization: `Bearer ${b.token}`, organizationId: a.slug });
    const sub = subscribe(chosen, EVENTS);
    await settle();
    ok(await app.gql(ADD, { input: { email: uniqueEmail(), displayName: 'x', role: 'MEMBER' } }, a));
    expect(((await sub.next()) as any).planningEvents.type).toBe('MEMBER_ADDED');
    await chosen.dispose();
  });

  it('closes a connection with a bad token with 4401', async () => {
    const closed = new Promise<number>((resolve) => {
      const c = wsClient(app.url, { authorization: 'Bearer nope' }, (code) => resolve(code));
      subscribe(c, EVENTS);
    });
    expect(await closed).toBe(4401);
  });
});
