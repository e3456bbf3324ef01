/**
 * Re-authentication once per connection per event. Every subscription of a graphql-ws
 * connection shares the connection's credentials object, and every subscriber of this process
 * receives the same payload object for one event: so (credentials, event) identifies "this
 * connection, this event". The first subscription to see the event authenticates; the others
 * reuse its answer. A revoked token or a removed member is seen at the very next event, as
 * before; nothing outlives the event (both maps hold their keys weakly).
 */
const perConnection = new WeakMap<object, WeakMap<object, Promise<unknown>>>();

export function oncePerConnectionAndEvent<T>(credentials: object, event: object, authenticate: () => Promise<T>): Promise<T> {
  let perEvent = perConnection.get(credentials);
  if (!perEvent) perConnection.set(credentials, (perEvent = new WeakMap()));
  let answer = perEvent.get(event) as Promise<T> | undefined;
  if (!answer) {
    answer = authenticate();
    perEvent.set(event, answer);
    const events = perEvent;
    answer.catch(() => events.delete(event));
  }
  return answer;
}
