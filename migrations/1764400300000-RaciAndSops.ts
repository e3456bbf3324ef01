import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * RACI matrices (activities × people, each cell R, A, C or I) and SOPs with versions, steps,
 * acknowledgements and the link of a task to the SOP step it carries out.
 */
export class RaciAndSops1764400300000 implements MigrationInterface {
  name = 'RaciAndSops1764400300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE raci_matrices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(trim(name)) > 0),
        subject_type varchar(20) CHECK (subject_type IN ('Campaign', 'Sop', 'Squad')),
        subject_id uuid,
        version int NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CHECK ((subject_type IS NULL) = (subject_id IS NULL))
      )`);
    await q.query(`CREATE INDEX raci_matrices_org_created_idx ON raci_matrices (organization_id, created_at, id)`);
    await q.query(`CREATE INDEX raci_matrices_org_subject_idx ON raci_matrices (organization_id, subject_id, created_at, id)`);
    await q.query(`
      CREATE TABLE raci_activities (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        matrix_id uuid NOT NULL REFERENCES raci_matrices(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(trim(name)) > 0),
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX raci_activities_org_matrix_idx ON raci_activities (organization_id, matrix_id, created_at, id)`);
    await q.query(`
      CREATE TABLE raci_assignments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        matrix_id uuid NOT NULL REFERENCES raci_matrices(id) ON DELETE CASCADE,
        activity_id uuid NOT NULL REFERENCES raci_activities(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role varchar(12) NOT NULL CHECK (role IN ('RESPONSIBLE', 'ACCOUNTABLE', 'CONSULTED', 'INFORMED')),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        UNIQUE (activity_id, user_id)
      )`);
    await q.query(`CREATE INDEX raci_assignments_org_activity_idx ON raci_assignments (organization_id, activity_id, created_at, id)`);
    await q.query(`CREATE INDEX raci_assignments_org_user_idx ON raci_assignments (organization_id, user_id, created_at, id)`);
    await q.query(`CREATE INDEX raci_assignments_org_matrix_user_idx ON raci_assignments (organization_id, matrix_id, user_id)`);

    await q.query(`
      CREATE TABLE sops (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        title text NOT NULL CHECK (length(trim(title)) > 0),
        purpose text NOT NULL,
        scope text NOT NULL,
        owner_id uuid NOT NULL REFERENCES users(id),
        review_every_days int NOT NULL CHECK (review_every_days BETWEEN 1 AND 3660),
        raci_matrix_id uuid REFERENCES raci_matrices(id) ON DELETE SET NULL,
        status varchar(12) NOT NULL CHECK (status IN ('DRAFT', 'IN_REVIEW', 'PUBLISHED', 'ARCHIVED')),
        current_version_id uuid,
        draft_version_id uuid,
        review_due_on date,
        version int NOT NULL DEFAULT 1,
        archived_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX sops_org_created_idx ON sops (organization_id, created_at, id)`);
    await q.query(`CREATE INDEX sops_org_owner_idx ON sops (organization_id, owner_id, review_due_on)`);
    await q.query(`CREATE INDEX sops_org_status_idx ON sops (organization_id, status)`);
    await q.query(`CREATE INDEX sops_org_matrix_idx ON sops (organization_id, raci_matrix_id)`);
    await q.query(`
      CREATE TABLE sop_versions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        sop_id uuid NOT NULL REFERENCES sops(id) ON DELETE CASCADE,
        number int NOT NULL CHECK (number >= 1),
        notes text,
        change_note text,
        author_id uuid REFERENCES users(id),
        submitted_at timestamptz(3),
        review_note text,
        approved_by_id uuid REFERENCES users(id),
        published_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        UNIQUE (sop_id, number)
      )`);
    await q.query(`CREATE INDEX sop_versions_org_sop_idx ON sop_versions (organization_id, sop_id, number)`);
    await q.query(`ALTER TABLE sops ADD FOREIGN KEY (current_version_id) REFERENCES sop_versions(id), ADD FOREIGN KEY (draft_version_id) REFERENCES sop_versions(id)`);
    await q.query(`
      CREATE TABLE sop_steps (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        sop_id uuid NOT NULL REFERENCES sops(id) ON DELETE CASCADE,
        version_id uuid NOT NULL REFERENCES sop_versions(id) ON DELETE CASCADE,
        position int NOT NULL,
        title text NOT NULL CHECK (length(trim(title)) > 0),
        instructions text NOT NULL,
        role text,
        quality_standard text,
        duration_minutes int CHECK (duration_minutes BETWEEN 1 AND 100000),
        UNIQUE (version_id, position)
      )`);
    await q.query(`CREATE INDEX sop_steps_org_version_idx ON sop_steps (organization_id, version_id, position)`);
    await q.query(`
      CREATE TABLE sop_acknowledgements (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        sop_id uuid NOT NULL REFERENCES sops(id) ON DELETE CASCADE,
        version_id uuid NOT NULL REFERENCES sop_versions(id) ON DELETE CASCADE,
        version_number int NOT NULL,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        acknowledged_at timestamptz(3) NOT NULL DEFAULT now(),
        UNIQUE (version_id, user_id)
      )`);
    await q.query(`CREATE INDEX sop_acks_org_sop_idx ON sop_acknowledgements (organization_id, sop_id, version_number, acknowledged_at, id)`);
    await q.query(`CREATE INDEX sop_acks_org_user_idx ON sop_acknowledgements (organization_id, user_id, version_id)`);
    await q.query(`
      CREATE TABLE task_sop_steps (
        task_id uuid PRIMARY KEY REFERENCES tasks(id) ON DELETE CASCADE,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        sop_step_id uuid NOT NULL REFERENCES sop_steps(id) ON DELETE CASCADE,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX task_sop_steps_org_step_idx ON task_sop_steps (organization_id, sop_step_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE task_sop_steps`);
    await q.query(`DROP TABLE sop_acknowledgements`);
    await q.query(`DROP TABLE sop_steps`);
    await q.query(`ALTER TABLE sops DROP COLUMN current_version_id, DROP COLUMN draft_version_id`);
    await q.query(`DROP TABLE sop_versions`);
    await q.query(`DROP TABLE sops`);
    await q.query(`DROP TABLE raci_assignments`);
    await q.query(`DROP TABLE raci_activities`);
    await q.query(`DROP TABLE raci_matrices`);
  }
}
