import { ConfigError, loadConfig } from '../../../src/config';

describe('loadConfig', () => {
  it('has working defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(4000);
    expect(c.databaseUrl).toBeNull();
    expect(c.seedDemo).toBe(true);
    expect(c.embeddedPgPort).not.toBe(5432);
    expect(c.logLevel).toBe('info');
    expect(c.preparedStatements).toBe(true);
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
    ['QUERY_MAX_DEPTH', '0', /Invalid QUERY_MAX_DEPTH="0": expected an integer from 1 to 1000/],
    ['QUERY_MAX_FIELDS', '0', /Invalid QUERY_MAX_FIELDS="0": expected an integer from 1 to 1000000/],
    ['QUERY_MAX_ALIASES', '-1', /Invalid QUERY_MAX_ALIASES/],
    ['QUERY_MAX_TOKENS', 'lots', /Invalid QUERY_MAX_TOKENS/],
    ['QUERY_MAX_COST', '1.5', /Invalid QUERY_MAX_COST/],
    ['WS_MAX_SUBSCRIPTIONS_PER_CONNECTION', '0', /Invalid WS_MAX_SUBSCRIPTIONS_PER_CONNECTION/],
    ['WS_MAX_CONNECTIONS_PER_USER', 'x', /Invalid WS_MAX_CONNECTIONS_PER_USER/],
    ['GRAPHIQL', 'sometimes', /Invalid GRAPHIQL/],
    ['PREPARED_STATEMENTS', 'auto', /Invalid PREPARED_STATEMENTS/],
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

  it('has query and WebSocket limits, each configurable', () => {
    expect(loadConfig({})).toMatchObject({
      queryLimits: { maxDepth: 12, maxFields: 500, maxAliases: 30, maxTokens: 3000, maxCost: 25_000 },
      wsLimits: {
        maxSubscriptionsPerConnection: 100,
        maxConnectionsPerUser: 20,
        maxConnectionsPerOrganization: 200,
        maxSubscriptionsPerOrganization: 2000,
        maxBufferedBytes: 4 * 1024 * 1024,
        maxEventBacklog: 10_000,
      },
      kpiAlertEventsMax: 100,
      apiTokensMaxPerOrganization: 100,
      eventLoopWarnMs: 200,
    });
    expect(
      loadConfig({
        QUERY_MAX_DEPTH: '20',
        QUERY_MAX_FIELDS: '800',
        QUERY_MAX_ALIASES: '0',
        QUERY_MAX_TOKENS: '10000',
        QUERY_MAX_COST: '100000',
        WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: '5',
        WS_MAX_CONNECTIONS_PER_USER: '2',
        WS_MAX_CONNECTIONS_PER_ORGANIZATION: '7',
        WS_MAX_SUBSCRIPTIONS_PER_ORGANIZATION: '70',
        WS_MAX_BUFFERED_BYTES: '65536',
        WS_MAX_EVENT_BACKLOG: '500',
        KPI_ALERT_EVENTS_MAX: '0',
        API_TOKENS_MAX_PER_ORGANIZATION: '3',
        EVENT_LOOP_WARN_MS: '0',
      }),
    ).toMatchObject({
      queryLimits: { maxDepth: 20, maxFields: 800, maxAliases: 0, maxTokens: 10_000, maxCost: 100_000 },
      wsLimits: {
        maxSubscriptionsPerConnection: 5,
        maxConnectionsPerUser: 2,
        maxConnectionsPerOrganization: 7,
        maxSubscriptionsPerOrganization: 70,
        maxBufferedBytes: 65_536,
        maxEventBacklog: 500,
      },
      kpiAlertEventsMax: 0,
      apiTokensMaxPerOrganization: 3,
      eventLoopWarnMs: 0,
    });
    expect(() => loadConfig({ WS_MAX_BUFFERED_BYTES: '1000' })).toThrow('Invalid WS_MAX_BUFFERED_BYTES="1000": expected an integer from 16384 to 1073741824');
    expect(() => loadConfig({ API_TOKENS_MAX_PER_ORGANIZATION: '0' })).toThrow(/API_TOKENS_MAX_PER_ORGANIZATION/);
  });

  it('has production defaults: no demo seed and no GraphiQL unless asked for', () => {
    const secret = { JWT_SECRET: 'x'.repeat(32) };
    expect(loadConfig({ NODE_ENV: 'production', ...secret })).toMatchObject({ seedDemo: false, graphiql: false });
    expect(loadConfig({ NODE_ENV: 'production', SEED_DEMO: 'true', GRAPHIQL: 'true', ...secret })).toMatchObject({ seedDemo: true, graphiql: true });
    expect(loadConfig({ NODE_ENV: 'development' })).toMatchObject({ seedDemo: true, graphiql: true });
    expect(loadConfig({ NODE_ENV: 'development', GRAPHIQL: 'false' }).graphiql).toBe(false);
  });

  it('requires JWT_SECRET in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
  });

  it('accepts postgres URLs, booleans and ports', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u@h:5433/db', SEED_DEMO: 'off', PORT: '8080' });
    expect(c).toMatchObject({ databaseUrl: 'postgres://u@h:5433/db', seedDemo: false, port: 8080 });
    expect(loadConfig({ PREPARED_STATEMENTS: 'off' }).preparedStatements).toBe(false);
  });
});
