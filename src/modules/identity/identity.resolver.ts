import { required } from '../../common/loaders';
import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ADMINS, PUBLIC, SIGNED_IN, USER_SESSION } from '../../common/auth';
import { ConnectionArgs, Connection } from '../../common/connection';
import type { Context } from '../../common/context';
import {
  AcceptInvitationInput,
  AddMemberInput,
  ChangeMemberRoleInput,
  LogInInput,
  RemoveMemberInput,
  SignUpInput,
} from './identity.inputs';
import { memberByUserId, membershipsOfUser, referencedUserById } from './identity.loaders';
import * as identity from './identity.service';
import {
  AcceptInvitationPayload,
  AddMemberPayload,
  AuthPayload,
  ChangeMemberRolePayload,
  RemoveMemberPayload,
  Viewer,
} from './identity.types';
import { Member } from './member.entity';
import { Organization } from './organization.entity';
import { User } from './user.entity';

export const MemberConnection = Connection(Member);

@Resolver()
export class IdentityResolver {
  @Authorized(PUBLIC)
  @Mutation(() => AuthPayload, { description: 'Creates a user and an organisation they OWN, and signs them in.' })
  signUp(@Arg('input') input: SignUpInput, @Ctx() ctx: Context) {
    return identity.signUp(ctx, input);
  }

  @Authorized(PUBLIC)
  @Mutation(() => AuthPayload, {
    description: 'Signs in. `organization` is the first organisation joined (choose another per request with X-Organization-Id).',
  })
  logIn(@Arg('input') input: LogInInput, @Ctx() ctx: Context) {
    return identity.logIn(ctx, input);
  }

  @Authorized(PUBLIC)
  @Mutation(() => AcceptInvitationPayload, { description: 'Sets the password of an invited user and signs them in.' })
  acceptInvitation(@Arg('input') input: AcceptInvitationInput, @Ctx() ctx: Context) {
    return identity.acceptInvitation(ctx, input);
  }

  @Authorized(SIGNED_IN)
  @Query(() => Viewer, { description: 'The caller, the organisation the request acts in, and their role there.' })
  viewer(@Ctx() ctx: Context): Viewer {
    const userId = ctx.viewer!.userId;
    const isUser = ctx.viewer!.kind === 'user';
    // Each field is read only when asked for (graphql-js awaits the promises).
    const viewer = {
      role: ctx.role,
      get user() {
        return required(referencedUserById(ctx).load(userId), 'User');
      },
      get organization() {
        return ctx.organizationId ? identity.currentOrganization(ctx) : null;
      },
      get organizations() {
        if (isUser) return membershipsOfUser(ctx).load(userId).then((list) => (list ?? []).map((m) => m.organization));
        return ctx.organizationId ? identity.currentOrganization(ctx).then((o) => [o]) : [];
      },
    };
    return viewer as unknown as Viewer;
  }

  @Authorized()
  @Query(() => Organization, { description: 'The organisation the request acts in.' })
  organization(@Ctx() ctx: Context) {
    return identity.currentOrganization(ctx);
  }

  @Authorized(USER_SESSION, ...ADMINS)
  @Mutation(() => AddMemberPayload, {
    description: 'Adds an existing user, or invites a new one (returns a one-time invitationToken). OWNER/ADMIN.',
  })
  addMember(@Arg('input') input: AddMemberInput, @Ctx() ctx: Context) {
    return identity.addMember(ctx, input);
  }

  @Authorized(USER_SESSION, ...ADMINS)
  @Mutation(() => ChangeMemberRolePayload, { description: 'OWNER/ADMIN. The last OWNER cannot be demoted.' })
  changeMemberRole(@Arg('input') input: ChangeMemberRoleInput, @Ctx() ctx: Context) {
    return identity.changeMemberRole(ctx, input);
  }

  @Authorized(USER_SESSION, ...ADMINS)
  @Mutation(() => RemoveMemberPayload, { description: 'OWNER/ADMIN. The last OWNER cannot be removed.' })
  removeMember(@Arg('input') input: RemoveMemberInput, @Ctx() ctx: Context) {
    return identity.removeMember(ctx, input);
  }
}

@Resolver(() => Organization)
export class OrganizationResolver {
  @FieldResolver(() => MemberConnection, { description: 'Members, oldest first.' })
  members(@Root() org: Organization, @Args() page: ConnectionArgs, @Ctx() ctx: Context) {
    return identity.listMembers(ctx, org, page);
  }
}

@Resolver(() => Member)
export class MemberResolver {
  @FieldResolver(() => User)
  async user(@Root() member: Member, @Ctx() ctx: Context) {
    return required(referencedUserById(ctx).load(member.userId), 'User');
  }
}

@Resolver(() => User)
export class UserResolver {
  @FieldResolver(() => Member, {
    nullable: true,
    description: "The user's membership of the organisation the request acts in.",
  })
  membership(@Root() user: User, @Ctx() ctx: Context) {
    return memberByUserId(ctx).load(user.id);
  }
}
