import type { TestOrg } from '../../support/factories';
import { ok, type Caller, type TestApp } from '../../support/test-app';

export const CREATE_SOP = `mutation($i: CreateSopInput!) { createSop(input: $i) { sop { id status version draft { id number } currentVersion { id } } } }`;
export const UPDATE_DRAFT = `mutation($i: UpdateSopDraftInput!) { updateSopDraft(input: $i) { sop { id version status draft { number notes changeNote author { id } steps { id position title role qualityStandard durationMinutes } } } } }`;
export const SUBMIT = `mutation($i: SubmitSopForReviewInput!) { submitSopForReview(input: $i) { sop { id status version } } }`;
export const APPROVE = `mutation($i: ApproveSopVersionInput!) { approveSopVersion(input: $i) { sop { id status version reviewDueOn draft { id } currentVersion { number publishedAt approvedBy { id } author { id } } } version { number reviewNote } } }`;
export const REJECT = `mutation($i: RejectSopVersionInput!) { rejectSopVersion(input: $i) { sop { id status draft { number reviewNote } } } }`;
export const REVISE = `mutation($i: StartSopRevisionInput!) { startSopRevision(input: $i) { sop { id status version draft { number steps { title } } currentVersion { number } } } }`;
export const ARCHIVE = `mutation($i: ArchiveSopInput!) { archiveSop(input: $i) { sop { id status archivedAt } } }`;
export const ACK = `mutation($i: AcknowledgeSopInput!) { acknowledgeSop(input: $i) { acknowledgement { version acknowledgedAt user { id } } } }`;
export const SOP = `query($id: ID!) { node(id: $id) { ... on Sop { id title status version reviewDueOn isReviewOverdue
  owner { id } raciMatrix { id }
  currentVersion { number steps { title } }
  draft { number }
  versions(first: 10) { totalCount nodes { number publishedAt changeNote steps { id title } } }
  acknowledgements(first: 50) { totalCount nodes { version user { id } } }
  pendingAcknowledgements { id } } } }`;

export const CREATE_MATRIX = `mutation($i: CreateRaciMatrixInput!) { createRaciMatrix(input: $i) { raciMatrix { id name version subject { id } } } }`;
export const ADD_ACTIVITY = `mutation($i: AddRaciActivityInput!) { addRaciActivity(input: $i) { activity { id name problems } raciMatrix { id version isValid } } }`;
export const REMOVE_ACTIVITY = `mutation($i: RemoveRaciActivityInput!) { removeRaciActivity(input: $i) { removedActivityId raciMatrix { id isValid activities { id } } } }`;
export const SET_ROLE = `mutation($i: SetRaciAssignmentInput!) { setRaciAssignment(input: $i) { activity { id problems assignments { role user { id } } } raciMatrix { id isValid } } }`;

export const STEPS = [
  { title: '受理投诉', instructions: '24小时内回复用户，记录工单', role: '客服专员', qualityStandard: '首次响应 ≤ 24h', durationMinutes: 30 },
  { title: '调查核实', instructions: '核实订单与物流信息', role: '客服主管' },
];

export async function createSop(app: TestApp, as: Caller, input: Record<string, unknown> = {}) {
  return ok(
    await app.gql(CREATE_SOP, { i: { title: '用户投诉处理', purpose: '及时处理用户投诉', scope: '所有线上渠道', reviewEveryDays: 90, ...input } }, as),
  ).createSop.sop;
}

/** An SOP owned by `owner`, written by `owner` and submitted: ready for approval. */
export async function sopInReview(app: TestApp, owner: Caller & { userId: string }, input: Record<string, unknown> = {}, org?: TestOrg) {
  const sop = await createSop(app, org ?? owner, { ownerId: owner.userId, ...input });
  const edited = ok(await app.gql(UPDATE_DRAFT, { i: { sopId: sop.id, expectedVersion: sop.version, steps: STEPS, notes: '注意保护用户隐私' } }, owner)).updateSopDraft.sop;
  ok(await app.gql(SUBMIT, { i: { sopId: sop.id } }, owner));
  return { ...sop, version: edited.version };
}
