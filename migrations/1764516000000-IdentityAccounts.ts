import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Accounts: sign-ups waiting for their address to be confirmed (nothing is created before the
 * mailbox owner opens the link), password resets by mail, and a user's locale. Tokens are kept
 * only as SHA-256 hashes; a row is deleted when it is used, superseded or expired.
 */
export class IdentityAccounts1764516000000 implements MigrationInterface {
  name = 'IdentityAccounts1764516000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sign_ups (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL,
        display_name text NOT NULL,
        organization_name text NOT NULL,
        password_hash text NOT NULL,
        token_hash text NOT NULL UNIQUE,
        expires_at timestamptz(3) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX sign_ups_email_idx ON sign_ups (email)`);
    await q.query(`CREATE INDEX sign_ups_expires_idx ON sign_ups (expires_at)`);
    await q.query(`
      CREATE TABLE password_resets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        token_hash text NOT NULL UNIQUE,
        expires_at timestamptz(3) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX password_resets_user_idx ON password_resets (user_id)`);
    await q.query(`CREATE INDEX password_resets_expires_idx ON password_resets (expires_at)`);
    await q.query(`ALTER TABLE users ADD COLUMN locale varchar(35)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP COLUMN locale`);
    await q.query(`DROP TABLE password_resets`);
    await q.query(`DROP TABLE sign_ups`);
  }
}
