import { decodeGlobalId, toGlobalId } from '../../../src/common/ids';
import { createOrg } from '../../support/factories';
import { createSquad, createTask } from '../../support/planning';
import { ok, startTestApp, type TestApp } from '../../support/test-app';

/**
 * `myWork` merges the sources of every module in one order: due day, then the kind's rank from
 * the one table (src/modules/work/work-ranks.ts), then the subject's id. Kinds of different
 * modules due the same day no longer tie.
 */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const uuid = (id: string) => decodeGlobalId(id)!.id;
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

const MY_WORK = `query($first: Int, $after: String) { myWork(first: $first, after: $after) {
  totalCount nodes { kind dueOn subject { id } } pageInfo { hasNextPage endCursor } } }`;

describe('myWork ranks', () => {
  it('puts an overdue task before an open KPI alert raised the same day, whatever their ids', async () => {
    const org = await createOrg(app);
    const orgUuid = uuid(org.organizationId);
    const squadId = await createSquad(app, org, org.userId);
    const dueOn = day(-3);
    const task = await createTask(app, org, { squadId, assigneeId: org.userId, title: '逾期任务', dueOn });
    const [{ id: kpi }] = await app.ds.query(
      `INSERT INTO kpis (organization_id, key, name, layer, direction, aggregation, owner_id)
       VALUES ($1, 'refund_rate', '退款率', 'TACTICAL', 'LOWER_IS_BETTER', 'AVERAGE', $2) RETURNING id`,
      [orgUuid, uuid(org.userId)],
    );
    // The alert's id sorts before the task's: an order by id alone would put it first.
    const alert = '00000000-0000-4000-8000-000000000001';
    await app.ds.query(
      `INSERT INTO kpi_alerts (id, organization_id, kpi_id, period_start, level, value, message, created_at)
       VALUES ($1, $2, $3, $4, 'CRITICAL', 0.2, '退款率 0.2 above 0.1', $4::date + interval '12 hours')`,
      [alert, orgUuid, kpi, dueOn],
    );
    const expected = [
      { kind: 'TASK_OVERDUE', dueOn, subject: { id: task.id } },
      { kind: 'KPI_ALERT_OPEN', dueOn, subject: { id: toGlobalId('KpiAlert', alert) } },
    ];
    const all = ok(await app.gql(MY_WORK, { first: 10 }, org)).myWork;
    expect(all.nodes).toEqual(expected);
    // Paged one by one, the keyset cursor crosses the same day in the same order.
    const first = ok(await app.gql(MY_WORK, { first: 1 }, org)).myWork;
    const second = ok(await app.gql(MY_WORK, { first: 1, after: first.pageInfo.endCursor }, org)).myWork;
    expect([...first.nodes, ...second.nodes]).toEqual(expected);
    expect(second.pageInfo.hasNextPage).toBe(false);
    expect(second.totalCount).toBe(2);
  });
});
