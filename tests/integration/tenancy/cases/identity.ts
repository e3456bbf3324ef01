import { addMember, uniqueEmail } from '../../../support/factories';
import { ok } from '../../../support/test-app';
import { registerTenancy } from '../registry';

/** Identity, audit, realtime and the platform's root fields. */
registerTenancy(
  async (app, org) => {
    const member = await addMember(app, org, 'MEMBER', 'A 的成员');
    const token = ok(
      await app.gql(
        `mutation { createApiToken(input: { name: "A dashboard", scopes: [READ] }) { apiToken { id } } }`,
        {},
        org,
      ),
    ).createApiToken.apiToken;
    return { organization: org.organizationId, owner: org.userId, member: member.memberId, memberUser: member.userId, apiToken: token.id };
  },
  {
    'Query.node': { operation: (a) => ({ query: `query($id: ID!) { node(id: $id) { id } }`, variables: { id: a.ids.member } }), expect: 'NULL' },
    'Query.nodes': {
      operation: (a) => ({
        query: `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
        variables: { ids: Object.values(a.ids) },
      }),
      expect: 'NULL',
    },
    'Query.viewer': { operation: () => ({ query: `{ viewer { user { id email } organization { id name } organizations { id name } role } }` }), expect: 'ANY' },
    'Query.organization': { operation: () => ({ query: `{ organization { id name slug members(first: 100) { edges { node { id user { id email } } } } } }` }), expect: 'ANY' },
    'Query.apiTokens': { operation: () => ({ query: `{ apiTokens(first: 100) { nodes { id name } } }` }), expect: 'ANY' },
    'Query.auditEvents': {
      operation: (a) => ({
        query: `query($f: AuditEventsFilter) { auditEvents(filter: $f, first: 100) { nodes { id entityId before after actor { id } } } }`,
        variables: { f: { entityId: a.ids.member } },
      }),
      expect: 'ANY',
    },
    'Mutation.signUp': {
      operation: () => ({
        query: `mutation($i: SignUpInput!) { signUp(input: $i) { email } }`,
        variables: { i: { email: `x-${Date.now()}-${Math.random()}@example.test`, password: 'correct horse battery', displayName: 'X', organizationName: 'X' } },
      }),
      expect: 'ANY',
    },
    'Mutation.logIn': {
      operation: (a) => ({ query: `mutation($i: LogInInput!) { logIn(input: $i) { token } }`, variables: { i: { email: a.org.email, password: 'wrong password!' } } }),
      expect: 'ANY',
    },
    'Mutation.acceptInvitation': {
      operation: () => ({ query: `mutation { acceptInvitation(input: { token: "pgi_forgedforgedforgedforgedforgedforgedforged0", password: "correct horse battery" }) { token } }` }),
      expect: 'ANY',
    },
    'Mutation.declineInvitation': {
      // A's member's id used as if it were an invitation: refused, nothing of A changes.
      operation: (a) => ({ query: `mutation($id: ID!) { declineInvitation(input: { invitationId: $id }) { declinedInvitationId } }`, variables: { id: a.ids.member } }),
      expect: 'ANY',
    },
    'Mutation.verifyEmail': {
      operation: () => ({
        query: `mutation { verifyEmail(input: { token: "pgv_forgedforgedforgedforgedforgedforgedforged0" }) { token user { id } organization { id name } } }`,
      }),
      expect: 'ANY',
    },
    'Mutation.resendVerificationEmail': {
      operation: () => ({ query: `mutation { resendVerificationEmail { user { id email } } }` }),
      expect: 'ANY',
    },
    'Mutation.changePassword': {
      operation: () => ({
        query: `mutation { changePassword(input: { currentPassword: "wrong password!", newPassword: "another horse battery" }) { token } }`,
      }),
      expect: 'ANY',
    },
    'Mutation.logOutEverywhere': {
      operation: () => ({ query: `mutation { logOutEverywhere { sessionsValidAfter } }` }),
      expect: 'ANY',
      endsSession: true,
    },
    'Mutation.logOut': { operation: () => ({ query: `mutation { logOut { loggedOut } }` }), expect: 'ANY', endsSession: true },
    'Mutation.addMember': {
      operation: () => ({
        query: `mutation($i: AddMemberInput!) { addMember(input: $i) { member { id user { id email } } } }`,
        variables: { i: { email: uniqueEmail('b-invite'), displayName: 'B 的成员', role: 'VIEWER' } },
      }),
      expect: 'ANY',
    },
    'Mutation.changeMemberRole': {
      operation: (a) => ({ query: `mutation($id: ID!) { changeMemberRole(input: { memberId: $id, role: OWNER }) { member { id } } }`, variables: { id: a.ids.member } }),
      expect: 'NOT_FOUND',
    },
    'Mutation.removeMember': {
      operation: (a) => ({ query: `mutation($id: ID!) { removeMember(input: { memberId: $id }) { removedMemberId } }`, variables: { id: a.ids.member } }),
      expect: 'NOT_FOUND',
    },
    'Mutation.createApiToken': { operation: () => ({ query: `mutation { createApiToken(input: { name: "B", scopes: [READ] }) { apiToken { id } } }` }), expect: 'ANY' },
    'Mutation.revokeApiToken': {
      operation: (a) => ({ query: `mutation($id: ID!) { revokeApiToken(input: { id: $id }) { apiToken { id } } }`, variables: { id: a.ids.apiToken } }),
      expect: 'NOT_FOUND',
    },
    'Subscription.planningEvents': {
      operation: () => ({ query: `subscription { planningEvents { type entityId actor { id } } }` }),
      expect: 'ANY',
      trigger: async (app, a) => {
        await addMember(app, a.org, 'VIEWER', 'A 的新成员');
      },
    },
  },
  {
    'Organization.members': { exempt: 'the organisation is the tenant itself: its members are the rows of its organization_id (Query.organization has its case)' },
    'Viewer.invitations': { exempt: "the signed-in user's own invitations, found by their address, across organisations by design (Query.viewer has its case)" },
    'Viewer.organizations': { exempt: "the signed-in user's own memberships (Query.viewer has its case)" },
  },
);
