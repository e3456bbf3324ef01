import { randomUUID } from 'crypto';
import { decodeGlobalId, toGlobalId } from '../../../src/common/ids';
import { addMember, createOrg } from '../../support/factories';
import { createSquad, createTask } from '../../support/planning';
import { errorCode, ok, startTestApp, type Caller, type TestApp } from '../../support/test-app';
import {
  ACK,
  APPROVE,
  ARCHIVE,
  CREATE_MATRIX,
  ADD_ACTIVITY,
  REJECT,
  REVISE,
  SET_ROLE,
  SOP,
  STEPS,
  SUBMIT,
  UPDATE_DRAFT,
  createSop,
  sopInReview,
} from './sops-support';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const MY_WORK = `{ myWork(first: 50) { totalCount nodes { kind reason dueOn subject { id } } } }`;

async function setup() {
  const org = await createOrg(app);
  const lead = await addMember(app, org, 'SQUAD_LEAD', '张伟');
  const member = await addMember(app, org, 'MEMBER', 'Emily');
  const other = await addMember(app, org, 'MEMBER', '李雷');
  const viewer = await addMember(app, org, 'VIEWER', 'Viewer');
  return { org, lead, member, other, viewer };
}

describe('SOP life cycle', () => {
  it('creates a DRAFT with version 1, edits it with expectedVersion, submits, approves and publishes it', async () => {
    const { org, lead, member } = await setup();
    const sop = await createSop(app, member);
    expect(sop).toMatchObject({ status: 'DRAFT', version: 1, draft: { number: 1 }, currentVersion: null });

    const edited = ok(
      await app.gql(UPDATE_DRAFT, { i: { sopId: sop.id, expectedVersion: 1, steps: STEPS, notes: '注意事项', changeNote: '初版' } }, member),
    ).updateSopDraft.sop;
    expect(edited.version).toBe(2);
    expect(edited.draft).toMatchObject({ number: 1, notes: '注意事项', changeNote: '初版', author: { id: member.userId } });
    expect(edited.draft.steps.map((s: { position: number; title: string }) => [s.position, s.title])).toEqual([
      [1, '受理投诉'],
      [2, '调查核实'],
    ]);
    expect(edited.draft.steps[0]).toMatchObject({ role: '客服专员', qualityStandard: '首次响应 ≤ 24h', durationMinutes: 30 });

    const stale = await app.gql(UPDATE_DRAFT, { i: { sopId: sop.id, expectedVersion: 1, notes: 'x' } }, member);
    expect(stale.errors![0].extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 2 });

    expect(ok(await app.gql(SUBMIT, { i: { sopId: sop.id } }, member)).submitSopForReview.sop.status).toBe('IN_REVIEW');
    // In review the draft is frozen.
    expect(errorCode(await app.gql(UPDATE_DRAFT, { i: { sopId: sop.id, expectedVersion: 3, notes: 'y' } }, member))).toBe('INVALID_TRANSITION');

    const approved = ok(await app.gql(APPROVE, { i: { sopId: sop.id, note: '同意发布' } }, lead)).approveSopVersion;
    const today = new Date().toISOString().slice(0, 10);
    const due = new Date(Date.now() + 90 * 86400000).toISOString().slice(0, 10);
    expect(approved.sop).toMatchObject({ status: 'PUBLISHED', draft: null, reviewDueOn: due, currentVersion: { number: 1, approvedBy: { id: lead.userId }, author: { id: member.userId } } });
    expect(approved.sop.currentVersion.publishedAt.slice(0, 10)).toBe(today);
    expect(approved.version).toMatchObject({ number: 1, reviewNote: '同意发布' });

    const read = ok(await app.gql(SOP, { id: sop.id }, org)).node;
    expect(read).toMatchObject({ isReviewOverdue: false, owner: { id: member.userId }, currentVersion: { number: 1, steps: [{ title: '受理投诉' }, { title: '调查核实' }] } });
  });

  it('refuses to submit a draft without steps, and wrong transitions', async () => {
    const { lead, member } = await setup();
    const sop = await createSop(app, member);
    expect(errorCode(await app.gql(SUBMIT, { i: { sopId: sop.id } }, member))).toBe('SOP_DRAFT_EMPTY');
    expect(errorCode(await app.gql(APPROVE, { i: { sopId: sop.id } }, lead))).toBe('INVALID_TRANSITION');
    expect(errorCode(await app.gql(REJECT, { i: { sopId: sop.id } }, lead))).toBe('INVALID_TRANSITION');
    expect(errorCode(await app.gql(REVISE, { i: { sopId: sop.id } }, member))).toBe('INVALID_TRANSITION');
    expect(errorCode(await app.gql(ACK, { i: { sopId: sop.id } }, lead))).toBe('INVALID_TRANSITION');
  });

  it('does not let the author approve their own version, even as OWNER', async () => {
    const { org, lead } = await setup();
    const sop = await sopInReview(app, { ...org }, {}, org);
    const own = await app.gql(APPROVE, { i: { sopId: sop.id } }, org);
    expect(errorCode(own)).toBe('AUTHOR_CANNOT_APPROVE');
    // A lead who wrote the draft cannot approve it either; another approver can.
    const leadSop = await sopInReview(app, lead, {}, org);
    expect(errorCode(await app.gql(APPROVE, { i: { sopId: leadSop.id } }, lead))).toBe('AUTHOR_CANNOT_APPROVE');
    expect(ok(await app.gql(APPROVE, { i: { sopId: leadSop.id } }, org)).approveSopVersion.sop.status).toBe('PUBLISHED');
  });

  it('bars everyone who changed the draft from approving it; a save that changes nothing changes nothing', async () => {
    const { org, lead } = await setup();
    const admin = await addMember(app, org, 'ADMIN', '王芳');
    const created = await createSop(app, lead);
    const written = ok(await app.gql(UPDATE_DRAFT, { i: { sopId: created.id, expectedVersion: created.version, steps: STEPS, notes: '注意保护用户隐私' } }, lead))
      .updateSopDraft.sop;
    const audited = async () =>
      (await app.ds.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'sop.draft_updated' AND entity_id = $1`, [decodeGlobalId(created.id)!.id]))[0].n;
    expect(await audited()).toBe(1);

    // An ADMIN saves the draft as it is: the same steps (spaces around a title are trimmed anyway), the same notes, or nothing at all.
    const same = STEPS.map((s, i) => (i === 0 ? { ...s, title: ` ${s.title} ` } : s));
    for (const i of [{ steps: same, notes: '注意保护用户隐私' }, { notes: ' 注意保护用户隐私 ', changeNote: null }, {}]) {
      const saved = ok(await app.gql(UPDATE_DRAFT, { i: { sopId: created.id, expectedVersion: written.version, ...i } }, admin)).updateSopDraft.sop;
      expect(saved).toMatchObject({ version: written.version, draft: { author: { id: lead.userId }, steps: written.draft.steps } });
    }
    expect(await audited()).toBe(1);
    // A stale version is still refused, change or not.
    expect(errorCode(await app.gql(UPDATE_DRAFT, { i: { sopId: created.id, expectedVersion: written.version - 1 } }, admin))).toBe('CONFLICT');

    ok(await app.gql(SUBMIT, { i: { sopId: created.id } }, lead));
    const own = await app.gql(APPROVE, { i: { sopId: created.id } }, lead);
    expect(errorCode(own)).toBe('AUTHOR_CANNOT_APPROVE');
    expect(own.errors![0].message).toMatch(/You changed this version/);

    // The ADMIN now changes a step: the last author, and barred too; the lead stays barred.
    ok(await app.gql(REJECT, { i: { sopId: created.id, note: '补充' } }, org));
    const version = ok(await app.gql(SOP, { id: created.id }, lead)).node.version;
    const changed = [{ ...STEPS[0], qualityStandard: '首次响应 ≤ 12h' }, STEPS[1]];
    const edited = ok(await app.gql(UPDATE_DRAFT, { i: { sopId: created.id, expectedVersion: version, steps: changed } }, admin)).updateSopDraft.sop;
    expect(edited).toMatchObject({ version: version + 1, draft: { author: { id: admin.userId } } });
    ok(await app.gql(SUBMIT, { i: { sopId: created.id } }, lead));
    const EDITORS = `query($id: ID!) { node(id: $id) { ... on Sop { draft { editors { id } } } } }`;
    expect(ok(await app.gql(EDITORS, { id: created.id }, lead)).node.draft.editors).toEqual([{ id: lead.userId }, { id: admin.userId }]);
    expect(errorCode(await app.gql(APPROVE, { i: { sopId: created.id } }, lead))).toBe('AUTHOR_CANNOT_APPROVE');
    expect(errorCode(await app.gql(APPROVE, { i: { sopId: created.id } }, admin))).toBe('AUTHOR_CANNOT_APPROVE');
    // Only those who may approve it are asked to.
    const asked = async (who: Caller) =>
      ok(await app.gql(MY_WORK, {}, who)).myWork.nodes.filter((n: any) => n.kind === 'SOP_APPROVAL_PENDING').map((n: any) => n.subject.id);
    expect(await asked(lead)).toEqual([]);
    expect(await asked(admin)).toEqual([]);
    expect(await asked(org)).toEqual([created.id]);
    const published = ok(await app.gql(APPROVE, { i: { sopId: created.id } }, org)).approveSopVersion.sop;
    expect(published).toMatchObject({ status: 'PUBLISHED', currentVersion: { approvedBy: { id: org.userId }, author: { id: admin.userId } } });

    // A revision is a new version: nobody has changed it yet; the admin who edits it is barred, the lead is not.
    const revised = ok(await app.gql(REVISE, { i: { sopId: created.id } }, lead)).startSopRevision.sop;
    expect(ok(await app.gql(EDITORS, { id: created.id }, lead)).node.draft.editors).toEqual([]);
    ok(await app.gql(UPDATE_DRAFT, { i: { sopId: created.id, expectedVersion: revised.version, changeNote: '第二版' } }, admin));
    ok(await app.gql(SUBMIT, { i: { sopId: created.id } }, lead));
    expect(errorCode(await app.gql(APPROVE, { i: { sopId: created.id } }, admin))).toBe('AUTHOR_CANNOT_APPROVE');
    expect(ok(await app.gql(APPROVE, { i: { sopId: created.id } }, lead)).approveSopVersion.sop.currentVersion).toMatchObject({ author: { id: admin.userId } });
  });

  it('rejects back to DRAFT with a note; a revision copies the published version and keeps it current until approved', async () => {
    const { org, lead, member } = await setup();
    const sop = await sopInReview(app, member, {}, org);
    const rejected = ok(await app.gql(REJECT, { i: { sopId: sop.id, note: '补充质量标准' } }, lead)).rejectSopVersion.sop;
    expect(rejected).toMatchObject({ status: 'DRAFT', draft: { number: 1, reviewNote: '补充质量标准' } });
    ok(await app.gql(SUBMIT, { i: { sopId: sop.id } }, member));
    ok(await app.gql(APPROVE, { i: { sopId: sop.id } }, lead));

    const revised = ok(await app.gql(REVISE, { i: { sopId: sop.id } }, member)).startSopRevision.sop;
    expect(revised).toMatchObject({ status: 'DRAFT', draft: { number: 2, steps: [{ title: '受理投诉' }, { title: '调查核实' }] }, currentVersion: { number: 1 } });
    expect(errorCode(await app.gql(REVISE, { i: { sopId: sop.id } }, member))).toBe('INVALID_TRANSITION');

    const v2Steps = [{ title: '受理投诉', instructions: '12小时内回复' }];
    ok(await app.gql(UPDATE_DRAFT, { i: { sopId: sop.id, expectedVersion: revised.version, steps: v2Steps, changeNote: '缩短响应时间' } }, member));
    ok(await app.gql(SUBMIT, { i: { sopId: sop.id } }, member));
    ok(await app.gql(APPROVE, { i: { sopId: sop.id } }, lead));

    // Every version stays readable; version 1 did not change.
    const read = ok(await app.gql(SOP, { id: sop.id }, member)).node;
    expect(read.versions.totalCount).toBe(2);
    expect(read.versions.nodes.map((v: { number: number; steps: unknown[] }) => [v.number, v.steps.length])).toEqual([
      [2, 1],
      [1, 2],
    ]);
    expect(read.versions.nodes[0].changeNote).toBe('缩短响应时间');
    expect(read.currentVersion.number).toBe(2);
  });

  it('applies permissions: owner edits and submits, SQUAD_LEAD/ADMIN approve, OWNER/ADMIN archive, VIEWER only reads', async () => {
    const { org, lead, member, other, viewer } = await setup();
    const sop = await createSop(app, member);
    expect(errorCode(await app.gql(UPDATE_DRAFT, { i: { sopId: sop.id, expectedVersion: 1, steps: STEPS } }, other))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(UPDATE_DRAFT, { i: { sopId: sop.id, expectedVersion: 1, steps: STEPS } }, lead))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(UPDATE_DRAFT, { i: { sopId: sop.id, expectedVersion: 1, steps: STEPS } }, viewer))).toBe('FORBIDDEN');
    // OWNER/ADMIN may edit any draft.
    ok(await app.gql(UPDATE_DRAFT, { i: { sopId: sop.id, expectedVersion: 1, steps: STEPS } }, org));
    expect(errorCode(await app.gql(SUBMIT, { i: { sopId: sop.id } }, other))).toBe('FORBIDDEN');
    ok(await app.gql(SUBMIT, { i: { sopId: sop.id } }, member));
    // A MEMBER cannot approve or reject; the OWNER edited last and is the author now, so the lead approves.
    expect(errorCode(await app.gql(APPROVE, { i: { sopId: sop.id } }, other))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(REJECT, { i: { sopId: sop.id } }, other))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(APPROVE, { i: { sopId: sop.id } }, org))).toBe('AUTHOR_CANNOT_APPROVE');
    ok(await app.gql(APPROVE, { i: { sopId: sop.id } }, lead));
    expect(errorCode(await app.gql(REVISE, { i: { sopId: sop.id } }, other))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(ACK, { i: { sopId: sop.id } }, viewer))).toBe('FORBIDDEN');
    expect(ok(await app.gql(SOP, { id: sop.id }, viewer)).node.status).toBe('PUBLISHED');
    // A member creates SOPs they own, not ones owned by others.
    expect(errorCode(await app.gql(`mutation($i: CreateSopInput!) { createSop(input: $i) { sop { id } } }`, {
      i: { title: 'x', purpose: 'p', scope: 's', reviewEveryDays: 30, ownerId: other.userId },
    }, member))).toBe('FORBIDDEN');

    expect(errorCode(await app.gql(ARCHIVE, { i: { sopId: sop.id } }, member))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(ARCHIVE, { i: { sopId: sop.id } }, lead))).toBe('FORBIDDEN');
    const archived = ok(await app.gql(ARCHIVE, { i: { sopId: sop.id } }, org)).archiveSop.sop;
    expect(archived.status).toBe('ARCHIVED');
    expect(archived.archivedAt).toBeTruthy();
    expect(errorCode(await app.gql(ACK, { i: { sopId: sop.id } }, member))).toBe('ARCHIVED');
    expect(errorCode(await app.gql(ARCHIVE, { i: { sopId: sop.id } }, org))).toBe('ARCHIVED');
    // An SOP the organisation does not have: NOT_FOUND naming the input field.
    const missing = await app.gql(ARCHIVE, { i: { sopId: toGlobalId('Sop', randomUUID()) } }, org);
    expect(missing.errors![0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'sopId' });
    const lists = ok(await app.gql(`{ a: sops(first: 10) { totalCount } b: sops(filter: { archived: true }, first: 10) { nodes { id } } }`, {}, viewer));
    expect(lists.a.totalCount).toBe(0);
    expect(lists.b.nodes).toEqual([{ id: sop.id }]);
  });

  it('asks the RACI matrix people to acknowledge, records the version read, and resets on the next publication', async () => {
    const { org, lead, member, other, viewer } = await setup();
    const matrix = ok(await app.gql(CREATE_MATRIX, { i: { name: '投诉处理 RACI' } }, lead)).createRaciMatrix.raciMatrix;
    const activity = ok(await app.gql(ADD_ACTIVITY, { i: { matrixId: matrix.id, name: '受理投诉' } }, lead)).addRaciActivity.activity;
    ok(await app.gql(SET_ROLE, { i: { activityId: activity.id, userId: member.userId, role: 'RESPONSIBLE' } }, lead));
    ok(await app.gql(SET_ROLE, { i: { activityId: activity.id, userId: other.userId, role: 'ACCOUNTABLE' } }, lead));
    ok(await app.gql(SET_ROLE, { i: { activityId: activity.id, userId: viewer.userId, role: 'INFORMED' } }, lead));

    const sop = await sopInReview(app, member, { raciMatrixId: matrix.id }, org);
    ok(await app.gql(APPROVE, { i: { sopId: sop.id } }, lead));
    let read = ok(await app.gql(SOP, { id: sop.id }, lead)).node;
    expect(read.raciMatrix).toEqual({ id: matrix.id });
    // The viewer holds a role but changes nothing: not asked.
    expect(read.pendingAcknowledgements.map((u: { id: string }) => u.id).sort()).toEqual([member.userId, other.userId].sort());

    const work = ok(await app.gql(MY_WORK, {}, other)).myWork;
    expect(work.nodes).toEqual([expect.objectContaining({ kind: 'SOP_ACKNOWLEDGEMENT_DUE', subject: { id: sop.id } })]);
    expect(work.totalCount).toBe(1);
    expect(ok(await app.gql(MY_WORK, {}, lead)).myWork.totalCount).toBe(0);

    const ack = ok(await app.gql(ACK, { i: { sopId: sop.id } }, other)).acknowledgeSop.acknowledgement;
    expect(ack).toMatchObject({ version: 1, user: { id: other.userId } });
    // Acknowledging again changes nothing.
    expect(ok(await app.gql(ACK, { i: { sopId: sop.id } }, other)).acknowledgeSop.acknowledgement.acknowledgedAt).toBe(ack.acknowledgedAt);
    expect(ok(await app.gql(MY_WORK, {}, other)).myWork.totalCount).toBe(0);
    read = ok(await app.gql(SOP, { id: sop.id }, lead)).node;
    expect(read.pendingAcknowledgements).toEqual([{ id: member.userId }]);
    expect(read.acknowledgements).toEqual({ totalCount: 1, nodes: [{ version: 1, user: { id: other.userId } }] });

    // Version 2 is published: everyone must acknowledge again.
    const revised = ok(await app.gql(REVISE, { i: { sopId: sop.id } }, member)).startSopRevision.sop;
    ok(await app.gql(UPDATE_DRAFT, { i: { sopId: sop.id, expectedVersion: revised.version, changeNote: '第二版' } }, member));
    ok(await app.gql(SUBMIT, { i: { sopId: sop.id } }, member));
    // While v2 is in review, v1 is still the one to acknowledge, and the lead sees an approval waiting.
    expect(ok(await app.gql(MY_WORK, {}, other)).myWork.totalCount).toBe(0);
    expect(ok(await app.gql(MY_WORK, {}, lead)).myWork.nodes).toEqual([expect.objectContaining({ kind: 'SOP_APPROVAL_PENDING', subject: { id: sop.id } })]);
    expect(ok(await app.gql(MY_WORK, {}, member)).myWork.nodes.map((n: { kind: string }) => n.kind)).toEqual(['SOP_ACKNOWLEDGEMENT_DUE']);
    ok(await app.gql(APPROVE, { i: { sopId: sop.id } }, lead));

    read = ok(await app.gql(SOP, { id: sop.id }, lead)).node;
    expect(read.pendingAcknowledgements.map((u: { id: string }) => u.id).sort()).toEqual([member.userId, other.userId].sort());
    expect(read.acknowledgements.totalCount).toBe(0);
    expect(ok(await app.gql(MY_WORK, {}, other)).myWork.nodes).toEqual([expect.objectContaining({ kind: 'SOP_ACKNOWLEDGEMENT_DUE' })]);
    ok(await app.gql(ACK, { i: { sopId: sop.id } }, other));
    const byVersion = ok(await app.gql(`query($id: ID!) { node(id: $id) { ... on Sop {
      v1: acknowledgements(version: 1, first: 10) { nodes { version user { id } } }
      v2: acknowledgements(version: 2, first: 10) { nodes { version user { id } } } } } }`, { id: sop.id }, member)).node;
    expect(byVersion.v1.nodes).toEqual([{ version: 1, user: { id: other.userId } }]);
    expect(byVersion.v2.nodes).toEqual([{ version: 2, user: { id: other.userId } }]);
  });

  it("without RACI people, asks the owner's squad members; overdue reviews go to the owner's myWork", async () => {
    const { org, lead, member, other } = await setup();
    const squadId = await createSquad(app, org, lead.userId);
    ok(await app.gql(`mutation($i: AddSquadMemberInput!) { addSquadMember(input: $i) { squad { id } } }`, { i: { squadId, userId: member.userId, function: 'SERVICE' } }, org));
    const sop = await sopInReview(app, member, { reviewEveryDays: 1 }, org);
    ok(await app.gql(APPROVE, { i: { sopId: sop.id } }, lead));
    const read = ok(await app.gql(SOP, { id: sop.id }, lead)).node;
    expect(read.pendingAcknowledgements.map((u: { id: string }) => u.id).sort()).toEqual([lead.userId, member.userId].sort());
    expect(ok(await app.gql(MY_WORK, {}, other)).myWork.totalCount).toBe(0);

    // The review date passes.
    await app.ds.query(`UPDATE sops SET review_due_on = current_date - 3 WHERE id = (SELECT id FROM sops ORDER BY created_at DESC LIMIT 1)`);
    const after = ok(await app.gql(SOP, { id: sop.id }, member)).node;
    expect(after.isReviewOverdue).toBe(true);
    const work = ok(await app.gql(MY_WORK, {}, member)).myWork;
    expect(work.nodes.map((n: { kind: string }) => n.kind).sort()).toEqual(['SOP_ACKNOWLEDGEMENT_DUE', 'SOP_REVIEW_OVERDUE']);
    expect(work.totalCount).toBe(2);
    // Pages forward through the merged list.
    const first = ok(await app.gql(`{ myWork(first: 1) { pageInfo { hasNextPage endCursor } nodes { kind } } }`, {}, member)).myWork;
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = ok(await app.gql(`query($a: String) { myWork(first: 5, after: $a) { pageInfo { hasNextPage } nodes { kind } } }`, { a: first.pageInfo.endCursor }, member)).myWork;
    expect([...first.nodes, ...second.nodes].map((n: { kind: string }) => n.kind).sort()).toEqual(['SOP_ACKNOWLEDGEMENT_DUE', 'SOP_REVIEW_OVERDUE']);
    expect(second.pageInfo.hasNextPage).toBe(false);
    // Not the lead's review.
    expect(ok(await app.gql(MY_WORK, {}, lead)).myWork.nodes.map((n: { kind: string }) => n.kind)).toEqual(['SOP_ACKNOWLEDGEMENT_DUE']);
  });

  it('links a task to a step of a published version (Task.sopStep), and unlinks it', async () => {
    const { org, lead, member, other } = await setup();
    const squadId = await createSquad(app, org, lead.userId);
    const task = await createTask(app, lead, { title: '处理工单 #1', squadId, assigneeId: member.userId });
    const sop = await sopInReview(app, member, {}, org);
    const LINK = `mutation($i: LinkTaskToSopStepInput!) { linkTaskToSopStep(input: $i) { task { id sopStep { id title } } sopStep { id } } }`;
    const draftSteps = ok(await app.gql(`query($id: ID!) { node(id: $id) { ... on Sop { draft { steps { id } } } } }`, { id: sop.id }, member)).node.draft.steps;
    expect(errorCode(await app.gql(LINK, { i: { taskId: task.id, sopStepId: draftSteps[1].id } }, member))).toBe('BAD_USER_INPUT');
    ok(await app.gql(APPROVE, { i: { sopId: sop.id } }, lead));
    const stepId = ok(await app.gql(SOP, { id: sop.id }, member)).node.versions.nodes[0].steps[1].id;
    // Publishing keeps the steps (and their ids): the draft's step is now linkable.
    expect(stepId).toBe(draftSteps[1].id);
    expect(errorCode(await app.gql(LINK, { i: { taskId: task.id, sopStepId: stepId } }, other))).toBe('FORBIDDEN');
    const linked = ok(await app.gql(LINK, { i: { taskId: task.id, sopStepId: stepId } }, member)).linkTaskToSopStep;
    expect(linked.task.sopStep).toEqual({ id: stepId, title: '调查核实' });
    const step = ok(await app.gql(`query($id: ID!) { node(id: $id) { ... on SopStep { title version { number sop { id } } } } }`, { id: stepId }, other)).node;
    expect(step).toEqual({ title: '调查核实', version: { number: 1, sop: { id: sop.id } } });
    const unlinked = ok(await app.gql(LINK, { i: { taskId: task.id, sopStepId: null } }, lead)).linkTaskToSopStep;
    expect(unlinked).toEqual({ task: { id: task.id, sopStep: null }, sopStep: null });
  });

  it('keeps the statement count of a list of SOPs flat from 3 to 12 SOPs', async () => {
    const { org, lead, member } = await setup();
    const LIST = `{ sops(first: 20) { nodes { id owner { displayName } currentVersion { number steps { title } author { id } }
      versions(first: 5) { nodes { number } } acknowledgements(first: 5) { totalCount nodes { user { id } } } pendingAcknowledgements { id }
      raciMatrix { id isValid } } } }`;
    const publish = async () => {
      const s = await sopInReview(app, member, {}, org);
      ok(await app.gql(APPROVE, { i: { sopId: s.id } }, lead));
      ok(await app.gql(ACK, { i: { sopId: s.id } }, lead));
    };
    for (let i = 0; i < 3; i++) await publish();
    const small = await app.gql(LIST, {}, org);
    expect(ok(small).sops.nodes).toHaveLength(3);
    for (let i = 0; i < 9; i++) await publish();
    const large = await app.gql(LIST, {}, org);
    expect(ok(large).sops.nodes).toHaveLength(12);
    expect(large.statements).toBeLessThanOrEqual(small.statements + 2);
  });

  it('adds a fixed number of statements to myWork, whatever the number of SOP items', async () => {
    const { org, lead, member } = await setup();
    const squadId = await createSquad(app, org, lead.userId);
    ok(await app.gql(`mutation($i: AddSquadMemberInput!) { addSquadMember(input: $i) { squad { id } } }`, { i: { squadId, userId: member.userId, function: 'SERVICE' } }, org));
    const WORK = `{ myWork(first: 50) { totalCount nodes { kind subject { id ... on Sop { title } } } } }`;
    const publish = async () => {
      const s = await sopInReview(app, member, {}, org);
      ok(await app.gql(APPROVE, { i: { sopId: s.id } }, org));
    };
    await publish();
    const small = await app.gql(WORK, {}, lead);
    expect(ok(small).myWork.totalCount).toBe(1);
    for (let i = 0; i < 6; i++) await publish();
    await sopInReview(app, member, {}, org); // one waiting for the lead's approval too
    const large = await app.gql(WORK, {}, lead);
    expect(ok(large).myWork.totalCount).toBe(8);
    expect(large.statements).toBeLessThanOrEqual(small.statements + 1);
  });
});
