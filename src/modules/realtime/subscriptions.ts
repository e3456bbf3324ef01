import type { Context } from '../../common/context';
import { orgTopic, type PlanningEventPayload } from '../../common/events';
import { createLoaders } from '../../common/loaders';
import { authenticate } from '../identity';
import { oncePerConnectionAndEvent } from './event-reauth';

/** Type-graphql `topics` shared by every subscription: one topic per organisation. */
export const organizationTopic = ({ context }: { context: Context }) => orgTopic(context.organizationId ?? 'none');

/**
 * Before a subscription event is delivered: authenticate the connection's credentials again
 * (a revoked token or removed member stops receiving) and give the event fresh loaders, so
 * nothing cached for an earlier event is served. Returns false when the caller may no longer
 * read the organisation the event belongs to. With the event's payload, the authentication is
 * done once per connection for that event, however many subscriptions the connection has.
 */
export async function refreshForEvent(ctx: Context, eventOrganizationId: string, event?: object): Promise<boolean> {
  const run = () => authenticate(ctx.db.manager, ctx.sessions, ctx.credentials.authorization, ctx.credentials.organizationHint);
  const auth = await (event ? oncePerConnectionAndEvent(ctx.credentials, event, run) : run());
  ctx.viewer = auth.viewer;
  ctx.organizationId = auth.organizationId;
  ctx.role = auth.role;
  ctx.authError = auth.authError;
  ctx.loaders = createLoaders();
  return Boolean(auth.viewer && auth.organizationId && auth.organizationId === eventOrganizationId);
}

export type EventFilter<A> = (payload: PlanningEventPayload, args: A, ctx: Context) => boolean | Promise<boolean>;

/**
 * The options of every `@Subscription`: the organisation's topic, then for each event
 * 1. its type (`types`; null = every type) — cheap, so checked first,
 * 2. re-authentication with fresh loaders (`refreshForEvent`),
 * 3. the subscription's own filter (its arguments against the event's `meta`).
 *
 *   @Subscription(() => Task, { description: '…', ...planningSubscription(['TASK_ASSIGNED'], (e, _args, ctx) => …) })
 */
export function planningSubscription<A = Record<string, unknown>>(types: readonly string[] | null, filter?: EventFilter<A>) {
  const wanted = types ? new Set(types) : null;
  return {
    topics: organizationTopic,
    filter: async ({ payload, args, context }: { payload: PlanningEventPayload; args: A; context: Context }) => {
      if (wanted && !wanted.has(payload.type)) return false;
      if (!(await refreshForEvent(context, payload.organizationId, payload))) return false;
      return filter ? filter(payload, args, context) : true;
    },
  };
}
