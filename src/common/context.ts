import type { DataSource, EntityManager } from 'typeorm';
import type { Config } from '../config';
import type { Logger } from './logger';
import type { Loaders } from './loaders';
import type { EventBus, SubscriberConnection } from './event-contract';

export enum Role {
  OWNER = 'OWNER',
  ADMIN = 'ADMIN',
  FINANCE = 'FINANCE',
  SQUAD_LEAD = 'SQUAD_LEAD',
  MEMBER = 'MEMBER',
  VIEWER = 'VIEWER',
}

export enum ApiTokenScope {
  READ = 'READ',
  WRITE = 'WRITE',
}

/** Who is calling: a signed-in user, or an API token acting for an organisation. */
export interface Viewer {
  kind: 'user' | 'apiToken';
  /** The user (for a token: the user who created it, used as the audit actor). */
  userId: string;
  apiTokenId: string | null;
  scopes: ApiTokenScope[];
}

export interface Context {
  requestId: string;
  logger: Logger;
  config: Config;
  db: DataSource;
  /** The entity manager to use: the transaction's inside `withTransaction`, else the pool's. */
  manager: EntityManager;
  viewer: Viewer | null;
  /** Why the credentials sent were refused (expired, revoked...), for a clear UNAUTHENTICATED. */
  authError: string | null;
  organizationId: string | null;
  role: Role | null;
  loaders: Loaders;
  events: EventBus;
  /** How session tokens are signed. */
  sessions: { jwtSecret: string; ttlSeconds: number };
  /** The request's Accept-Language header (HTTP only), for answers written in a language. */
  acceptLanguage?: string | null;
  /** The client's IP address (behind proxies: as TRUST_PROXY allows), for rate limits. */
  clientAddress: string | null;
  /** The credentials the context was built from; subscriptions re-check them for every event. */
  credentials: { authorization: string | null; organizationHint: string | null };
  /** For a subscription: its WebSocket connection, which the fan-out closes when its client falls behind. */
  connection?: SubscriberConnection | null;
  /**
   * The largest page a connection serves (`first`/`last`), when not MAX_PAGE_SIZE: set only by the
   * server's own bulk readers (the spreadsheet exports), never from a request's input.
   */
  pageSizeLimit?: number;
  /** Inside a transaction: callbacks to run once it has committed (event publication). */
  afterCommit: Array<() => void | Promise<void>> | null;
}
