import { validate } from 'class-validator';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Context } from '../../common/context';
import type { Logger } from '../../common/logger';
import { ErrorCode, asAppError } from '../../common/errors';
import { findForbiddenText } from '../../common/input-text';
import { RequestPasswordResetInput, ResetPasswordInput } from './account.inputs';
import { renderPage, STYLE_SOURCE, type Page, type PageField } from './account-page-html';
import { verifyEmail } from './email-verification.service';
import { AcceptInvitationInput, VerifyEmailInput } from './identity.inputs';
import { acceptInvitation } from './invitations.service';
import { PASSWORD_RESET_TTL_MINUTES, requestPasswordReset, resetPassword } from './password-reset.service';

/**
 * Pages for the links in account mail, for when PUBLIC_URL is the API itself (a front end at
 * PUBLIC_URL serves these paths instead): `/verify-email`, `/accept-invitation` and
 * `/reset-password`. Opening a link (GET) only shows a form; the step happens when the form is
 * posted, so a mail scanner that fetches every link consumes no token. The pages call the same
 * services, with the same validation and limits, as the GraphQL mutations. Server-rendered HTML
 * without script, escaped by React, under a strict Content-Security-Policy; never cached.
 */
export interface AccountPagesDeps {
  /** An anonymous request context for `req` (its client address counts for the limits). */
  context(req: Request): Promise<Context>;
  logger: Logger;
}

const PASSWORD: Omit<PageField, 'name' | 'label'> = { type: 'password', autocomplete: 'new-password', minLength: 10, maxLength: 200 };
const SIGN_IN = 'Sign in to plangraph with your email address and password.';

class PageError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The first problem with a form's values, as GraphQL would report it for the same input. */
async function check(input: object): Promise<void> {
  const bad = findForbiddenText(input, '');
  if (bad) throw new PageError(400, `${bad.path} ${bad.reason}`);
  const [first] = await validate(input, { forbidUnknownValues: false });
  if (first) throw new PageError(400, Object.values(first.constraints ?? {})[0] ?? `${first.property} is not valid`);
}

/** A form value: a string, or undefined (a repeated field, which a browser never sends, counts as missing). */
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const optional = (v: unknown): string | undefined => (text(v)?.trim() ? text(v) : undefined);
const tokenOf = (req: Request): string | undefined => text(req.body?.token) ?? text(req.query.token);

const MISSING_TOKEN = 'This link is incomplete: open it again from the mail, or copy its whole address into the browser.';

function send(res: Response, status: number, page: Page): void {
  res.status(status).type('html').send(renderPage(page));
}

export function accountPagesRouter(deps: AccountPagesDeps): Router {
  const router = Router();
  router.use(['/verify-email', '/accept-invitation', '/reset-password'], [
    helmet.contentSecurityPolicy({
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        styleSrc: [STYLE_SOURCE],
        formAction: ["'self'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
      },
    }),
    (_req: Request, res: Response, next: NextFunction) => {
      // The address holds a one-time token: never cached, never sent on as a referrer.
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Referrer-Policy', 'no-referrer');
      next();
    },
    express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 }),
  ]);

  /** Runs a page's POST: its page on success, the form again with the problem otherwise. */
  const post =
    (form: (req: Request) => Page, run: (ctx: Context, req: Request) => Promise<Page>) => async (req: Request, res: Response) => {
      try {
        send(res, 200, await run(await deps.context(req), req));
      } catch (err) {
        if (err instanceof PageError) return send(res, err.status, { ...form(req), error: err.message });
        const refused = asAppError(err);
        if (refused) {
          const limited = refused.code === ErrorCode.RATE_LIMITED;
          if (limited) res.setHeader('Retry-After', String(refused.extensions.retryAfterSeconds ?? 60));
          return send(res, limited ? 429 : 400, { ...form(req), error: refused.message });
        }
        throw err;
      }
    };

  // --- confirming an address (sign-up, or an existing account's address) ---
  const verifyForm = (req: Request): Page => ({
    title: 'Confirm your email address',
    text: ['Confirm that this address is yours to finish signing up (or to verify the address of your account).'],
    form: { fields: [{ name: 'token', label: 'token', type: 'hidden', value: tokenOf(req) }], submit: 'Confirm my address' },
  });
  router.get('/verify-email', (req, res) => {
    if (!tokenOf(req)) return send(res, 400, { title: 'Confirm your email address', error: MISSING_TOKEN });
    send(res, 200, verifyForm(req));
  });
  router.post(
    '/verify-email',
    post(verifyForm, async (ctx, req) => {
      const input = Object.assign(new VerifyEmailInput(), { token: tokenOf(req) });
      await check(input);
      const done = await verifyEmail(ctx, input);
      return done.organization
        ? {
            title: 'Your account is ready',
            text: [`The organisation “${done.organization.name}” is set up, and you are its owner.`, SIGN_IN],
          }
        : { title: 'Your address is confirmed', text: [`${done.user.email} is confirmed as your address.`, SIGN_IN] };
    }),
  );

  // --- accepting an invitation ---
  const invitationForm = (req: Request): Page => ({
    title: 'Accept your invitation',
    text: [
      'New to plangraph? Choose a password and the name others will see, and accept.',
      'If this address already has an account with a confirmed address, sign in and accept the invitation from your invitations instead.',
    ],
    form: {
      fields: [
        { name: 'token', label: 'token', type: 'hidden', value: tokenOf(req) },
        { name: 'displayName', label: 'Your name', type: 'text', autocomplete: 'name', maxLength: 100, value: text(req.body?.displayName) },
        { name: 'password', label: 'Password', ...PASSWORD, required: true, hint: 'At least 10 characters.' },
      ],
      submit: 'Accept invitation',
    },
  });
  router.get('/accept-invitation', (req, res) => {
    if (!tokenOf(req)) return send(res, 400, { title: 'Accept your invitation', error: MISSING_TOKEN });
    send(res, 200, invitationForm(req));
  });
  router.post(
    '/accept-invitation',
    post(invitationForm, async (ctx, req) => {
      const input = Object.assign(new AcceptInvitationInput(), {
        token: tokenOf(req),
        password: optional(req.body?.password),
        displayName: optional(req.body?.displayName),
      });
      await check(input);
      if (!input.token) throw new PageError(400, MISSING_TOKEN);
      const done = await acceptInvitation(ctx, input);
      return {
        title: 'Invitation accepted',
        text: [`You joined “${done.organization.name}” as ${done.member.role}.`, SIGN_IN],
      };
    }),
  );

  // --- choosing a new password: with a token from the mail, or asking for one ---
  const resetForm = (req: Request): Page =>
    tokenOf(req)
      ? {
          title: 'Choose a new password',
          text: ['Every session of your account ends when the password changes.'],
          form: {
            fields: [
              { name: 'token', label: 'token', type: 'hidden', value: tokenOf(req) },
              { name: 'newPassword', label: 'New password', ...PASSWORD, required: true, hint: 'At least 10 characters.' },
            ],
            submit: 'Set the new password',
          },
        }
      : {
          title: 'Forgot your password?',
          text: [`We mail a link to choose a new one to your account's address; it works once, for ${PASSWORD_RESET_TTL_MINUTES} minutes.`],
          form: {
            fields: [{ name: 'email', label: 'Email address', type: 'email', autocomplete: 'email', required: true, maxLength: 254, value: text(req.body?.email) }],
            submit: 'Mail me a link',
          },
        };
  router.get('/reset-password', (req, res) => send(res, 200, resetForm(req)));
  router.post(
    '/reset-password',
    post(resetForm, async (ctx, req) => {
      if (tokenOf(req)) {
        const input = Object.assign(new ResetPasswordInput(), { token: tokenOf(req), newPassword: text(req.body?.newPassword) });
        await check(input);
        await resetPassword(ctx, input);
        return { title: 'Your password is changed', text: ['Every other session of your account has ended.', SIGN_IN] };
      }
      const input = Object.assign(new RequestPasswordResetInput(), { email: text(req.body?.email) });
      await check(input);
      await requestPasswordReset(ctx, input);
      return {
        title: 'Look in your inbox',
        text: [
          `If an account uses ${input.email.trim()}, a link to choose a new password is on its way; it works once, for ${PASSWORD_RESET_TTL_MINUTES} minutes.`,
        ],
      };
    }),
  );

  // A body that does not parse, or anything unexpected: a page, never a stack trace.
  router.use(['/verify-email', '/accept-invitation', '/reset-password'], (err: Error & { status?: number }, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) deps.logger.error({ err, path: req.path }, 'account page failed');
    send(res, status, {
      title: 'Something went wrong',
      error: status === 500 ? 'The server could not do this: try again in a moment.' : 'The form could not be read: open the link from the mail again.',
    });
  });
  return router;
}
