import DataLoader from 'dataloader';
import type { Context } from './context';

/**
 * Per-request DataLoaders. A module declares a loader once with `defineLoader`; each request
 * (and each subscription event) gets fresh instances, created lazily on first use, so no cache
 * outlives the request that filled it.
 */
export class Loaders {
  private readonly map = new Map<string, DataLoader<unknown, unknown>>();

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
    ctx.loaders.get(name, () => new DataLoader<K, V | null>((keys) => batch(ctx, keys), { maxBatchSize: 1000 }));
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
