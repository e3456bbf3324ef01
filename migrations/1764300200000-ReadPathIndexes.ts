import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes that match the read path's order, so that a page costs the same however long the
 * history: a squad's and an assignee's task list (`COALESCE(due_on, '9999-12-31'), created_at,
 * id`, the order of `Squad.tasks` and `myTasks`), and the audit log filtered by entity or actor
 * and objectives filtered by owner ending with their list order and `id`, so that a keyset
 * cursor such as `(at, id) < ($1, $2)` is an index condition.
 */
export class ReadPathIndexes1764300200000 implements MigrationInterface {
  name = 'ReadPathIndexes1764300200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX tasks_org_squad_order_idx ON tasks (organization_id, squad_id, (COALESCE(due_on, DATE '9999-12-31')), created_at, id)`,
    );
    await q.query(
      `CREATE INDEX tasks_org_assignee_order_idx ON tasks (organization_id, assignee_id, (COALESCE(due_on, DATE '9999-12-31')), created_at, id)`,
    );
    await q.query(`DROP INDEX audit_events_org_entity_idx`);
    await q.query(`CREATE INDEX audit_events_org_entity_idx ON audit_events (organization_id, entity_id, at DESC, id DESC)`);
    await q.query(`DROP INDEX audit_events_org_actor_idx`);
    await q.query(`CREATE INDEX audit_events_org_actor_idx ON audit_events (organization_id, actor_id, at DESC, id DESC)`);
    await q.query(`DROP INDEX objectives_org_owner_idx`);
    await q.query(`CREATE INDEX objectives_org_owner_idx ON objectives (organization_id, owner_id, created_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX objectives_org_owner_idx`);
    await q.query(`CREATE INDEX objectives_org_owner_idx ON objectives (organization_id, owner_id)`);
    await q.query(`DROP INDEX audit_events_org_actor_idx`);
    await q.query(`CREATE INDEX audit_events_org_actor_idx ON audit_events (organization_id, actor_id, at DESC)`);
    await q.query(`DROP INDEX audit_events_org_entity_idx`);
    await q.query(`CREATE INDEX audit_events_org_entity_idx ON audit_events (organization_id, entity_id, at DESC)`);
    await q.query(`DROP INDEX tasks_org_assignee_order_idx`);
    await q.query(`DROP INDEX tasks_org_squad_order_idx`);
  }
}
