import type { Context } from '../../common/context';
import type { EventStream, PlanningEventPayload } from '../../common/events';
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

/**
 * The options of every `@Subscription`: the organisation's events (the event bus's fan-out,
 * with the connection for back-pressure), then for each event
 * 1. its type (`types`; null = every type) — cheap, so checked first, outside the fan-out's budget,
 * 2. re-authentication with fresh loaders (`refreshForEvent`),
 * 3. the subscription's own filter (its arguments against the event's `meta`).
 *
 *   @Subscription(() => Task, { description: '…', ...planningSubscription(['TASK_ASSIGNED'], (e, _args, ctx) => …) })
 */
export function planningSubscription<A = Record<string, unknown>>(types: readonly string[] | null, filter?: EventFilter<A>) {
  const wanted = types ? new Set(types) : null;
  return {
    subscribe: ({ args, context }: { args: A; context: Context }): EventStream =>
      context.events.subscribe(context.organizationId ?? 'none', {
        connection: context.connection ?? null,
        accepts: wanted ? (event) => wanted.has(event.type) : undefined,
        filter: async (event) => (await refreshForEvent(context, event.organizationId, event)) && (filter ? filter(event, args, context) : true),
      }),
  };
}
