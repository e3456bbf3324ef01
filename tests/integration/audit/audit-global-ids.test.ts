import { addBudgetLine, createBudget } from '../../support/budgets';
import { addMember, createOrg } from '../../support/factories';
import { checkIn, createCycle, createKeyResult, createObjective, createSquad, createTask } from '../../support/planning';
import { ok, startTestApp, type TestApp } from '../../support/test-app';
import { decodeGlobalId, toGlobalId } from '../../../src/common/ids';
import { createKpi } from '../kpis/support';

/** The audit log's before/after show ids as global ids of the right type, like the rest of the API. */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const AUDIT = `query($f: AuditEventsFilter) { auditEvents(filter: $f, first: 20) { nodes { action entityType entityId before after } } }`;
type AuditNode = { action: string; entityType: string; entityId: string; before: Record<string, any> | null; after: Record<string, any> | null };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every string anywhere in a snapshot that is a bare uuid. */
function rawUuids(value: unknown, path = ''): string[] {
  if (typeof value === 'string') return UUID.test(value) ? [`${path}=${value}`] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => rawUuids(v, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => rawUuids(v, path ? `${path}.${k}` : k));
  return [];
}

describe('audit before/after', () => {
  it('carry global ids of the right type for objectives, tasks, budget lines, KPIs and check-ins; the stored rows keep uuids', async () => {
    const org = await createOrg(app);
    const lead = await addMember(app, org, 'SQUAD_LEAD', '张伟');
    const squadId = await createSquad(app, org, lead.userId);
    const cycleId = await createCycle(app, org);
    const company = await createObjective(app, org, { cycleId, ownerId: org.userId, title: '公司目标' });
    const objective = await createObjective(app, org, { cycleId, ownerId: lead.userId, squadId, parentId: company.id });
    const kr = await createKeyResult(app, org, { objectiveId: objective.id, ownerId: lead.userId });
    const task = await createTask(app, org, { assigneeId: lead.userId, squadId, keyResultId: kr.id });
    const star = await createKpi(app, org, { key: 'gmv', name: 'GMV', isNorthStar: true, layer: 'STRATEGIC', ownerId: lead.userId });
    const child = await createKpi(app, org, { key: 'visitors', name: '访客数', parentId: star.id, ownerId: lead.userId });
    const budget = await createBudget(app, org);
    const line = await addBudgetLine(app, org, { budgetId: budget.id, kpiKeys: ['gmv', 'visitors'] });
    ok(await checkIn(app, lead, kr.id, kr.version, '1100'));
    ok(await app.gql(`mutation($i: UpdateTaskInput!) { updateTask(input: $i) { task { id } } }`, { i: { id: task.id, expectedVersion: task.version, title: '新标题' } }, org));

    const events = async (entityId: string) => ok(await app.gql(AUDIT, { f: { entityId } }, org)).auditEvents.nodes as AuditNode[];
    const created = async (entityId: string) => (await events(entityId)).find((e) => e.action.endsWith('.created'))!.after!;

    expect(await created(objective.id)).toMatchObject({
      id: objective.id,
      organizationId: org.organizationId,
      cycleId,
      ownerId: lead.userId,
      squadId,
      parentId: company.id,
      title: '提升用户创作活跃度',
    });
    const taskEvents = await events(task.id);
    expect(taskEvents.find((e) => e.action === 'task.created')!.after).toMatchObject({ id: task.id, assigneeId: lead.userId, squadId, keyResultId: kr.id, sprintId: null });
    const updated = taskEvents.find((e) => e.action === 'task.updated')!;
    expect(updated.before).toMatchObject({ id: task.id, assigneeId: lead.userId, reporterId: org.userId });
    expect(updated.after).toMatchObject({ id: task.id, assigneeId: lead.userId, title: '新标题' });
    expect(await created(child.id)).toMatchObject({ id: child.id, parentId: star.id, ownerId: lead.userId, key: 'visitors' });
    const lineAfter = await created(line.id);
    expect(lineAfter).toMatchObject({ id: line.id, budgetId: budget.id });
    expect([...lineAfter.kpiIds].sort()).toEqual([star.id, child.id].sort());
    const checkedIn = (await events(kr.id)).find((e) => e.action === 'key_result.checked_in')!;
    expect(checkedIn.after).toMatchObject({ id: kr.id, objectiveId: objective.id, ownerId: lead.userId, checkIn: { keyResultId: kr.id, authorId: lead.userId } });
    expect(decodeGlobalId(checkedIn.after!.checkIn.id)?.type).toBe('CheckIn');

    // No bare uuid is left in any snapshot the organisation's log shows.
    const all = ok(await app.gql(`{ auditEvents(first: 100) { nodes { action before after } } }`, {}, org)).auditEvents.nodes as AuditNode[];
    expect(all.length).toBeGreaterThan(10);
    expect(all.flatMap((e) => rawUuids({ before: e.before, after: e.after }).map((u) => `${e.action}: ${u}`))).toEqual([]);

    // Stored as uuids: the conversion is at read time.
    const [row] = await app.ds.query(`SELECT after FROM audit_events WHERE entity_id = $1 AND action = 'objective.created'`, [decodeGlobalId(objective.id)!.id]);
    expect(row.after.ownerId).toBe(decodeGlobalId(lead.userId)!.id);
    expect(toGlobalId('User', row.after.ownerId)).toBe(lead.userId);
  });
});
