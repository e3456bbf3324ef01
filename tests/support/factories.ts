import crypto from 'node:crypto';
import { ok, type Caller, type TestApp } from './test-app';

/** Anything that runs GraphQL over HTTP: a test app, or `httpGql(url)` for a spawned server. */
type Gql = Pick<TestApp, 'gql'>;

export interface TestOrg extends Required<Caller> {
  userId: string;
  email: string;
  slug: string;
}

const SIGN_UP = /* GraphQL */ `
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) { token user { id } organization { id slug } }
  }
`;

export const uniqueEmail = (label = 'user') => `${label}-${crypto.randomBytes(5).toString('hex')}@example.test`;

/** A new organisation with its OWNER signed in. */
export async function createOrg(app: Gql, name = '测试组织 Test Org'): Promise<TestOrg> {
  const email = uniqueEmail('owner');
  const data = ok(
    await app.gql(SIGN_UP, {
      input: { email, password: 'correct horse battery', displayName: '负责人 Owner', organizationName: name },
    }),
  );
  return {
    token: data.signUp.token,
    organizationId: data.signUp.organization.id,
    userId: data.signUp.user.id,
    email,
    slug: data.signUp.organization.slug,
  };
}

const ADD_MEMBER = /* GraphQL */ `
  mutation AddMember($input: AddMemberInput!) {
    addMember(input: $input) { member { id role user { id } } invitationToken }
  }
`;
const ACCEPT = /* GraphQL */ `
  mutation Accept($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { token user { id } } }
`;

/** Adds a signed-in member with `role` to `org`; returns their credentials for that organisation. */
export async function addMember(
  app: Gql,
  org: TestOrg,
  role: string,
  displayName = `成员 ${role}`,
): Promise<Required<Caller> & { userId: string; memberId: string; email: string }> {
  const email = uniqueEmail(role.toLowerCase());
  const added = ok(await app.gql(ADD_MEMBER, { input: { email, displayName, role } }, org)).addMember;
  const accepted = ok(
    await app.gql(ACCEPT, { input: { token: added.invitationToken, password: 'correct horse battery' } }),
  ).acceptInvitation;
  return { token: accepted.token, organizationId: org.organizationId, userId: accepted.user.id, memberId: added.member.id, email };
}
