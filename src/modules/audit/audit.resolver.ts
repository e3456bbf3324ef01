import { Arg, Args, Authorized, Ctx, Field, FieldResolver, ID, InputType, Query, Resolver, Root } from 'type-graphql';
import { ADMINS } from '../../common/auth';
import { Connection, ConnectionArgs } from '../../common/connection';
import type { Context } from '../../common/context';
import { ANY_TYPE, GlobalIdOf } from '../../common/global-ids';
import { AuditEvent } from './audit-event.entity';
import { listAuditEvents } from './audit.service';
import { toGlobalId } from '../../common/ids';

export const AuditEventConnection = Connection(AuditEvent);

@InputType()
export class AuditEventsFilter {
  @Field(() => ID, { nullable: true, description: 'Global id of the changed object.' }) @GlobalIdOf(ANY_TYPE) entityId?: string;
  @Field(() => ID, { nullable: true, description: 'Global id of the user who acted.' }) @GlobalIdOf('User') actorId?: string;
  @Field({ nullable: true, description: 'Inclusive.' }) from?: Date;
  @Field({ nullable: true, description: 'Exclusive.' }) to?: Date;
}

@Resolver(() => AuditEvent)
export class AuditResolver {
  @Authorized(...ADMINS)
  @Query(() => AuditEventConnection, { description: 'The audit log, newest first. OWNER/ADMIN.' })
  auditEvents(
    @Arg('filter', () => AuditEventsFilter, { nullable: true }) filter: AuditEventsFilter | null,
    @Args() page: ConnectionArgs,
    @Ctx() ctx: Context,
  ) {
    return listAuditEvents(ctx, filter ?? {}, page);
  }

  @FieldResolver(() => ID, { description: 'Global id of the changed object.' })
  entityId(@Root() e: AuditEvent): string {
    return toGlobalId(e.entityType, e.entityUuid);
  }
}
