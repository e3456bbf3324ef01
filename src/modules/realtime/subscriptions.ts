import { getMetadataStorage } from 'type-graphql';
import type { Context } from '../../common/context';
import { isEventType, type EventStream, type PlanningEventPayload, type PlanningEventType } from '../../common/events';
import { createLoaders } from '../../common/loaders';
import { authenticate } from '../identity';
import { oncePerConnectionAndEvent } from './event-reauth';

/**
 * Before a subscription event is delivered: authenticate the connection's credentials again
 * (a revoked token or removed member stops receiving) and give the event fresh loaders, so
 * nothing cached for an earlier event is served. Returns false when the caller may no longer
 * read the organisation the event belongs to. With the event's payload, the authentication and
 * the loaders are shared by the connection's subscriptions for that event.
 */
export async function refreshForEvent(ctx: Context, eventOrganizationId: string, event?: object): Promise<boolean> {
  const run = () => authenticate(ctx.db.manager, ctx.sessions, ctx.credentials.authorization, ctx.credentials.organizationHint);
  const shared = event ? oncePerConnectionAndEvent(ctx.credentials, event, run) : null;
  const auth = await (shared ? shared.auth : run());
  ctx.viewer = auth.viewer;
  ctx.organizationId = auth.organizationId;
  ctx.role = auth.role;
  ctx.authError = auth.authError;
  ctx.loaders = shared ? shared.loaders : createLoaders();
  return Boolean(auth.viewer && auth.organizationId && auth.organizationId === eventOrganizationId);
}

export type EventFilter<A> = (payload: PlanningEventPayload, args: A, ctx: Context) => boolean | Promise<boolean>;

/** The event types each subscription field listens to, by its `subscribe` function (see `subscribedEventTypes`). */
const typesBySubscribe = new WeakMap<object, readonly PlanningEventType[] | null>();

/**
 * The options of every `@Subscription`: the organisation's events (the event bus's fan-out,
 * with the connection for back-pressure), then for each event
 * 1. its type (`types`, declared PlanningEventTypes; null = every declared type) — cheap, so
 *    checked first, outside the fan-out's budget,
 * 2. re-authentication with fresh loaders (`refreshForEvent`),
 * 3. the subscription's own filter (its arguments against the event's `meta`; ids in the filter
 *    input are declared `@GlobalIdOf` and arrive as uuids, so `metaMatches` compares them).
 *
 *   @Subscription(() => Task, { description: '…', ...planningSubscription(['TASK_ASSIGNED'], (e, _args, ctx) => …) })
 *
 * The types are recorded: `subscribedEventTypes()` tells which types each field listens to (the
 * event contract tests check that each is declared and announced).
 */
export function planningSubscription<A = Record<string, unknown>>(types: readonly PlanningEventType[] | null, filter?: EventFilter<A>) {
  const wanted = types ? new Set<string>(types) : null;
  const subscribe = ({ args, context }: { args: A; context: Context }): EventStream =>
    context.events.subscribe(context.organizationId ?? 'none', {
      connection: context.connection ?? null,
      // Every declared type when no list is given: an event of a type this process does not
      // know (another version, during a rolling deploy) is not sent as an invalid enum value.
      accepts: wanted ? (event) => wanted.has(event.type) : (event) => isEventType(event.type),
      filter: async (event) => (await refreshForEvent(context, event.organizationId, event)) && (filter ? filter(event, args, context) : true),
    });
  typesBySubscribe.set(subscribe, types ? Object.freeze([...types]) : null);
  return { subscribe };
}

/**
 * Which event types each subscription field (by its schema name) listens to; null: every type.
 * Fields that do not use `planningSubscription` are missing from the map.
 */
export function subscribedEventTypes(): Map<string, readonly PlanningEventType[] | null> {
  const fields = new Map<string, readonly PlanningEventType[] | null>();
  for (const s of getMetadataStorage().subscriptions) {
    if (s.subscribe && typesBySubscribe.has(s.subscribe)) fields.set(s.schemaName, typesBySubscribe.get(s.subscribe)!);
  }
  return fields;
}

/**
 * A subscription filter's test of routing facts: every `wanted` value that is set (a uuid decoded
 * by `@GlobalIdOf`, a level…) must equal the event's `meta` of the same name; unset ones match
 * anything. `metaMatches(event, { cycleId: args.filter?.cycleId })`.
 */
export function metaMatches(event: Pick<PlanningEventPayload, 'meta'>, wanted: Record<string, string | null | undefined>): boolean {
  for (const [key, value] of Object.entries(wanted)) {
    if (value != null && event.meta?.[key] !== value) return false;
  }
  return true;
}
