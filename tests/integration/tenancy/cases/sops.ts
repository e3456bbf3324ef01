import { addMember } from '../../../support/factories';
import { ok, type TestApp } from '../../../support/test-app';
import type { TestOrg } from '../../../support/factories';
import { registerTenancy } from '../registry';

const STEPS = [{ title: 'A 步骤', instructions: 'A 操作说明' }];

/** An SOP of A written by A's OWNER and submitted: A's lead may approve it. */
async function sopInReview(app: TestApp, org: TestOrg, title: string): Promise<string> {
  const sop = ok(
    await app.gql(`mutation($i: CreateSopInput!) { createSop(input: $i) { sop { id version } } }`, { i: { title, purpose: 'A 目的', scope: 'A 范围', reviewEveryDays: 30 } }, org),
  ).createSop.sop;
  ok(await app.gql(`mutation($i: UpdateSopDraftInput!) { updateSopDraft(input: $i) { sop { id } } }`, { i: { sopId: sop.id, expectedVersion: sop.version, steps: STEPS } }, org));
  ok(await app.gql(`mutation($i: SubmitSopForReviewInput!) { submitSopForReview(input: $i) { sop { id } } }`, { i: { sopId: sop.id } }, org));
  return sop.id;
}

const APPROVE = `mutation($i: ApproveSopVersionInput!) { approveSopVersion(input: $i) { sop { id currentVersion { id steps { id } } } } }`;

/** RACI and SOPs: A's matrix about A's squad with an assigned activity, an SOP in review and a published one (acknowledged by A's owner), a task linked to its step. */
registerTenancy(
  async (app, org, ids) => {
    const approver = await addMember(app, org, 'SQUAD_LEAD', 'A 审批人');
    const raciMatrix = ok(
      await app.gql(`mutation($i: CreateRaciMatrixInput!) { createRaciMatrix(input: $i) { raciMatrix { id } } }`, { i: { name: 'A 矩阵', subjectId: ids.squad } }, org),
    ).createRaciMatrix.raciMatrix.id;
    const raciActivity = ok(
      await app.gql(`mutation($i: AddRaciActivityInput!) { addRaciActivity(input: $i) { activity { id } } }`, { i: { matrixId: raciMatrix, name: 'A 活动' } }, org),
    ).addRaciActivity.activity.id;
    ok(await app.gql(`mutation($i: SetRaciAssignmentInput!) { setRaciAssignment(input: $i) { activity { id } } }`, { i: { activityId: raciActivity, userId: org.userId, role: 'ACCOUNTABLE' } }, org));
    const sopInReviewId = await sopInReview(app, org, 'A 审核中');
    const sopPublished = await sopInReview(app, org, 'A 已发布');
    const published = ok(await app.gql(APPROVE, { i: { sopId: sopPublished } }, approver)).approveSopVersion.sop;
    const sopStep = published.currentVersion.steps[0].id;
    ok(await app.gql(`mutation($i: AcknowledgeSopInput!) { acknowledgeSop(input: $i) { sop { id } } }`, { i: { sopId: sopPublished } }, org));
    ok(await app.gql(`mutation($i: LinkTaskToSopStepInput!) { linkTaskToSopStep(input: $i) { task { id } } }`, { i: { taskId: ids.task, sopStepId: sopStep } }, org));
    return { raciMatrix, raciActivity, sopInReview: sopInReviewId, sopPublished, sopVersion: published.currentVersion.id, sopStep, sopApproverToken: approver.token };
  },
  {
    'Query.raciMatrices': {
      operation: (a) => ({ query: `query($f: RaciMatricesFilter) { raciMatrices(filter: $f, first: 100) { nodes { id name } } }`, variables: { f: { subjectId: a.ids.squad } } }),
      expect: 'ANY',
    },
    'Query.myRaciRoles': { operation: () => ({ query: `{ myRaciRoles(first: 100) { nodes { role activity { id name } } } }` }), expect: 'ANY' },
    'Query.sops': { operation: () => ({ query: `{ sops(first: 100) { nodes { id title } } }` }), expect: 'ANY' },
    'Mutation.createRaciMatrix': {
      operation: (a) => ({ query: `mutation($i: CreateRaciMatrixInput!) { createRaciMatrix(input: $i) { raciMatrix { id } } }`, variables: { i: { name: 'B', subjectId: a.ids.squad } } }),
      expect: 'NOT_FOUND',
    },
    'Mutation.addRaciActivity': {
      operation: (a) => ({ query: `mutation($i: AddRaciActivityInput!) { addRaciActivity(input: $i) { activity { id } } }`, variables: { i: { matrixId: a.ids.raciMatrix, name: 'B' } } }),
      expect: 'NOT_FOUND',
    },
    'Mutation.removeRaciActivity': {
      operation: (a) => ({ query: `mutation($i: RemoveRaciActivityInput!) { removeRaciActivity(input: $i) { removedActivityId } }`, variables: { i: { activityId: a.ids.raciActivity } } }),
      expect: 'NOT_FOUND',
    },
    'Mutation.setRaciAssignment': {
      operation: (a) => ({
        query: `mutation($i: SetRaciAssignmentInput!) { setRaciAssignment(input: $i) { activity { id } } }`,
        variables: { i: { activityId: a.ids.raciActivity, userId: a.ids.squadLead, role: 'RESPONSIBLE' } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.createSop': {
      operation: (a) => ({
        query: `mutation($i: CreateSopInput!) { createSop(input: $i) { sop { id } } }`,
        variables: { i: { title: 'B', purpose: 'p', scope: 's', reviewEveryDays: 30, raciMatrixId: a.ids.raciMatrix } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.updateSopDraft': {
      operation: (a) => ({
        query: `mutation($i: UpdateSopDraftInput!) { updateSopDraft(input: $i) { sop { id } } }`,
        variables: { i: { sopId: a.ids.sopInReview, expectedVersion: 1, notes: 'B' } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.submitSopForReview': {
      operation: (a) => ({ query: `mutation($i: SubmitSopForReviewInput!) { submitSopForReview(input: $i) { sop { id } } }`, variables: { i: { sopId: a.ids.sopInReview } } }),
      expect: 'NOT_FOUND',
    },
    'Mutation.approveSopVersion': {
      operation: (a) => ({ query: `mutation($i: ApproveSopVersionInput!) { approveSopVersion(input: $i) { sop { id } } }`, variables: { i: { sopId: a.ids.sopInReview } } }),
      expect: 'NOT_FOUND',
    },
    'Mutation.rejectSopVersion': {
      operation: (a) => ({ query: `mutation($i: RejectSopVersionInput!) { rejectSopVersion(input: $i) { sop { id } } }`, variables: { i: { sopId: a.ids.sopInReview, note: 'B' } } }),
      expect: 'NOT_FOUND',
    },
    'Mutation.startSopRevision': {
      operation: (a) => ({ query: `mutation($i: StartSopRevisionInput!) { startSopRevision(input: $i) { sop { id } } }`, variables: { i: { sopId: a.ids.sopPublished } } }),
      expect: 'NOT_FOUND',
    },
    'Mutation.archiveSop': {
      operation: (a) => ({ query: `mutation($i: ArchiveSopInput!) { archiveSop(input: $i) { sop { id } } }`, variables: { i: { sopId: a.ids.sopPublished } } }),
      expect: 'NOT_FOUND',
    },
    'Mutation.acknowledgeSop': {
      operation: (a) => ({ query: `mutation($i: AcknowledgeSopInput!) { acknowledgeSop(input: $i) { sop { id } } }`, variables: { i: { sopId: a.ids.sopPublished } } }),
      expect: 'NOT_FOUND',
    },
    'Mutation.linkTaskToSopStep': {
      operation: (a) => ({
        query: `mutation($i: LinkTaskToSopStepInput!) { linkTaskToSopStep(input: $i) { task { id } } }`,
        variables: { i: { taskId: a.ids.task, sopStepId: null } },
      }),
      expect: 'NOT_FOUND',
    },
    'Subscription.sopPublished': {
      operation: () => ({ query: `subscription { sopPublished { id title } }` }),
      expect: 'ANY',
      trigger: async (app, a) => {
        const id = await sopInReview(app, a.org, 'A 新发布');
        ok(await app.gql(APPROVE, { i: { sopId: id } }, { token: a.ids.sopApproverToken, organizationId: a.org.organizationId }));
      },
    },
    'Subscription.raciMatrixChanged': {
      operation: (a) => ({ query: `subscription($f: RaciMatrixChangedFilter) { raciMatrixChanged(filter: $f) { id name } }`, variables: { f: { matrixId: a.ids.raciMatrix } } }),
      expect: 'ANY',
      trigger: async (app, a) => {
        ok(await app.gql(`mutation($i: AddRaciActivityInput!) { addRaciActivity(input: $i) { activity { id } } }`, { i: { matrixId: a.ids.raciMatrix, name: 'A 新活动' } }, a.org));
      },
    },
  },
  {
    'RaciMatrix.activities': { parent: 'raciMatrix', children: { table: 'raci_activities', set: { matrix_id: 'raciMatrix' } } },
    // Computed from the activities and their assignments: A's activity without R would show as a problem of B's matrix.
    'RaciMatrix.problems': { parent: 'raciMatrix', children: { table: 'raci_activities', set: { matrix_id: 'raciMatrix' } } },
    'RaciActivity.assignments': { parent: 'raciActivity', children: { table: 'raci_assignments', set: { activity_id: 'raciActivity', matrix_id: 'raciMatrix' } } },
    'Sop.versions': { parent: 'sopPublished', children: { table: 'sop_versions', set: { sop_id: 'sopPublished' }, shift: 'number' } },
    'SopVersion.steps': { parent: 'sopVersion', children: { table: 'sop_steps', set: { version_id: 'sopVersion', sop_id: 'sopPublished' }, shift: 'position' } },
    'Sop.acknowledgements': {
      parent: 'sopPublished',
      args: '(version: 1, first: 100)',
      children: { table: 'sop_acknowledgements', set: { sop_id: 'sopPublished', version_id: 'sopVersion' } },
    },
    'SopVersion.editors': {
      exempt: "the users the version's own row names (editor_ids, like its author), shown even once they left by design; the version is read in B's organisation",
    },
    'Sop.pendingAcknowledgements': {
      exempt: "users of B's own RACI assignments or squads, kept only when they are B's members (by a loader that filters by organisation); the assignments it reads have their case, RaciActivity.assignments",
    },
  },
);
