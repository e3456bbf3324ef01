import { Field, ID, ObjectType } from 'type-graphql';
import { Role } from '../../common/context';
import { Member } from './member.entity';
import { Organization } from './organization.entity';
import { User } from './user.entity';

@ObjectType({ description: 'A session: the bearer token to send as `Authorization: Bearer <token>`.' })
export class AuthPayload {
  @Field({ description: 'Signed session token; expires (see JWT_TTL_SECONDS).' }) token: string;
  @Field(() => User) user: User;
  @Field(() => Organization, {
    nullable: true,
    description: 'The first organisation the user belongs to; null when they belong to none (any more).',
  })
  organization: Organization | null;
}

@ObjectType({ description: 'Who is calling, and in which organisation.' })
export class Viewer {
  @Field(() => User) user: User;
  @Field(() => Organization, { nullable: true, description: 'The organisation this request acts in.' })
  organization: Organization | null;
  @Field(() => Role, { nullable: true }) role: Role | null;
  @Field(() => [Organization], { description: 'Every organisation the user belongs to.' })
  organizations: Organization[];
}

@ObjectType({ description: 'The invitation goes to the address by mail; nothing is returned to the inviter but the INVITED membership.' })
export class AddMemberPayload {
  @Field(() => Member) member: Member;
}

@ObjectType()
export class AcceptInvitationPayload {
  @Field(() => String, {
    nullable: true,
    description: 'A new session token when accepted with a token and a password; null when a signed-in user accepted.',
  })
  token: string | null;
  @Field(() => User) user: User;
  @Field(() => Organization) organization: Organization;
  @Field(() => Member) member: Member;
}

@ObjectType()
export class DeclineInvitationPayload {
  @Field(() => ID, { description: 'The invitation declined (its INVITED membership is gone).' }) declinedInvitationId: string;
}

@ObjectType({ description: 'Who sent an invitation.' })
export class Inviter {
  @Field() displayName: string;
}

@ObjectType('Invitation', { description: 'An invitation open for the signed-in user (verified address only).' })
export class PendingInvitation {
  @Field(() => ID) id: string;
  @Field(() => Organization) organization: Organization;
  @Field(() => Role) role: Role;
  @Field(() => Inviter, { nullable: true, description: 'Null when the inviter no longer has an account.' })
  invitedBy: Inviter | null;
  @Field() expiresAt: Date;
}

@ObjectType({
  description:
    'The same answer whether or not the address already has an account: a mail went to it either way (the link that finishes the sign-up, or a note to the account’s owner).',
})
export class SignUpPayload {
  @Field({ description: 'The address the mail went to (trimmed, lower-case).' }) email: string;
}

@ObjectType()
export class VerifyEmailPayload {
  @Field(() => User) user: User;
  @Field(() => Organization, { nullable: true, description: 'The organisation created, when the link finished a sign-up.' })
  organization: Organization | null;
  @Field(() => String, {
    nullable: true,
    description: 'A session token when the link finished a sign-up; null when it verified the address of an existing account.',
  })
  token: string | null;
}

@ObjectType()
export class ResendVerificationEmailPayload {
  @Field(() => User) user: User;
}

@ObjectType()
export class LogOutPayload {
  @Field({ description: 'True: the token of this request no longer works.' }) loggedOut: boolean;
}

@ObjectType()
export class LogOutEverywherePayload {
  @Field({ description: 'Session tokens issued before this instant no longer work.' }) sessionsValidAfter: Date;
}

@ObjectType()
export class ChangePasswordPayload {
  @Field({ description: 'A fresh session token for this client; every other session has ended.' }) token: string;
  @Field(() => User) user: User;
}

@ObjectType()
export class ChangeMemberRolePayload {
  @Field(() => Member) member: Member;
}

@ObjectType()
export class RemoveMemberPayload {
  @Field(() => String, { description: 'Global id of the membership that was removed.' }) removedMemberId: string;
}
