import crypto from 'node:crypto';
import { Client, Pool, type Notification } from 'pg';
import type { PubSubEventTarget } from '@graphql-yoga/subscription';
import type { Logger } from '../common/logger';
import { createEventBusFromTarget, type EventBus, type EventTopics, type PlanningEventPayload } from './event-bus';

/**
 * Events between server processes over PostgreSQL LISTEN/NOTIFY, on the application database,
 * so that running several instances needs no other infrastructure.
 *
 * - Publishing delivers to this process's own subscribers at once, then sends one NOTIFY on a
 *   fixed channel (through a one-connection pool, so a process's events keep their order).
 * - Every process holds one dedicated connection that LISTENs on the channel, receives every
 *   event, skips its own (already delivered) and dispatches the rest locally by topic.
 * - NOTIFY payloads must stay under 8000 bytes: a bigger message is stored in `event_payloads`
 *   and the NOTIFY carries only its id (both in one statement, so the row is committed before
 *   anyone is notified). Rows older than a few minutes are deleted as new ones are written.
 * - When the listening connection drops, it reconnects with exponential backoff and logs it.
 *   Events published while it was disconnected are not replayed: clients refetch on reconnect.
 */

export const EVENTS_CHANNEL = 'plangraph_events';

export interface PostgresEventOptions {
  /** Messages longer than this many bytes travel by reference (NOTIFY's hard limit is 8000). */
  maxInlineBytes?: number;
  /** How long stored payloads are kept for listeners to read them. */
  retentionSeconds?: number;
  /** First and longest wait between reconnect attempts of the listener. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** How often the idle listener checks that its connection still answers. */
  heartbeatMs?: number;
}

export interface ListenerStatus {
  connected: boolean;
  /** Backend process id of the listening connection (for `pg_terminate_backend` in tests). */
  backendPid: number | null;
  /** Successful reconnects since start. */
  reconnects: number;
}

export interface PostgresEventBus extends EventBus {
  listenerStatus(): ListenerStatus;
}

type Detail = PlanningEventPayload;
type Listener = ((event: CustomEvent<Detail>) => void) | { handleEvent(event: CustomEvent<Detail>): void };

/** What travels in a NOTIFY: origin process, topic, and either the payload or the stored row's id. */
interface WireMessage {
  o: string;
  t: string;
  d?: Detail;
  r?: string;
}

const CLEANUP_EVERY_MS = 60_000;
const HEARTBEAT_TIMEOUT_MS = 10_000;
const APPLICATION_NAME = 'plangraph-events';

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Topic → listeners of this process; delivery is synchronous, like an EventTarget's. */
class LocalListeners {
  private readonly byTopic = new Map<string, Set<Listener>>();

  constructor(private readonly logger: Logger) {}

  add(topic: string, listener: Listener): void {
    let set = this.byTopic.get(topic);
    if (!set) this.byTopic.set(topic, (set = new Set()));
    set.add(listener);
  }

  remove(topic: string, listener: Listener): void {
    const set = this.byTopic.get(topic);
    if (!set) return;
    set.delete(listener);
    if (!set.size) this.byTopic.delete(topic);
  }

  has(topic: string): boolean {
    return this.byTopic.has(topic);
  }

  dispatch(topic: string, detail: Detail): void {
    const set = this.byTopic.get(topic);
    if (!set) return;
    const event = new CustomEvent<Detail>(topic, { detail });
    for (const listener of [...set]) {
      try {
        if (typeof listener === 'function') listener(event);
        else listener.handleEvent(event);
      } catch (err) {
        this.logger.error({ err, topic }, 'event listener failed');
      }
    }
  }
}

/**
 * The one connection per process that LISTENs. Reconnects with backoff whenever it is lost
 * (server restart, `pg_terminate_backend`, network) until `close()`.
 */
class NotificationListener {
  private client: Client | null = null;
  private readonly dead = new WeakSet<Client>();
  private opening: Promise<Client> | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private heartbeatBusy = false;
  private attempts = 0;
  private lostAt = 0;
  private closed = false;
  reconnects = 0;

  constructor(
    private readonly databaseUrl: string,
    private readonly logger: Logger,
    private readonly onMessage: (payload: string, client: Client) => void,
    private readonly options: Required<Pick<PostgresEventOptions, 'reconnectMinMs' | 'reconnectMaxMs' | 'heartbeatMs'>>,
  ) {}

  status(): ListenerStatus {
    return { connected: this.client !== null, backendPid: (this.client as { processID?: number } | null)?.processID ?? null, reconnects: this.reconnects };
  }

  async start(): Promise<void> {
    this.client = await this.open();
    this.startHeartbeat();
  }

  private async open(): Promise<Client> {
    const client = new Client({
      connectionString: this.databaseUrl,
      application_name: APPLICATION_NAME,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: 10_000,
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, null));
    client.on('notification', (n: Notification) => {
      if (!this.dead.has(client) && n.channel === EVENTS_CHANNEL && n.payload) this.onMessage(n.payload, client);
    });
    const opening = (async () => {
      try {
        await client.connect();
        await client.query(`LISTEN ${EVENTS_CHANNEL}`);
        return client;
      } catch (err) {
        this.dead.add(client);
        await client.end().catch(() => undefined);
        throw err;
      }
    })();
    this.opening = opening;
    try {
      return await opening;
    } finally {
      this.opening = null;
    }
  }

  private lost(client: Client, err: Error | null): void {
    if (this.dead.has(client)) return;
    this.dead.add(client);
    void client.end().catch(() => undefined);
    if (this.closed || this.client !== client) return;
    this.client = null;
    this.stopHeartbeat();
    this.lostAt = Date.now();
    this.attempts = 0;
    this.logger.warn({ err: err ? errorMessage(err) : 'connection ended' }, 'event listener lost its PostgreSQL connection; reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    const { reconnectMinMs, reconnectMaxMs } = this.options;
    const base = Math.min(reconnectMinMs * 2 ** Math.min(this.attempts, 20), reconnectMaxMs);
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.attempts += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.reconnect(delay);
    }, delay);
  }

  private async reconnect(waitedMs: number): Promise<void> {
    if (this.closed) return;
    try {
      const client = await this.open();
      if (this.closed) {
        this.dead.add(client);
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
      this.reconnects += 1;
      this.logger.info({ attempts: this.attempts, downtimeMs: Date.now() - this.lostAt }, 'event listener reconnected to PostgreSQL');
      this.startHeartbeat();
    } catch (err) {
      this.logger.warn({ attempt: this.attempts, waitedMs, err: errorMessage(err) }, 'event listener reconnect failed; retrying');
      this.scheduleReconnect();
    }
  }

  /** Detects a connection that died silently (no FIN, e.g. a network partition). */
  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.heartbeatTimer = setInterval(() => {
      const client = this.client;
      if (!client || this.heartbeatBusy) return;
      this.heartbeatBusy = true;
      const timeout = setTimeout(() => this.lost(client, new Error('heartbeat query timed out')), HEARTBEAT_TIMEOUT_MS);
      client
        .query('SELECT 1')
        .catch((err: Error) => this.lost(client, err))
        .finally(() => {
          clearTimeout(timeout);
          this.heartbeatBusy = false;
        });
    }, this.options.heartbeatMs);
    this.heartbeatTimer.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopHeartbeat();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const pending = this.opening;
    if (pending) {
      const c = await pending.catch(() => null);
      if (c) {
        this.dead.add(c);
        await c.end().catch(() => undefined);
      }
    }
    const client = this.client;
    this.client = null;
    if (client) {
      this.dead.add(client);
      await client.end().catch(() => undefined);
    }
  }
}

/**
 * Starts the PostgreSQL transport: connects the listener (failing the start with a clear
 * message if it cannot) and returns an event bus whose `close()` ends both connections.
 */
export async function createPostgresEventBus(
  databaseUrl: string,
  logger: Logger,
  options: PostgresEventOptions = {},
): Promise<PostgresEventBus> {
  const maxInlineBytes = Math.min(options.maxInlineBytes ?? 7_000, 7_900);
  const retentionSeconds = options.retentionSeconds ?? 300;
  const origin = crypto.randomUUID();
  const local = new LocalListeners(logger);

  // One connection for publishing: the pool queues queries first in, first out, so the events of
  // this process reach the others in the order they were published.
  const pool = new Pool({
    connectionString: databaseUrl,
    max: 1,
    idleTimeoutMillis: 0,
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    application_name: APPLICATION_NAME,
  });
  pool.on('error', (err) => logger.warn({ err: errorMessage(err) }, 'event publishing connection lost; the next publish reconnects'));

  const inFlight = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };

  let lastCleanup = 0;
  const publishRemote = (topic: string, detail: Detail) => {
    const inline = JSON.stringify({ o: origin, t: topic, d: detail } satisfies WireMessage);
    if (Buffer.byteLength(inline, 'utf8') <= maxInlineBytes) {
      track(
        pool.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, inline]).catch((err: Error) => {
          logger.error({ err: errorMessage(err), topic, type: detail.type }, 'event not sent to other instances');
        }),
      );
      return;
    }
    const id = crypto.randomUUID();
    const reference = JSON.stringify({ o: origin, t: topic, r: id } satisfies WireMessage);
    track(
      pool
        .query(
          `WITH stored AS (INSERT INTO event_payloads (id, topic, payload) VALUES ($2, $3, $4))
           SELECT pg_notify($1, $5)`,
          [EVENTS_CHANNEL, id, topic, JSON.stringify(detail), reference],
        )
        .catch((err: Error) => {
          logger.error({ err: errorMessage(err), topic, type: detail.type }, 'event not sent to other instances');
        }),
    );
    if (Date.now() - lastCleanup > CLEANUP_EVERY_MS) {
      lastCleanup = Date.now();
      track(
        pool
          .query(`DELETE FROM event_payloads WHERE created_at < now() - make_interval(secs => $1)`, [retentionSeconds])
          .catch((err: Error) => logger.warn({ err: errorMessage(err) }, 'old event payloads not cleaned up')),
      );
    }
  };

  // Notifications are handled one after another, so that a stored payload being read does not
  // let a later event overtake it.
  let received: Promise<void> = Promise.resolve();
  const receive = (raw: string, client: Client) => {
    received = received.then(async () => {
      let message: WireMessage;
      try {
        message = JSON.parse(raw) as WireMessage;
      } catch {
        logger.warn({ raw: raw.slice(0, 200) }, `ignoring a malformed notification on ${EVENTS_CHANNEL}`);
        return;
      }
      if (message.o === origin || !local.has(message.t)) return;
      if (message.d) {
        local.dispatch(message.t, message.d);
        return;
      }
      if (!message.r) return;
      try {
        const { rows } = await client.query<{ payload: string }>('SELECT payload FROM event_payloads WHERE id = $1', [message.r]);
        if (!rows.length) {
          logger.warn({ id: message.r, topic: message.t }, 'stored event payload not found (already cleaned up?); event dropped');
          return;
        }
        local.dispatch(message.t, JSON.parse(rows[0].payload) as Detail);
      } catch (err) {
        logger.warn({ err: errorMessage(err), id: message.r, topic: message.t }, 'stored event payload could not be read; event dropped');
      }
    });
  };

  const listener = new NotificationListener(databaseUrl, logger, receive, {
    reconnectMinMs: options.reconnectMinMs ?? 100,
    reconnectMaxMs: options.reconnectMaxMs ?? 10_000,
    heartbeatMs: options.heartbeatMs ?? 30_000,
  });
  try {
    await listener.start();
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new Error(`Cannot LISTEN for events on PostgreSQL: ${errorMessage(err)}`);
  }

  const target: PubSubEventTarget<EventTopics> = {
    addEventListener(topic, listener) {
      if (listener) local.add(topic, listener as Listener);
    },
    removeEventListener(topic, listener) {
      if (listener) local.remove(topic, listener as Listener);
    },
    dispatchEvent(event) {
      local.dispatch(event.type, event.detail);
      publishRemote(event.type, event.detail);
      return true;
    },
  };

  let closing: Promise<void> | null = null;
  const bus = createEventBusFromTarget('postgres', target, () => {
    closing ??= (async () => {
      await listener.close();
      await received;
      await Promise.allSettled([...inFlight]);
      await pool.end();
    })();
    return closing;
  });
  return Object.assign(bus, { listenerStatus: () => listener.status() });
}
