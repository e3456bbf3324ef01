import { EventEmitter } from 'node:events';
import type { Context } from '../../common/context';

/** Mail written to the outbox; the sender delivers it after the transaction commits. */
export interface OutgoingMail {
  /** What the mail is for (`email.verification`, `member.invitation`...), for operators and tests. */
  kind: string;
  to: string;
  subject: string;
  text: string;
}

/** Wakes the senders of this process when new mail has been committed. */
export const outboxSignal = new EventEmitter();
outboxSignal.setMaxListeners(0);

/**
 * Queues a mail in `mail_outbox` with the caller's entity manager, so the mail exists exactly
 * when the change that causes it commits (call it inside `withTransaction`). Nothing is sent
 * here: the sender picks the row up after the commit.
 */
export async function enqueueMail(ctx: Context, mail: OutgoingMail): Promise<void> {
  await ctx.manager.query(
    `INSERT INTO mail_outbox (kind, to_address, subject, body) VALUES ($1, $2, $3, $4)`,
    [mail.kind, mail.to, mail.subject, mail.text],
  );
  if (ctx.afterCommit) ctx.afterCommit.push(() => void outboxSignal.emit('enqueued'));
  else outboxSignal.emit('enqueued');
}

/** A link into the front end, e.g. `link(ctx, '/verify-email', { token })`. */
export function link(ctx: Pick<Context, 'config'>, path: string, params: Record<string, string>): string {
  const u = new URL(`${ctx.config.publicUrl}${path}`);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}
