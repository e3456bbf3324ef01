import { createLoaders, type Loaders } from '../../common/loaders';

/**
 * Re-authentication and loaders once per connection per event. Every subscription of a
 * graphql-ws connection shares the connection's credentials object, and every subscriber of this
 * process receives the same payload object for one event: so (credentials, event) identifies
 * "this connection, this event". The first subscription to see the event authenticates and makes
 * the event's loaders; the others reuse both (their loads of the same rows are batched together,
 * as the fields of one request are). A revoked token or a removed member is seen at the very next
 * event, as before; nothing outlives the event (both maps hold their keys weakly).
 */
export interface PerEvent<T> {
  auth: Promise<T>;
  loaders: Loaders;
}

const perConnection = new WeakMap<object, WeakMap<object, PerEvent<unknown>>>();

export function oncePerConnectionAndEvent<T>(credentials: object, event: object, authenticate: () => Promise<T>): PerEvent<T> {
  let perEvent = perConnection.get(credentials);
  if (!perEvent) perConnection.set(credentials, (perEvent = new WeakMap()));
  let shared = perEvent.get(event) as PerEvent<T> | undefined;
  if (!shared) {
    shared = { auth: authenticate(), loaders: createLoaders() };
    perEvent.set(event, shared);
    const events = perEvent;
    shared.auth.catch(() => events.delete(event));
  }
  return shared;
}
