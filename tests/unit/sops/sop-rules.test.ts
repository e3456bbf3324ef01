import { RuleViolation } from '../../../src/common/rules';
import {
  SopStatus,
  assertLinkableStep,
  assertMayApprove,
  assertSopAllows,
  assertSubmittable,
  draftChanges,
  isReviewOverdue,
  mayApprove,
  nextStatus,
  pendingAcknowledgers,
  reviewDueOn,
  storedStep,
  type SopAction,
} from '../../../src/modules/sops/sop-rules';

/** The RuleViolation `fn` throws, or null when it returns. */
function violationOf(fn: () => void): RuleViolation | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (e instanceof RuleViolation) return e;
    throw e;
  }
}

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
      const why = violationOf(() => assertSopAllows({ status, hasCurrentVersion }, action));
      expect({ action, allowed: why === null }).toEqual({ action, allowed: allowed.includes(action) });
    }
  });

  it('explain a refusal, with one code per situation', () => {
    const edit = violationOf(() => assertSopAllows({ status: IN_REVIEW, hasCurrentVersion: false }, 'edit'));
    expect(edit).toMatchObject({ code: 'INVALID_TRANSITION', message: expect.stringMatching(/IN_REVIEW: only a draft can be edited/) });
    expect(violationOf(() => assertSopAllows({ status: ARCHIVED, hasCurrentVersion: true }, 'acknowledge'))).toMatchObject({ code: 'ARCHIVED', message: 'The SOP is archived' });
    expect(violationOf(() => assertSopAllows({ status: ARCHIVED, hasCurrentVersion: true }, 'archive'))).toMatchObject({ code: 'ARCHIVED' });
    expect(violationOf(() => assertSopAllows({ status: DRAFT, hasCurrentVersion: false }, 'acknowledge'))).toMatchObject({
      code: 'INVALID_TRANSITION',
      message: expect.stringMatching(/no published version/),
    });
    expect(violationOf(() => assertSubmittable(0))).toMatchObject({ code: 'SOP_DRAFT_EMPTY' });
    expect(violationOf(() => assertSubmittable(2))).toBeNull();
    expect(violationOf(() => assertLinkableStep({ publishedAt: null }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'sopStepId' });
    expect(violationOf(() => assertLinkableStep({ publishedAt: new Date() }))).toBeNull();
  });

  it('refuse an approval by the author or an editor (four eyes)', () => {
    expect(violationOf(() => assertMayApprove({ authorId: 'u1', editorIds: [] }, 'u1'))).toMatchObject({ code: 'AUTHOR_CANNOT_APPROVE', message: expect.stringMatching(/You wrote/) });
    expect(violationOf(() => assertMayApprove({ authorId: 'u3', editorIds: ['u1'] }, 'u1'))).toMatchObject({ code: 'AUTHOR_CANNOT_APPROVE', message: expect.stringMatching(/You changed/) });
    expect(violationOf(() => assertMayApprove({ authorId: 'u3', editorIds: ['u1'] }, 'u2'))).toBeNull();
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
