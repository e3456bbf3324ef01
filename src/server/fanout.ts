import type { PubSubEventTarget } from '@graphql-yoga/subscription';
import type { EventStream, EventStreamOptions, EventTopics, PlanningEventPayload } from '../common/event-contract';

/**
 * The fan-out of events to this process's subscriptions, with bounded work per turn of the event
 * loop and bounded memory per connection.
 *
 * - **One log per organisation.** An event received from the transport is appended once to its
 *   topic's log; each subscription reads the log at its own position. A burst of N events costs N
 *   entries, however many subscriptions read them (not N × subscriptions queued promises), and
 *   the log is trimmed behind the slowest reader.
 * - **Delivery in batches.** A subscription takes a place at the gate before it re-authenticates,
 *   filters, executes and sends an event: at most `DELIVERIES_PER_TURN` deliveries start per
 *   turn of the event loop and at most as many are in progress at once; the others wait for a
 *   later turn (`setImmediate`), so timers, I/O and other requests run between batches. An event's
 *   type is checked before the gate, so subscriptions to other types cost next to nothing.
 * - **Back-pressure.** Before each delivery, a connection whose socket holds more than its
 *   `maxBufferedBytes` not yet read by the client, or whose subscriptions are more than its
 *   `maxEventBacklog` events behind, is closed (code 4413, src/server/ws-limits.ts) and its
 *   subscriptions end: nothing is buffered without bound for a client that does not keep up.
 */

/** Deliveries started per turn of the event loop, and in progress at once (about 5–15 ms of work). */
export const DELIVERIES_PER_TURN = 100;
/** Backlog of a reader without a connection (inside the server) before it is ended. */
const DEFAULT_BACKLOG = 10_000;
/** The log is trimmed, and backlogs checked, every this many events. */
const SWEEP_EVERY = 64;

type Listener = (event: CustomEvent<PlanningEventPayload>) => void;

/** At most `size` deliveries in progress, and at most `size` started per turn of the event loop. */
export class DeliveryGate {
  private inFlight = 0;
  private startedThisTurn = 0;
  private waiters: Array<() => void> = [];
  private head = 0;
  private turn: NodeJS.Immediate | null = null;

  constructor(private readonly size: number) {}

  /** Null when a place is free now; otherwise a promise resolved in a later turn. */
  acquire(): Promise<void> | null {
    if (this.head === this.waiters.length && this.inFlight < this.size && this.startedThisTurn < this.size) {
      this.inFlight += 1;
      this.startedThisTurn += 1;
      this.nextTurn();
      return null;
    }
    return new Promise<void>((resolve) => {
      this.waiters.push(resolve);
      this.nextTurn();
    });
  }

  release(): void {
    this.inFlight -= 1;
    if (this.head < this.waiters.length) this.nextTurn();
  }

  /** Deliveries in progress and waiting (for tests and diagnostics). */
  stats(): { inFlight: number; waiting: number } {
    return { inFlight: this.inFlight, waiting: this.waiters.length - this.head };
  }

  private nextTurn(): void {
    if (this.turn) return;
    this.turn = setImmediate(() => {
      this.turn = null;
      this.startedThisTurn = 0;
      while (this.head < this.waiters.length && this.inFlight < this.size && this.startedThisTurn < this.size) {
        this.inFlight += 1;
        this.startedThisTurn += 1;
        const resolve = this.waiters[this.head];
        this.head += 1;
        resolve();
      }
      if (this.head === this.waiters.length) {
        this.waiters = [];
        this.head = 0;
      } else if (this.startedThisTurn >= this.size) {
        // Places may be free again by the next turn; otherwise a release schedules it.
        this.nextTurn();
      }
    });
  }
}

class Topic {
  /** Events not yet read by every stream; `events[0]` has the sequence number `base`. */
  events: PlanningEventPayload[] = [];
  base = 0;
  readonly streams = new Set<Stream>();
  /** Streams waiting for the next event. */
  readonly idle = new Set<Stream>();
  private sinceSweep = 0;

  constructor(readonly name: string, readonly listener: Listener) {}

  get head(): number {
    return this.base + this.events.length;
  }

  at(seq: number): PlanningEventPayload {
    return this.events[seq - this.base];
  }

  append(event: PlanningEventPayload): void {
    this.events.push(event);
    if (this.idle.size) {
      const waking = [...this.idle];
      this.idle.clear();
      for (const s of waking) s.wakeUp();
    }
    this.sinceSweep += 1;
    if (this.sinceSweep >= SWEEP_EVERY) this.sweep();
  }

  /** Ends the streams too far behind, and drops the events every remaining stream has read. */
  sweep(): void {
    this.sinceSweep = 0;
    const head = this.head;
    let slowest = head;
    for (const s of [...this.streams]) {
      const behind = head - s.cursor;
      if (behind > s.maxBacklog) {
        s.fellBehind(behind);
        continue;
      }
      if (s.cursor < slowest) slowest = s.cursor;
    }
    if (slowest > this.base) {
      this.events = this.events.slice(slowest - this.base);
      this.base = slowest;
    }
  }
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

class Stream implements EventStream {
  cursor: number;
  private done = false;
  private holding = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly topic: Topic,
    private readonly options: EventStreamOptions,
    private readonly gate: DeliveryGate,
    private readonly leave: (topic: Topic) => void,
  ) {
    this.cursor = topic.head;
  }

  get maxBacklog(): number {
    return this.options.connection?.maxEventBacklog ?? DEFAULT_BACKLOG;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<PlanningEventPayload>> {
    // The previous event has been delivered (graphql-ws asks for the next one once it has sent it).
    this.releasePlace();
    return this.pull();
  }

  return(): Promise<IteratorResult<PlanningEventPayload>> {
    this.end();
    return Promise.resolve(DONE);
  }

  throw(): Promise<IteratorResult<PlanningEventPayload>> {
    this.end();
    return Promise.resolve(DONE);
  }

  wakeUp(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  fellBehind(behind: number): void {
    const connection = this.options.connection;
    connection?.closeSlow(`Too slow: ${behind} events behind, over the limit of ${connection.maxEventBacklog} (WS_MAX_EVENT_BACKLOG)`);
    this.end();
  }

  private async pull(): Promise<IteratorResult<PlanningEventPayload>> {
    const { accepts, filter, connection } = this.options;
    for (;;) {
      if (this.done) return DONE;
      if (this.cursor >= this.topic.head) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.topic.idle.add(this);
        });
        continue;
      }
      const event = this.topic.at(this.cursor);
      this.cursor += 1;
      if (accepts && !accepts(event)) continue;
      if (connection) {
        if (connection.closing) {
          this.end();
          continue;
        }
        if (connection.bufferedAmount > connection.maxBufferedBytes) {
          connection.closeSlow(`Too slow: over ${connection.maxBufferedBytes} bytes not yet read (WS_MAX_BUFFERED_BYTES)`);
          this.end();
          continue;
        }
        const wait = this.gate.acquire();
        if (wait) await wait;
        this.holding = true;
        if (this.done || connection.closing) {
          this.end();
          return DONE;
        }
      }
      if (filter) {
        let passed: boolean;
        try {
          passed = await filter(event);
        } catch (err) {
          this.end();
          throw err;
        }
        if (this.done) return DONE;
        if (!passed) {
          this.releasePlace();
          continue;
        }
      }
      return { done: false, value: event };
    }
  }

  private releasePlace(): void {
    if (!this.holding) return;
    this.holding = false;
    this.gate.release();
  }

  private end(): void {
    if (this.done) return;
    this.done = true;
    this.topic.streams.delete(this);
    this.topic.idle.delete(this);
    this.wakeUp();
    // A place still awaited at the gate is released when it is granted (pull sees `done`).
    this.releasePlace();
    this.leave(this.topic);
  }
}

/** Topic → listeners of this process, for the in-memory bus (one process, tests). */
export function localEventTarget(): PubSubEventTarget<EventTopics> {
  const byTopic = new Map<string, Set<Listener>>();
  return {
    addEventListener(topic, listener) {
      if (!listener) return;
      let set = byTopic.get(topic);
      if (!set) byTopic.set(topic, (set = new Set()));
      set.add(listener as Listener);
    },
    removeEventListener(topic, listener) {
      const set = byTopic.get(topic);
      if (!set || !listener) return;
      set.delete(listener as Listener);
      if (!set.size) byTopic.delete(topic);
    },
    dispatchEvent(event) {
      for (const listener of [...(byTopic.get(event.type) ?? [])]) listener(event as CustomEvent<PlanningEventPayload>);
      return true;
    },
  };
}

/** The fan-out over a transport's event target (memory, PostgreSQL or Redis). */
export class Fanout {
  private readonly topics = new Map<string, Topic>();
  readonly gate = new DeliveryGate(DELIVERIES_PER_TURN);

  constructor(private readonly target: PubSubEventTarget<EventTopics>) {}

  publish(topic: string, event: PlanningEventPayload): void {
    this.target.dispatchEvent(new CustomEvent(topic, { detail: event }));
  }

  subscribe(name: string, options: EventStreamOptions): EventStream {
    let topic = this.topics.get(name);
    if (!topic) {
      const listener: Listener = (event) => this.topics.get(name)?.append(event.detail);
      topic = new Topic(name, listener);
      this.topics.set(name, topic);
      this.target.addEventListener(name, listener as never);
    }
    const stream = new Stream(topic, options, this.gate, (t) => this.leave(t));
    topic.streams.add(stream);
    return stream;
  }

  private leave(topic: Topic): void {
    if (topic.streams.size || this.topics.get(topic.name) !== topic) return;
    this.topics.delete(topic.name);
    this.target.removeEventListener(topic.name, topic.listener as never);
  }
}
