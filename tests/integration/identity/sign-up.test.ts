import { domainToASCII } from 'node:url';
import { createOrg, uniqueEmail } from '../../support/factories';
import { errorCode, ok, startTestApp, type GqlResult, type TestApp } from '../../support/test-app';

/**
 * Sign-up over HTTP: nothing exists until the mailbox owner opens the mailed link; the answer is
 * the same whether or not the address has an account (the mail says which); and sign-ups are
 * limited per client address, overall, and to one mail per address per interval. Client
 * addresses come from X-Forwarded-For (TRUST_PROXY=loopback, as behind a local proxy).
 */

const PASSWORD = 'correct horse battery';
const SIGN_UP = `mutation($i: SignUpInput!) { signUp(input: $i) { email } }`;
const VERIFY = `mutation($i: VerifyEmailInput!) { verifyEmail(input: $i) { token user { id email displayName emailVerified } organization { id name slug } } }`;
const LOG_IN = `mutation($i: LogInInput!) { logIn(input: $i) { token } }`;
const VIEWER = `{ viewer { role user { email } organization { name } } }`;

const run = `${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 256)}`;
let nextAddress = 1;
const newAddress = () => `10.${run}.${nextAddress++}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function signUpAt(app: TestApp, email: string, address: string, organizationName = '内容平台运营部'): Promise<GqlResult> {
  return app.gql(SIGN_UP, { i: { email, password: PASSWORD, displayName: '王敏', organizationName } }, {}, { 'x-forwarded-for': address });
}

async function count(app: TestApp, sql: string, params: unknown[] = []): Promise<number> {
  const [{ n }] = await app.ds.query(sql, params);
  return n;
}

describe('sign-up', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { TRUST_PROXY: 'loopback', ACCOUNT_MAIL_INTERVAL_SECONDS: '1' } });
  });
  afterAll(() => app.stop());

  it('creates nothing until the link is opened; the link creates the account, its organisation, and signs in', async () => {
    const email = uniqueEmail('new');
    const answer = ok(await signUpAt(app, email.toUpperCase(), newAddress()));
    expect(answer).toEqual({ signUp: { email } });
    expect(await count(app, `SELECT count(*)::int n FROM users WHERE email = $1`, [email])).toBe(0);
    // Not an account yet: logging in fails like any wrong password.
    const early = await app.gql(LOG_IN, { i: { email, password: PASSWORD } });
    const wrong = await app.gql(LOG_IN, { i: { email: uniqueEmail('nobody'), password: PASSWORD } });
    expect(errorCode(early)).toBe('UNAUTHENTICATED');
    expect(early.errors![0].message).toBe(wrong.errors![0].message);

    const mail = await app.readMail(email, 'sign_up.confirmation');
    expect(mail.text).toContain('内容平台运营部');
    expect(mail.text).toContain(`/verify-email?token=${mail.token}`);
    const done = ok(await app.gql(VERIFY, { i: { token: mail.token } })).verifyEmail;
    expect(done.user).toMatchObject({ email, displayName: '王敏', emailVerified: true });
    expect(done.organization.name).toBe('内容平台运营部');
    expect(ok(await app.gql(VIEWER, {}, { token: done.token })).viewer).toEqual({
      role: 'OWNER',
      user: { email },
      organization: { name: '内容平台运营部' },
    });
    ok(await app.gql(LOG_IN, { i: { email, password: PASSWORD } }));
    // Once only.
    const again = await app.gql(VERIFY, { i: { token: mail.token } });
    expect(errorCode(again)).toBe('BAD_USER_INPUT');
  });

  it('answers the same for an address with an account, changes nothing, and tells the account’s owner by mail', async () => {
    const org = await createOrg(app);
    await sleep(1100); // the sign-up mail interval of the address, which createOrg just used
    const fresh = uniqueEmail('fresh');
    const taken = await signUpAt(app, org.email, newAddress());
    const free = await signUpAt(app, fresh, newAddress());
    expect(taken.errors).toBeUndefined();
    expect(taken.status).toBe(free.status);
    expect(JSON.stringify(taken.data).replace(org.email, '<email>')).toBe(JSON.stringify(free.data).replace(fresh, '<email>'));

    const note = await app.readMail(org.email, 'sign_up.account_exists');
    expect(note.subject).toBe('Someone tried to sign up for plangraph with your address');
    expect(note.text).toContain('already has an account');
    expect(note.text).toMatch(/log in .* or choose a new password/s);
    expect(note.text).toContain('/reset-password');
    expect(note.token).toBeNull();
    // The account is as it was: its password, its one organisation.
    ok(await app.gql(LOG_IN, { i: { email: org.email, password: PASSWORD } }));
    expect(ok(await app.gql(`{ viewer { organizations { id } } }`, {}, org)).viewer.organizations).toEqual([{ id: org.organizationId }]);
    expect(await count(app, `SELECT count(*)::int n FROM sign_ups WHERE email = $1`, [org.email])).toBe(0);
  });

  it('refuses an expired link, and one whose address got an account in the meantime', async () => {
    const email = uniqueEmail('late');
    ok(await signUpAt(app, email, newAddress()));
    const mail = await app.readMail(email, 'sign_up.confirmation');
    await app.ds.query(`UPDATE sign_ups SET expires_at = now() - interval '1 second' WHERE email = $1`, [email]);
    const expired = await app.gql(VERIFY, { i: { token: mail.token } });
    expect(errorCode(expired)).toBe('BAD_USER_INPUT');
    expect(expired.errors![0].message).toContain('expired');
    expect(await count(app, `SELECT count(*)::int n FROM users WHERE email = $1`, [email])).toBe(0);

    // Signed up, then invited and joined with the invitation's link before opening the sign-up's.
    const owner = await createOrg(app);
    const invitee = uniqueEmail('invitee');
    ok(await signUpAt(app, invitee, newAddress()));
    const signUpMail = await app.readMail(invitee, 'sign_up.confirmation');
    ok(await app.gql(`mutation($i: AddMemberInput!) { addMember(input: $i) { member { id } } }`, { i: { email: invitee, role: 'MEMBER' } }, owner));
    const invitation = await app.readMail(invitee, 'member.invitation');
    ok(await app.gql(`mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { token } }`, { i: { token: invitation.token, password: 'the invitee password' } }));
    const late = await app.gql(VERIFY, { i: { token: signUpMail.token } });
    expect(errorCode(late)).toBe('BAD_USER_INPUT');
    expect(late.errors![0].message).toContain('already has an account');
    ok(await app.gql(LOG_IN, { i: { email: invitee, password: 'the invitee password' } }));
  });

  it('gives a Chinese organisation name a slug of its own, never the bare "org"', async () => {
    const slugs: string[] = [];
    const names = ['用户增长飞轮小组', '用户增长飞轮小组', '超级品牌日'];
    for (const name of names) {
      const email = uniqueEmail('slug');
      ok(await signUpAt(app, email, newAddress(), name));
      const mail = await app.readMail(email, 'sign_up.confirmation');
      slugs.push(ok(await app.gql(VERIFY, { i: { token: mail.token } })).verifyEmail.organization.slug);
    }
    // The name in its IDNA (punycode) form, which reads back as the name; a suffix when taken.
    expect(slugs[0]).toBe(domainToASCII(names[0]));
    expect(slugs[1]).toMatch(new RegExp(`^${domainToASCII(names[1])}-[0-9a-f]{6}$`));
    expect(slugs[2]).toBe(domainToASCII(names[2]));
    expect(slugs).not.toContain('org');
  });

  it('takes the longest valid address like any other (sign-up, log-in, limits)', async () => {
    const email = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
    expect(email).toHaveLength(254);
    ok(await signUpAt(app, email, newAddress()));
    const mail = await app.readMail(email, 'sign_up.confirmation');
    ok(await app.gql(VERIFY, { i: { token: mail.token } }));
    expect(errorCode(await app.gql(LOG_IN, { i: { email, password: 'wrong password' } }))).toBe('UNAUTHENTICATED');
    ok(await app.gql(LOG_IN, { i: { email, password: PASSWORD } }));
  });
});

describe('sign-up limits', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      env: { TRUST_PROXY: 'loopback', SIGNUP_MAX_PER_ADDRESS: '3', SIGNUP_MAX_GLOBAL: '1000', ACCOUNT_MAIL_INTERVAL_SECONDS: '2' },
    });
  });
  afterAll(() => app.stop());

  it('lets one client address sign up 3 times a window, even in a parallel burst', async () => {
    const address = newAddress();
    const emails = Array.from({ length: 20 }, () => uniqueEmail('burst'));
    const results = await Promise.all(emails.map((email) => signUpAt(app, email, address)));
    const codes = results.map((r) => errorCode(r) ?? 'OK');
    expect(codes.filter((c) => c === 'OK')).toHaveLength(3);
    expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(17);
    const refused = results.find((r) => errorCode(r) === 'RATE_LIMITED')!;
    expect(refused.errors![0].message).toContain('Too many sign-ups from your address');
    expect(refused.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(60);
    // Refused sign-ups left nothing behind: no waiting sign-up, no mail.
    expect(await count(app, `SELECT count(*)::int n FROM sign_ups WHERE email = ANY($1)`, [emails])).toBe(3);
    expect(await count(app, `SELECT count(*)::int n FROM mail_outbox WHERE to_address = ANY($1)`, [emails])).toBe(3);
    // Another address is not affected.
    ok(await signUpAt(app, uniqueEmail('other'), newAddress()));
  });

  it('mails one address at most once per interval, with the same refusal whether or not it has an account', async () => {
    const owner = await createOrg(app);
    await sleep(2100); // the sign-up mail interval of the address, which createOrg just used
    const fresh = uniqueEmail('twice');
    ok(await signUpAt(app, fresh, newAddress()));
    ok(await signUpAt(app, owner.email, newAddress()));
    const first = await app.readMail(fresh, 'sign_up.confirmation');
    const refusedFresh = await signUpAt(app, fresh, newAddress());
    const refusedTaken = await signUpAt(app, owner.email, newAddress());
    for (const r of [refusedFresh, refusedTaken]) expect(errorCode(r)).toBe('RATE_LIMITED');
    expect(refusedFresh.errors![0].message).toBe(refusedTaken.errors![0].message);
    expect(refusedFresh.errors![0].message).toContain('inbox');
    expect(await count(app, `SELECT count(*)::int n FROM mail_outbox WHERE to_address = $1`, [fresh])).toBe(1);
    expect(await count(app, `SELECT count(*)::int n FROM mail_outbox WHERE to_address = $1 AND kind = 'sign_up.account_exists'`, [owner.email])).toBe(1);

    // After the interval a new sign-up goes through, and its link replaces the earlier one.
    await sleep(2100);
    ok(await signUpAt(app, fresh, newAddress(), 'Second try'));
    const second = await app.readMail(fresh, 'sign_up.confirmation');
    expect(second.token).not.toBe(first.token);
    expect(errorCode(await app.gql(VERIFY, { i: { token: first.token } }))).toBe('BAD_USER_INPUT');
    expect(ok(await app.gql(VERIFY, { i: { token: second.token } })).verifyEmail.organization.name).toBe('Second try');
  });
});

describe('the overall sign-up limit', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { TRUST_PROXY: 'loopback', SIGNUP_MAX_PER_ADDRESS: '100', SIGNUP_MAX_GLOBAL: '5' } });
  });
  afterAll(() => app.stop());

  it('refuses sign-ups from every address once the server-wide count is reached', async () => {
    for (let i = 0; i < 5; i++) ok(await signUpAt(app, uniqueEmail('many'), newAddress()));
    const refused = await signUpAt(app, uniqueEmail('many'), newAddress());
    expect(errorCode(refused)).toBe('RATE_LIMITED');
    expect(refused.errors![0].message).toContain('Too many sign-ups on this server');
    // Log-in is not affected.
    expect(errorCode(await app.gql(LOG_IN, { i: { email: uniqueEmail('x'), password: PASSWORD } }))).toBe('UNAUTHENTICATED');
  });
});
