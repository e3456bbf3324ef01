import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface Subscription<T> {
  /** Resolves with the next event (rejects after `timeoutMs`). */
  next(timeoutMs?: number): Promise<T>;
  /** Events received so far and not yet taken. */
  pending(): T[];
  close(): Promise<void>;
}

/** A real graphql-ws client (over the `ws` package) against a started server. */
export function wsClient(httpUrl: string, params: Record<string, unknown>, onClose?: (code: number, reason: string) => void): Client {
  return createClient({
    url: `${httpUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: params,
    retryAttempts: 0,
    lazy: false,
    // Closes are expected or asserted by the caller: do not print them as errors.
    onNonLazyError: () => undefined,
    on: onClose ? { closed: (e) => onClose((e as { code: number }).code, (e as { reason: string }).reason) } : undefined,
  });
}

export function subscribe<T = any>(client: Client, query: string, variables: Record<string, unknown> = {}): Subscription<T> {
  const queue: T[] = [];
  const waiters: Array<(v: T) => void> = [];
  let failure: unknown = null;
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (value) => {
        const v = (value.errors ? value : value.data) as T;
        const w = waiters.shift();
        if (w) w(v);
        else queue.push(v);
      },
      error: (err) => {
        failure = err;
      },
      complete: () => undefined,
    },
  );
  return {
    // An expected event: a missing one still fails, after a wait long enough for a loaded CI machine
    // (5 s was once not enough for a commit's event there; no test waits on next() for an absence).
    next(timeoutMs = 15_000) {
      if (queue.length) return Promise.resolve(queue.shift()!);
      if (failure) return Promise.reject(failure);
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no event within ${timeoutMs} ms`)), timeoutMs);
        waiters.push((v) => {
          clearTimeout(timer);
          resolve(v);
        });
      });
    },
    pending: () => queue.splice(0),
    async close() {
      dispose();
    },
  };
}

/** Waits until the server has registered the subscription (graphql-ws acks before subscribing). */
export const settle = (ms = 150) => new Promise((r) => setTimeout(r, ms));
