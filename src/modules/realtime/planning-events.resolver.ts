import { Arg, Authorized, Ctx, Field, FieldResolver, ID, InputType, ObjectType, Resolver, Root, Subscription } from 'type-graphql';
import { ArrayMaxSize, IsOptional } from 'class-validator';
import type { Context } from '../../common/context';
import { toGlobalId } from '../../common/ids';
import type { PlanningEventPayload } from '../../common/events';
import { User, referencedUserById } from '../identity';
import { planningSubscription } from './subscriptions';

@ObjectType({ description: 'Something changed in the organisation: refetch what you show of `entityId`.' })
export class PlanningEvent {
  @Field({ description: 'What happened, e.g. MEMBER_ADDED, KEY_RESULT_CHECKED_IN.' }) type: string;
  @Field({ description: 'GraphQL type of the changed object.' }) entityType: string;
  @Field() at: Date;
  entityUuid: string;
  actorId: string | null;
}

@InputType()
export class PlanningEventsFilter {
  @Field(() => [String], { nullable: true, description: 'Only these event types; all when omitted.' })
  @IsOptional()
  @ArrayMaxSize(100)
  types?: string[];
}

@Resolver(() => PlanningEvent)
export class PlanningEventsResolver {
  @Authorized()
  @Subscription(() => PlanningEvent, {
    description: 'Every change in the organisation, as ids to refetch. Filter by event type.',
    ...planningSubscription<{ filter?: PlanningEventsFilter }>(null, (payload, args) => {
      const types = args.filter?.types;
      return !types || types.includes(payload.type);
    }),
  })
  planningEvents(
    @Root() payload: PlanningEventPayload,
    @Arg('filter', () => PlanningEventsFilter, { nullable: true }) _filter: PlanningEventsFilter | null,
  ): PlanningEvent {
    return {
      type: payload.type,
      entityType: payload.entityType,
      at: new Date(payload.at),
      entityUuid: payload.entityId,
      actorId: payload.actorId,
    };
  }

  @FieldResolver(() => ID, { description: 'Global id of the changed object.' })
  entityId(@Root() e: PlanningEvent): string {
    return toGlobalId(e.entityType, e.entityUuid);
  }

  @FieldResolver(() => User, { nullable: true })
  actor(@Root() e: PlanningEvent, @Ctx() ctx: Context) {
    return e.actorId ? referencedUserById(ctx).load(e.actorId) : null;
  }
}
