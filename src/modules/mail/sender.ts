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
/** Sent bodies are looked for at most this often. */
const ERASE_INTERVAL_MS = 60_000;

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

/** What sending one mail needs: where it goes out and how it is logged. */
interface Delivery {
  mode: MailSender['mode'];
  transport: Transporter | null;
  config: Config;
  logger: Logger;
  messageDomain: string;
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

/** The delay before the next attempt of a mail tried `attempts` times: doubling, at most an hour. */
function retryDelayMs(config: Pick<Config, 'mailRetryBaseMs'>, attempts: number): number {
  return Math.min(config.mailRetryBaseMs * 2 ** attempts, MAX_RETRY_DELAY_MS);
}

/** How mail leaves, and the SMTP transport when it is sent. */
function openDelivery(config: Config, logger: Logger): Delivery {
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
  return { mode, transport, config, logger, messageDomain: domainOf(config.mailFrom) };
}

/** Claims the next due mail (`FOR UPDATE SKIP LOCKED`: no other instance gets it), or null. */
async function claimDue(qr: QueryRunner): Promise<OutboxRow | null> {
  const rows: OutboxRow[] = await qr.query(
    `SELECT id, kind, to_address, subject, body, attempts FROM mail_outbox
      WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= now()
      ORDER BY next_attempt_at, created_at
      LIMIT 1
      FOR UPDATE SKIP LOCKED`,
  );
  return rows[0] ?? null;
}

/** Hands one mail to the SMTP server (its Message-ID is the row's id), or prints it in `log` mode. */
async function deliver(d: Delivery, row: OutboxRow): Promise<void> {
  if (d.mode === 'log') {
    d.logger.info({ mail: { to: row.to_address, subject: row.subject, kind: row.kind, text: row.body } }, 'mail (SMTP_URL not set: printed, not sent)');
    return;
  }
  await d.transport!.sendMail({
    from: d.config.mailFrom,
    to: row.to_address,
    subject: row.subject,
    text: row.body ?? '',
    messageId: `<${row.id}@${d.messageDomain}>`,
  });
}

/** Marks a delivered mail sent. */
async function markSent(qr: QueryRunner, d: Delivery, row: OutboxRow): Promise<void> {
  await qr.query(`UPDATE mail_outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1`, [row.id]);
  d.logger.info({ mailId: row.id, kind: row.kind, attempts: row.attempts + 1 }, 'mail sent');
}

/** Marks a mail not delivered: failed for good on a 5xx reply, else due again after its back-off. */
async function markUnsent(qr: QueryRunner, d: Delivery, row: OutboxRow, err: unknown): Promise<void> {
  const { logger } = d;
  const message = String((err as Error).message ?? err).slice(0, 500);
  if (isPermanent(err)) {
    await qr.query(`UPDATE mail_outbox SET failed_at = now(), attempts = attempts + 1, last_error = $2 WHERE id = $1`, [row.id, message]);
    logger.error({ mailId: row.id, kind: row.kind, error: message }, 'mail refused by the mail server; not retried');
    return;
  }
  const delay = retryDelayMs(d.config, row.attempts);
  await qr.query(
    `UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2,
            next_attempt_at = now() + make_interval(secs => $3::float8 / 1000) WHERE id = $1`,
    [row.id, message, delay],
  );
  logger.warn({ mailId: row.id, kind: row.kind, attempts: row.attempts + 1, retryInMs: delay, error: message }, 'mail not delivered; will retry');
}

/**
 * Claims, sends and marks one due mail in one transaction (marked before the commit, so a mail
 * marked sent is never sent again); false when none is due.
 */
async function sendOne(db: DataSource, d: Delivery): Promise<boolean> {
  const qr: QueryRunner = db.createQueryRunner();
  await qr.connect();
  try {
    await qr.startTransaction();
    const row = await claimDue(qr);
    if (!row) {
      await qr.commitTransaction();
      return false;
    }
    try {
      await deliver(d, row);
      await markSent(qr, d, row);
    } catch (err) {
      await markUnsent(qr, d, row, err);
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

/** Erases the bodies (one-time links) of mail sent over BODY_RETENTION_MS ago. */
async function eraseOldBodies(db: DataSource): Promise<void> {
  await db.query(
    `UPDATE mail_outbox SET body = NULL
      WHERE body IS NOT NULL AND sent_at < now() - make_interval(secs => $1::float8 / 1000)`,
    [BODY_RETENTION_MS],
  );
}

/**
 * Delivers mail from the `mail_outbox` table. Each mail is claimed with
 * `SELECT ... FOR UPDATE SKIP LOCKED` in its own transaction, sent, and marked sent (or given its
 * next attempt time) before the transaction commits, so several instances never deliver the same
 * row and a row marked sent is never sent again. A mail server outage only delays mail: failed
 * rows are retried with a doubling delay (MAIL_RETRY_BASE_MS, at most an hour). The Message-ID is
 * the row's id, so in the one window where a duplicate is possible (the process dies after the
 * SMTP server accepted the mail but before the commit) receiving systems can recognise it.
 *
 * The steps: `openDelivery` (mode and transport), `sendOne` (`claimDue`, `deliver`,
 * `markSent`, or `markUnsent` with `retryDelayMs`), and here the schedule: one pass at a time sends until
 * nothing is due (another wake during a pass runs one more), then polls again after
 * MAIL_POLL_INTERVAL_MS; `stop` ends the schedule and waits for the pass in progress.
 */
export function startMailSender(deps: { db: DataSource; config: Config; logger: Logger }): MailSender {
  const { db, config } = deps;
  const logger = deps.logger.child({ component: 'mail' });
  const delivery = openDelivery(config, logger);

  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let lastErase = 0;

  /** One pass: sends until nothing is due (again if woken meanwhile), then erases old bodies. */
  async function drain(): Promise<void> {
    do {
      again = false;
      try {
        while (!stopped && (await sendOne(db, delivery)));
        if (Date.now() - lastErase >= ERASE_INTERVAL_MS) {
          lastErase = Date.now();
          await eraseOldBodies(db);
        }
      } catch (err) {
        // The database is unreachable or shutting down: try again at the next poll.
        if (!stopped) logger.warn({ err }, 'mail outbox unavailable; will retry');
      }
    } while (again && !stopped);
  }

  function run(): Promise<void> {
    if (delivery.mode === 'hold' || stopped) return Promise.resolve();
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
    mode: delivery.mode,
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
      delivery.transport?.close();
    },
  };
}
