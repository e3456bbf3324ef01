import DataLoader from 'dataloader';
import { statementsIdle, whenStatementsIdle } from './statement-scope';
import type { Context } from './context';
import { notFound } from './errors';
import { toGlobalId } from './ids';

/** Longest a batch waits for the request's running statements: a safety net, statements normally finish first. */
const MAX_BATCH_WAIT_MS = 10_000;

/**
 * Dispatches the request's loader batches together, once none of the request's SQL statements
 * is running: the loads that a query's rows lead to (their owners, key results...) then join
 * the loads of every other branch of the GraphQL result, level by level. The number of
 * statements of a request thus depends on the shape of the query, not on which response
 * arrived first, which makes "no N+1" assertable exactly.
 */
class BatchScheduler {
  private queue: Array<() => void> = [];
  private armed = false;

  readonly schedule = (dispatch: () => void): void => {
    this.queue.push(dispatch);
    if (this.armed) return;
    this.armed = true;
    // Let the current tick's loads (same level of the result) join first.
    setImmediate(() => this.flushWhenIdle());
  };

  private flushWhenIdle(deadline = Date.now() + MAX_BATCH_WAIT_MS): void {
    let done = false;
    const check = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      // Let the code that the last statement's result resumes run (it may queue more loads
      // or start statements of its own), then look again.
      setImmediate(() => {
        if (!statementsIdle() && Date.now() < deadline) {
          this.flushWhenIdle(deadline);
          return;
        }
        this.armed = false;
        for (const dispatch of this.queue.splice(0)) dispatch();
      });
    };
    const timer = setTimeout(check, Math.max(0, deadline - Date.now()));
    whenStatementsIdle(check);
  }
}

export class Loaders {
  private readonly map = new Map<string, DataLoader<unknown, unknown>>();
  readonly scheduler = new BatchScheduler();

  get<K, V>(name: string, create: () => DataLoader<K, V>): DataLoader<K, V> {
    let loader = this.map.get(name);
    if (!loader) {
      loader = create() as unknown as DataLoader<unknown, unknown>;
      this.map.set(name, loader);
    }
    return loader as unknown as DataLoader<K, V>;
  }

  /** Drops every cached value (after a mutation changed rows some loader may hold). */
  clearAll(): void {
    for (const l of this.map.values()) l.clearAll();
  }
}

export function createLoaders(): Loaders {
  return new Loaders();
}

export type LoaderAccessor<K, V> = (ctx: Context) => DataLoader<K, V>;

/**
 * Declares a loader. `batch` receives the request context (for `organizationId` and the
 * entity manager) and the keys; it must return one value (or null) per key, in key order.
 */
export function defineLoader<K, V>(
  name: string,
  batch: (ctx: Context, keys: readonly K[]) => Promise<Array<V | null | Error>>,
): LoaderAccessor<K, V | null> {
  return (ctx) =>
    ctx.loaders.get(
      name,
      () =>
        new DataLoader<K, V | null>((keys) => batch(ctx, keys), {
          maxBatchSize: 1000,
          batchScheduleFn: ctx.loaders.scheduler.schedule,
        }),
    );
}

/** Orders rows by the keys asked for; missing keys give null. */
export function byKeys<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): Array<V | null> {
  const index = new Map<K, V>();
  for (const r of rows) index.set(keyOf(r), r);
  return keys.map((k) => index.get(k) ?? null);
}

/** Groups rows by key (for one-to-many loaders); every key gets an array. */
export function groupByKeys<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): V[][] {
  const index = new Map<K, V[]>();
  for (const r of rows) {
    const k = keyOf(r);
    const list = index.get(k);
    if (list) list.push(r);
    else index.set(k, [r]);
  }
  return keys.map((k) => index.get(k) ?? []);
}

/** `loadMany` gives an Error for a key whose batch failed; surface it, keep nulls as null. */
export function nullOnError<V>(values: Array<V | null | Error>): Array<V | null> {
  return values.map((v) => {
    if (v instanceof Error) throw v;
    return v;
  });
}

/** Awaits a load that must find its row (a relation the schema declares non-null). */
export async function required<T>(value: Promise<T | null>, what: string): Promise<T> {
  const v = await value;
  if (!v) throw notFound(what);
  return v;
}

/**
 * Loads an object by uuid (decoded at the API edge) through the type's by-id loader (which
 * filters by organisation): one of another organisation is NOT_FOUND, like one that does not exist.
 */
export async function requireById<V>(loader: DataLoader<string, V | null>, id: string, type: string): Promise<V> {
  return required(loader.load(id), `${type} ${toGlobalId(type, id)}`);
}
