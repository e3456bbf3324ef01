import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Account safety: verified email addresses, session revocation (log out, log out everywhere),
 * the outgoing mail outbox, and log-in rate-limit counters (rate-limiter-flexible's table
 * layout) replacing the per-email login_failures table.
 */
export class AccountSafety1764300000000 implements MigrationInterface {
  name = 'AccountSafety1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN email_verified_at timestamptz(3), ADD COLUMN sessions_valid_after timestamptz(3)`);
    await q.query(`
      CREATE TABLE email_verifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        email text NOT NULL,
        token_hash text NOT NULL UNIQUE,
        expires_at timestamptz(3) NOT NULL,
        used_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX email_verifications_user_idx ON email_verifications (user_id)`);
    await q.query(`
      CREATE TABLE revoked_sessions (
        jti uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        expires_at timestamptz(3) NOT NULL,
        revoked_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX revoked_sessions_expires_idx ON revoked_sessions (expires_at)`);
    await q.query(`
      CREATE TABLE mail_outbox (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL,
        to_address text NOT NULL,
        subject text NOT NULL,
        body text,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz(3) NOT NULL DEFAULT now(),
        sent_at timestamptz(3),
        failed_at timestamptz(3),
        last_error text
      )`);
    await q.query(`CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL`);
    await q.query(`CREATE INDEX mail_outbox_to_idx ON mail_outbox (to_address, created_at)`);
    await q.query(`
      CREATE TABLE rate_limits (
        key varchar(255) PRIMARY KEY,
        points integer NOT NULL DEFAULT 0,
        expire bigint
      )`);
    await q.query(`DROP TABLE login_failures`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE login_failures (
        email text PRIMARY KEY,
        failures int NOT NULL,
        last_failed_at timestamptz(3) NOT NULL
      )`);
    await q.query(`DROP TABLE rate_limits`);
    await q.query(`DROP TABLE mail_outbox`);
    await q.query(`DROP TABLE revoked_sessions`);
    await q.query(`DROP TABLE email_verifications`);
    await q.query(`ALTER TABLE users DROP COLUMN sessions_valid_after, DROP COLUMN email_verified_at`);
  }
}
