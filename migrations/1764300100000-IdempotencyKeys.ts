import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency keys (src/db/idempotency.ts): one row per organisation, caller and key, written in
 * the same transaction as the mutation it guards. `result` holds references to what the
 * mutation returned (type and id per payload field), so a retry is answered by the normal
 * resolvers without writing anything. Rows expire after 24 hours and are then swept.
 */
export class IdempotencyKeys1764300100000 implements MigrationInterface {
  name = 'IdempotencyKeys1764300100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE idempotency_keys (
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        caller text NOT NULL CHECK (caller ~ '^(user|token):[0-9a-f-]{36}$'),
        key text NOT NULL CHECK (length(key) BETWEEN 1 AND 100),
        operation text NOT NULL,
        request_hash text NOT NULL,
        result jsonb,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        expires_at timestamptz(3) NOT NULL,
        PRIMARY KEY (organization_id, caller, key)
      )`);
    await q.query(`CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys`);
  }
}
