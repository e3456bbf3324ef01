import { ConfigError, loadConfig } from '../../../src/config';

describe('mail, proxy and log-in settings', () => {
  it('has defaults for development', () => {
    const c = loadConfig({ PORT: '8080' });
    expect(c).toMatchObject({
      smtpUrl: null,
      mailFrom: 'plangraph <no-reply@localhost>',
      publicUrl: 'http://localhost:8080',
      trustProxy: false,
      loginMaxFailuresPerAddress: 100,
      loginMaxFailuresPerEmail: 200,
      passwordHashConcurrency: 4,
    });
  });

  it.each([
    ['SMTP_URL', 'http://mail.example.com', /Invalid SMTP_URL="http:\/\/mail.example.com": expected a URL starting with smtp:\/\/ or smtps:\/\//],
    ['MAIL_FROM', 'not an address', /Invalid MAIL_FROM/],
    ['PUBLIC_URL', 'planner.example.com', /Invalid PUBLIC_URL/],
    ['TRUST_PROXY', 'sometimes', /Invalid TRUST_PROXY/],
    ['LOGIN_MAX_FAILURES_PER_ADDRESS', '0', /Invalid LOGIN_MAX_FAILURES_PER_ADDRESS/],
    ['PASSWORD_HASH_CONCURRENCY', 'many', /Invalid PASSWORD_HASH_CONCURRENCY/],
  ])('rejects %s=%s with one line naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('never shows the SMTP password', () => {
    expect(() => loadConfig({ SMTP_URL: 'http://user:s3cret@mail.example.com' })).toThrow(/user:\*\*\*@/);
    expect(() => loadConfig({ SMTP_URL: 'http://user:s3cret@mail.example.com' })).not.toThrow(/s3cret/);
  });

  it('refuses to mail links to localhost in production: PUBLIC_URL is required with SMTP_URL', () => {
    const prod = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), SMTP_URL: 'smtp://mail.example.com:587' };
    expect(() => loadConfig(prod)).toThrow(/PUBLIC_URL/);
    expect(loadConfig({ ...prod, PUBLIC_URL: 'https://planner.example.com/' }).publicUrl).toBe('https://planner.example.com');
    // Without SMTP_URL production starts (mail is held in the outbox, with a warning).
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) }).smtpUrl).toBeNull();
  });

  it('parses TRUST_PROXY as express does', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toBe('loopback,10.0.0.0/8');
  });
});
