import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../../common/context';
import { AuditEvent } from '../audit';
import { referencedUserById } from './identity.loaders';
import { User } from './user.entity';

/**
 * `AuditEvent.actor`: declared here so that the audit module, which every module records
 * changes through, depends on no module (identity records changes too).
 */
@Resolver(() => AuditEvent)
export class AuditEventActorResolver {
  @FieldResolver(() => User, { nullable: true, description: 'Who acted (also after they left the organisation); null for an API token’s system actions.' })
  actor(@Root() e: AuditEvent, @Ctx() ctx: Context) {
    return e.actorId ? referencedUserById(ctx).load(e.actorId) : null;
  }
}
