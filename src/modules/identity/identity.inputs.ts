import { SingleLineName } from '../../common/input-text';
import { IsEmail, IsOptional, Length, Matches, MaxLength, MinLength } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { GlobalIdOf } from '../../common/global-ids';
import { Role } from '../../common/context';

@InputType()
export class SignUpInput {
  @Field() @IsEmail({}, { message: 'email must be an email address' }) @MaxLength(254) email: string;
  @Field({ description: 'At least 10 characters.' })
  @MinLength(10, { message: 'password must be at least 10 characters' })
  @MaxLength(200)
  password: string;
  @Field() @Length(1, 100, { message: 'displayName must be 1 to 100 characters' }) @SingleLineName() displayName: string;
  @Field() @Length(1, 100, { message: 'organizationName must be 1 to 100 characters' }) @SingleLineName() organizationName: string;
}

/** Secrets are `<prefix>_` + 32 random bytes in base64url: checked before anything is hashed or looked up. */
export const secretShape = (prefix: string) => new RegExp(`^${prefix}_[A-Za-z0-9_-]{43}$`);

@InputType()
export class LogInInput {
  // Checked before any password work: a malformed address costs no hash.
  @Field() @IsEmail({}, { message: 'email must be an email address' }) @MaxLength(254) email: string;
  @Field() @MaxLength(200) password: string;
}

@InputType()
export class AddMemberInput {
  @Field() @IsEmail({}, { message: 'email must be an email address' }) @MaxLength(254) email: string;
  @Field({
    nullable: true,
    description: 'A name to show for the invitee until they choose their own (default: the part of the address before @).',
  })
  @IsOptional()
  @Length(1, 100)
  @SingleLineName()
  displayName?: string;
  @Field(() => Role) role: Role;
}

@InputType({ description: 'Either `token` (from the invitation mail; with `password` for a new account) or `invitationId` (signed in).' })
export class AcceptInvitationInput {
  @Field({ nullable: true, description: 'The token from the invitation link (`?token=`).' })
  @IsOptional()
  @Matches(secretShape('pgi'), { message: 'token is not an invitation token' })
  token?: string;
  @Field({ nullable: true, description: 'With token, for an address without a verified account: the password to set. At least 10 characters.' })
  @IsOptional()
  @MinLength(10, { message: 'password must be at least 10 characters' })
  @MaxLength(200)
  password?: string;
  @Field({ nullable: true, description: 'With token: the name to show to others.' })
  @IsOptional()
  @Length(1, 100, { message: 'displayName must be 1 to 100 characters' })
  @SingleLineName()
  displayName?: string;
  @Field(() => ID, { nullable: true, description: 'An id from `viewer.invitations` (signed in, verified address).' })
  @GlobalIdOf('Invitation')
  @IsOptional()
  @MaxLength(200)
  invitationId?: string;
}

@InputType()
export class DeclineInvitationInput {
  @Field(() => ID, { description: 'An id from `viewer.invitations`.' }) @GlobalIdOf('Invitation') @MaxLength(200) invitationId: string;
}

@InputType()
export class VerifyEmailInput {
  @Field({ description: 'The token from the link of a sign-up or verification mail (`?token=`).' })
  @Matches(secretShape('pgv'), { message: 'token is not an email verification token' })
  token: string;
}

@InputType()
export class ChangePasswordInput {
  @Field() @MaxLength(200) currentPassword: string;
  @Field({ description: 'At least 10 characters.' })
  @MinLength(10, { message: 'newPassword must be at least 10 characters' })
  @MaxLength(200)
  newPassword: string;
}

@InputType()
export class ChangeMemberRoleInput {
  @Field(() => ID, { description: 'The Member id.' }) @GlobalIdOf('Member') memberId: string;
  @Field(() => Role) role: Role;
}

@InputType()
export class RemoveMemberInput {
  @Field(() => ID, { description: 'The Member id.' }) @GlobalIdOf('Member') memberId: string;
}
