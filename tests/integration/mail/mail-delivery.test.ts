import { Writable } from 'node:stream';
import pino from 'pino';
import { createLogger } from '../../../src/common/logger';
import { loadConfig } from '../../../src/config';
import { createDataSource } from '../../../src/db/data-source';
import { freePort } from '../../../src/db/embedded-postgres';
import { startMailSender } from '../../../src/modules/mail';
import { createOrg, uniqueEmail } from '../../support/factories';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';

/**
 * Outgoing mail over real SMTP (nodemailer → an in-process smtp-server sink): the outbox is
 * written in the transaction of the change, delivered after commit, retried through an outage
 * without loss, and never delivered twice, also with several senders on one database.
 */

const SIGN_UP = `mutation($i: SignUpInput!) { signUp(input: $i) { email } }`;
const VERIFY = `mutation($i: VerifyEmailInput!) { verifyEmail(input: $i) { user { id email emailVerified } } }`;
const ME = `{ viewer { user { emailVerified } } }`;
const ADD = `mutation($i: AddMemberInput!) { addMember(input: $i) { member { id status } } }`;

const outboxRows = (app: TestApp, to: string) =>
  app.ds.query(`SELECT attempts, sent_at, last_error, failed_at FROM mail_outbox WHERE to_address = $1`, [to]);

describe('mail through SMTP', () => {
  let sink: SmtpSink;
  let app: TestApp;
  beforeAll(async () => {
    sink = await startSmtpSink();
    app = await startTestApp({
      env: { SMTP_URL: sink.url, MAIL_FROM: 'plangraph <no-reply@plangraph.test>', PUBLIC_URL: 'https://planner.example.com/app' },
    });
  });
  afterAll(async () => {
    await app.stop();
    await sink.stop();
  });

  it('sends the sign-up mail; its link creates the account once', async () => {
    const email = uniqueEmail('signup');
    ok(await app.gql(SIGN_UP, { i: { email, password: 'correct horse battery', displayName: 'Mail 邮件', organizationName: '邮件组' } }));
    const [mail] = await sink.waitFor(email);
    expect(mail.from).toBe('no-reply@plangraph.test');
    expect(mail.subject).toContain('Confirm your email address');
    expect(mail.text).toContain(`https://planner.example.com/app/verify-email?token=${mail.token}`);
    expect(mail.token).toMatch(/^pgv_[A-Za-z0-9_-]{43}$/);
    // Stored hashed: the waiting sign-up holds no token.
    const waiting = await app.ds.query(`SELECT * FROM sign_ups WHERE email = $1`, [email]);
    expect(waiting).toHaveLength(1);
    expect(JSON.stringify(waiting)).not.toContain(mail.token!.slice(4));
    const verified = ok(await app.gql(VERIFY, { i: { token: mail.token } })).verifyEmail;
    expect(verified.user).toMatchObject({ email, emailVerified: true });
    // Single use; a token of the wrong shape is refused before any lookup.
    expect(errorCode(await app.gql(VERIFY, { i: { token: mail.token } }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await app.gql(VERIFY, { i: { token: 'pgv_short' } }))).toBe('BAD_USER_INPUT');
    const [row] = await outboxRows(app, email);
    expect(row).toMatchObject({ attempts: 1, last_error: null });
    expect(row.sent_at).not.toBeNull();
  });

  it('verifies an unverified account’s address with a resent link, once and within 48 hours', async () => {
    // Accounts from before sign-ups were confirmed by mail start unverified.
    const org = await createOrg(app);
    await app.ds.query(`UPDATE users SET email_verified_at = NULL WHERE email = $1`, [org.email]);
    expect(ok(await app.gql(ME, {}, org)).viewer.user.emailVerified).toBe(false);
    ok(await app.gql(`mutation { resendVerificationEmail { user { id } } }`, {}, org));
    const mail = (await sink.waitFor(org.email, 2))[1];
    expect(mail.subject).toBe('Confirm your email address for plangraph');
    const rows = await app.ds.query(`SELECT token_hash FROM email_verifications`);
    expect(JSON.stringify(rows)).not.toContain(mail.token!.slice(4));
    await app.ds.query(`UPDATE email_verifications SET expires_at = now() - interval '1 second' WHERE email = $1`, [org.email]);
    const r = await app.gql(VERIFY, { i: { token: mail.token } });
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].message).toContain('expired');
    await app.ds.query(`UPDATE email_verifications SET expires_at = now() + interval '1 hour' WHERE email = $1`, [org.email]);
    expect(ok(await app.gql(VERIFY, { i: { token: mail.token } })).verifyEmail.user.emailVerified).toBe(true);
    expect(ok(await app.gql(ME, {}, org)).viewer.user.emailVerified).toBe(true);
    expect(errorCode(await app.gql(VERIFY, { i: { token: mail.token } }))).toBe('BAD_USER_INPUT');
  });

  it('sends the invitation to the invitee, never the token to the inviter', async () => {
    const org = await createOrg(app);
    const email = uniqueEmail('invitee');
    const added = await app.gql(ADD, { i: { email, role: 'MEMBER' } }, org);
    expect(ok(added).addMember.member.status).toBe('INVITED');
    expect(JSON.stringify(added)).not.toMatch(/pgi_/);
    const [mail] = await sink.waitFor(email);
    expect(mail.to).toEqual([email]);
    expect(mail.text).toContain(`https://planner.example.com/app/accept-invitation?token=${mail.token}`);
    expect(mail.token).toMatch(/^pgi_/);
  });
});

describe('a mail server outage', () => {
  it('loses nothing: the mail is retried with back-off and arrives exactly once when the server is back', async () => {
    const port = await freePort();
    const app = await startTestApp({ env: { SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_RETRY_BASE_MS: '100' } });
    let sink: SmtpSink | null = null;
    try {
      const org = await createOrg(app);
      // Nothing listens: attempts fail and are rescheduled, the row stays unsent.
      const end = Date.now() + 10_000;
      let rows = await outboxRows(app, org.email);
      while (rows[0].attempts < 3 && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 100));
        rows = await outboxRows(app, org.email);
      }
      expect(rows).toHaveLength(1);
      expect(rows[0].attempts).toBeGreaterThanOrEqual(3);
      expect(rows[0].sent_at).toBeNull();
      expect(rows[0].failed_at).toBeNull();
      expect(rows[0].last_error).toMatch(/ECONNREFUSED|connect/i);
      const [{ gap }] = await app.ds.query(
        `SELECT extract(epoch FROM next_attempt_at - now()) * 1000 AS gap FROM mail_outbox WHERE to_address = $1`,
        [org.email],
      );
      // The delay has grown beyond the base (100 ms doubles per attempt).
      expect(Number(gap)).toBeGreaterThan(100);

      sink = await startSmtpSink(port);
      const got = await sink.waitFor(org.email, 1, 30_000);
      // Several more polls and a forced flush deliver nothing again.
      await app.mailer.flush();
      await new Promise((r) => setTimeout(r, 1000));
      await app.mailer.flush();
      expect(sink.messages.filter((m) => m.to.includes(org.email))).toHaveLength(1);
      expect(got[0].subject).toContain('Confirm your email address');
      const [row] = await outboxRows(app, org.email);
      expect(row.sent_at).not.toBeNull();
      expect(row.last_error).toBeNull();
    } finally {
      await app.stop();
      await sink?.stop();
    }
  });
});

describe('several instances on one database', () => {
  it('deliver each queued mail exactly once (rows claimed with FOR UPDATE SKIP LOCKED)', async () => {
    const sink = await startSmtpSink();
    const app = await startTestApp({ env: { SMTP_URL: sink.url } });
    // A second sender on its own connection pool, as another instance would run it.
    const url = (app.ds.options as { url: string }).url;
    const ds2 = createDataSource(url, createLogger('silent'), 5);
    await ds2.initialize();
    await app.mailer.stop();
    const config = loadConfig({ NODE_ENV: 'test', SMTP_URL: sink.url, MAIL_POLL_INTERVAL_MS: '50' });
    const logger = createLogger('silent');
    try {
      const to = Array.from({ length: 30 }, (_, i) => `bulk-${i}-${Date.now()}@example.test`);
      await app.ds.query(
        `INSERT INTO mail_outbox (kind, to_address, subject, body) SELECT 'test', t, 'Bulk', 'hello' FROM unnest($1::text[]) t`,
        [to],
      );
      const senders = [
        startMailSender({ db: app.ds, config, logger }),
        startMailSender({ db: ds2, config, logger }),
        startMailSender({ db: ds2, config, logger }),
      ];
      for (const t of to) await sink.waitFor(t);
      await Promise.all(senders.map((s) => s.flush()));
      await new Promise((r) => setTimeout(r, 300));
      await Promise.all(senders.map((s) => s.stop()));
      const delivered = sink.messages.filter((m) => m.subject === 'Bulk');
      expect(delivered).toHaveLength(30);
      expect(new Set(delivered.map((m) => m.messageId)).size).toBe(30);
      const [{ n }] = await app.ds.query(`SELECT count(*)::int AS n FROM mail_outbox WHERE kind = 'test' AND sent_at IS NOT NULL AND attempts = 1`);
      expect(n).toBe(30);
    } finally {
      await ds2.destroy();
      await app.stop();
      await sink.stop();
    }
  });
});

describe('without SMTP_URL (development, test)', () => {
  it('prints the mail in the log instead and marks it sent', async () => {
    const lines: string[] = [];
    const app = await startTestApp();
    await app.mailer.stop();
    const logger = pino({ level: 'info' }, new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }));
    const sender = startMailSender({ db: app.ds, config: loadConfig({ NODE_ENV: 'development' }), logger });
    try {
      expect(sender.mode).toBe('log');
      const org = await createOrg(app);
      await sender.flush();
      const printed = lines.map((l) => JSON.parse(l)).find((l) => l.mail?.to === org.email);
      expect(printed.msg).toContain('SMTP_URL not set');
      expect(printed.mail.text).toContain('/verify-email?token=pgv_');
      const [row] = await outboxRows(app, org.email);
      expect(row.sent_at).not.toBeNull();
    } finally {
      await sender.stop();
      await app.stop();
    }
  });

  it('holds mail in the outbox in production, with a warning', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }));
    const app = await startTestApp();
    try {
      const sender = startMailSender({ db: app.ds, config: loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) }), logger });
      expect(sender.mode).toBe('hold');
      expect(lines.join('')).toContain('SMTP_URL is not set');
      await sender.stop();
    } finally {
      await app.stop();
    }
  });
});
