import { addMember, createOrg, uniqueEmail } from '../../support/factories';
import { errorCode, ok, startTestApp, type GqlResult, type TestApp } from '../../support/test-app';

/**
 * Password reset by mail over HTTP: the request answers the same whether or not the address has
 * an account, under the log-in limits; the link works once, for an hour; a reset ends the
 * account's sessions. Client addresses come from X-Forwarded-For (TRUST_PROXY=loopback).
 */

const PASSWORD = 'correct horse battery';
const REQUEST = `mutation($i: RequestPasswordResetInput!) { requestPasswordReset(input: $i) { expiresAt } }`;
const RESET = `mutation($i: ResetPasswordInput!) { resetPassword(input: $i) { token user { id email emailVerified } } }`;
const LOG_IN = `mutation($i: LogInInput!) { logIn(input: $i) { token } }`;
const ME = `{ viewer { user { id } } }`;

const run = `${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 256)}`;
let nextAddress = 1;
const newAddress = () => `10.${run}.${nextAddress++}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { TRUST_PROXY: 'loopback', ACCOUNT_MAIL_INTERVAL_SECONDS: '1', LOGIN_MAX_FAILURES_PER_ADDRESS: '12' } });
});
afterAll(() => app.stop());

const request = (email: string, address = newAddress()) => app.gql(REQUEST, { i: { email } }, {}, { 'x-forwarded-for': address });
const reset = (token: string | null, newPassword: string, address = newAddress()) =>
  app.gql(RESET, { i: { token, newPassword } }, {}, { 'x-forwarded-for': address });
const mailsTo = async (email: string, kind: string): Promise<number> =>
  (await app.ds.query(`SELECT count(*)::int n FROM mail_outbox WHERE to_address = $1 AND kind = $2`, [email, kind]))[0].n;

/** The answer without the instants and waits it names (a second either way is the same answer). */
function shape(r: GqlResult): unknown {
  const expiresAt = r.data?.requestPasswordReset?.expiresAt;
  return {
    status: r.status,
    data: r.data && { requestPasswordReset: { expiresAt: typeof expiresAt } },
    errors: r.errors?.map((e) => ({ code: e.extensions?.code, message: e.message.replace(/\d+ s\b/g, 'N s') })),
  };
}

describe('requestPasswordReset', () => {
  it('answers the same whether or not the address has an account, and mails only an account', async () => {
    const org = await createOrg(app);
    const unknown = uniqueEmail('nobody');
    const known = await request(org.email.toUpperCase());
    const none = await request(unknown);
    expect(shape(known)).toEqual(shape(none));
    const expiresIn = new Date(known.data.requestPasswordReset.expiresAt).getTime() - Date.now();
    expect(expiresIn).toBeGreaterThan(59 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(60 * 60_000);
    const mail = await app.readMail(org.email, 'password.reset');
    expect(mail.text).toContain(`/reset-password?token=${mail.token}`);
    expect(mail.token).toMatch(/^pgr_[A-Za-z0-9_-]{43}$/);
    expect(mail.text).toContain('60 minutes');
    expect(await mailsTo(unknown, 'password.reset')).toBe(0);
    // Stored hashed.
    const rows = await app.ds.query(`SELECT * FROM password_resets`);
    expect(JSON.stringify(rows)).not.toContain(mail.token!.slice(4));
  });

  it('mails an address at most once per interval, refusing alike whether or not it has an account', async () => {
    const org = await createOrg(app);
    const unknown = uniqueEmail('nobody');
    ok(await request(org.email));
    ok(await request(unknown));
    const known = await request(org.email);
    const none = await request(unknown);
    expect(errorCode(known)).toBe('RATE_LIMITED');
    expect(shape(known)).toEqual(shape(none));
    expect(await mailsTo(org.email, 'password.reset')).toBe(1);
    await sleep(1100);
    ok(await request(org.email));
    expect(await mailsTo(org.email, 'password.reset')).toBe(2);
  });

  it('is limited like log-in: per client address, whatever the address asked about', async () => {
    const org = await createOrg(app);
    const address = newAddress();
    for (let i = 0; i < 12; i++) ok(await request(uniqueEmail('spray'), address));
    const known = await request(org.email, address);
    const none = await request(uniqueEmail('spray'), address);
    expect(errorCode(known)).toBe('RATE_LIMITED');
    expect(known.errors![0].message).toContain('Too many password reset requests from your address');
    expect(shape(known)).toEqual(shape(none));
    expect(await mailsTo(org.email, 'password.reset')).toBe(0);
  });

  it('refuses a malformed address before anything is counted', async () => {
    expect(errorCode(await request('not an email'))).toBe('BAD_USER_INPUT');
  });
});

describe('resetPassword', () => {
  it('sets the password once, ends every session of the account, and signs in', async () => {
    const org = await createOrg(app);
    const laptop = ok(await app.gql(LOG_IN, { i: { email: org.email, password: PASSWORD } })).logIn.token;
    ok(await request(org.email));
    const mail = await app.readMail(org.email, 'password.reset');
    const done = ok(await reset(mail.token, 'a brand new password')).resetPassword;
    expect(done.user.email).toBe(org.email);
    ok(await app.gql(ME, {}, { token: done.token }));
    for (const token of [org.token, laptop]) {
      const r = await app.gql(ME, {}, { token });
      expect(errorCode(r)).toBe('UNAUTHENTICATED');
    }
    expect(errorCode(await app.gql(LOG_IN, { i: { email: org.email, password: PASSWORD } }))).toBe('UNAUTHENTICATED');
    ok(await app.gql(LOG_IN, { i: { email: org.email, password: 'a brand new password' } }));
    // Once only.
    const again = await reset(mail.token, 'yet another password');
    expect(errorCode(again)).toBe('BAD_USER_INPUT');
    expect(again.errors![0].extensions!.field).toBe('token');
  });

  it('ends every other open link of the account, and refuses an expired one', async () => {
    const org = await createOrg(app);
    ok(await request(org.email));
    const first = await app.readMail(org.email, 'password.reset');
    await sleep(1100);
    ok(await request(org.email));
    const second = await app.readMail(org.email, 'password.reset');
    expect(second.token).not.toBe(first.token);
    ok(await reset(second.token, 'a brand new password'));
    expect(errorCode(await reset(first.token, 'an older link password'))).toBe('BAD_USER_INPUT');

    await sleep(1100);
    ok(await request(org.email));
    const late = await app.readMail(org.email, 'password.reset');
    await app.ds.query(`UPDATE password_resets SET expires_at = now() - interval '1 second'`);
    const expired = await reset(late.token, 'too late password');
    expect(errorCode(expired)).toBe('BAD_USER_INPUT');
    expect(expired.errors![0].message).toContain('expired');
    ok(await app.gql(LOG_IN, { i: { email: org.email, password: 'a brand new password' } }));
  });

  it('proves the mailbox: an unverified account becomes verified and whoever registered it loses its API tokens', async () => {
    const org = await createOrg(app);
    // An account from before sign-ups were confirmed by mail.
    await app.ds.query(`UPDATE users SET email_verified_at = NULL WHERE email = $1`, [org.email]);
    const kept = ok(await app.gql(`mutation { createApiToken(input: { name: "squat", scopes: [READ] }) { secret } }`, {}, org)).createApiToken.secret;
    ok(await request(org.email));
    const mail = await app.readMail(org.email, 'password.reset');
    expect(ok(await reset(mail.token, 'the mailbox owner pw')).resetPassword.user.emailVerified).toBe(true);
    expect(errorCode(await app.gql(`{ organization { id } }`, {}, { token: kept }))).toBe('UNAUTHENTICATED');
  });

  it('records the reset in each of the user’s organisations, and nowhere else', async () => {
    const org = await createOrg(app);
    const member = await addMember(app, org, 'MEMBER');
    const stranger = await createOrg(app);
    ok(await request(member.email));
    const mail = await app.readMail(member.email, 'password.reset');
    ok(await reset(mail.token, 'a brand new password'));
    const AUDIT = `{ auditEvents(first: 5) { nodes { action entityType entityId actor { id } after } } }`;
    const [event] = ok(await app.gql(AUDIT, {}, org)).auditEvents.nodes;
    expect(event).toMatchObject({ action: 'user.password_reset', entityType: 'User', entityId: member.userId, actor: { id: member.userId } });
    expect(JSON.stringify(event)).not.toMatch(/pgr_|passwordHash/);
    const strangers = ok(await app.gql(AUDIT, {}, stranger)).auditEvents.nodes;
    expect(strangers.map((e: { action: string }) => e.action)).not.toContain('user.password_reset');
  });

  it('refuses malformed input and counts wrong tokens against the client address', async () => {
    expect(errorCode(await reset('pgr_short', 'a brand new password'))).toBe('BAD_USER_INPUT');
    expect(errorCode(await reset(`pgv_${'a'.repeat(43)}`, 'a brand new password'))).toBe('BAD_USER_INPUT');
    expect(errorCode(await reset(`pgr_${'a'.repeat(43)}`, 'short'))).toBe('BAD_USER_INPUT');
    const address = newAddress();
    for (let i = 0; i < 12; i++) expect(errorCode(await reset(`pgr_${String(i).padStart(43, 'x')}`, 'a brand new password', address))).toBe('BAD_USER_INPUT');
    const refused = await reset(`pgr_${'y'.repeat(43)}`, 'a brand new password', address);
    expect(errorCode(refused)).toBe('RATE_LIMITED');
  });
});
