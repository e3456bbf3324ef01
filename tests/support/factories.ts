import crypto from 'node:crypto';
import { ok, type Caller, type TestApp } from './test-app';

/**
 * Anything that runs GraphQL over HTTP: a test app, or `httpGql(url, databaseUrl)` for a spawned
 * server. Helpers that need a mailed link read it with `readMail` (the server's outbox).
 */
type Gql = Pick<TestApp, 'gql'> & Partial<Pick<TestApp, 'readMail'>>;

function mailReader(app: Gql): NonNullable<Gql['readMail']> {
  if (!app.readMail) throw new Error('this helper reads mail: use startTestApp(), or httpGql(url, databaseUrl)');
  return app.readMail;
}

const VERIFY_EMAIL = /* GraphQL */ `
  mutation VerifyEmail($input: VerifyEmailInput!) { verifyEmail(input: $input) { user { id emailVerified } } }
`;

/** Verifies `email` through the real flow: the link from the verification mail. */
export async function verifyEmail(app: Gql, email: string): Promise<void> {
  const mail = await mailReader(app)(email, 'email.verification');
  ok(await app.gql(VERIFY_EMAIL, { input: { token: mail.token } }));
}

export interface TestOrg extends Required<Caller> {
  userId: string;
  email: string;
  slug: string;
}

const SIGN_UP = /* GraphQL */ `
  mutation SignUp($input: SignUpInput!) { signUp(input: $input) { email } }
`;
const FINISH_SIGN_UP = /* GraphQL */ `
  mutation FinishSignUp($input: VerifyEmailInput!) {
    verifyEmail(input: $input) { token user { id } organization { id slug } }
  }
`;

export const uniqueEmail = (label = 'user') => `${label}-${crypto.randomBytes(5).toString('hex')}@example.test`;

/**
 * A new organisation with its OWNER signed in, through the real flow: sign up, then open the
 * link of the mail (the server's outbox) that creates the account and the organisation.
 */
export async function createOrg(app: Gql, name = '测试组织 Test Org'): Promise<TestOrg> {
  const email = uniqueEmail('owner');
  ok(
    await app.gql(SIGN_UP, {
      input: { email, password: 'correct horse battery', displayName: '负责人 Owner', organizationName: name },
    }),
  );
  const mail = await mailReader(app)(email, 'sign_up.confirmation');
  const data = ok(await app.gql(FINISH_SIGN_UP, { input: { token: mail.token } }));
  return {
    token: data.verifyEmail.token,
    organizationId: data.verifyEmail.organization.id,
    userId: data.verifyEmail.user.id,
    email,
    slug: data.verifyEmail.organization.slug,
  };
}

const ADD_MEMBER = /* GraphQL */ `
  mutation AddMember($input: AddMemberInput!) {
    addMember(input: $input) { member { id role user { id } } }
  }
`;
const ACCEPT = /* GraphQL */ `
  mutation Accept($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { token user { id } } }
`;

/**
 * Adds a signed-in member with `role` to `org` through the real flow (the invitation mail's
 * link, accepted with a password); returns their credentials for that organisation.
 */
export async function addMember(
  app: Gql,
  org: TestOrg,
  role: string,
  displayName = `成员 ${role}`,
): Promise<Required<Caller> & { userId: string; memberId: string; email: string }> {
  const email = uniqueEmail(role.toLowerCase());
  const added = ok(await app.gql(ADD_MEMBER, { input: { email, role } }, org)).addMember;
  const mail = await mailReader(app)(email, 'member.invitation');
  const accepted = ok(
    await app.gql(ACCEPT, { input: { token: mail.token, password: 'correct horse battery', displayName } }),
  ).acceptInvitation;
  return { token: accepted.token, organizationId: org.organizationId, userId: accepted.user.id, memberId: added.member.id, email };
}
