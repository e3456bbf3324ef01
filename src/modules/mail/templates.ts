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
