import crypto from 'node:crypto';
import { createOrg, uniqueEmail } from '../../support/factories';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';

/**
 * The pages behind the links in account mail, as a browser uses them: opening a link (GET) shows
 * a form and consumes nothing (mail scanners fetch links); posting the form does the step. Plain
 * HTML without script, escaped, under a strict Content-Security-Policy.
 */

const PUBLIC_URL = 'https://plangraph.example';
const PASSWORD = 'correct horse battery';
const SIGN_UP = `mutation($i: SignUpInput!) { signUp(input: $i) { email } }`;
const LOG_IN = `mutation($i: LogInInput!) { logIn(input: $i) { token } }`;

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { PUBLIC_URL } });
});
afterAll(() => app.stop());

interface Answer {
  status: number;
  headers: Headers;
  html: string;
}

/** The mail's link, opened on the test server (it points at PUBLIC_URL). */
async function linkIn(to: string, kind: string): Promise<string> {
  const mail = await app.readMail(to, kind);
  const url = /https?:\/\/\S+/.exec(mail.text)![0];
  expect(url.startsWith(`${PUBLIC_URL}/`)).toBe(true);
  const u = new URL(url);
  return `${app.url}${u.pathname}${u.search}`;
}

async function open(url: string): Promise<Answer> {
  const res = await fetch(url);
  return { status: res.status, headers: res.headers, html: await res.text() };
}

async function submit(url: string, fields: Record<string, string>): Promise<Answer> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });
  return { status: res.status, headers: res.headers, html: await res.text() };
}

const hidden = (html: string, name: string) => new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`).exec(html)?.[1] ?? null;
const count = async (sql: string, params: unknown[]) => (await app.ds.query(sql, params))[0].n as number;

function expectSafePage(a: Answer): void {
  expect(a.headers.get('content-type')).toBe('text/html; charset=utf-8');
  const csp = a.headers.get('content-security-policy')!;
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("form-action 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain('script-src');
  // The page's one inline style is allowed by its hash, nothing else.
  const style = /<style>([\s\S]*?)<\/style>/.exec(a.html)![1];
  expect(csp).toContain(`style-src 'sha256-${crypto.createHash('sha256').update(style, 'utf8').digest('base64')}'`);
  expect(a.headers.get('cache-control')).toBe('no-store');
  expect(a.headers.get('referrer-policy')).toBe('no-referrer');
  expect(a.html).not.toMatch(/<script|javascript:|\bon\w+=/i);
  expect(a.html.startsWith('<!DOCTYPE html>')).toBe(true);
}

describe('/verify-email', () => {
  it('shows a form without consuming the link; posting it creates the account, with every name escaped', async () => {
    const email = uniqueEmail('page');
    const name = '<b>运营</b> & "Ops" <script>alert(1)</script>';
    ok(await app.gql(SIGN_UP, { i: { email, password: PASSWORD, displayName: '王敏', organizationName: name } }));
    const link = await linkIn(email, 'sign_up.confirmation');
    const token = new URL(link).searchParams.get('token')!;

    // A scanner (or the user) opening the link twice changes nothing.
    for (let i = 0; i < 2; i++) {
      const shown = await open(link);
      expect(shown.status).toBe(200);
      expectSafePage(shown);
      expect(shown.html).toContain('<form method="post">');
      expect(hidden(shown.html, 'token')).toBe(token);
    }
    expect(await count(`SELECT count(*)::int n FROM sign_ups WHERE email = $1`, [email])).toBe(1);
    expect(await count(`SELECT count(*)::int n FROM users WHERE email = $1`, [email])).toBe(0);

    const done = await submit(link, { token });
    expect(done.status).toBe(200);
    expectSafePage(done);
    expect(done.html).toContain('Your account is ready');
    expect(done.html).toContain('&lt;b&gt;运营&lt;/b&gt; &amp; &quot;Ops&quot; &lt;script&gt;alert(1)&lt;/script&gt;');
    ok(await app.gql(LOG_IN, { i: { email, password: PASSWORD } }));

    const again = await submit(link, { token });
    expect(again.status).toBe(400);
    expect(again.html).toContain('This verification link is invalid, used or expired');
  });

  it('refuses a link without a token, a malformed token and forbidden characters with a page', async () => {
    for (const path of ['/verify-email', '/accept-invitation']) {
      const r = await open(`${app.url}${path}`);
      expect(r.status).toBe(400);
      expectSafePage(r);
      expect(r.html).toContain('This link is incomplete');
    }
    const short = await submit(`${app.url}/verify-email`, { token: 'pgv_short' });
    expect(short.status).toBe(400);
    expect(short.html).toContain('token is not an email verification token');
    const nul = await submit(`${app.url}/verify-email`, { token: `pgv_${'a'.repeat(42)}\u0000` });
    expect(nul.status).toBe(400);
    expect(nul.html).toContain('NUL');
    const huge = await submit(`${app.url}/verify-email`, { token: 'x'.repeat(20_000) });
    expect(huge.status).toBe(413);
    expectSafePage(huge);
    expect(huge.html).toContain('The form could not be read');
    expect(huge.html).not.toMatch(/\bat \S+\.(js|ts):\d+/);
  });
});

describe('/accept-invitation', () => {
  it('asks a new invitee for a password, then joins them', async () => {
    const org = await createOrg(app, '财务部 Finance');
    const email = uniqueEmail('invitee');
    ok(await app.gql(`mutation($i: AddMemberInput!) { addMember(input: $i) { member { id } } }`, { i: { email, role: 'FINANCE' } }, org));
    const link = await linkIn(email, 'member.invitation');
    const token = new URL(link).searchParams.get('token')!;
    const shown = await open(link);
    expect(shown.status).toBe(200);
    expectSafePage(shown);
    expect(shown.html).toMatch(/<input[^>]*name="password"[^>]*type="password"/);

    const noPassword = await submit(link, { token, displayName: '李娜', password: '' });
    expect(noPassword.status).toBe(400);
    expect(noPassword.html).toContain('password is required to accept this invitation');
    expect(hidden(noPassword.html, 'token')).toBe(token);

    const joined = await submit(link, { token, displayName: '李娜', password: PASSWORD });
    expect(joined.status).toBe(200);
    expect(joined.html).toContain('You joined “财务部 Finance” as FINANCE');
    const session = ok(await app.gql(LOG_IN, { i: { email, password: PASSWORD } })).logIn.token;
    expect(ok(await app.gql(`{ viewer { role user { displayName } } }`, {}, { token: session })).viewer).toEqual({ role: 'FINANCE', user: { displayName: '李娜' } });
  });
});

describe('/reset-password', () => {
  it('asks for the address without telling whether it has an account, then sets the password from the link', async () => {
    const org = await createOrg(app);
    const form = await open(`${app.url}/reset-password`);
    expect(form.status).toBe(200);
    expectSafePage(form);
    expect(form.html).toMatch(/<input[^>]*name="email"/);
    const unknown = uniqueEmail('nobody');
    const known = await submit(`${app.url}/reset-password`, { email: org.email });
    const none = await submit(`${app.url}/reset-password`, { email: unknown });
    expect(known.status).toBe(200);
    expect(known.html.replace(org.email, '<email>')).toBe(none.html.replace(unknown, '<email>'));
    // Asked again at once: refused alike, with Retry-After.
    const again = await submit(`${app.url}/reset-password`, { email: org.email });
    expect(again.status).toBe(429);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);

    const link = await linkIn(org.email, 'password.reset');
    const token = new URL(link).searchParams.get('token')!;
    const shown = await open(link);
    expect(shown.status).toBe(200);
    expect(shown.html).toMatch(/<input[^>]*name="newPassword"[^>]*type="password"/);
    const short = await submit(link, { token, newPassword: 'short' });
    expect(short.status).toBe(400);
    expect(short.html).toContain('newPassword must be at least 10 characters');
    const done = await submit(link, { token, newPassword: 'a brand new password' });
    expect(done.status).toBe(200);
    expect(done.html).toContain('Your password is changed');
    expect(errorCode(await app.gql(`{ viewer { user { id } } }`, {}, org))).toBe('UNAUTHENTICATED');
    ok(await app.gql(LOG_IN, { i: { email: org.email, password: 'a brand new password' } }));
  });
});
