import 'reflect-metadata';
import type { Context } from '../../../src/common/context';
import { decodeGlobalId } from '../../../src/common/ids';
import { runCountingStatements } from '../../../src/common/statement-scope';
import { assertBelowCap, type CapSpec } from '../../../src/db/caps';
import { lockById } from '../../../src/db/locks';
import { systemContext } from '../../../src/db/system-context';
import { withTransaction } from '../../../src/db/transaction';
import { Squad } from '../../../src/modules/squads';
import { Task } from '../../../src/modules/tasks';
import { createOrg } from '../../support/factories';
import { createSquad } from '../../support/planning';
import { startTestApp, type TestApp } from '../../support/test-app';

/** The kit's child-count cap (src/db/caps.ts) on the real database. */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const uuid = (id: string) => decodeGlobalId(id)!.id;

/** An organisation with a squad holding `tasks` tasks (`done` of them DONE), inserted directly. */
async function squadWithTasks(tasks: number, done = 0): Promise<{ org: string; squad: string }> {
  const o = await createOrg(app);
  const org = uuid(o.organizationId);
  const squad = uuid(await createSquad(app, o, o.userId));
  await app.ds.query(
    `INSERT INTO tasks (organization_id, squad_id, title, status, important, urgent, version)
     SELECT $1, $2, 'task ' || g, CASE WHEN g <= $4 THEN 'DONE' ELSE 'TODO' END, false, false, 1 FROM generate_series(1, $3) g`,
    [org, squad, tasks, done],
  );
  return { org, squad };
}

const cap = (squad: string, max: number, extra: Partial<CapSpec> = {}): CapSpec => ({
  table: Task,
  parentColumn: 'squad_id',
  parentId: squad,
  max,
  field: 'squadId',
  message: (m) => `A squad has at most ${m} tasks`,
  ...extra,
});

const refusal = (ctx: Context, spec: CapSpec) =>
  withTransaction(ctx, (tx) => assertBelowCap(tx, spec)).then(
    () => null,
    (e) => ({ message: e.message, extensions: e.extensions }),
  );

describe('assertBelowCap', () => {
  it('lets a child in below the cap and refuses it at the cap with BAD_USER_INPUT, field and max, in one statement', async () => {
    const { org, squad } = await squadWithTasks(3);
    const ctx = systemContext(app.ds, org);
    const scope = { count: 0, statements: [] as string[] };
    expect(await runCountingStatements(scope, () => refusal(ctx, cap(squad, 4)))).toBeNull();
    // BEGIN, the count, COMMIT.
    expect(scope.statements.filter((s) => /count\(\*\)/.test(s))).toHaveLength(1);
    expect(scope.count).toBe(3);
    expect(await refusal(ctx, cap(squad, 3))).toEqual({
      message: 'A squad has at most 3 tasks',
      extensions: { code: 'BAD_USER_INPUT', field: 'squadId', max: 3 },
    });
    expect(await refusal(ctx, cap(squad, 4, { adding: 2 }))).toMatchObject({ extensions: { max: 4 } });
    expect(await refusal(ctx, cap(squad, 5, { adding: 2 }))).toBeNull();
  });

  it("counts only the parent's rows of the caller's organisation that meet the condition", async () => {
    const a = await squadWithTasks(3, 2);
    const b = await squadWithTasks(5);
    // B's squad seen from A: none of its rows count.
    expect(await refusal(systemContext(app.ds, a.org), cap(b.squad, 1))).toBeNull();
    const open = (param: (v: unknown) => string) => `c.status <> ${param('DONE')}`;
    expect(await refusal(systemContext(app.ds, a.org), cap(a.squad, 2, { where: open }))).toBeNull();
    expect(await refusal(systemContext(app.ds, a.org), cap(a.squad, 1, { where: open }))).toMatchObject({ extensions: { max: 1 } });
  });

  it('with the parent locked first, two changes adding the last child at the same time count each other', async () => {
    const { org, squad } = await squadWithTasks(4);
    const addOne = (title: string) =>
      withTransaction(systemContext(app.ds, org), async (tx) => {
        await lockById(tx, Squad, squad);
        await assertBelowCap(tx, cap(squad, 5));
        await tx.manager.query(
          `INSERT INTO tasks (organization_id, squad_id, title, status, important, urgent, version) VALUES ($1, $2, $3, 'TODO', false, false, 1)`,
          [org, squad, title],
        );
      }).then(
        () => 'added',
        (e) => e.extensions?.code as string,
      );
    const outcomes = await Promise.all([addOne('一'), addOne('二')]);
    expect(outcomes.sort()).toEqual(['BAD_USER_INPUT', 'added']);
    const [{ n }] = await app.ds.query(`SELECT count(*)::int AS n FROM tasks WHERE squad_id = $1`, [squad]);
    expect(n).toBe(5);
  });
});
