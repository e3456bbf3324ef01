import { createOrg, uniqueEmail } from '../../support/factories';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';
import { toGlobalId } from '../../../src/common/ids';

/**
 * Membership needs the invitee's consent, and an address belongs to whoever reads its mail:
 * invitations go by real mail (SMTP sink), an unverified account sees and accepts none. Sign-ups
 * are confirmed by mail, so unverified accounts are those from before that (made here by
 * clearing `email_verified_at`, as the migration found them).
 */

let sink: SmtpSink;
let app: TestApp;
beforeAll(async () => {
  sink = await startSmtpSink();
  app = await startTestApp({ env: { SMTP_URL: sink.url, PUBLIC_URL: 'https://planner.example.com' } });
});
afterAll(async () => {
  await app.stop();
  await sink.stop();
});

const PASSWORD = 'correct horse battery';
const SIGN_UP = `mutation($i: SignUpInput!) { signUp(input: $i) { email } }`;
const FINISH = `mutation($i: VerifyEmailInput!) { verifyEmail(input: $i) { token user { id emailVerified } organization { id } } }`;
const LOG_IN = `mutation($i: LogInInput!) { logIn(input: $i) { token } }`;
const ADD = `mutation($i: AddMemberInput!) { addMember(input: $i) { member { id status role } } }`;
const ACCEPT = `mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { token user { id displayName emailVerified } organization { id } member { id status } } }`;
const DECLINE = `mutation($i: DeclineInvitationInput!) { declineInvitation(input: $i) { declinedInvitationId } }`;
const INVITATIONS = `{ viewer { invitations { id role organization { id name } invitedBy { displayName } } } }`;
const AUDIT = `{ auditEvents(first: 5) { nodes { action } } }`;
const MEMBERS = `{ organization { members(first: 50) { nodes { id status user { email } } } } }`;

/** An account as those from before sign-ups were confirmed by mail: unverified. */
async function unverified(email: string): Promise<void> {
  await app.ds.query(`UPDATE users SET email_verified_at = NULL WHERE email = $1`, [email]);
}

async function invitationIdFor(email: string): Promise<string> {
  const [row] = await app.ds.query(`SELECT i.id FROM invitations i JOIN users u ON u.id = i.user_id WHERE u.email = $1`, [email]);
  return toGlobalId('Invitation', row.id);
}

describe('account pre-takeover', () => {
  it('a squatter cannot register someone else’s address: nothing exists until the mailbox owner opens the link', async () => {
    const victim = uniqueEmail('victim');
    ok(await app.gql(SIGN_UP, { i: { email: victim, password: 'squatter password', displayName: 'Squatter', organizationName: 'Squat' } }));
    const [mail] = await sink.waitFor(victim);
    expect(mail.to).toEqual([victim]);
    expect(mail.text).toContain('Squat');
    expect(errorCode(await app.gql(LOG_IN, { i: { email: victim, password: 'squatter password' } }))).toBe('UNAUTHENTICATED');
    expect(await app.ds.query(`SELECT 1 FROM users WHERE email = $1`, [victim])).toEqual([]);
  });

  it('an unverified account of the victim’s address is invited but reads nothing; the real mailbox owner takes the account', async () => {
    const owner = await createOrg(app, '运营部 Ops');
    // 1. An account registered with the victim's address before sign-ups were confirmed by mail.
    const registered = await createOrg(app, 'Squat');
    const victim = registered.email;
    await unverified(victim);
    const squatter = { token: registered.token };
    // The sign-up mail went to the real mailbox, not to whoever typed the address.
    const [first] = await sink.waitFor(victim);
    expect(first.to).toEqual([victim]);
    expect(first.subject).toContain('Confirm your email address');

    const squatToken = ok(
      await app.gql(`mutation { createApiToken(input: { name: "kept", scopes: [READ] }) { secret } }`, {}, squatter),
    ).createApiToken.secret;

    // 2. The OWNER invites the address as ADMIN.
    const added = ok(await app.gql(ADD, { i: { email: victim, role: 'ADMIN' } }, owner)).addMember;
    expect(added.member.status).toBe('INVITED');

    // 3. The squatter, unverified, sees no invitation, cannot accept or decline, and reads nothing.
    const asSquatter = { token: squatter.token };
    expect(ok(await app.gql(INVITATIONS, {}, asSquatter)).viewer.invitations).toEqual([]);
    const invitationId = await invitationIdFor(victim);
    const accept = await app.gql(ACCEPT, { i: { invitationId } }, asSquatter);
    expect(errorCode(accept)).toBe('FORBIDDEN');
    expect(accept.errors![0].message).toContain('Verify your email address');
    expect(errorCode(await app.gql(DECLINE, { i: { invitationId } }, asSquatter))).toBe('FORBIDDEN');
    const inOwnerOrg = { token: squatter.token, organizationId: owner.organizationId };
    expect(errorCode(await app.gql(AUDIT, {}, inOwnerOrg))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(MEMBERS, {}, inOwnerOrg))).toBe('FORBIDDEN');
    // Asking for another verification mail sends it to the same real mailbox.
    ok(await app.gql(`mutation { resendVerificationEmail { user { id } } }`, {}, asSquatter));
    expect((await sink.waitFor(victim, 3)).map((m) => m.to)).toEqual([[victim], [victim], [victim]]);

    // 4. The mailbox owner opens the invitation link: the account is theirs now.
    const invitation = (await sink.waitFor(victim, 3)).find((m) => m.text.includes('/accept-invitation?token='))!;
    const taken = ok(
      await app.gql(ACCEPT, { i: { token: invitation.token, password: 'the real owner pw', displayName: 'Victim 本人' } }),
    ).acceptInvitation;
    expect(taken).toMatchObject({ user: { displayName: 'Victim 本人', emailVerified: true }, member: { status: 'ACTIVE' } });
    const r = await app.gql(AUDIT, {}, asSquatter);
    expect(errorCode(r)).toBe('UNAUTHENTICATED');
    expect(errorCode(await app.gql(LOG_IN, { i: { email: victim, password: PASSWORD } }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await app.gql(`{ organization { id } }`, {}, { token: squatToken }))).toBe('UNAUTHENTICATED');
    const asVictim = { token: taken.token, organizationId: owner.organizationId };
    expect(ok(await app.gql(AUDIT, {}, asVictim)).auditEvents.nodes[0].action).toBe('member.joined');
  });

  it('verifying the address makes the invitations visible; declining removes the membership', async () => {
    const owner = await createOrg(app, '财务部');
    const user = await createOrg(app);
    await unverified(user.email);
    await app.gql(ADD, { i: { email: user.email, role: 'VIEWER' } }, owner);
    expect(ok(await app.gql(INVITATIONS, {}, user)).viewer.invitations).toEqual([]);
    ok(await app.gql(`mutation { resendVerificationEmail { user { id } } }`, {}, user));
    const mails = await sink.waitFor(user.email, 3);
    const verification = mails.find((m) => m.subject === 'Confirm your email address for plangraph')!;
    ok(await app.gql(`mutation($i: VerifyEmailInput!) { verifyEmail(input: $i) { user { emailVerified } } }`, { i: { token: verification.token } }));
    const [inv] = ok(await app.gql(INVITATIONS, {}, user)).viewer.invitations;
    expect(inv).toMatchObject({ role: 'VIEWER', organization: { id: owner.organizationId, name: '财务部' }, invitedBy: { displayName: '负责人 Owner' } });
    expect(ok(await app.gql(DECLINE, { i: { invitationId: inv.id } }, user)).declineInvitation.declinedInvitationId).toBe(inv.id);
    expect(ok(await app.gql(INVITATIONS, {}, user)).viewer.invitations).toEqual([]);
    const members = ok(await app.gql(MEMBERS, {}, owner)).organization.members.nodes;
    expect(members.map((m: { user: { email: string } }) => m.user.email)).not.toContain(user.email);
    // Declined: accepting it now is refused.
    expect(errorCode(await app.gql(ACCEPT, { i: { invitationId: inv.id } }, user))).toBe('BAD_USER_INPUT');
  });

  it('nothing becomes ACTIVE without the invitee: someone else’s invitation id is refused', async () => {
    const owner = await createOrg(app);
    const invitee = await createOrg(app);
    const stranger = await createOrg(app);
    await app.gql(ADD, { i: { email: invitee.email, role: 'MEMBER' } }, owner);
    const id = await invitationIdFor(invitee.email);
    expect(errorCode(await app.gql(ACCEPT, { i: { invitationId: id } }, stranger))).toBe('BAD_USER_INPUT');
    expect(errorCode(await app.gql(DECLINE, { i: { invitationId: id } }, stranger))).toBe('BAD_USER_INPUT');
    const members = ok(await app.gql(MEMBERS, {}, owner)).organization.members.nodes;
    expect(members.find((m: { user: { email: string } }) => m.user.email === invitee.email).status).toBe('INVITED');
  });

  it('a verified account does not take a password from an invitation link', async () => {
    const owner = await createOrg(app);
    const user = await createOrg(app);
    await app.gql(ADD, { i: { email: user.email, role: 'MEMBER' } }, owner);
    const mail = (await sink.waitFor(user.email, 2)).find((m) => m.text.includes('/accept-invitation'))!;
    const r = await app.gql(ACCEPT, { i: { token: mail.token, password: 'an attacker password' } });
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].message).toContain('sign in');
    // Signed in, the same link works.
    const joined = ok(await app.gql(ACCEPT, { i: { token: mail.token } }, user)).acceptInvitation;
    expect(joined.member.status).toBe('ACTIVE');
    expect(joined.token).toBeNull();
  });

  it('refuses malformed, unknown, expired and mixed acceptance input clearly', async () => {
    const owner = await createOrg(app);
    const email = uniqueEmail('late');
    await app.gql(ADD, { i: { email, role: 'MEMBER' } }, owner);
    const [mail] = await sink.waitFor(email);
    expect(errorCode(await app.gql(ACCEPT, { i: { token: 'pgi_x', password: PASSWORD } }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await app.gql(ACCEPT, { i: { token: mail.token } }))).toBe('BAD_USER_INPUT'); // no password
    expect(errorCode(await app.gql(ACCEPT, { i: { token: mail.token, invitationId: 'x', password: PASSWORD } }))).toBe('BAD_USER_INPUT');
    await app.ds.query(`UPDATE invitations SET expires_at = now() - interval '1 second' WHERE token_hash IS NOT NULL AND user_id = (SELECT id FROM users WHERE email = $1)`, [email]);
    const expired = await app.gql(ACCEPT, { i: { token: mail.token, password: PASSWORD } });
    expect(errorCode(expired)).toBe('BAD_USER_INPUT');
    expect(expired.errors![0].message).toContain('expired');
  });

  it('an invitee who signs up instead of opening the invitation still needs the mailbox to join', async () => {
    const owner = await createOrg(app);
    const email = uniqueEmail('eager');
    await app.gql(ADD, { i: { email, role: 'MEMBER' } }, owner);
    expect(ok(await app.gql(SIGN_UP, { i: { email, password: PASSWORD, displayName: 'Eager', organizationName: 'Mine' } }))).toEqual({ signUp: { email } });
    const signUpMail = (await sink.waitFor(email, 2)).find((m) => m.text.includes('/verify-email?token='))!;
    // The sign-up's link makes the invited placeholder the account, verified.
    const done = ok(await app.gql(FINISH, { i: { token: signUpMail.token } })).verifyEmail;
    expect(done.user.emailVerified).toBe(true);
    const signed = { token: done.token };
    const [inv] = ok(await app.gql(INVITATIONS, {}, signed)).viewer.invitations;
    ok(await app.gql(ACCEPT, { i: { invitationId: inv.id } }, signed));
    expect(ok(await app.gql(`{ viewer { organizations { id } } }`, {}, signed)).viewer.organizations).toHaveLength(2);
  });
});

describe('an unverified user who opens their invitation link signed in', () => {
  it('joins and is verified, keeping password, sessions and API tokens', async () => {
    const owner = await createOrg(app);
    const user = await createOrg(app);
    await unverified(user.email);
    const kept = ok(await app.gql(`mutation { createApiToken(input: { name: "mine", scopes: [READ] }) { secret } }`, {}, user)).createApiToken.secret;
    await app.gql(ADD, { i: { email: user.email, role: 'MEMBER' } }, owner);
    const mail = (await sink.waitFor(user.email, 2)).find((m) => m.text.includes('/accept-invitation'))!;
    const joined = ok(await app.gql(ACCEPT, { i: { token: mail.token } }, user)).acceptInvitation;
    expect(joined).toMatchObject({ token: null, user: { emailVerified: true }, member: { status: 'ACTIVE' } });
    ok(await app.gql(`{ viewer { user { id } } }`, {}, user));
    ok(await app.gql(`{ organization { id } }`, {}, { token: kept }));
    ok(await app.gql(LOG_IN, { i: { email: user.email, password: PASSWORD } }));
  });
});
