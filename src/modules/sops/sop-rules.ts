/** Pure SOP rules: the life cycle of an SOP and its versions (no ORM or GraphQL). */

import { ErrorCode } from '../../common/error-codes';
import { addDays } from '../../common/periods';
import { RuleViolation, check, refuse, refuseArchived, refuseTransition } from '../../common/rules';

export enum SopStatus {
  DRAFT = 'DRAFT',
  IN_REVIEW = 'IN_REVIEW',
  PUBLISHED = 'PUBLISHED',
  ARCHIVED = 'ARCHIVED',
}

export type SopAction = 'edit' | 'submit' | 'approve' | 'reject' | 'startRevision' | 'archive' | 'acknowledge';

/** The state an action needs to look at. */
export interface SopState {
  status: SopStatus;
  /** Whether a version has been published (the current version). */
  hasCurrentVersion: boolean;
}

/** Steps per version, and the bounds of an SOP's review interval. */
export const MAX_SOP_STEPS = 50;
export const MIN_REVIEW_EVERY_DAYS = 1;
export const MAX_REVIEW_EVERY_DAYS = 3660;

const FROM: Record<Exclude<SopAction, 'acknowledge'>, SopStatus[]> = {
  edit: [SopStatus.DRAFT],
  submit: [SopStatus.DRAFT],
  approve: [SopStatus.IN_REVIEW],
  reject: [SopStatus.IN_REVIEW],
  startRevision: [SopStatus.PUBLISHED],
  archive: [SopStatus.DRAFT, SopStatus.IN_REVIEW, SopStatus.PUBLISHED],
};

/**
 * Refuses `action` in `state` (a RuleViolation), or returns when it is allowed. DRAFT → (submit)
 * IN_REVIEW → (approve) PUBLISHED or (reject) DRAFT; PUBLISHED → (startRevision) DRAFT again
 * with the published version still current; anything but ARCHIVED → ARCHIVED. Acknowledging
 * needs a published current version and an SOP that is not archived. An archived SOP changes no
 * more: ARCHIVED; any other state that does not allow the action: INVALID_TRANSITION.
 */
export function assertSopAllows(state: SopState, action: SopAction): void {
  check(state.status !== SopStatus.ARCHIVED, () => refuseArchived('The SOP is archived'));
  if (action === 'acknowledge') {
    check(state.hasCurrentVersion, () => refuseTransition('The SOP has no published version to acknowledge yet'));
    return;
  }
  const hint: Record<typeof action, string> = {
    edit: 'only a draft can be edited (reject the version under review, or start a revision)',
    submit: 'only a draft can be submitted for review',
    approve: 'only a version in review can be approved (submit it first)',
    reject: 'only a version in review can be rejected',
    startRevision: 'a revision starts from a published SOP without an open draft',
    archive: 'it is already archived',
  };
  check(FROM[action].includes(state.status), () => refuseTransition(`The SOP is ${state.status}: ${hint[action]}`));
}

/** A draft is submitted with its steps: SOP_DRAFT_EMPTY without any. */
export function assertSubmittable(stepCount: number): void {
  check(stepCount > 0, () => new RuleViolation(ErrorCode.SOP_DRAFT_EMPTY, 'The draft has no steps: add them with updateSopDraft before submitting it'));
}

/** The status an action leads to. */
export function nextStatus(action: Exclude<SopAction, 'acknowledge'>): SopStatus {
  switch (action) {
    case 'edit':
    case 'reject':
    case 'startRevision':
      return SopStatus.DRAFT;
    case 'submit':
      return SopStatus.IN_REVIEW;
    case 'approve':
      return SopStatus.PUBLISHED;
    case 'archive':
      return SopStatus.ARCHIVED;
  }
}

/**
 * Four eyes: nobody who changed a version's content while it was a draft (`editorIds`), nor its
 * author (who opened it, or changed it last), approves it.
 */
export function mayApprove(version: { authorId: string | null; editorIds: readonly string[] }, approverId: string): boolean {
  return version.authorId !== approverId && !version.editorIds.includes(approverId);
}

/** Four eyes, as a refusal: AUTHOR_CANNOT_APPROVE, saying whether the approver changed or wrote the version. */
export function assertMayApprove(version: { authorId: string | null; editorIds: readonly string[] }, approverId: string): void {
  check(mayApprove(version, approverId), () =>
    new RuleViolation(
      ErrorCode.AUTHOR_CANNOT_APPROVE,
      version.editorIds.includes(approverId)
        ? 'You changed this version while it was a draft: someone who did not change it must approve it'
        : 'You wrote this version: someone else must approve it',
    ),
  );
}

/** Only a step of a published version is linked to a task (a draft's steps change): BAD_USER_INPUT naming `sopStepId`. */
export function assertLinkableStep(version: { publishedAt: Date | null }): void {
  check(version.publishedAt, () => refuse('sopStepId: only a step of a published SOP version can be linked (a draft changes)', 'sopStepId'));
}

/** A step as it is stored: names trimmed, empty optional texts as null. */
export interface StepContent {
  title: string;
  instructions: string;
  role: string | null;
  qualityStandard: string | null;
  durationMinutes: number | null;
}

/** A step of an edit, as sent. */
export interface StepEdit {
  title: string;
  instructions: string;
  role?: string | null;
  qualityStandard?: string | null;
  durationMinutes?: number | null;
}

/** How a step sent in an edit is stored. */
export function storedStep(s: StepEdit): StepContent {
  return {
    title: s.title.trim(),
    instructions: s.instructions,
    role: s.role?.trim() || null,
    qualityStandard: s.qualityStandard?.trim() || null,
    durationMinutes: s.durationMinutes ?? null,
  };
}

/** How notes and a change note sent in an edit are stored. */
export const storedText = (text: string | null | undefined): string | null => text?.trim() || null;

/** What an edit of a draft would change: nothing (an empty list) when it saves the draft as it is. */
export function draftChanges(
  current: { notes: string | null; changeNote: string | null; steps: readonly StepContent[] },
  edit: { notes?: string | null; changeNote?: string | null; steps?: readonly StepEdit[] | null },
): Array<'notes' | 'changeNote' | 'steps'> {
  const changes: Array<'notes' | 'changeNote' | 'steps'> = [];
  if (edit.notes !== undefined && storedText(edit.notes) !== current.notes) changes.push('notes');
  if (edit.changeNote !== undefined && storedText(edit.changeNote) !== current.changeNote) changes.push('changeNote');
  if (edit.steps) {
    const next = edit.steps.map(storedStep);
    const same =
      next.length === current.steps.length &&
      next.every((s, i) => {
        const c = current.steps[i];
        return (
          s.title === c.title &&
          s.instructions === c.instructions &&
          s.role === c.role &&
          s.qualityStandard === c.qualityStandard &&
          s.durationMinutes === c.durationMinutes
        );
      });
    if (!same) changes.push('steps');
  }
  return changes;
}

/** The day a published version is due for review (UTC dates, YYYY-MM-DD). */
export function reviewDueOn(publishedOn: string, reviewEveryDays: number): string {
  return addDays(publishedOn, reviewEveryDays);
}

/** Whether the review is overdue on `today` (archived SOPs are never overdue). */
export function isReviewOverdue(status: SopStatus, dueOn: string | null, today: string): boolean {
  return status !== SopStatus.ARCHIVED && dueOn !== null && dueOn < today;
}

/**
 * Who must acknowledge the current version: everyone holding a role in the SOP's RACI matrix,
 * or, when it has none (no matrix, or a matrix without assignments), the members of the
 * owner's squads. Those who acknowledged this version are done.
 */
export function pendingAcknowledgers(
  raciUserIds: readonly string[],
  ownerSquadMateIds: readonly string[],
  acknowledgedUserIds: readonly string[],
): string[] {
  const required = raciUserIds.length > 0 ? raciUserIds : ownerSquadMateIds;
  const done = new Set(acknowledgedUserIds);
  return [...new Set(required)].filter((u) => !done.has(u));
}
