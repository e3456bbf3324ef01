import { SopStatus, draftChanges, isReviewOverdue, mayApprove, nextStatus, pendingAcknowledgers, refusal, reviewDueOn, storedStep, type SopAction } from '../../../src/modules/sops/sop-rules';

const { DRAFT, IN_REVIEW, PUBLISHED, ARCHIVED } = SopStatus;
const ACTIONS: SopAction[] = ['edit', 'submit', 'approve', 'reject', 'startRevision', 'archive', 'acknowledge'];

/** Which actions each state allows (with and without a published current version). */
const ALLOWED: Array<[SopStatus, boolean, SopAction[]]> = [
  [DRAFT, false, ['edit', 'submit', 'archive']],
  [DRAFT, true, ['edit', 'submit', 'archive', 'acknowledge']],
  [IN_REVIEW, false, ['approve', 'reject', 'archive']],
  [IN_REVIEW, true, ['approve', 'reject', 'archive', 'acknowledge']],
  [PUBLISHED, true, ['startRevision', 'archive', 'acknowledge']],
  [ARCHIVED, true, []],
  [ARCHIVED, false, []],
];

describe('SOP state changes', () => {
  it.each(ALLOWED)('in %s (published version: %s) allow exactly %j', (status, hasCurrentVersion, allowed) => {
    for (const action of ACTIONS) {
      const why = refusal({ status, hasCurrentVersion }, action);
      expect({ action, allowed: why === null }).toEqual({ action, allowed: allowed.includes(action) });
    }
  });

  it('explain a refusal', () => {
    expect(refusal({ status: IN_REVIEW, hasCurrentVersion: false }, 'edit')).toMatch(/IN_REVIEW: only a draft can be edited/);
    expect(refusal({ status: ARCHIVED, hasCurrentVersion: true }, 'acknowledge')).toBe('The SOP is archived');
    expect(refusal({ status: DRAFT, hasCurrentVersion: false }, 'acknowledge')).toMatch(/no published version/);
  });

  it('lead to the next status', () => {
    expect(nextStatus('submit')).toBe(IN_REVIEW);
    expect(nextStatus('approve')).toBe(PUBLISHED);
    expect(nextStatus('reject')).toBe(DRAFT);
    expect(nextStatus('startRevision')).toBe(DRAFT);
    expect(nextStatus('edit')).toBe(DRAFT);
    expect(nextStatus('archive')).toBe(ARCHIVED);
  });

  it('never let the author, nor anyone who changed the version, approve', () => {
    expect(mayApprove({ authorId: 'u1', editorIds: [] }, 'u1')).toBe(false);
    expect(mayApprove({ authorId: 'u1', editorIds: ['u1'] }, 'u2')).toBe(true);
    expect(mayApprove({ authorId: null, editorIds: [] }, 'u2')).toBe(true);
    // u1 wrote the steps, u3 saved last: neither approves.
    expect(mayApprove({ authorId: 'u3', editorIds: ['u1', 'u3'] }, 'u1')).toBe(false);
    expect(mayApprove({ authorId: 'u3', editorIds: ['u1', 'u3'] }, 'u3')).toBe(false);
    expect(mayApprove({ authorId: 'u3', editorIds: ['u1', 'u3'] }, 'u2')).toBe(true);
  });

  it('tell an edit that changes the draft from one that saves it as it is', () => {
    const step = { title: '受理投诉', instructions: '24小时内回复', role: '客服专员', qualityStandard: null, durationMinutes: 30 };
    const current = { notes: '注意隐私', changeNote: null, steps: [step] };
    expect(draftChanges(current, {})).toEqual([]);
    expect(draftChanges(current, { notes: ' 注意隐私 ', changeNote: '', steps: [{ ...step, title: ' 受理投诉', role: '客服专员 ', qualityStandard: '  ' }] })).toEqual([]);
    expect(draftChanges(current, { notes: null })).toEqual(['notes']);
    expect(draftChanges(current, { changeNote: '初版' })).toEqual(['changeNote']);
    expect(draftChanges(current, { steps: [] })).toEqual(['steps']);
    expect(draftChanges(current, { steps: [step, step] })).toEqual(['steps']);
    expect(draftChanges(current, { steps: [{ ...step, instructions: '12小时内回复' }] })).toEqual(['steps']);
    expect(draftChanges(current, { steps: [{ ...step, durationMinutes: null }] })).toEqual(['steps']);
    expect(draftChanges(current, { steps: [{ ...step, qualityStandard: '≤ 24h' }], notes: '注意隐私' })).toEqual(['steps']);
    // Instructions are stored as sent: a space there is a change.
    expect(draftChanges(current, { steps: [{ ...step, instructions: '24小时内回复 ' }] })).toEqual(['steps']);
    expect(storedStep({ title: ' a ', instructions: ' b ', role: '', qualityStandard: undefined })).toEqual({
      title: 'a', instructions: ' b ', role: null, qualityStandard: null, durationMinutes: null,
    });
  });

  it('date the review and tell when it is overdue', () => {
    expect(reviewDueOn('2026-01-31', 30)).toBe('2026-03-02');
    expect(reviewDueOn('2028-02-28', 1)).toBe('2028-02-29');
    expect(isReviewOverdue(PUBLISHED, '2026-03-02', '2026-03-02')).toBe(false);
    expect(isReviewOverdue(PUBLISHED, '2026-03-02', '2026-03-03')).toBe(true);
    expect(isReviewOverdue(DRAFT, '2026-03-02', '2026-03-03')).toBe(true);
    expect(isReviewOverdue(ARCHIVED, '2026-03-02', '2026-03-03')).toBe(false);
    expect(isReviewOverdue(DRAFT, null, '2026-03-03')).toBe(false);
  });

  it('ask the RACI people to acknowledge, else the owner’s squad mates, minus those who did', () => {
    expect(pendingAcknowledgers(['a', 'b', 'a'], ['x', 'y'], ['b'])).toEqual(['a']);
    expect(pendingAcknowledgers([], ['x', 'y'], ['y'])).toEqual(['x']);
    expect(pendingAcknowledgers([], [], [])).toEqual([]);
    expect(pendingAcknowledgers(['a'], ['x'], ['a'])).toEqual([]);
  });
});
