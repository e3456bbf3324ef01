import { createOrg } from '../../support/factories';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';
import { toGlobalId } from '../../../src/common/ids';

/**
 * The identity writes not covered elsewhere leave their audit trail: the organisation a sign-up
 * creates, an invitation declined (recorded in the inviting organisation, the invitee acting),
 * and an API token revoked (once: revoking it again changes and records nothing).
 */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.stop();
});

const AUDIT = `query($f: AuditEventsFilter) { auditEvents(filter: $f, first: 20) { nodes { action entityType entityId actor { id } before after } } }`;
type AuditNode = { action: string; entityType: string; entityId: string; actor: { id: string } | null; before: unknown; after: unknown };

async function audit(as: { token: string; organizationId: string }, filter: Record<string, unknown> = {}): Promise<AuditNode[]> {
  return ok(await app.gql(AUDIT, { f: filter }, as)).auditEvents.nodes;
}

describe('identity audit trail', () => {
  it('a sign-up records the organisation created and its first OWNER added, the new owner acting', async () => {
    const org = await createOrg(app, 'Audited');
    const events = await audit(org);
    expect(events.map((e) => e.action).sort()).toEqual(['member.added', 'organization.created']);
    for (const e of events) expect(e.actor).toEqual({ id: org.userId });
    expect(events.find((e) => e.action === 'organization.created')).toMatchObject({ entityType: 'Organization', entityId: org.organizationId });
    expect(events.find((e) => e.action === 'member.added')).toMatchObject({ entityType: 'Member', after: { role: 'OWNER', status: 'ACTIVE' } });
  });

  it('declining an invitation records member.declined in the inviting organisation, the invitee acting', async () => {
    const owner = await createOrg(app);
    const invitee = await createOrg(app);
    const added = ok(
      await app.gql(`mutation($i: AddMemberInput!) { addMember(input: $i) { member { id } } }`, { i: { email: invitee.email, role: 'MEMBER' } }, owner),
    ).addMember.member;
    const [inv] = ok(await app.gql(`{ viewer { invitations { id } } }`, {}, invitee)).viewer.invitations;
    ok(await app.gql(`mutation($i: DeclineInvitationInput!) { declineInvitation(input: $i) { declinedInvitationId } }`, { i: { invitationId: inv.id } }, invitee));
    const events = await audit(owner, { entityId: added.id });
    expect(events.map((e) => e.action)).toEqual(['member.declined', 'member.added']);
    expect(events[0]).toMatchObject({ entityType: 'Member', actor: { id: invitee.userId }, before: { status: 'INVITED', role: 'MEMBER' }, after: null });
    expect(events[1].actor).toEqual({ id: owner.userId });
  });

  it('revoking an API token records api_token.revoked once', async () => {
    const owner = await createOrg(app);
    const created = ok(
      await app.gql(`mutation { createApiToken(input: { name: "ci", scopes: [READ] }) { apiToken { id } } }`, {}, owner),
    ).createApiToken.apiToken;
    const REVOKE = `mutation($i: RevokeApiTokenInput!) { revokeApiToken(input: $i) { apiToken { id revokedAt } } }`;
    const first = ok(await app.gql(REVOKE, { i: { id: created.id } }, owner)).revokeApiToken.apiToken;
    expect(first.revokedAt).not.toBeNull();
    const again = ok(await app.gql(REVOKE, { i: { id: created.id } }, owner)).revokeApiToken.apiToken;
    expect(again.revokedAt).toBe(first.revokedAt);
    const events = await audit(owner, { entityId: created.id });
    expect(events.map((e) => e.action)).toEqual(['api_token.revoked', 'api_token.created']);
    expect(events[0]).toMatchObject({ entityType: 'ApiToken', actor: { id: owner.userId }, before: { revokedAt: null } });
    expect(JSON.stringify(events)).not.toMatch(/tokenHash/);
  });

  it('the filter decodes its ids at the edge: entityId of any type, actorId a User only', async () => {
    const owner = await createOrg(app);
    const byOrganization = await audit(owner, { entityId: owner.organizationId });
    expect(byOrganization.map((e) => e.action)).toEqual(['organization.created']);
    const byActor = await audit(owner, { actorId: owner.userId });
    expect(byActor).toHaveLength(2);
    const notAnId = await app.gql(AUDIT, { f: { entityId: 'not-an-id' } }, owner);
    expect(errorCode(notAnId)).toBe('BAD_USER_INPUT');
    expect(notAnId.errors?.[0].extensions?.field).toBe('filter.entityId');
    // An organisation's id as the actor: another type's id is refused, not an empty answer.
    const wrongType = await app.gql(AUDIT, { f: { actorId: owner.organizationId } }, owner);
    expect(errorCode(wrongType)).toBe('BAD_USER_INPUT');
    expect(wrongType.errors?.[0].extensions?.field).toBe('filter.actorId');
    expect(await audit(owner, { entityId: toGlobalId('Squad', '00000000-0000-0000-0000-000000000000') })).toEqual([]);
  });
});
