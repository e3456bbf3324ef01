import { addMember, type TestOrg } from '../../support/factories';
import { ok } from '../../support/test-app';
import type { Gql, SubscriptionCase } from './cases';

/** Kept here (not imported from cases.ts) so that the two files do not import each other at load time. */
const ROLLBACK_MARKER = 'ROLLBACK-AT-COMMIT';

const CREATE_SOP = `mutation($i: CreateSopInput!) { createSop(input: $i) { sop { id version } } }`;
const UPDATE_DRAFT = `mutation($i: UpdateSopDraftInput!) { updateSopDraft(input: $i) { sop { id } } }`;
const SUBMIT = `mutation($i: SubmitSopForReviewInput!) { submitSopForReview(input: $i) { sop { id } } }`;
const APPROVE = `mutation($i: ApproveSopVersionInput!) { approveSopVersion(input: $i) { sop { id title } } }`;
const CREATE_MATRIX = `mutation($i: CreateRaciMatrixInput!) { createRaciMatrix(input: $i) { raciMatrix { id } } }`;
const ADD_ACTIVITY = `mutation($i: AddRaciActivityInput!) { addRaciActivity(input: $i) { raciMatrix { id version activities { name } } } }`;

/** Adds an activity to a matrix; its id. */
async function addActivity(gql: Gql, owner: Parameters<SubscriptionCase['setup']>[1], matrixId: string, name: string): Promise<string> {
  return ok(await gql.gql(`mutation($i: AddRaciActivityInput!) { addRaciActivity(input: $i) { activity { id } } }`, { i: { matrixId, name } }, owner)).addRaciActivity.activity.id;
}

/** An SOP written and submitted by the OWNER (so that another member may approve it). */
async function sopInReview(gql: Gql, owner: TestOrg, title: string): Promise<string> {
  const sop = ok(await gql.gql(CREATE_SOP, { i: { title, purpose: '目的', scope: '范围', reviewEveryDays: 30 } }, owner)).createSop.sop;
  ok(await gql.gql(UPDATE_DRAFT, { i: { sopId: sop.id, expectedVersion: sop.version, steps: [{ title: '操作步骤', instructions: '说明' }] } }, owner));
  ok(await gql.gql(SUBMIT, { i: { sopId: sop.id } }, owner));
  return sop.id;
}

export const sopCases: Record<string, SubscriptionCase> = {
  sopPublished: {
    document: `subscription { sopPublished { id title status currentVersion { number } } }`,
    async setup(gql, owner) {
      // The approver must not be the author: a SQUAD_LEAD of the organisation approves.
      const approver = await addMember(gql as Parameters<typeof addMember>[0], owner, 'SQUAD_LEAD');
      return { approver: { token: approver.token, organizationId: owner.organizationId } };
    },
    async trigger(gql, owner, w, n) {
      const id = await sopInReview(gql, owner, `发布的 SOP ${n}`);
      ok(await gql.gql(APPROVE, { i: { sopId: id } }, w.approver));
      return { sopPublished: { id, title: `发布的 SOP ${n}`, status: 'PUBLISHED', currentVersion: { number: 1 } } };
    },
    async rolledBack(gql, owner, w) {
      const id = await sopInReview(gql, owner, '回滚的 SOP');
      return gql.gql(APPROVE, { i: { sopId: id, note: ROLLBACK_MARKER } }, w.approver);
    },
    announces: {
      SOP_PUBLISHED: {
        prepare: async (gql, owner, w) => void (w.inReview = await sopInReview(gql, owner, '待发布的 SOP')),
        announce: async (gql, _owner, w) => ok(await gql.gql(APPROVE, { i: { sopId: w.inReview } }, w.approver)),
      },
    },
  },

  raciMatrixChanged: {
    document: `subscription($f: RaciMatrixChangedFilter) { raciMatrixChanged(filter: $f) { id version activities { name } } }`,
    variables: (w) => ({ f: { matrixId: w.matrixId } }),
    async setup(gql, owner) {
      const matrixId = ok(await gql.gql(CREATE_MATRIX, { i: { name: '超级品牌日 RACI' } }, owner)).createRaciMatrix.raciMatrix.id;
      return { matrixId, names: [] as string[] };
    },
    async trigger(gql, owner, w, n) {
      const m = ok(await gql.gql(ADD_ACTIVITY, { i: { matrixId: w.matrixId, name: `活动 ${n}` } }, owner)).addRaciActivity.raciMatrix;
      return { raciMatrixChanged: m };
    },
    rolledBack: (gql, owner, w) => gql.gql(ADD_ACTIVITY, { i: { matrixId: w.matrixId, name: ROLLBACK_MARKER } }, owner),
    announces: {
      RACI_MATRIX_CREATED: async (gql, owner) => ok(await gql.gql(CREATE_MATRIX, { i: { name: '另一个 RACI' } }, owner)),
      RACI_ACTIVITY_ADDED: async (gql, owner, w) => ok(await gql.gql(ADD_ACTIVITY, { i: { matrixId: w.matrixId, name: '新增活动' } }, owner)),
      RACI_ACTIVITY_REMOVED: {
        prepare: async (gql, owner, w) => void (w.activityId = await addActivity(gql, owner, w.matrixId, '待删除的活动')),
        announce: async (gql, owner, w) => ok(await gql.gql(`mutation($i: RemoveRaciActivityInput!) { removeRaciActivity(input: $i) { removedActivityId } }`, { i: { activityId: w.activityId } }, owner)),
      },
      RACI_ASSIGNMENT_SET: {
        prepare: async (gql, owner, w) => void (w.activityId = await addActivity(gql, owner, w.matrixId, '待分配的活动')),
        announce: async (gql, owner, w) =>
          ok(await gql.gql(`mutation($i: SetRaciAssignmentInput!) { setRaciAssignment(input: $i) { activity { id } } }`, { i: { activityId: w.activityId, userId: owner.userId, role: 'ACCOUNTABLE' } }, owner)),
      },
    },
  },
};
