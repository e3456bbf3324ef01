import { toGlobalId } from '../../../src/common/ids';
import { addMember, createOrg } from '../../support/factories';
import { createCycle, createSquad } from '../../support/planning';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';

/**
 * Global ids are decoded at the API edge (input fields marked `@GlobalIdOf`): a malformed id or
 * one of another type is BAD_USER_INPUT naming the field before any service runs; services get
 * uuids.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const CREATE_OBJECTIVE = `mutation($i: CreateObjectiveInput!) { createObjective(input: $i) { objective { id cycle { id } squad { id } } } }`;

describe('global ids at the API edge', () => {
  it('reach the services decoded, in inputs, nested filters and lists of one operation', async () => {
    const org = await createOrg(app);
    const lead = await addMember(app, org, 'SQUAD_LEAD');
    const squadId = await createSquad(app, org, lead.userId);
    const cycleId = await createCycle(app, org);
    // The same variable feeds two fields: each decodes its own copy.
    const twice = ok(
      await app.gql(
        `mutation($i: CreateObjectiveInput!) { a: createObjective(input: $i) { objective { id } } b: createObjective(input: $i) { objective { id } } }`,
        { i: { cycleId, squadId, title: '两次' } },
        org,
      ),
    );
    expect(twice.a.objective.id).not.toBe(twice.b.objective.id);
    const created = ok(await app.gql(CREATE_OBJECTIVE, { i: { cycleId, squadId, title: '目标' } }, lead)).createObjective.objective;
    expect(created).toMatchObject({ cycle: { id: cycleId }, squad: { id: squadId } });
    const listed = ok(
      await app.gql(`query($f: ObjectivesFilter) { objectives(filter: $f, first: 10) { totalCount } }`, { f: { cycleId, squadId, ownerId: org.userId } }, org),
    ).objectives;
    expect(listed.totalCount).toBe(2); // the lead owns the third
  });

  it('refuses a malformed id, or one of another type, as BAD_USER_INPUT naming the field', async () => {
    const org = await createOrg(app);
    const squadId = await createSquad(app, org, org.userId);
    const cycleId = await createCycle(app, org);
    const wrongType = await app.gql(CREATE_OBJECTIVE, { i: { cycleId: squadId, title: 'x' } }, org);
    expect(errorCode(wrongType)).toBe('BAD_USER_INPUT');
    expect(wrongType.errors![0].message).toBe('cycleId is not a valid Cycle id');
    const malformed = await app.gql(CREATE_OBJECTIVE, { i: { cycleId, squadId: 'not-an-id', title: 'x' } }, org);
    expect(malformed.errors![0]).toMatchObject({ message: 'squadId is not a valid Squad id', extensions: { code: 'BAD_USER_INPUT' } });
    const inFilter = await app.gql(`query($f: ObjectivesFilter) { objectives(filter: $f) { totalCount } }`, { f: { cycleId: squadId } }, org);
    expect(inFilter.errors![0].message).toBe('filter.cycleId is not a valid Cycle id');
    // The audit log's actor is a User: another type's id is refused too (its entityId takes any type).
    const actor = await app.gql(`query($f: AuditEventsFilter) { auditEvents(filter: $f) { totalCount } }`, { f: { actorId: squadId } }, org);
    expect(actor.errors?.[0]).toMatchObject({ message: 'filter.actorId is not a valid User id', extensions: { code: 'BAD_USER_INPUT' } });
    const byActor = ok(await app.gql(`query($f: AuditEventsFilter) { auditEvents(filter: $f) { totalCount } }`, { f: { actorId: org.userId } }, org));
    expect(byActor.auditEvents.totalCount).toBeGreaterThan(0);
    // A well-formed id of nothing in this organisation: NOT_FOUND, naming the id as sent.
    const missing = toGlobalId('Cycle', '00000000-0000-4000-8000-000000000000');
    const notFound = await app.gql(CREATE_OBJECTIVE, { i: { cycleId: missing, title: 'x' } }, org);
    expect(notFound.errors![0]).toMatchObject({ message: `Cycle ${missing} was not found`, extensions: { code: 'NOT_FOUND' } });
  });
});
