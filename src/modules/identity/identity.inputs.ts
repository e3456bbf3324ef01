import { SingleLineName } from '../../common/input-text';
import { IsEmail, IsOptional, Length, MaxLength, MinLength } from 'class-validator';
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

@InputType()
export class LogInInput {
  @Field() @MaxLength(254) email: string;
  @Field() @MaxLength(200) password: string;
}

@InputType()
export class AddMemberInput {
  @Field() @IsEmail({}, { message: 'email must be an email address' }) @MaxLength(254) email: string;
  @Field({ nullable: true, description: 'Used when the user does not exist yet.' })
  @IsOptional()
  @Length(1, 100)
  @SingleLineName()
  displayName?: string;
  @Field(() => Role) role: Role;
}

@InputType()
export class AcceptInvitationInput {
  @Field() @MaxLength(200) token: string;
  @Field() @MinLength(10, { message: 'password must be at least 10 characters' }) @MaxLength(200) password: string;
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
