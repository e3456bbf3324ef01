import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Flywheel squads and sprints, OKR cycles / objectives / key results / check-ins, and tasks. */
export class SquadsOkrsTasks1764201900000 implements MigrationInterface {
  name = 'SquadsOkrsTasks1764201900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE squads (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(trim(name)) > 0),
        mission text,
        lead_id uuid NOT NULL REFERENCES users(id),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX squads_org_created_idx ON squads (organization_id, created_at, id)`);
    await q.query(`CREATE INDEX squads_org_lead_idx ON squads (organization_id, lead_id)`);
    await q.query(`
      CREATE TABLE squad_members (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        squad_id uuid NOT NULL REFERENCES squads(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        function varchar(16) NOT NULL CHECK (function IN ('DATA','CONTENT','CHANNEL','PRODUCT','SERVICE','OPERATIONS','OTHER')),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        UNIQUE (squad_id, user_id)
      )`);
    await q.query(`CREATE INDEX squad_members_org_squad_idx ON squad_members (organization_id, squad_id, created_at)`);
    await q.query(`
      CREATE TABLE sprints (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        squad_id uuid NOT NULL REFERENCES squads(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(trim(name)) > 0),
        goal text,
        starts_on date NOT NULL,
        ends_on date NOT NULL,
        retrospective text,
        closed_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CHECK (ends_on >= starts_on)
      )`);
    await q.query(`CREATE INDEX sprints_org_squad_starts_idx ON sprints (organization_id, squad_id, starts_on DESC, id DESC)`);
    await q.query(`
      CREATE TABLE okr_cycles (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(trim(name)) > 0),
        starts_on date NOT NULL,
        ends_on date NOT NULL,
        closed_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CHECK (ends_on >= starts_on),
        UNIQUE (organization_id, name)
      )`);
    await q.query(`CREATE INDEX okr_cycles_org_starts_idx ON okr_cycles (organization_id, starts_on DESC, id DESC)`);
    await q.query(`
      CREATE TABLE objectives (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        cycle_id uuid NOT NULL REFERENCES okr_cycles(id) ON DELETE CASCADE,
        title text NOT NULL CHECK (length(trim(title)) > 0),
        description text,
        owner_id uuid NOT NULL REFERENCES users(id),
        squad_id uuid REFERENCES squads(id) ON DELETE SET NULL,
        parent_id uuid REFERENCES objectives(id) ON DELETE SET NULL,
        weight numeric NOT NULL DEFAULT 1 CHECK (weight >= 0),
        version int NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CHECK (parent_id IS NULL OR parent_id <> id)
      )`);
    await q.query(`CREATE INDEX objectives_org_created_idx ON objectives (organization_id, created_at, id)`);
    await q.query(`CREATE INDEX objectives_org_cycle_idx ON objectives (organization_id, cycle_id, created_at, id)`);
    await q.query(`CREATE INDEX objectives_org_squad_idx ON objectives (organization_id, squad_id, created_at, id)`);
    await q.query(`CREATE INDEX objectives_org_owner_idx ON objectives (organization_id, owner_id)`);
    await q.query(`CREATE INDEX objectives_org_parent_idx ON objectives (organization_id, parent_id)`);
    await q.query(`
      CREATE TABLE key_results (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        objective_id uuid NOT NULL REFERENCES objectives(id) ON DELETE CASCADE,
        cycle_id uuid NOT NULL REFERENCES okr_cycles(id) ON DELETE CASCADE,
        title text NOT NULL CHECK (length(trim(title)) > 0),
        kind varchar(16) NOT NULL CHECK (kind IN ('INCREASE_TO','DECREASE_TO','STAY_ABOVE','STAY_BELOW','MILESTONE')),
        unit text,
        start_value numeric NOT NULL,
        target_value numeric NOT NULL,
        current_value numeric NOT NULL,
        confidence numeric CHECK (confidence BETWEEN 0 AND 1),
        weight numeric NOT NULL DEFAULT 1 CHECK (weight >= 0),
        owner_id uuid NOT NULL REFERENCES users(id),
        score numeric CHECK (score BETWEEN 0 AND 1),
        last_check_in_at timestamptz(3),
        version int NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CHECK (kind NOT IN ('INCREASE_TO','DECREASE_TO') OR start_value <> target_value)
      )`);
    await q.query(`CREATE INDEX key_results_org_objective_idx ON key_results (organization_id, objective_id, created_at, id)`);
    await q.query(`CREATE INDEX key_results_org_cycle_idx ON key_results (organization_id, cycle_id)`);
    await q.query(`CREATE INDEX key_results_org_owner_idx ON key_results (organization_id, owner_id)`);
    await q.query(`
      CREATE TABLE check_ins (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        key_result_id uuid NOT NULL REFERENCES key_results(id) ON DELETE CASCADE,
        value numeric NOT NULL,
        confidence numeric NOT NULL CHECK (confidence BETWEEN 0 AND 1),
        note text,
        author_id uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX check_ins_org_kr_created_idx ON check_ins (organization_id, key_result_id, created_at DESC, id DESC)`);
    await q.query(`
      CREATE TABLE tasks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        title text NOT NULL CHECK (length(trim(title)) > 0),
        description text,
        assignee_id uuid REFERENCES users(id) ON DELETE SET NULL,
        reporter_id uuid REFERENCES users(id) ON DELETE SET NULL,
        status varchar(16) NOT NULL DEFAULT 'TODO' CHECK (status IN ('TODO','IN_PROGRESS','BLOCKED','DONE')),
        due_on date,
        important boolean NOT NULL DEFAULT false,
        urgent boolean NOT NULL DEFAULT false,
        key_result_id uuid REFERENCES key_results(id) ON DELETE SET NULL,
        sprint_id uuid REFERENCES sprints(id) ON DELETE SET NULL,
        squad_id uuid REFERENCES squads(id) ON DELETE SET NULL,
        completed_at timestamptz(3),
        version int NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX tasks_org_assignee_due_idx ON tasks (organization_id, assignee_id, status, due_on)`);
    await q.query(`CREATE INDEX tasks_org_squad_idx ON tasks (organization_id, squad_id, status)`);
    await q.query(`CREATE INDEX tasks_org_sprint_idx ON tasks (organization_id, sprint_id)`);
    await q.query(`CREATE INDEX tasks_org_key_result_idx ON tasks (organization_id, key_result_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE tasks`);
    await q.query(`DROP TABLE check_ins`);
    await q.query(`DROP TABLE key_results`);
    await q.query(`DROP TABLE objectives`);
    await q.query(`DROP TABLE okr_cycles`);
    await q.query(`DROP TABLE sprints`);
    await q.query(`DROP TABLE squad_members`);
    await q.query(`DROP TABLE squads`);
  }
}
