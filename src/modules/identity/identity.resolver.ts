import { required } from '../../common/loaders';
import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ADMINS, PUBLIC, SIGNED_IN, USER_SESSION } from '../../common/auth';
import { ConnectionArgs, Connection } from '../../common/connection';
import { Role, type Context } from '../../common/context';
import {
  AcceptInvitationInput,
  AddMemberInput,
  ChangeMemberRoleInput,
  ChangePasswordInput,
  DeclineInvitationInput,
  LogInInput,
  RemoveMemberInput,
  SignUpInput,
  VerifyEmailInput,
} from './identity.inputs';
import { memberByUserId, membershipsOfUser, referencedUserById } from './identity.loaders';
import * as account from './account.service';
import * as invitations from './invitations.service';
import * as members from './members.service';
import { resendVerificationEmail, verifyEmail } from './email-verification.service';
import { signUp } from './sign-up.service';
import {
  AcceptInvitationPayload,
  AddMemberPayload,
  AuthPayload,
  ChangeMemberRolePayload,
  ChangePasswordPayload,
  DeclineInvitationPayload,
  LogOutEverywherePayload,
  LogOutPayload,
  PendingInvitation,
  RemoveMemberPayload,
  ResendVerificationEmailPayload,
  SignUpPayload,
  Viewer,
  VerifyEmailPayload,
} from './identity.types';
import { Member } from './member.entity';
import { Organization } from './organization.entity';
import { User } from './user.entity';

export const MemberConnection = Connection(Member);

@Resolver()
export class IdentityResolver {
  @Authorized(PUBLIC)
  @Mutation(() => SignUpPayload, {
    description:
      'Mails the address a link that creates the user and an organisation they OWN (`verifyEmail`); until then nothing exists. ' +
      'Same answer when the address has an account: its owner is told by mail instead. Limited per client address, overall, and to one mail per address per interval.',
  })
  signUp(@Arg('input') input: SignUpInput, @Ctx() ctx: Context) {
    return signUp(ctx, input);
  }

  @Authorized(PUBLIC)
  @Mutation(() => AuthPayload, {
    description: 'Signs in. `organization` is the first organisation joined (choose another per request with X-Organization-Id).',
  })
  logIn(@Arg('input') input: LogInInput, @Ctx() ctx: Context) {
    return account.logIn(ctx, input);
  }

  @Authorized(PUBLIC)
  @Mutation(() => AcceptInvitationPayload, {
    description:
      'Accepts an invitation: with the mailed token (a new invitee also sets password and displayName, and is signed in), ' +
      'or signed in with a verified address by invitationId (from viewer.invitations).',
  })
  acceptInvitation(@Arg('input') input: AcceptInvitationInput, @Ctx() ctx: Context) {
    return invitations.acceptInvitation(ctx, input);
  }

  @Authorized(USER_SESSION, SIGNED_IN)
  @Mutation(() => DeclineInvitationPayload, { description: 'Declines an invitation from viewer.invitations (verified address).' })
  declineInvitation(@Arg('input') input: DeclineInvitationInput, @Ctx() ctx: Context) {
    return invitations.declineInvitation(ctx, input);
  }

  @Authorized(PUBLIC)
  @Mutation(() => VerifyEmailPayload, {
    description:
      'With the token from a sign-up mail: creates the account and its organisation and signs in. With the token from a verification mail: marks the address verified.',
  })
  verifyEmail(@Arg('input') input: VerifyEmailInput, @Ctx() ctx: Context) {
    return verifyEmail(ctx, input);
  }

  @Authorized(USER_SESSION, SIGNED_IN)
  @Mutation(() => ResendVerificationEmailPayload, {
    description: 'Sends a new verification mail to the caller (at most one per ACCOUNT_MAIL_INTERVAL_SECONDS, 5 an hour).',
  })
  resendVerificationEmail(@Ctx() ctx: Context) {
    return resendVerificationEmail(ctx);
  }

  @Authorized(USER_SESSION, SIGNED_IN)
  @Mutation(() => LogOutPayload, { description: 'Ends the session whose token this request carries.' })
  logOut(@Ctx() ctx: Context) {
    return account.logOut(ctx);
  }

  @Authorized(USER_SESSION, SIGNED_IN)
  @Mutation(() => LogOutEverywherePayload, {
    description: 'Ends every session of the caller, this one included (API tokens stay: revoke them apart).',
  })
  logOutEverywhere(@Ctx() ctx: Context) {
    return account.logOutEverywhere(ctx);
  }

  @Authorized(USER_SESSION, SIGNED_IN)
  @Mutation(() => ChangePasswordPayload, {
    description: 'Changes the password and ends every other session; returns a fresh token for this client.',
  })
  changePassword(@Arg('input') input: ChangePasswordInput, @Ctx() ctx: Context) {
    return account.changePassword(ctx, input);
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
        return ctx.organizationId ? members.currentOrganization(ctx) : null;
      },
      get organizations() {
        if (isUser) return membershipsOfUser(ctx).load(userId).then((list) => (list ?? []).map((m) => m.organization));
        return ctx.organizationId ? members.currentOrganization(ctx).then((o) => [o]) : [];
      },
    };
    return viewer as unknown as Viewer;
  }

  @Authorized()
  @Query(() => Organization, { description: 'The organisation the request acts in.' })
  organization(@Ctx() ctx: Context) {
    return members.currentOrganization(ctx);
  }

  @Authorized(USER_SESSION, ...ADMINS)
  @Mutation(() => AddMemberPayload, {
    description:
      'Invites someone by email (OWNER/ADMIN): the membership stays INVITED until the invitee accepts; the invitation goes by mail.',
  })
  addMember(@Arg('input') input: AddMemberInput, @Ctx() ctx: Context) {
    return invitations.addMember(ctx, input);
  }

  @Authorized(USER_SESSION, ...ADMINS)
  @Mutation(() => ChangeMemberRolePayload, { description: 'OWNER/ADMIN. The last OWNER cannot be demoted.' })
  changeMemberRole(@Arg('input') input: ChangeMemberRoleInput, @Ctx() ctx: Context) {
    return members.changeMemberRole(ctx, input);
  }

  @Authorized(USER_SESSION, ...ADMINS)
  @Mutation(() => RemoveMemberPayload, { description: 'OWNER/ADMIN. The last OWNER cannot be removed.' })
  removeMember(@Arg('input') input: RemoveMemberInput, @Ctx() ctx: Context) {
    return members.removeMember(ctx, input);
  }
}

@Resolver(() => Viewer)
export class ViewerResolver {
  @FieldResolver(() => [PendingInvitation], {
    description: 'Invitations waiting for the caller. Empty until the email address is verified, and for API tokens.',
  })
  invitations(@Ctx() ctx: Context) {
    return invitations.pendingInvitations(ctx);
  }
}

@Resolver(() => Organization)
export class OrganizationResolver {
  @FieldResolver(() => MemberConnection, { description: 'Members, oldest first.' })
  members(@Root() org: Organization, @Args() page: ConnectionArgs, @Ctx() ctx: Context) {
    return members.listMembers(ctx, org, page);
  }
}

@Resolver(() => Member)
export class MemberResolver {
  /** The description is on the entity's field. */
  @FieldResolver(() => Role)
  role(@Root() member: Member, @Ctx() ctx: Context): Role {
    const v = ctx.viewer;
    const tokensOwn = v?.kind === 'apiToken' && member.userId === v.userId && member.organizationId === ctx.organizationId;
    return tokensOwn && ctx.role ? ctx.role : member.role;
  }

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

  @FieldResolver(() => Boolean, {
    description: 'Whether the user proved they receive mail at this address. Unverified accounts see and accept no invitations.',
  })
  emailVerified(@Root() user: User): boolean {
    // Every read of a user (loaders, services) carries the column.
    return user.emailVerifiedAt != null;
  }
}
