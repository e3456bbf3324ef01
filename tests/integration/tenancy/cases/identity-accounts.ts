import { registerTenancy } from '../registry';

/**
 * The account's own settings. B acts on its own account and organisation only: asking for a reset
 * of A's owner's address says nothing about it, a forged reset token changes nothing, and B's
 * owner asking for A's slug is told it is taken (slugs are one namespace) while A stays as it is.
 */
registerTenancy(null, {
  'Mutation.requestPasswordReset': {
    operation: (a) => ({
      query: `mutation($i: RequestPasswordResetInput!) { requestPasswordReset(input: $i) { expiresAt } }`,
      variables: { i: { email: a.org.email } },
    }),
    expect: 'ANY',
  },
  'Mutation.resetPassword': {
    operation: () => ({
      query: `mutation { resetPassword(input: { token: "pgr_forgedforgedforgedforgedforgedforgedforged0", newPassword: "correct horse battery" }) { token user { id email } } }`,
    }),
    expect: 'ANY',
  },
  'Mutation.updateProfile': {
    operation: () => ({ query: `mutation { updateProfile(input: { displayName: "B 的负责人", locale: "zh-CN" }) { user { id email displayName } } }` }),
    expect: 'ANY',
  },
  'Mutation.updateOrganization': {
    operation: (a) => ({
      query: `mutation($i: UpdateOrganizationInput!) { updateOrganization(input: $i) { organization { id name slug } } }`,
      variables: { i: { name: 'Tenant B 乙 renamed', slug: a.org.slug } },
    }),
    expect: 'ANY',
  },
});
