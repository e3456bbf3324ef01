import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
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

const ROLE = '(?:OWNER|ADMIN|FINANCE|SQUAD_LEAD|MEMBER|VIEWER)';
/** Two roles in a row (`Role.OWNER, Role.ADMIN`, `'OWNER', 'ADMIN'`), a role compared inline, or a role looked up in a list. */
const LOCAL_ROLE_CHECK = new RegExp(
  [`\\w+\\.${ROLE}\\s*,\\s*\\w+\\.${ROLE}\\b`, `'${ROLE}'\\s*,\\s*'${ROLE}'`, `\\.role\\s*[!=]==?\\s*(?:\\w+\\.|')${ROLE}\\b`, `includes\\(\\s*[\\w.]*\\.role\\b`].join('|'),
  'g',
);

describe('role checks of the sops, tasks and squads modules', () => {
  it('name the kit’s role sets: no list of roles written out, no role compared inline', () => {
    const root = join(__dirname, '../../../src/modules');
    const found: string[] = [];
    for (const m of ['sops', 'tasks', 'squads']) {
      for (const f of readdirSync(join(root, m)).filter((name) => name.endsWith('.ts'))) {
        const text = readFileSync(join(root, m, f), 'utf8');
        for (const hit of text.matchAll(LOCAL_ROLE_CHECK)) {
          found.push(`${m}/${f}: ${hit[0]}`);
        }
      }
    }
    expect(found).toEqual([]);
  });
});
