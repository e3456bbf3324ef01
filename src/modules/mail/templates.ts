import type { Context } from '../../common/context';
import { link, type OutgoingMail } from './outbox';

/** Plain-text mails (no HTML: nothing a user typed is ever interpreted as markup). */

export function verificationMail(ctx: Pick<Context, 'config'>, to: string, displayName: string, token: string): OutgoingMail {
  const url = link(ctx, '/verify-email', { token });
  return {
    kind: 'email.verification',
    to,
    subject: 'Confirm your email address for plangraph',
    text: [
      `Hello ${displayName},`,
      '',
      'Please confirm that this is your email address by opening this link:',
      url,
      '',
      'The link works once and expires in 48 hours. If you did not sign up for plangraph, ignore this mail:',
      'nobody can join an organisation or read anything in your name without it.',
    ].join('\n'),
  };
}

export function invitationMail(
  ctx: Pick<Context, 'config'>,
  to: string,
  invite: { organizationName: string; inviterName: string | null; role: string; token: string; hasAccount: boolean },
): OutgoingMail {
  const url = link(ctx, '/accept-invitation', { token: invite.token });
  const who = invite.inviterName ?? 'An administrator';
  return {
    kind: 'member.invitation',
    to,
    subject: `${who} invited you to ${invite.organizationName} on plangraph`,
    text: [
      `${who} invited you to join "${invite.organizationName}" on plangraph as ${invite.role}.`,
      '',
      invite.hasAccount
        ? 'Sign in and accept it under your invitations, or open this link:'
        : 'To accept, open this link and choose your password:',
      url,
      '',
      'The link works once and expires in 7 days. If you do not know this organisation, ignore this mail.',
    ].join('\n'),
  };
}

/** The link that finishes a sign-up: nothing exists until the mailbox owner opens it. */
export function signUpMail(
  ctx: Pick<Context, 'config'>,
  to: string,
  signUp: { displayName: string; organizationName: string; token: string; validHours: number },
): OutgoingMail {
  const url = link(ctx, '/verify-email', { token: signUp.token });
  return {
    kind: 'sign_up.confirmation',
    to,
    subject: 'Confirm your email address to finish signing up for plangraph',
    text: [
      `Hello ${signUp.displayName},`,
      '',
      `To finish signing up for plangraph and create the organisation "${signUp.organizationName}", confirm that this is your email address by opening this link:`,
      url,
      '',
      `The link works once and expires in ${signUp.validHours} hours; then sign in with the password you chose.`,
      'If you did not sign up for plangraph, ignore this mail: no account is created without this link.',
    ].join('\n'),
  };
}

/** To an address that already has an account, when someone signs up with it again. */
export function accountExistsMail(ctx: Pick<Context, 'config'>, to: string, displayName: string): OutgoingMail {
  return {
    kind: 'sign_up.account_exists',
    to,
    subject: 'Someone tried to sign up for plangraph with your address',
    text: [
      `Hello ${displayName},`,
      '',
      'Someone (perhaps you) tried to sign up for plangraph with this email address, which already has an account. Nothing was changed.',
      '',
      `If it was you, log in at ${ctx.config.publicUrl} with your password, or choose a new password here:`,
      link(ctx, '/reset-password', {}),
      '',
      'If it was not you, there is nothing to do: nobody gets into your account without your password or this mailbox.',
    ].join('\n'),
  };
}

export function passwordResetMail(
  ctx: Pick<Context, 'config'>,
  to: string,
  reset: { displayName: string; token: string; validMinutes: number },
): OutgoingMail {
  const url = link(ctx, '/reset-password', { token: reset.token });
  return {
    kind: 'password.reset',
    to,
    subject: 'Choose a new password for plangraph',
    text: [
      `Hello ${reset.displayName},`,
      '',
      'To choose a new password for your plangraph account, open this link:',
      url,
      '',
      `The link works once and expires in ${reset.validMinutes} minutes. Choosing a new password ends every session of your account.`,
      'If you did not ask for this, ignore this mail: your password stays as it is.',
    ].join('\n'),
  };
}
