import { toGlobalId } from '../../../src/common/ids';
import { addMember, createOrg } from '../../support/factories';
import { createSquad, createTask } from '../../support/planning';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';
import { ADD_ACTIVITY, CREATE_MATRIX, REMOVE_ACTIVITY, SET_ROLE, createSop } from './sops-support';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const MATRIX = `query($id: ID!) { node(id: $id) { ... on RaciMatrix { id name version isValid subject { id __typename }
  activities { id name problems assignments { role user { id } } }
  problems { activity { name } problem } } } }`;

async function setup() {
  const org = await createOrg(app);
  const lead = await addMember(app, org, 'SQUAD_LEAD', '张伟');
  const member = await addMember(app, org, 'MEMBER', 'Emily');
  const viewer = await addMember(app, org, 'VIEWER', 'Viewer');
  return { org, lead, member, viewer };
}

describe('RACI matrices', () => {
  it('say which activities lack an ACCOUNTABLE or a RESPONSIBLE, or have two ACCOUNTABLE', async () => {
    const { org, lead, member } = await setup();
    const squadId = await createSquad(app, org, lead.userId);
    const matrix = ok(await app.gql(CREATE_MATRIX, { i: { name: '超级品牌日 RACI', subjectId: squadId } }, lead)).createRaciMatrix.raciMatrix;
    expect(matrix).toMatchObject({ name: '超级品牌日 RACI', version: 1, subject: { id: squadId } });

    const traffic = ok(await app.gql(ADD_ACTIVITY, { i: { matrixId: matrix.id, name: '平台流量' } }, lead)).addRaciActivity;
    expect(traffic.activity.problems).toEqual(['MISSING_ACCOUNTABLE', 'MISSING_RESPONSIBLE']);
    expect(traffic.raciMatrix).toMatchObject({ version: 2, isValid: false });
    const kol = ok(await app.gql(ADD_ACTIVITY, { i: { matrixId: matrix.id, name: 'KOL 合作' } }, org)).addRaciActivity.activity;

    const set = (activityId: string, userId: string, role: string | null) =>
      app.gql(SET_ROLE, { i: { activityId, userId, role } }, lead);
    ok(await set(traffic.activity.id, member.userId, 'RESPONSIBLE'));
    const done = ok(await set(traffic.activity.id, lead.userId, 'ACCOUNTABLE')).setRaciAssignment;
    expect(done.activity.problems).toEqual([]);
    expect(done.activity.assignments).toEqual([
      { role: 'RESPONSIBLE', user: { id: member.userId } },
      { role: 'ACCOUNTABLE', user: { id: lead.userId } },
    ]);
    ok(await set(kol.id, member.userId, 'ACCOUNTABLE'));
    ok(await set(kol.id, org.userId, 'ACCOUNTABLE'));

    let read = ok(await app.gql(MATRIX, { id: matrix.id }, member)).node;
    expect(read.isValid).toBe(false);
    expect(read.problems).toEqual([
      { activity: { name: 'KOL 合作' }, problem: 'MULTIPLE_ACCOUNTABLE' },
      { activity: { name: 'KOL 合作' }, problem: 'MISSING_RESPONSIBLE' },
    ]);
    // One role per person: setting again replaces it; null clears it.
    ok(await set(kol.id, member.userId, 'RESPONSIBLE'));
    read = ok(await app.gql(MATRIX, { id: matrix.id }, member)).node;
    expect(read.isValid).toBe(true);
    expect(read.activities[1].assignments).toEqual([
      { role: 'RESPONSIBLE', user: { id: member.userId } },
      { role: 'ACCOUNTABLE', user: { id: org.userId } },
    ]);
    const cleared = ok(await set(kol.id, org.userId, null)).setRaciAssignment;
    expect(cleared.activity.problems).toEqual(['MISSING_ACCOUNTABLE']);
    expect(cleared.raciMatrix.isValid).toBe(false);

    const removed = ok(await app.gql(REMOVE_ACTIVITY, { i: { activityId: kol.id } }, lead)).removeRaciActivity;
    expect(removed.removedActivityId).toBe(kol.id);
    expect(removed.raciMatrix).toEqual({ id: matrix.id, isValid: true, activities: [{ id: traffic.activity.id }] });
    expect(errorCode(await app.gql(REMOVE_ACTIVITY, { i: { activityId: kol.id } }, lead))).toBe('NOT_FOUND');
  });

  it('count an activity with one RESPONSIBLE and two ACCOUNTABLE as invalid', async () => {
    const { org, lead, member } = await setup();
    const matrix = ok(await app.gql(CREATE_MATRIX, { i: { name: '618 大促' } }, lead)).createRaciMatrix.raciMatrix;
    const activity = ok(await app.gql(ADD_ACTIVITY, { i: { matrixId: matrix.id, name: '平台流量' } }, lead)).addRaciActivity.activity;
    for (const [userId, role] of [[member.userId, 'RESPONSIBLE'], [lead.userId, 'ACCOUNTABLE']]) {
      ok(await app.gql(SET_ROLE, { i: { activityId: activity.id, userId, role } }, lead));
    }
    const twoAccountable = ok(await app.gql(SET_ROLE, { i: { activityId: activity.id, userId: org.userId, role: 'ACCOUNTABLE' } }, lead)).setRaciAssignment;
    expect(twoAccountable.activity.problems).toEqual(['MULTIPLE_ACCOUNTABLE']);
    expect(twoAccountable.raciMatrix.isValid).toBe(false);
    const read = ok(await app.gql(MATRIX, { id: matrix.id }, member)).node;
    expect(read).toMatchObject({ isValid: false, problems: [{ activity: { name: '平台流量' }, problem: 'MULTIPLE_ACCOUNTABLE' }] });
  });

  it('do not count a RESPONSIBLE who cannot act: a VIEWER is refused, and one who became VIEWER or left is a problem', async () => {
    const { org, lead, member, viewer } = await setup();
    const leaving = await addMember(app, org, 'MEMBER', '离职员工');
    const matrix = ok(await app.gql(CREATE_MATRIX, { i: { name: '活动执行' } }, lead)).createRaciMatrix.raciMatrix;
    const add = async (name: string, responsible: string) => {
      const a = ok(await app.gql(ADD_ACTIVITY, { i: { matrixId: matrix.id, name } }, lead)).addRaciActivity.activity;
      ok(await app.gql(SET_ROLE, { i: { activityId: a.id, userId: lead.userId, role: 'ACCOUNTABLE' } }, lead));
      ok(await app.gql(SET_ROLE, { i: { activityId: a.id, userId: responsible, role: 'RESPONSIBLE' } }, lead));
      return a;
    };
    const materials = await add('物料制作', member.userId);
    const rewards = await add('用户激励', leaving.userId);
    expect(ok(await app.gql(MATRIX, { id: matrix.id }, lead)).node).toMatchObject({ isValid: true, problems: [] });

    // A VIEWER changes nothing: not RESPONSIBLE (still INFORMED or CONSULTED).
    const refused = await app.gql(SET_ROLE, { i: { activityId: materials.id, userId: viewer.userId, role: 'RESPONSIBLE' } }, lead);
    expect(refused.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'userId' });
    ok(await app.gql(SET_ROLE, { i: { activityId: materials.id, userId: viewer.userId, role: 'INFORMED' } }, lead));

    // The RESPONSIBLE of one activity becomes a VIEWER; the other's leaves the organisation.
    ok(await app.gql(`mutation($i: ChangeMemberRoleInput!) { changeMemberRole(input: $i) { member { role } } }`, { i: { memberId: member.memberId, role: 'VIEWER' } }, org));
    ok(await app.gql(`mutation($i: RemoveMemberInput!) { removeMember(input: $i) { removedMemberId } }`, { i: { memberId: leaving.memberId } }, org));
    const read = ok(await app.gql(MATRIX, { id: matrix.id }, lead)).node;
    expect(read.isValid).toBe(false);
    expect(read.problems).toEqual([
      { activity: { name: '物料制作' }, problem: 'RESPONSIBLE_CANNOT_ACT' },
      { activity: { name: '用户激励' }, problem: 'RESPONSIBLE_CANNOT_ACT' },
    ]);
    expect(read.activities.map((a: { problems: string[] }) => a.problems)).toEqual([['RESPONSIBLE_CANNOT_ACT'], ['RESPONSIBLE_CANNOT_ACT']]);

    // Another RESPONSIBLE who can act does not hide the one who cannot; taking them off does.
    ok(await app.gql(SET_ROLE, { i: { activityId: rewards.id, userId: org.userId, role: 'RESPONSIBLE' } }, lead));
    expect(ok(await app.gql(MATRIX, { id: matrix.id }, lead)).node.activities[1].problems).toEqual(['RESPONSIBLE_CANNOT_ACT']);
    // A former member's role can still be cleared (a role for them cannot be set).
    const fixed = ok(await app.gql(SET_ROLE, { i: { activityId: rewards.id, userId: leaving.userId, role: null } }, lead)).setRaciAssignment;
    expect(fixed.activity).toMatchObject({ problems: [], assignments: [{ role: 'ACCOUNTABLE' }, { role: 'RESPONSIBLE', user: { id: org.userId } }] });
    expect(errorCode(await app.gql(SET_ROLE, { i: { activityId: rewards.id, userId: leaving.userId, role: 'INFORMED' } }, lead))).toBe('NOT_FOUND');
    expect(errorCode(await app.gql(SET_ROLE, { i: { activityId: rewards.id, userId: leaving.userId, role: null } }, lead))).toBe('NOT_FOUND');
    expect(ok(await app.gql(MATRIX, { id: matrix.id }, lead)).node.problems).toEqual([{ activity: { name: '物料制作' }, problem: 'RESPONSIBLE_CANNOT_ACT' }]);
  });

  it('take a Squad or Sop as subject; a Campaign before its module exists, another type or another organisation is refused', async () => {
    const { org, lead } = await setup();
    const sop = await createSop(app, org);
    const m = ok(await app.gql(CREATE_MATRIX, { i: { name: 'SOP RACI', subjectId: sop.id } }, org)).createRaciMatrix.raciMatrix;
    expect(m.subject).toEqual({ id: sop.id });
    const free = ok(await app.gql(CREATE_MATRIX, { i: { name: '独立流程' } }, org)).createRaciMatrix.raciMatrix;
    expect(free.subject).toBeNull();

    const campaign = toGlobalId('Campaign', '00000000-0000-4000-8000-000000000501');
    expect(errorCode(await app.gql(CREATE_MATRIX, { i: { name: 'x', subjectId: campaign } }, org))).toBe('NOT_FOUND');
    const task = await createTask(app, org, { title: 't' });
    const wrongType = await app.gql(CREATE_MATRIX, { i: { name: 'x', subjectId: task.id } }, org);
    expect(errorCode(wrongType)).toBe('BAD_USER_INPUT');
    expect(wrongType.errors![0].extensions).toMatchObject({ field: 'subjectId' });
    expect(errorCode(await app.gql(CREATE_MATRIX, { i: { name: 'x', subjectId: 'not-an-id' } }, org))).toBe('BAD_USER_INPUT');
    const otherOrg = await createOrg(app, 'Other');
    const theirSquad = await createSquad(app, otherOrg, otherOrg.userId);
    expect(errorCode(await app.gql(CREATE_MATRIX, { i: { name: 'x', subjectId: theirSquad } }, org))).toBe('NOT_FOUND');

    // Filter by subject.
    const list = ok(await app.gql(`query($f: RaciMatricesFilter) { raciMatrices(filter: $f, first: 10) { totalCount nodes { id } } }`, { f: { subjectId: sop.id } }, lead)).raciMatrices;
    expect(list).toEqual({ totalCount: 1, nodes: [{ id: m.id }] });
    const all = ok(await app.gql(`{ raciMatrices(first: 10) { totalCount } }`, {}, lead)).raciMatrices;
    expect(all.totalCount).toBe(2);
    expect(errorCode(await app.gql(`{ raciMatrices(filter: { subjectId: "bad" }) { totalCount } }`, {}, lead))).toBe('BAD_USER_INPUT');
  });

  it('are edited by OWNER, ADMIN and SQUAD_LEAD only; everyone reads them and sees their own roles', async () => {
    const { org, lead, member, viewer } = await setup();
    expect(errorCode(await app.gql(CREATE_MATRIX, { i: { name: 'x' } }, member))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(CREATE_MATRIX, { i: { name: 'x' } }, viewer))).toBe('FORBIDDEN');
    const matrix = ok(await app.gql(CREATE_MATRIX, { i: { name: '活动执行' } }, lead)).createRaciMatrix.raciMatrix;
    expect(errorCode(await app.gql(ADD_ACTIVITY, { i: { matrixId: matrix.id, name: 'x' } }, member))).toBe('FORBIDDEN');
    const a1 = ok(await app.gql(ADD_ACTIVITY, { i: { matrixId: matrix.id, name: '物料制作' } }, lead)).addRaciActivity.activity;
    const a2 = ok(await app.gql(ADD_ACTIVITY, { i: { matrixId: matrix.id, name: '用户激励' } }, lead)).addRaciActivity.activity;
    expect(errorCode(await app.gql(SET_ROLE, { i: { activityId: a1.id, userId: member.userId, role: 'RESPONSIBLE' } }, member))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(REMOVE_ACTIVITY, { i: { activityId: a1.id } }, member))).toBe('FORBIDDEN');
    ok(await app.gql(SET_ROLE, { i: { activityId: a1.id, userId: member.userId, role: 'RESPONSIBLE' } }, lead));
    ok(await app.gql(SET_ROLE, { i: { activityId: a2.id, userId: member.userId, role: 'CONSULTED' } }, lead));
    ok(await app.gql(SET_ROLE, { i: { activityId: a2.id, userId: lead.userId, role: 'ACCOUNTABLE' } }, lead));
    // A user of another organisation is NOT_FOUND.
    const stranger = await createOrg(app, 'Stranger');
    expect(errorCode(await app.gql(SET_ROLE, { i: { activityId: a1.id, userId: stranger.userId, role: 'INFORMED' } }, lead))).toBe('NOT_FOUND');

    const MINE = `{ myRaciRoles(first: 10) { totalCount nodes { role activity { name } matrix { id } } } }`;
    expect(ok(await app.gql(MINE, {}, member)).myRaciRoles).toEqual({
      totalCount: 2,
      nodes: [
        { role: 'RESPONSIBLE', activity: { name: '物料制作' }, matrix: { id: matrix.id } },
        { role: 'CONSULTED', activity: { name: '用户激励' }, matrix: { id: matrix.id } },
      ],
    });
    expect(ok(await app.gql(MINE, {}, viewer)).myRaciRoles.totalCount).toBe(0);
    expect(ok(await app.gql(MATRIX, { id: matrix.id }, viewer)).node.activities).toHaveLength(2);
  });

  it('keep the statement count of a list of matrices flat from 2 to 10 matrices', async () => {
    const { org, lead, member } = await setup();
    const LIST = `{ raciMatrices(first: 10) { nodes { id isValid activities { name problems assignments { role user { displayName } } } } } }`;
    const addMatrix = async () => {
      const m = ok(await app.gql(CREATE_MATRIX, { i: { name: 'M' } }, org)).createRaciMatrix.raciMatrix;
      for (const name of ['a', 'b']) {
        const a = ok(await app.gql(ADD_ACTIVITY, { i: { matrixId: m.id, name } }, org)).addRaciActivity.activity;
        ok(await app.gql(SET_ROLE, { i: { activityId: a.id, userId: member.userId, role: 'RESPONSIBLE' } }, org));
        ok(await app.gql(SET_ROLE, { i: { activityId: a.id, userId: lead.userId, role: 'ACCOUNTABLE' } }, org));
      }
    };
    for (let i = 0; i < 2; i++) await addMatrix();
    const small = await app.gql(LIST, {}, member);
    for (let i = 0; i < 8; i++) await addMatrix();
    const large = await app.gql(LIST, {}, member);
    expect(ok(large).raciMatrices.nodes).toHaveLength(10);
    expect(ok(large).raciMatrices.nodes[9].activities[1].assignments).toHaveLength(2);
    expect(large.statements).toBeLessThanOrEqual(small.statements + 2);
  });

  it('hold at most 30 activities', async () => {
    const { org } = await setup();
    const matrix = ok(await app.gql(CREATE_MATRIX, { i: { name: '大矩阵' } }, org)).createRaciMatrix.raciMatrix;
    for (let n = 1; n <= 30; n++) ok(await app.gql(ADD_ACTIVITY, { i: { matrixId: matrix.id, name: `活动 ${n}` } }, org));
    const over = await app.gql(ADD_ACTIVITY, { i: { matrixId: matrix.id, name: '活动 31' } }, org);
    expect(errorCode(over)).toBe('BAD_USER_INPUT');
    expect(over.errors![0].message).toMatch(/at most 30 activities/);
    expect(over.errors![0].extensions).toMatchObject({ field: 'matrixId', max: 30 });
  });

  it('hold at most 15 people per activity', async () => {
    const { org } = await setup();
    const matrix = ok(await app.gql(CREATE_MATRIX, { i: { name: '大团队' } }, org)).createRaciMatrix.raciMatrix;
    const activity = ok(await app.gql(ADD_ACTIVITY, { i: { matrixId: matrix.id, name: '宣发' } }, org)).addRaciActivity.activity;
    const people = await Promise.all(Array.from({ length: 16 }, (_, n) => addMember(app, org, 'MEMBER', `成员 ${n + 1}`)));
    for (const p of people.slice(0, 15)) ok(await app.gql(SET_ROLE, { i: { activityId: activity.id, userId: p.userId, role: 'INFORMED' } }, org));
    const over = await app.gql(SET_ROLE, { i: { activityId: activity.id, userId: people[15].userId, role: 'INFORMED' } }, org);
    expect(over.errors![0]).toMatchObject({ message: 'An activity holds at most 15 people', extensions: { code: 'BAD_USER_INPUT', field: 'activityId', max: 15 } });
    // Changing the role of someone already there is no 16th person.
    ok(await app.gql(SET_ROLE, { i: { activityId: activity.id, userId: people[0].userId, role: 'CONSULTED' } }, org));
  });
});
