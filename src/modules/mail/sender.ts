import { AsyncResource } from 'node:async_hooks';
import nodemailer, { type Transporter } from 'nodemailer';
import type { DataSource, QueryRunner } from 'typeorm';
import type { Config } from '../../config';
import type { Logger } from '../../common/logger';
import { outboxSignal } from './outbox';

/** Retry delays double from MAIL_RETRY_BASE_MS up to this. */
const MAX_RETRY_DELAY_MS = 3600_000;
/** A sent mail's body (which holds a one-time link) is erased this long after sending. */
const BODY_RETENTION_MS = 3600_000;

export interface MailSender {
  /** How mail leaves: `smtp`, `log` (printed, development/test) or `hold` (kept in the outbox). */
  mode: 'smtp' | 'log' | 'hold';
  /** Look for due mail now (also called by itself after every commit that queued mail). */
  wake(): void;
  /** Sends everything due now and resolves when the outbox holds nothing more due (tests). */
  flush(): Promise<void>;
  /** Stops polling and waits for the delivery in progress; closes the SMTP connection. */
  stop(): Promise<void>;
}

interface OutboxRow {
  id: string;
  kind: string;
  to_address: string;
  subject: string;
  body: string | null;
  attempts: number;
}

/** SMTP replies 5xx are permanent (no such mailbox...): retrying would not help. */
function isPermanent(err: unknown): boolean {
  const code = (err as { responseCode?: number }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

function domainOf(from: string): string {
  const m = /@([^>\s]+)>?\s*$/.exec(from);
  return m ? m[1] : 'localhost';
}

/**
 * Delivers mail from the `mail_outbox` table. Each mail is claimed with
 * `SELECT ... FOR UPDATE SKIP LOCKED` in its own transaction, sent, and marked sent (or given its
 * next attempt time) before the transaction commits, so several instances never deliver the same
 * row and a row marked sent is never sent again. A mail server outage only delays mail: failed
 * rows are retried with a doubling delay (MAIL_RETRY_BASE_MS, at most an hour). The Message-ID is
 * the row's id, so in the one window where a duplicate is possible (the process dies after the
 * SMTP server accepted the mail but before the commit) receiving systems can recognise it.
 */
export function startMailSender(deps: { db: DataSource; config: Config; logger: Logger }): MailSender {
  const { db, config } = deps;
  const logger = deps.logger.child({ component: 'mail' });
  const mode: MailSender['mode'] = config.smtpUrl ? 'smtp' : config.nodeEnv === 'production' ? 'hold' : 'log';
  const transport: Transporter | null = config.smtpUrl
    ? nodemailer.createTransport({
        url: config.smtpUrl,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
      } as Parameters<typeof nodemailer.createTransport>[0])
    : null;
  if (mode === 'hold') {
    logger.warn('SMTP_URL is not set: outgoing mail (verification, invitations) is kept in mail_outbox and sent once SMTP_URL is set');
  }
  const messageDomain = domainOf(config.mailFrom);

  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let lastErase = 0;

  async function deliver(row: OutboxRow): Promise<void> {
    if (mode === 'log') {
      logger.info({ mail: { to: row.to_address, subject: row.subject, kind: row.kind, text: row.body } }, 'mail (SMTP_URL not set: printed, not sent)');
      return;
    }
    await transport!.sendMail({
      from: config.mailFrom,
      to: row.to_address,
      subject: row.subject,
      text: row.body ?? '',
      messageId: `<${row.id}@${messageDomain}>`,
    });
  }

  /** Claims, sends and marks one due mail; false when none is due. */
  async function sendOne(): Promise<boolean> {
    const qr: QueryRunner = db.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction();
      const rows: OutboxRow[] = await qr.query(
        `SELECT id, kind, to_address, subject, body, attempts FROM mail_outbox
          WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= now()
          ORDER BY next_attempt_at, created_at
          LIMIT 1
          FOR UPDATE SKIP LOCKED`,
      );
      const row = rows[0];
      if (!row) {
        await qr.commitTransaction();
        return false;
      }
      try {
        await deliver(row);
        await qr.query(`UPDATE mail_outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1`, [row.id]);
        logger.info({ mailId: row.id, kind: row.kind, attempts: row.attempts + 1 }, 'mail sent');
      } catch (err) {
        const message = String((err as Error).message ?? err).slice(0, 500);
        if (isPermanent(err)) {
          await qr.query(`UPDATE mail_outbox SET failed_at = now(), attempts = attempts + 1, last_error = $2 WHERE id = $1`, [row.id, message]);
          logger.error({ mailId: row.id, kind: row.kind, error: message }, 'mail refused by the mail server; not retried');
        } else {
          const delay = Math.min(config.mailRetryBaseMs * 2 ** row.attempts, MAX_RETRY_DELAY_MS);
          await qr.query(
            `UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2,
                    next_attempt_at = now() + make_interval(secs => $3::float8 / 1000) WHERE id = $1`,
            [row.id, message, delay],
          );
          logger.warn({ mailId: row.id, kind: row.kind, attempts: row.attempts + 1, retryInMs: delay, error: message }, 'mail not delivered; will retry');
        }
      }
      await qr.commitTransaction();
      return true;
    } catch (err) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await qr.release();
    }
  }

  async function eraseOldBodies(): Promise<void> {
    if (Date.now() - lastErase < 60_000) return;
    lastErase = Date.now();
    await db.query(
      `UPDATE mail_outbox SET body = NULL
        WHERE body IS NOT NULL AND sent_at < now() - make_interval(secs => $1::float8 / 1000)`,
      [BODY_RETENTION_MS],
    );
  }

  async function drain(): Promise<void> {
    do {
      again = false;
      try {
        while (!stopped && (await sendOne()));
        await eraseOldBodies();
      } catch (err) {
        // The database is unreachable or shutting down: try again at the next poll.
        if (!stopped) logger.warn({ err }, 'mail outbox unavailable; will retry');
      }
    } while (again && !stopped);
  }

  function run(): Promise<void> {
    if (mode === 'hold' || stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    if (timer) clearTimeout(timer);
    running = drain().finally(() => {
      running = null;
      if (!stopped) timer = setTimeout(onEnqueued, config.mailPollIntervalMs);
    });
    return running;
  }

  // Woken from a request's after-commit callback, the sender must not run in that request's async
  // context (its SQL would be counted as the request's, and its timers would keep that context).
  const onEnqueued = AsyncResource.bind(() => void run());
  outboxSignal.on('enqueued', onEnqueued);
  timer = setTimeout(onEnqueued, 0);

  return {
    mode,
    wake: onEnqueued,
    async flush() {
      await run();
      while (running) await running;
    },
    async stop() {
      stopped = true;
      outboxSignal.off('enqueued', onEnqueued);
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
      transport?.close();
    },
  };
}
