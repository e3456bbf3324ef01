import { Arg, Authorized, Ctx, Field, FieldResolver, ID, InputType, ObjectType, Resolver, Root, Subscription, registerEnumType } from 'type-graphql';
import { ArrayMaxSize, IsOptional } from 'class-validator';
import type { Context } from '../../common/context';
import { toGlobalId } from '../../common/ids';
import { PlanningEventTypeDescriptions, PlanningEventTypes, type PlanningEventPayload, type PlanningEventType } from '../../common/events';
import { User, referencedUserById } from '../identity';
import { planningSubscription } from './subscriptions';

// Every module declares the types it publishes (src/modules/<module>/<module>.events.ts); the enum
// is read when the schema is built, once every module is loaded.
registerEnumType(PlanningEventTypes, {
  name: 'PlanningEventType',
  description: 'What happened: the type of a change event, named after the change (the publishing module in brackets).',
  valuesConfig: PlanningEventTypeDescriptions,
});

@ObjectType({ description: 'Something changed in the organisation: refetch what you show of `entityId`.' })
export class PlanningEvent {
  @Field(() => PlanningEventTypes, { description: 'What happened, e.g. MEMBER_ADDED, KEY_RESULT_CHECKED_IN.' }) type: PlanningEventType;
  @Field({ description: 'GraphQL type of the changed object.' }) entityType: string;
  @Field() at: Date;
  entityUuid: string;
  actorId: string | null;
}

@InputType()
export class PlanningEventsFilter {
  @Field(() => [PlanningEventTypes], { nullable: true, description: 'Only these event types; all when omitted.' })
  @IsOptional()
  @ArrayMaxSize(100)
  types?: PlanningEventType[];
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
