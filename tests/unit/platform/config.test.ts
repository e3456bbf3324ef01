import { ConfigError, loadConfig } from '../../../src/config';

describe('loadConfig', () => {
  it('has working defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(4000);
    expect(c.databaseUrl).toBeNull();
    expect(c.seedDemo).toBe(true);
    expect(c.embeddedPgPort).not.toBe(5432);
    expect(c.logLevel).toBe('info');
  });

  it.each([
    ['PORT', 'abc', /Invalid PORT="abc": expected an integer from 0 to 65535/],
    ['PORT', '70000', /Invalid PORT/],
    ['SEED_DEMO', 'maybe', /Invalid SEED_DEMO="maybe": expected true or false/],
    ['LOG_LEVEL', 'loud', /Invalid LOG_LEVEL="loud": expected one of fatal, error/],
    ['DATABASE_URL', 'mysql://x', /Invalid DATABASE_URL="mysql:\/\/x": expected a URL starting with postgres:/],
    ['DATABASE_URL', 'not a url', /Invalid DATABASE_URL/],
    ['REDIS_URL', 'http://x', /Invalid REDIS_URL/],
    ['JWT_SECRET', 'short', /Invalid JWT_SECRET="<hidden>": expected at least 32 characters/],
    ['NODE_ENV', 'staging', /Invalid NODE_ENV/],
    ['CORS_ORIGINS', 'planner.example.com', /Invalid CORS_ORIGINS/],
    ['CORS_ORIGINS', 'https://a.example.com/path', /Invalid CORS_ORIGINS/],
  ])('rejects %s=%s with one line naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('parses CORS origins', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example.com, http://localhost:5173' }).corsOrigins).toEqual([
      'https://a.example.com',
      'http://localhost:5173',
    ]);
  });

  it.each([
    ['postgres://app:s3cret@db:notaport/plan', 'Invalid DATABASE_URL="postgres://app:***@db:notaport/plan": expected a URL such as postgres://'],
    ['mysql://app:s3cret@db/plan', 'Invalid DATABASE_URL="mysql://app:***@db/plan": expected a URL starting with postgres:// or postgresql://'],
  ])('never shows the password of a rejected DATABASE_URL (%s)', (value, message) => {
    expect(() => loadConfig({ DATABASE_URL: value })).toThrow(message);
    expect(() => loadConfig({ DATABASE_URL: value })).not.toThrow(/s3cret/);
  });

  it('requires JWT_SECRET in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
  });

  it('accepts postgres URLs, booleans and ports', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u@h:5433/db', SEED_DEMO: 'off', PORT: '8080' });
    expect(c).toMatchObject({ databaseUrl: 'postgres://u@h:5433/db', seedDemo: false, port: 8080 });
  });
});
