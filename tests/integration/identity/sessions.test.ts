import { createOrg } from '../../support/factories';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';
import { wsClient, subscribe, settle } from '../../support/ws';

/** Sessions end: logOut (this token), logOutEverywhere (every earlier token), changePassword (every other session). */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const PASSWORD = 'correct horse battery';
const LOG_IN = `mutation($i: LogInInput!) { logIn(input: $i) { token } }`;
const ME = `{ viewer { user { id } } }`;
const LOG_OUT = `mutation { logOut { loggedOut } }`;
const EVERYWHERE = `mutation { logOutEverywhere { sessionsValidAfter } }`;
const CHANGE = `mutation($i: ChangePasswordInput!) { changePassword(input: $i) { token user { id } } }`;

async function logIn(email: string, password = PASSWORD): Promise<string> {
  return ok(await app.gql(LOG_IN, { i: { email, password } })).logIn.token;
}

async function refusedWith(token: string): Promise<string> {
  const r = await app.gql(ME, {}, { token });
  expect(errorCode(r)).toBe('UNAUTHENTICATED');
  return r.errors![0].message;
}

describe('logOut', () => {
  it('ends the token it is called with, and only that one', async () => {
    const org = await createOrg(app);
    const laptop = await logIn(org.email);
    const phone = await logIn(org.email);
    expect(ok(await app.gql(LOG_OUT, {}, { token: laptop })).logOut.loggedOut).toBe(true);
    expect(await refusedWith(laptop)).toContain('logged out');
    ok(await app.gql(ME, {}, { token: phone }));
    ok(await app.gql(ME, {}, org));
    // Logging out again with the ended token is refused like any other use of it.
    expect(errorCode(await app.gql(LOG_OUT, {}, { token: laptop }))).toBe('UNAUTHENTICATED');
  });

  it('is for sessions, not API tokens', async () => {
    const org = await createOrg(app);
    const secret = ok(await app.gql(`mutation { createApiToken(input: { name: "bi", scopes: [READ] }) { secret } }`, {}, org)).createApiToken.secret;
    expect(errorCode(await app.gql(LOG_OUT, {}, { token: secret }))).toBe('FORBIDDEN');
  });

  it('stops an open subscription of that session at its next event', async () => {
    const org = await createOrg(app);
    const token = await logIn(org.email);
    const client = wsClient(app.url, { authorization: `Bearer ${token}` });
    const control = wsClient(app.url, { authorization: `Bearer ${org.token}` });
    const events = subscribe(client, `subscription { planningEvents { type } }`);
    const controlEvents = subscribe(control, `subscription { planningEvents { type } }`);
    await settle();
    ok(await app.gql(LOG_OUT, {}, { token }));
    ok(await app.gql(`mutation { createApiToken(input: { name: "x", scopes: [READ] }) { secret } }`, {}, org));
    // The other session of the same user still receives it: the event happened.
    await controlEvents.next(5000);
    await settle(300);
    expect(events.pending()).toEqual([]);
    await client.dispose();
    await control.dispose();
  });
});

describe('logOutEverywhere', () => {
  it('ends every session issued before it; a new log-in works', async () => {
    const org = await createOrg(app);
    const a = await logIn(org.email);
    const b = await logIn(org.email);
    const at = ok(await app.gql(EVERYWHERE, {}, { token: a })).logOutEverywhere.sessionsValidAfter;
    expect(new Date(at).getTime()).toBeLessThanOrEqual(Date.now());
    for (const t of [a, b, org.token]) expect(await refusedWith(t)).toContain('logging out everywhere');
    const fresh = await logIn(org.email);
    ok(await app.gql(ME, {}, { token: fresh }));
  });
});

describe('changePassword', () => {
  it('ends the other sessions and returns a fresh token for this one', async () => {
    const org = await createOrg(app);
    const other = await logIn(org.email);
    const changed = ok(await app.gql(CHANGE, { i: { currentPassword: PASSWORD, newPassword: 'a brand new horse' } }, org)).changePassword;
    expect(changed.user.id).toBe(org.userId);
    ok(await app.gql(ME, {}, { token: changed.token }));
    expect(await refusedWith(other)).toContain('password change');
    expect(await refusedWith(org.token)).toContain('password change');
    expect(errorCode(await app.gql(LOG_IN, { i: { email: org.email, password: PASSWORD } }))).toBe('UNAUTHENTICATED');
    await logIn(org.email, 'a brand new horse');
  });

  it('refuses a wrong current password and changes nothing', async () => {
    const org = await createOrg(app);
    const r = await app.gql(CHANGE, { i: { currentPassword: 'not my password', newPassword: 'a brand new horse' } }, org);
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].extensions!.field).toBe('currentPassword');
    ok(await app.gql(ME, {}, org));
    await logIn(org.email);
    const short = await app.gql(CHANGE, { i: { currentPassword: PASSWORD, newPassword: 'short' } }, org);
    expect(errorCode(short)).toBe('BAD_USER_INPUT');
  });
});
