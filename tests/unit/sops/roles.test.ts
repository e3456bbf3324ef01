import { getMetadataStorage } from 'type-graphql';
import { ADMINS, MANAGERS, WRITERS } from '../../../src/common/access';
import { buildAppSchema } from '../../../src/server/schema';

/**
 * Who may call each root field of the sops (RACI included), tasks and squads modules: one of the
 * kit's named role sets (src/common/access.ts), or any member (`[]`). A local copy of a set that
 * drifted (a role too many or too few) fails here.
 */
const ANY_MEMBER: readonly string[] = [];
const EXPECTED: Record<string, readonly string[]> = {
  // RACI
  createRaciMatrix: MANAGERS,
  addRaciActivity: MANAGERS,
  removeRaciActivity: MANAGERS,
  setRaciAssignment: MANAGERS,
  raciMatrices: ANY_MEMBER,
  myRaciRoles: ANY_MEMBER,
  raciMatrixChanged: ANY_MEMBER,
  // SOPs
  createSop: WRITERS,
  updateSopDraft: WRITERS,
  submitSopForReview: WRITERS,
  approveSopVersion: MANAGERS,
  rejectSopVersion: MANAGERS,
  startSopRevision: WRITERS,
  archiveSop: ADMINS,
  acknowledgeSop: WRITERS,
  sops: ANY_MEMBER,
  sopPublished: ANY_MEMBER,
  linkTaskToSopStep: WRITERS,
  // Tasks
  createTask: MANAGERS,
  updateTask: ANY_MEMBER,
  setTaskStatus: ANY_MEMBER,
  deleteTask: MANAGERS,
  myTasks: ANY_MEMBER,
  taskAssigned: ANY_MEMBER,
  // Squads
  squads: ANY_MEMBER,
  squad: ANY_MEMBER,
  createSquad: ADMINS,
  updateSquad: MANAGERS,
  archiveSquad: ADMINS,
  addSquadMember: MANAGERS,
  removeSquadMember: MANAGERS,
  createSprint: MANAGERS,
  closeSprint: MANAGERS,
  updateSprint: MANAGERS,
};

describe('roles of the sops, tasks and squads root fields', () => {
  it('are the kit’s role sets', async () => {
    await buildAppSchema();
    const storage = getMetadataStorage();
    const fields = [...storage.queries, ...storage.mutations, ...storage.subscriptions];
    const actual: Record<string, readonly string[] | undefined> = {};
    for (const name of Object.keys(EXPECTED)) {
      const meta = fields.find((m) => m.schemaName === name);
      const rule = meta && storage.authorizedFields.find((a) => a.target === meta.target && a.fieldName === meta.methodName);
      actual[name] = rule?.roles as readonly string[] | undefined;
    }
    expect(actual).toEqual(Object.fromEntries(Object.entries(EXPECTED).map(([k, v]) => [k, [...v]])));
  });
});
