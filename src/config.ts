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
  /** Query limits, checked before execution over HTTP and WebSocket (see docs/operations.md, "Limits"). */
  queryLimits: { maxDepth: number; maxAliases: number; maxTokens: number; maxCost: number };
  /** WebSocket limits: frames are capped at 1 MiB; these two are configurable. */
  wsLimits: { maxSubscriptionsPerConnection: number; maxConnectionsPerUser: number };
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

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const jwtSecret = str(env, 'JWT_SECRET') ?? null;
  if (jwtSecret !== null && jwtSecret.length < 32) {
    throw new ConfigError('JWT_SECRET', 'at least 32 characters', '<hidden>');
  }
  if (jwtSecret === null && nodeEnv === 'production') {
    throw new ConfigError('JWT_SECRET', 'a secret of at least 32 characters when NODE_ENV=production', '');
  }
  return {
    nodeEnv,
    port: int(env, 'PORT', 4000, 0, 65535),
    host: str(env, 'HOST') ?? '0.0.0.0',
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    dataDir: path.resolve(str(env, 'PLANGRAPH_DATA_DIR') ?? '.data'),
    embeddedPgPort: int(env, 'EMBEDDED_PG_PORT', 54329, 1024, 65535),
    // Production never loads the demo organisation (with its published password) unless asked.
    seedDemo: bool(env, 'SEED_DEMO', nodeEnv !== 'production'),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      nodeEnv === 'test' ? 'silent' : 'info'),
    dbPoolSize: int(env, 'DB_POOL_SIZE', 10, 1, 1000),
    jwtSecret,
    jwtTtlSeconds: int(env, 'JWT_TTL_SECONDS', 7 * 24 * 3600, 60, 365 * 24 * 3600),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    corsOrigins: origins(env, 'CORS_ORIGINS'),
    graphiql: bool(env, 'GRAPHIQL', nodeEnv !== 'production'),
    queryLimits: {
      maxDepth: int(env, 'QUERY_MAX_DEPTH', 12, 1, 1000),
      maxAliases: int(env, 'QUERY_MAX_ALIASES', 30, 0, 100_000),
      maxTokens: int(env, 'QUERY_MAX_TOKENS', 3000, 100, 1_000_000),
      maxCost: int(env, 'QUERY_MAX_COST', 25_000, 1, 1_000_000_000),
    },
    wsLimits: {
      maxSubscriptionsPerConnection: int(env, 'WS_MAX_SUBSCRIPTIONS_PER_CONNECTION', 100, 1, 100_000),
      maxConnectionsPerUser: int(env, 'WS_MAX_CONNECTIONS_PER_USER', 20, 1, 100_000),
    },
  };
}
