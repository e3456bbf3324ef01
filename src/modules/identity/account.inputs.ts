import { IsEmail, IsOptional, Length, Matches, MaxLength, MinLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { SingleLineName } from '../../common/input-text';
import { secretShape } from './identity.inputs';

@InputType()
export class RequestPasswordResetInput {
  @Field() @IsEmail({}, { message: 'email must be an email address' }) @MaxLength(254) email: string;
}

@InputType()
export class ResetPasswordInput {
  @Field({ description: 'The token from the password reset link (`?token=`).' })
  @Matches(secretShape('pgr'), { message: 'token is not a password reset token' })
  token: string;
  @Field({ description: 'At least 10 characters.' })
  @MinLength(10, { message: 'newPassword must be at least 10 characters' })
  @MaxLength(200)
  newPassword: string;
}

@InputType({ description: 'Omitted fields stay as they are.' })
export class UpdateProfileInput {
  @Field(() => String, { nullable: true, description: 'The name others see.' })
  @IsOptional()
  @Length(1, 100, { message: 'displayName must be 1 to 100 characters' })
  @SingleLineName()
  displayName?: string | null;
  @Field(() => String, { nullable: true, description: 'A BCP 47 language tag such as zh-CN or en; null clears it.' })
  @IsOptional()
  @MaxLength(35, { message: 'locale must be a language tag such as zh-CN or en' })
  locale?: string | null;
}

@InputType({ description: 'Omitted fields stay as they are.' })
export class UpdateOrganizationInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 100, { message: 'name must be 1 to 100 characters' })
  @SingleLineName()
  name?: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      'OWNER only. 3 to 40 characters: a-z, digits and hyphens, starting and ending with a letter or digit; unique. Requests naming the organisation by its old slug in X-Organization-Id stop working (ids keep working).',
  })
  @IsOptional()
  @MaxLength(100)
  slug?: string | null;
}
