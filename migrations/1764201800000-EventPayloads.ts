import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Event payloads too big for one PostgreSQL NOTIFY (8000 bytes): the publisher stores the
 * payload here and notifies only its id; listeners read it back. Rows are transient (kept a few
 * minutes), so the table is UNLOGGED: cheaper writes, and emptying it after a crash loses nothing
 * that was not already delivered or missed.
 */
export class EventPayloads1764201800000 implements MigrationInterface {
  name = 'EventPayloads1764201800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE UNLOGGED TABLE event_payloads (
        id uuid PRIMARY KEY,
        topic text NOT NULL,
        payload text NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX event_payloads_created_idx ON event_payloads (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE event_payloads`);
  }
}
