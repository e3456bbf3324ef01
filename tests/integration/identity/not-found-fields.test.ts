import { createOrg } from '../../support/factories';
import { startTestApp, type TestApp } from '../../support/test-app';
import { toGlobalId } from '../../../src/common/ids';

/** An id in the input that the organisation does not have is NOT_FOUND naming the input field. */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.stop();
});

const MISSING = '00000000-0000-4000-8000-000000000099';

describe('identity NOT_FOUND names the field', () => {
  it('memberId of changeMemberRole and removeMember, id of revokeApiToken, a user of another organisation', async () => {
    const org = await createOrg(app);
    const other = await createOrg(app);
    const memberId = toGlobalId('Member', MISSING);
    const change = await app.gql(`mutation($i: ChangeMemberRoleInput!) { changeMemberRole(input: $i) { member { id } } }`, { i: { memberId, role: 'VIEWER' } }, org);
    expect(change.errors![0]).toMatchObject({ message: `Member ${memberId} was not found`, extensions: { code: 'NOT_FOUND', field: 'memberId' } });
    const remove = await app.gql(`mutation($i: RemoveMemberInput!) { removeMember(input: $i) { removedMemberId } }`, { i: { memberId } }, org);
    expect(remove.errors![0].extensions).toEqual({ code: 'NOT_FOUND', field: 'memberId' });
    const tokenId = toGlobalId('ApiToken', MISSING);
    const revoke = await app.gql(`mutation($i: RevokeApiTokenInput!) { revokeApiToken(input: $i) { apiToken { id } } }`, { i: { id: tokenId } }, org);
    expect(revoke.errors![0]).toMatchObject({ message: `ApiToken ${tokenId} was not found`, extensions: { code: 'NOT_FOUND', field: 'id' } });
    // requireOrgUser, which other modules call for owners, assignees and leads: a user of another organisation.
    const squad = await app.gql(`mutation($i: CreateSquadInput!) { createSquad(input: $i) { squad { id } } }`, { i: { name: '外人', leadId: other.userId } }, org);
    expect(squad.errors![0].extensions).toEqual({ code: 'NOT_FOUND', field: 'leadId' });
  });
});
