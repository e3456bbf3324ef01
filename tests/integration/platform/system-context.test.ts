import 'reflect-metadata';
import { Role } from '../../../src/common/context';
import type { PlanningEventPayload } from '../../../src/common/event-contract';
import { decodeGlobalId } from '../../../src/common/ids';
import { actingIn, NO_EVENTS, systemContext, userViewer } from '../../../src/db/system-context';
import { withTransaction } from '../../../src/db/transaction';
import { createRecorded, recordChange } from '../../../src/modules/audit';
import { Squad, squadById } from '../../../src/modules/squads';
import { createOrg, type TestOrg } from '../../support/factories';
import { createSquad } from '../../support/planning';
import { startTestApp, type TestApp } from '../../support/test-app';

/** Contexts for code that is not a request (src/db/system-context.ts): seeds, tests, bench, identity's other organisations. */

let app: TestApp;
let a: TestOrg;
let b: TestOrg;
beforeAll(async () => {
  app = await startTestApp();
  a = await createOrg(app);
  b = await createOrg(app);
});
afterAll(() => app.stop());

const uuid = (id: string) => decodeGlobalId(id)!.id;

const newSquad = (tx: Parameters<typeof createRecorded>[0], name: string) =>
  createRecorded(tx, Squad, { organizationId: tx.organizationId!, name, leadId: uuid(a.userId) }, { action: 'squad.created' });

const audited = (org: string, action: string) =>
  app.ds.query(`SELECT actor_id, entity_id FROM audit_events WHERE organization_id = $1 AND action = $2 ORDER BY at`, [org, action]);

describe('systemContext', () => {
  it("joins the transaction of the manager it is given: the service's writes roll back with it, its events wait in afterCommit", async () => {
    const org = uuid(a.organizationId);
    let queued = 0;
    await app.ds
      .transaction(async (m) => {
        const ctx = systemContext(m, org);
        await withTransaction(ctx, async (tx) => {
          expect(tx.manager).toBe(m);
          await newSquad(tx, '回滚的小组');
        });
        queued = ctx.afterCommit!.length;
        throw new Error('roll the seed back');
      })
      .catch((e) => expect(e.message).toBe('roll the seed back'));
    expect(queued).toBe(1);
    expect(await app.ds.query(`SELECT 1 FROM squads WHERE name = '回滚的小组'`)).toEqual([]);
  });

  it('acts as the system or as a user, with OWNER rights unless told otherwise, and publishes where it is told after commit', async () => {
    const org = uuid(a.organizationId);
    const published: PlanningEventPayload[] = [];
    const asSystem = systemContext(app.ds, org, { events: { ...NO_EVENTS, publish: (e) => published.push(e) } });
    expect(asSystem).toMatchObject({ organizationId: org, role: Role.OWNER, viewer: null, afterCommit: null });
    const bySystem = await withTransaction(asSystem, (tx) => newSquad(tx, '系统的小组'));
    expect(published).toEqual([expect.objectContaining({ type: 'SQUAD_CREATED', entityId: bySystem.id, actorId: null })]);
    const asUser = systemContext(app.ds, org, { actorId: uuid(a.userId), role: Role.MEMBER });
    expect(asUser).toMatchObject({ role: Role.MEMBER, viewer: userViewer(uuid(a.userId)) });
    const byUser = await withTransaction(asUser, (tx) => newSquad(tx, '用户的小组'));
    const rows = await audited(org, 'squad.created');
    expect(rows).toEqual(
      expect.arrayContaining([
        { actor_id: null, entity_id: bySystem.id },
        { actor_id: uuid(a.userId), entity_id: byUser.id },
      ]),
    );
  });
});

describe('actingIn', () => {
  it('records in another organisation within the same transaction, with loaders of its own', async () => {
    const orgA = uuid(a.organizationId);
    const orgB = uuid(b.organizationId);
    const squadA = uuid(await createSquad(app, a, a.userId));
    const stranger = uuid(b.userId);
    const ctx = systemContext(app.ds, orgA, { actorId: uuid(a.userId) });
    await withTransaction(ctx, async (tx) => {
      expect(await squadById(tx).load(squadA)).toMatchObject({ id: squadA });
      const inB = actingIn(tx, orgB, userViewer(stranger), Role.ADMIN);
      expect(inB).toMatchObject({ organizationId: orgB, role: Role.ADMIN, viewer: userViewer(stranger), manager: tx.manager });
      expect(inB.afterCommit).toBe(tx.afterCommit);
      // A's squad, loaded (and cached) for A, is not B's.
      expect(await squadById(inB).load(squadA)).toBeNull();
      await recordChange(inB, { action: 'member.joined', entityType: 'Member', entityId: stranger });
    });
    expect(await audited(orgB, 'member.joined')).toEqual([{ actor_id: stranger, entity_id: stranger }]);
    expect(await audited(orgA, 'member.joined')).toEqual([]);
  });
});
