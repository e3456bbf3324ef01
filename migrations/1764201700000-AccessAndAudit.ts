import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Invitations, API tokens, sign-in throttling and the audit log. */
export class AccessAndAudit1764201700000 implements MigrationInterface {
  name = 'AccessAndAudit1764201700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE invitations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        member_id uuid NOT NULL REFERENCES members(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        token_hash text NOT NULL UNIQUE,
        expires_at timestamptz(3) NOT NULL,
        accepted_at timestamptz(3),
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX invitations_org_idx ON invitations (organization_id)`);
    await q.query(`
      CREATE TABLE api_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(trim(name)) > 0),
        scopes text[] NOT NULL CHECK (scopes <@ ARRAY['READ','WRITE'] AND cardinality(scopes) > 0),
        role varchar(16) NOT NULL CHECK (role IN ('OWNER','ADMIN','FINANCE','SQUAD_LEAD','MEMBER','VIEWER')),
        token_hash text NOT NULL UNIQUE,
        created_by uuid NOT NULL REFERENCES users(id),
        expires_at timestamptz(3),
        revoked_at timestamptz(3),
        last_used_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX api_tokens_org_created_idx ON api_tokens (organization_id, created_at, id)`);
    await q.query(`
      CREATE TABLE login_failures (
        email text PRIMARY KEY,
        failures int NOT NULL,
        last_failed_at timestamptz(3) NOT NULL
      )`);
    await q.query(`
      CREATE TABLE audit_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        at timestamptz(3) NOT NULL DEFAULT now(),
        actor_id uuid REFERENCES users(id) ON DELETE SET NULL,
        api_token_id uuid REFERENCES api_tokens(id) ON DELETE SET NULL,
        action text NOT NULL,
        entity_type text NOT NULL,
        entity_id uuid NOT NULL,
        before jsonb,
        after jsonb,
        request_id text
      )`);
    await q.query(`CREATE INDEX audit_events_org_at_idx ON audit_events (organization_id, at DESC, id DESC)`);
    await q.query(`CREATE INDEX audit_events_org_entity_idx ON audit_events (organization_id, entity_id, at DESC)`);
    await q.query(`CREATE INDEX audit_events_org_actor_idx ON audit_events (organization_id, actor_id, at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_events`);
    await q.query(`DROP TABLE login_failures`);
    await q.query(`DROP TABLE api_tokens`);
    await q.query(`DROP TABLE invitations`);
  }
}
