import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { ADMINS, PUBLIC, SIGNED_IN, USER_SESSION } from '../../common/auth';
import type { Context } from '../../common/context';
import { RequestPasswordResetInput, ResetPasswordInput, UpdateOrganizationInput, UpdateProfileInput } from './account.inputs';
import { RequestPasswordResetPayload, ResetPasswordPayload, UpdateOrganizationPayload, UpdateProfilePayload } from './account.types';
import { updateOrganization } from './organization.service';
import { requestPasswordReset, resetPassword } from './password-reset.service';
import { updateProfile } from './profile.service';

/** The account's own settings: password reset by mail, profile, and the organisation's name and slug. */
@Resolver()
export class AccountResolver {
  @Authorized(PUBLIC)
  @Mutation(() => RequestPasswordResetPayload, {
    description:
      'Mails a password reset link to the address if it has an account (valid 60 minutes, once). The answer is the same either way; limited like logIn.',
  })
  requestPasswordReset(@Arg('input') input: RequestPasswordResetInput, @Ctx() ctx: Context) {
    return requestPasswordReset(ctx, input);
  }

  @Authorized(PUBLIC)
  @Mutation(() => ResetPasswordPayload, {
    description: 'Sets a new password with the token from the reset mail; ends every session of the account and returns a fresh one.',
  })
  resetPassword(@Arg('input') input: ResetPasswordInput, @Ctx() ctx: Context) {
    return resetPassword(ctx, input);
  }

  @Authorized(USER_SESSION, SIGNED_IN)
  @Mutation(() => UpdateProfilePayload, { description: 'Changes the caller’s display name and preferred locale.' })
  updateProfile(@Arg('input') input: UpdateProfileInput, @Ctx() ctx: Context) {
    return updateProfile(ctx, input);
  }

  @Authorized(USER_SESSION, ...ADMINS)
  @Mutation(() => UpdateOrganizationPayload, {
    description: 'OWNER/ADMIN rename the organisation the request acts in; only an OWNER changes its slug.',
  })
  updateOrganization(@Arg('input') input: UpdateOrganizationInput, @Ctx() ctx: Context) {
    return updateOrganization(ctx, input);
  }
}
