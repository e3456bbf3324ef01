import path from 'node:path';

/**
 * Every setting plangraph reads from the environment, parsed and validated in one place.
 * A bad value stops the start with one line naming the variable and what is expected.
 */
export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  /** PostgreSQL URL; when absent an embedded PostgreSQL is started under dataDir. */
  databaseUrl: string | null;
  dataDir: string;
  embeddedPgPort: number;
  seedDemo: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  dbPoolSize: number;
  /** Send the kit's hot reads as named prepared statements (PREPARED_STATEMENTS, default on; see src/common/statements.ts). */
  preparedStatements: boolean;
  /** Secret for signing session tokens; generated and kept in dataDir in development when absent. */
  jwtSecret: string | null;
  jwtTtlSeconds: number;
  /** When set, subscriptions fan out through Redis instead of PostgreSQL LISTEN/NOTIFY. */
  redisUrl: string | null;
  shutdownTimeoutMs: number;
  /** Browser origins allowed to call the API (CORS); empty: same origin only. `*` allows any. */
  corsOrigins: string[];
  /** Serve GraphiQL at /graphiql (default: on, except with NODE_ENV=production). */
  graphiql: boolean;
  /** READ_PLANNER (default on): answer plannable query operations in one SQL statement (docs/architecture.md, Planned reads). */
  readPlanner: boolean;
  /** Query limits, checked before execution over HTTP and WebSocket (see docs/operations.md, "Limits"). */
  queryLimits: { maxDepth: number; maxFields: number; maxAliases: number; maxTokens: number; maxCost: number };
  /** WebSocket limits (see docs/operations.md, "Limits"); frames are capped at 1 MiB. */
  wsLimits: {
    maxSubscriptionsPerConnection: number;
    maxConnectionsPerUser: number;
    /** Per organisation and instance, whoever holds them. */
    maxConnectionsPerOrganization: number;
    maxSubscriptionsPerOrganization: number;
    /** A connection with more bytes sent and not yet read by its client is closed (4413). */
    maxBufferedBytes: number;
    /** A connection whose subscriptions fall this many events of its organisation behind is closed (4413). */
    maxEventBacklog: number;
  };
  /** A recordMeasurements raising more alerts than this announces one KPI_ALERTS_RAISED_IN_BULK event instead of one per alert. */
  kpiAlertEventsMax: number;
  /** Active (neither revoked nor expired) API tokens an organisation may hold. */
  apiTokensMaxPerOrganization: number;
  /** Outgoing mail: SMTP server URL (smtp:// or smtps://); null: printed in the log (development/test) or held in the outbox (production). */
  smtpUrl: string | null;
  /** The From address of outgoing mail. */
  mailFrom: string;
  /** Base URL of the front end, for links in mail (no trailing slash). */
  publicUrl: string;
  /** How often the mail sender looks for due mail in the outbox. */
  mailPollIntervalMs: number;
  /** First retry delay after a failed delivery; it doubles per attempt, up to an hour. */
  mailRetryBaseMs: number;
  /** Express `trust proxy`: false, true, a hop count, or a comma list of trusted proxy addresses. */
  trustProxy: boolean | number | string;
  /** Failed log-ins per client address (in LOGIN_WINDOW_SECONDS) before the address is refused. */
  loginMaxFailuresPerAddress: number;
  /** Failed log-ins per email, from all addresses together (in LOGIN_WINDOW_SECONDS). */
  loginMaxFailuresPerEmail: number;
  loginWindowSeconds: number;
  /** The first back-off wait after the free attempts of an (email, address) pair; it doubles per attempt, up to 15 minutes. */
  loginBackoffBaseSeconds: number;
  /** Password hashes (argon2) computed at once; more wait briefly in a queue, then get RATE_LIMITED. */
  passwordHashConcurrency: number;
  /** Sign-ups per client address in SIGNUP_WINDOW_SECONDS. */
  signupMaxPerAddress: number;
  /** Sign-ups from all addresses together in SIGNUP_WINDOW_SECONDS (per deployment, not per instance). */
  signupMaxGlobal: number;
  signupWindowSeconds: number;
  /** At most one sign-up, verification or password-reset mail per address and kind in this many seconds. */
  accountMailIntervalSeconds: number;
  /** A second in which the event loop was held longer than this logs `event loop stalled` (0: off). */
  eventLoopWarnMs: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    expected: string,
    received: string,
  ) {
    super(`Invalid ${variable}=${JSON.stringify(received)}: expected ${expected}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function int(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === undefined) return def;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `an integer from ${min} to ${max}`, raw);
  }
  return Number(raw);
}

function bool(env: Env, name: string, def: boolean): boolean {
  const raw = str(env, name);
  if (raw === undefined) return def;
  const v = raw.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(name, 'true or false (also 1/0, yes/no, on/off)', raw);
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], def: T): T {
  const raw = str(env, name);
  if (raw === undefined) return def;
  if (!(values as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `one of ${values.join(', ')}`, raw);
  }
  return raw as T;
}

/** A URL as it may appear in a message: the password, if any, replaced by ***. */
export function redactUrl(raw: string): string {
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*:)[^/?#]*@/i, '$1***@');
}

function url(env: Env, name: string, protocols: string[]): string | null {
  const raw = str(env, name);
  if (raw === undefined) return null;
  const shown = redactUrl(raw);
  const schemes = protocols.map((p) => `${p}//`);
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `a URL such as ${schemes[0]}user:password@host:port/database`, shown);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `a URL starting with ${schemes.join(' or ')}`, shown);
  }
  return raw;
}

function origins(env: Env, name: string): string[] {
  const raw = str(env, name);
  if (raw === undefined) return [];
  const list = raw.split(',').map((o) => o.trim()).filter(Boolean);
  for (const o of list) {
    if (o === '*') continue;
    let u: URL | null = null;
    try {
      u = new URL(o);
    } catch {
      u = null;
    }
    if (!u || !['http:', 'https:'].includes(u.protocol) || u.origin !== o) {
      throw new ConfigError(name, 'a comma-separated list of origins such as https://planner.example.com, or *', raw);
    }
  }
  return list;
}

function trustProxy(env: Env): boolean | number | string {
  const raw = str(env, 'TRUST_PROXY');
  if (raw === undefined) return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  const v = raw.toLowerCase();
  if (['true', 'yes', 'on'].includes(v)) return true;
  if (['false', 'no', 'off'].includes(v)) return false;
  const items = raw.split(',').map((x) => x.trim());
  if (items.every((x) => /^(loopback|linklocal|uniquelocal|[0-9a-fA-F.:]+(\/\d{1,3})?)$/.test(x))) return items.join(',');
  throw new ConfigError('TRUST_PROXY', 'true, false, a number of proxy hops, or a comma list of proxy addresses (CIDR, loopback...)', raw);
}

function mailbox(env: Env, name: string, def: string): string {
  const raw = str(env, name) ?? def;
  // "Name <address>" or a bare address; nodemailer parses it, this only catches typos early.
  if (!/^([^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/.test(raw) || /[\r\n]/.test(raw)) {
    throw new ConfigError(name, 'an email address, optionally as "Name <address>"', raw);
  }
  return raw;
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const jwtSecret = str(env, 'JWT_SECRET') ?? null;
  if (jwtSecret !== null && jwtSecret.length < 32) {
    throw new ConfigError('JWT_SECRET', 'at least 32 characters', '<hidden>');
  }
  if (jwtSecret === null && nodeEnv === 'production') {
    throw new ConfigError('JWT_SECRET', 'a secret of at least 32 characters when NODE_ENV=production', '');
  }
  const port = int(env, 'PORT', 4000, 0, 65535);
  const publicUrl = url(env, 'PUBLIC_URL', ['http:', 'https:']);
  const smtpUrl = url(env, 'SMTP_URL', ['smtp:', 'smtps:']);
  if (publicUrl === null && smtpUrl !== null && nodeEnv === 'production') {
    // Mail would go out with links to localhost.
    throw new ConfigError('PUBLIC_URL', "the front end's base URL (for links in mail) when SMTP_URL is set and NODE_ENV=production", '');
  }
  return {
    nodeEnv,
    port,
    host: str(env, 'HOST') ?? '0.0.0.0',
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    dataDir: path.resolve(str(env, 'PLANGRAPH_DATA_DIR') ?? '.data'),
    embeddedPgPort: int(env, 'EMBEDDED_PG_PORT', 54329, 1024, 65535),
    // Production never loads the demo organisation (with its published password) unless asked.
    seedDemo: bool(env, 'SEED_DEMO', nodeEnv !== 'production'),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      nodeEnv === 'test' ? 'silent' : 'info'),
    dbPoolSize: int(env, 'DB_POOL_SIZE', 10, 1, 1000),
    preparedStatements: bool(env, 'PREPARED_STATEMENTS', true),
    jwtSecret,
    jwtTtlSeconds: int(env, 'JWT_TTL_SECONDS', 7 * 24 * 3600, 60, 365 * 24 * 3600),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    corsOrigins: origins(env, 'CORS_ORIGINS'),
    graphiql: bool(env, 'GRAPHIQL', nodeEnv !== 'production'),
    readPlanner: bool(env, 'READ_PLANNER', true),
    queryLimits: {
      maxDepth: int(env, 'QUERY_MAX_DEPTH', 12, 1, 1000),
      maxFields: int(env, 'QUERY_MAX_FIELDS', 500, 1, 1_000_000),
      maxAliases: int(env, 'QUERY_MAX_ALIASES', 30, 0, 100_000),
      maxTokens: int(env, 'QUERY_MAX_TOKENS', 3000, 100, 1_000_000),
      maxCost: int(env, 'QUERY_MAX_COST', 25_000, 1, 1_000_000_000),
    },
    wsLimits: {
      maxSubscriptionsPerConnection: int(env, 'WS_MAX_SUBSCRIPTIONS_PER_CONNECTION', 100, 1, 100_000),
      maxConnectionsPerUser: int(env, 'WS_MAX_CONNECTIONS_PER_USER', 20, 1, 100_000),
      maxConnectionsPerOrganization: int(env, 'WS_MAX_CONNECTIONS_PER_ORGANIZATION', 200, 1, 1_000_000),
      maxSubscriptionsPerOrganization: int(env, 'WS_MAX_SUBSCRIPTIONS_PER_ORGANIZATION', 2000, 1, 10_000_000),
      maxBufferedBytes: int(env, 'WS_MAX_BUFFERED_BYTES', 4 * 1024 * 1024, 16 * 1024, 1024 * 1024 * 1024),
      maxEventBacklog: int(env, 'WS_MAX_EVENT_BACKLOG', 10_000, 100, 1_000_000),
    },
    kpiAlertEventsMax: int(env, 'KPI_ALERT_EVENTS_MAX', 100, 0, 10_000),
    apiTokensMaxPerOrganization: int(env, 'API_TOKENS_MAX_PER_ORGANIZATION', 100, 1, 100_000),
    smtpUrl,
    mailFrom: mailbox(env, 'MAIL_FROM', 'plangraph <no-reply@localhost>'),
    publicUrl: (publicUrl ?? `http://localhost:${port || 4000}`).replace(/\/+$/, ''),
    mailPollIntervalMs: int(env, 'MAIL_POLL_INTERVAL_MS', 2000, 50, 600_000),
    mailRetryBaseMs: int(env, 'MAIL_RETRY_BASE_MS', 10_000, 10, 3_600_000),
    trustProxy: trustProxy(env),
    loginMaxFailuresPerAddress: int(env, 'LOGIN_MAX_FAILURES_PER_ADDRESS', 100, 1, 1_000_000),
    loginMaxFailuresPerEmail: int(env, 'LOGIN_MAX_FAILURES_PER_EMAIL', 200, 1, 1_000_000),
    loginWindowSeconds: int(env, 'LOGIN_WINDOW_SECONDS', 3600, 1, 30 * 24 * 3600),
    loginBackoffBaseSeconds: int(env, 'LOGIN_BACKOFF_BASE_SECONDS', 1, 1, 900),
    passwordHashConcurrency: int(env, 'PASSWORD_HASH_CONCURRENCY', 4, 1, 256),
    signupMaxPerAddress: int(env, 'SIGNUP_MAX_PER_ADDRESS', 10, 1, 1_000_000),
    signupMaxGlobal: int(env, 'SIGNUP_MAX_GLOBAL', 200, 1, 10_000_000),
    signupWindowSeconds: int(env, 'SIGNUP_WINDOW_SECONDS', 3600, 1, 30 * 24 * 3600),
    accountMailIntervalSeconds: int(env, 'ACCOUNT_MAIL_INTERVAL_SECONDS', 60, 1, 24 * 3600),
    eventLoopWarnMs: int(env, 'EVENT_LOOP_WARN_MS', 200, 0, 60_000),
  };
}
