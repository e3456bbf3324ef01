import 'reflect-metadata';
import type { Context } from '../../../src/common/context';
import { AppError, ErrorCode } from '../../../src/common/errors';
import type { PlanningEventPayload } from '../../../src/common/event-contract';
import { decodeGlobalId } from '../../../src/common/ids';
import { runCountingStatements } from '../../../src/common/statement-scope';
import { NO_EVENTS, systemContext } from '../../../src/db/system-context';
import { withTransaction } from '../../../src/db/transaction';
import { updateRecorded, updateWhere } from '../../../src/modules/audit';
import { Task, taskById } from '../../../src/modules/tasks';
import { TaskStatus } from '../../../src/modules/tasks/task.entity';
import { createOrg, type TestOrg } from '../../support/factories';
import { createSquad, createTask } from '../../support/planning';
import { startTestApp, type TestApp } from '../../support/test-app';

/**
 * The audit kit's conditional update (`updateWhere`, src/modules/audit/changes.ts) on the real
 * database: one `UPDATE … WHERE id AND organization_id AND <condition> RETURNING *`, audited and
 * announced when it matched, the unmet error and nothing recorded when it did not.
 */

let app: TestApp;
let org: TestOrg;
let orgUuid: string;
let actor: string;
let squad: string;
const published: PlanningEventPayload[] = [];

const uuid = (id: string) => decodeGlobalId(id)!.id;

beforeAll(async () => {
  app = await startTestApp();
  org = await createOrg(app);
  orgUuid = uuid(org.organizationId);
  actor = uuid(org.userId);
  squad = await createSquad(app, org, org.userId);
});
afterAll(() => app.stop());

/** Organisation A's context acting as its owner, publishing into `published`. */
const ctxOf = (organizationId = orgUuid): Context =>
  systemContext(app.ds, organizationId, { actorId: actor, events: { ...NO_EVENTS, publish: (e) => published.push(e) } });

async function newTask(): Promise<Task> {
  const id = uuid((await createTask(app, org, { squadId: squad, title: `任务 ${Math.random()}` })).id);
  return (await taskById(ctxOf()).load(id))!;
}

const alreadyDone = (t: Task) => new AppError(ErrorCode.INVALID_TRANSITION, `Task ${t.id} is already ${t.status}`);

/** Completes a task that is still TODO, as a module would. */
function complete(tx: Context, current: Task) {
  return updateWhere(
    tx,
    Task,
    current,
    (param) => `status = ${param(TaskStatus.TODO)}`,
    { status: TaskStatus.DONE, completedAt: () => 'now()' },
    { action: 'task.status_changed', meta: (t) => ({ squadId: t.squadId }), unmet: alreadyDone },
  );
}

const auditOf = (id: string) =>
  app.ds.query(`SELECT action, actor_id, before->>'status' AS before, after->>'status' AS after FROM audit_events WHERE entity_id = $1 AND action <> 'task.created'`, [id]);

describe('updateWhere', () => {
  it('updates the row when the condition holds: one UPDATE, the row mapped once, primed, audited and announced after commit', async () => {
    const current = await newTask();
    published.length = 0;
    const scope = { count: 0, statements: [] as string[] };
    const { updated, reread } = await withTransaction(ctxOf(), async (tx) => {
      const row = await runCountingStatements(scope, () => complete(tx, current));
      expect(published).toEqual([]); // not before commit
      return { updated: row, reread: await runCountingStatements(scope, () => taskById(tx).load(current.id)) };
    });
    expect(updated).toBeInstanceOf(Task);
    expect(updated).toMatchObject({ id: current.id, status: TaskStatus.DONE, version: current.version + 1 });
    expect(updated.completedAt).toBeInstanceOf(Date);
    expect(reread).toBe(updated);
    // The UPDATE (its WHERE with the organisation and the condition) and the audit event's INSERT; no re-read.
    expect(scope.count).toBe(2);
    expect(scope.statements[0]).toMatch(/^UPDATE "tasks" SET .* WHERE "id" = \$\d+ AND "organization_id" = \$\d+ AND \("status" = \$\d+\) RETURNING \*$/s);
    expect(await auditOf(current.id)).toEqual([{ action: 'task.status_changed', actor_id: actor, before: 'TODO', after: 'DONE' }]);
    expect(published).toEqual([
      expect.objectContaining({ type: 'TASK_STATUS_CHANGED', entityType: 'Task', entityId: current.id, actorId: actor, meta: { squadId: current.squadId } }),
    ]);
  });

  it('throws the unmet error when the condition no longer holds, and records nothing', async () => {
    const current = await newTask();
    await withTransaction(ctxOf(), (tx) => complete(tx, current));
    published.length = 0;
    const error = await withTransaction(ctxOf(), (tx) => complete(tx, current)).catch((e) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error.extensions.code).toBe('INVALID_TRANSITION');
    expect(await auditOf(current.id)).toHaveLength(1);
    expect(published).toEqual([]);
    const [row] = await app.ds.query(`SELECT version FROM tasks WHERE id = $1`, [current.id]);
    expect(row.version).toBe(current.version + 1);
  });

  it("never updates another organisation's row: that is unmet, like a missing one", async () => {
    const current = await newTask();
    const other = uuid((await createOrg(app)).organizationId);
    const error = await withTransaction(ctxOf(other), (tx) => complete(tx, current)).catch((e) => e);
    expect(error.extensions?.code).toBe('INVALID_TRANSITION');
    const [row] = await app.ds.query(`SELECT status, version FROM tasks WHERE id = $1`, [current.id]);
    expect(row).toEqual({ status: 'TODO', version: current.version });
    expect(await app.ds.query(`SELECT 1 FROM audit_events WHERE organization_id = $1 AND entity_id = $2`, [other, current.id])).toEqual([]);
  });

  it('binds condition values as parameters and keeps the version when asked', async () => {
    const current = await newTask();
    const title = `it's "quoted" -- not SQL`;
    const renamed = await withTransaction(ctxOf(), (tx) =>
      updateWhere(tx, Task, current, (param) => `title = ${param(current.title)}`, { title }, {
        action: 'task.updated',
        unmet: alreadyDone,
        bumpVersion: false,
      }),
    );
    expect(renamed).toMatchObject({ title, version: current.version });
    const again = await withTransaction(ctxOf(), (tx) =>
      updateWhere(tx, Task, renamed, (param) => `title = ${param(current.title)}`, { title: 'x' }, { action: 'task.updated', unmet: alreadyDone }),
    ).catch((e) => e);
    expect(again.extensions?.code).toBe('INVALID_TRANSITION');
  });
});

describe('updateRecorded (a versioned updateWhere)', () => {
  it('updates at the expected version and answers CONFLICT with the current version otherwise', async () => {
    const current = await newTask();
    const updated = await withTransaction(ctxOf(), (tx) =>
      updateRecorded(tx, Task, current, current.version, { title: '新标题' }, { action: 'task.updated' }),
    );
    expect(updated).toMatchObject({ title: '新标题', version: current.version + 1 });
    const stale = await withTransaction(ctxOf(), (tx) =>
      updateRecorded(tx, Task, current, current.version, { title: '旧标题' }, { action: 'task.updated', what: 'This task' }),
    ).catch((e) => e);
    expect(stale.extensions).toEqual({ code: 'CONFLICT', currentVersion: current.version + 1 });
    expect(stale.message).toMatch(/^This task was changed by someone else/);
  });
});
