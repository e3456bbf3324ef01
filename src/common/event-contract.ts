import type { PlanningEventType } from './event-types';

/*
 * The event contract, shared by the modules that publish changes, the realtime module that
 * delivers them to subscriptions and the server's transports that carry them between processes.
 */

/**
 * What every change notification carries: ids, never stale objects. Subscribers re-read the
 * entity with fresh loaders in their own context when the event is delivered.
 */
export interface PlanningEventPayload {
  /** A declared event type (src/common/event-types.ts; the schema's PlanningEventType). */
  type: PlanningEventType;
  organizationId: string;
  entityType: string;
  entityId: string;
  actorId: string | null;
  at: string;
  /** Small routing facts (e.g. squadId, assigneeId) for subscription filters. */
  meta?: Record<string, string | null>;
}

/** All events travel on one topic per organisation; subscriptions filter by type. */
export const orgTopic = (organizationId: string) => `org:${organizationId}`;

/** Topic name → published payload. */
export type EventTopics = Record<string, [PlanningEventPayload]>;

/**
 * The WebSocket connection a subscription belongs to, as the fan-out sees it: it closes the
 * connection (and ends its subscriptions) when the client falls behind.
 */
export interface SubscriberConnection {
  /** Bytes sent on the socket and not yet taken by the client (ws `bufferedAmount`). */
  readonly bufferedAmount: number;
  /** Above this many buffered bytes the connection is closed. */
  readonly maxBufferedBytes: number;
  /** When its subscriptions fall this many events of the organisation behind, the connection is closed. */
  readonly maxEventBacklog: number;
  /** True once the connection is closing: its subscriptions end. */
  readonly closing: boolean;
  /** Closes the connection because its client fell behind. */
  closeSlow(reason: string): void;
}

/** How one subscription reads its organisation's events (see the realtime module's helper). */
export interface EventStreamOptions {
  /** The subscription's connection, for back-pressure; null for a reader inside the server. */
  connection: SubscriberConnection | null;
  /** A cheap, synchronous first check (the event's type); events it refuses cost nothing more. */
  accepts?: (event: PlanningEventPayload) => boolean;
  /** Checked for each accepted event, within the fan-out's budget (re-authentication, the subscription's filter). */
  filter?: (event: PlanningEventPayload) => boolean | Promise<boolean>;
}

/** An organisation's events for one reader, in publishing order; `return()` ends it. */
export interface EventStream extends AsyncIterableIterator<PlanningEventPayload> {
  return(value?: unknown): Promise<IteratorResult<PlanningEventPayload>>;
}

/** Publishes change events and fans them out to subscriptions; the server picks the transport (memory, PostgreSQL, Redis). */
export interface EventBus {
  publish(event: PlanningEventPayload): void;
  /** The events of one organisation for one subscription, delivered in batches (src/server/fanout.ts). */
  subscribe(organizationId: string, options: EventStreamOptions): EventStream;
  /** The same streams as type-graphql's pub/sub (`subscribe(topic)`), for readers inside the server. */
  pubSub: { publish(topic: string, payload: PlanningEventPayload): void; subscribe(topic: string): EventStream };
  close(): Promise<void>;
  /** Which transport carries events between server processes. */
  readonly transport: 'memory' | 'postgres' | 'redis';
}
