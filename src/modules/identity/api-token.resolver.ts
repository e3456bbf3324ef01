import { SingleLineName } from '../../common/input-text';
import { ArrayMaxSize, ArrayMinSize, IsOptional, Length } from 'class-validator';
import { Arg, Args, Authorized, Ctx, Field, FieldResolver, ID, InputType, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { GlobalIdOf } from '../../common/global-ids';
import { ADMINS, USER_SESSION } from '../../common/auth';
import { Connection, ConnectionArgs } from '../../common/connection';
import { ApiTokenScope, Role, type Context } from '../../common/context';
import { ApiToken } from './api-token.entity';
import * as tokens from './api-token.service';
import { apiTokenRole } from './authenticate';
import { memberByUserId } from './identity.loaders';
import { MemberStatus } from './member.entity';

export const ApiTokenConnection = Connection(ApiToken);

@InputType()
export class CreateApiTokenInput {
  @Field() @Length(1, 100, { message: 'name must be 1 to 100 characters' }) @SingleLineName() name: string;
  @Field(() => [ApiTokenScope]) @ArrayMinSize(1) @ArrayMaxSize(2) scopes: ApiTokenScope[];
  @Field({ nullable: true, description: 'When the token stops working; never when omitted.' })
  @IsOptional()
  expiresAt?: Date;
}

@ObjectType()
export class CreateApiTokenPayload {
  @Field(() => ApiToken) apiToken: ApiToken;
  @Field({ description: 'The secret to send as `Authorization: Bearer <secret>`. Shown only this once.' })
  secret: string;
}

@InputType()
export class RevokeApiTokenInput {
  @Field(() => ID) @GlobalIdOf('ApiToken') id: string;
}

@ObjectType()
export class RevokeApiTokenPayload {
  @Field(() => ApiToken) apiToken: ApiToken;
}

@Resolver(() => ApiToken)
export class ApiTokenResolver {
  @Authorized(USER_SESSION, ...ADMINS)
  @Mutation(() => CreateApiTokenPayload, {
    description: 'OWNER/ADMIN. A token for dashboards and integrations, acting in this organisation only.',
  })
  createApiToken(@Arg('input') input: CreateApiTokenInput, @Ctx() ctx: Context) {
    return tokens.createApiToken(ctx, input);
  }

  @Authorized(USER_SESSION, ...ADMINS)
  @Query(() => ApiTokenConnection, { description: 'OWNER/ADMIN. The organisation’s API tokens, newest first.' })
  apiTokens(@Args() page: ConnectionArgs, @Ctx() ctx: Context) {
    return tokens.listApiTokens(ctx, page);
  }

  /** What authentication would give the token now (authenticate.ts), from the creator's membership. */
  @FieldResolver(() => Role, { nullable: true })
  async role(@Root() token: ApiToken, @Ctx() ctx: Context): Promise<Role | null> {
    if (token.revokedAt || (token.expiresAt && token.expiresAt.getTime() <= Date.now())) return null;
    // Tokens are read only in their own organisation, the one memberByUserId reads.
    const creator = token.organizationId === ctx.organizationId ? await memberByUserId(ctx).load(token.createdById) : null;
    return apiTokenRole(token.scopes, creator?.status === MemberStatus.ACTIVE ? creator.role : null);
  }

  @Authorized(USER_SESSION, ...ADMINS)
  @Mutation(() => RevokeApiTokenPayload, { description: 'OWNER/ADMIN. Takes effect at once, also on open subscriptions.' })
  revokeApiToken(@Arg('input') input: RevokeApiTokenInput, @Ctx() ctx: Context) {
    return tokens.revokeApiToken(ctx, input);
  }
}
