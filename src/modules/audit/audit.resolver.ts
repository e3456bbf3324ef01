import { Arg, Args, Authorized, Ctx, Field, FieldResolver, ID, InputType, Query, Resolver, Root } from 'type-graphql';
import { ADMINS } from '../../common/auth';
import { Connection, ConnectionArgs } from '../../common/connection';
import type { Context } from '../../common/context';
import { ANY_TYPE, GlobalIdOf } from '../../common/global-ids';
import { AuditEvent } from './audit-event.entity';
import { listAuditEvents } from './audit.service';
import { toGlobalId } from '../../common/ids';
import { JSONScalar } from '../../common/scalars';
import { withGlobalIds } from './audit-ids';

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

  @FieldResolver(() => JSONScalar, {
    nullable: true,
    description: 'The object before the change (null for a creation); ids are global ids of their type (see docs/api.md, "The audit log").',
  })
  before(@Root() e: AuditEvent): Record<string, unknown> | null {
    return withGlobalIds(e.entityType, e.before);
  }

  @FieldResolver(() => JSONScalar, {
    nullable: true,
    description: 'The object after the change (null for a deletion); ids are global ids of their type.',
  })
  after(@Root() e: AuditEvent): Record<string, unknown> | null {
    return withGlobalIds(e.entityType, e.after);
  }

  @FieldResolver(() => ID, { description: 'Global id of the changed object.' })
  entityId(@Root() e: AuditEvent): string {
    return toGlobalId(e.entityType, e.entityUuid);
  }
}
