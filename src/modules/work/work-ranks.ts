/**
 * The one order of `myWork`'s kinds among items due the same day (lower rank first), agreed
 * across modules: every kind has a rank of its own, so the order never falls back to ids between
 * two kinds. The names are plain strings: the work module still imports no module; a source may
 * only register kinds listed here (`registerWorkSource` refuses others).
 *
 * The order keeps every order that held between kinds before ranks were unique (a task overdue,
 * a check-in due, a task due today, then SOP reviews and approvals) and settles the former ties:
 * an open KPI alert after an overdue task of the same day, and among pending decisions money
 * first (adjustments), then campaign reviews, then SOP acknowledgements.
 */
export const WORK_KIND_RANKS = {
  TASK_OVERDUE: 0,
  KPI_ALERT_OPEN: 1,
  CHECK_IN_DUE: 2,
  TASK_DUE_TODAY: 3,
  BUDGET_ADJUSTMENT_PENDING: 4,
  CAMPAIGN_REVIEW_DUE: 5,
  SOP_ACKNOWLEDGEMENT_DUE: 6,
  SOP_REVIEW_OVERDUE: 7,
  SOP_APPROVAL_PENDING: 8,
} as const;

export type WorkKindName = keyof typeof WORK_KIND_RANKS;

/** The rank of a kind (its place among items due the same day). */
export function workRank(kind: WorkKindName): number {
  return WORK_KIND_RANKS[kind];
}

export function isWorkKindName(name: string): name is WorkKindName {
  return Object.prototype.hasOwnProperty.call(WORK_KIND_RANKS, name);
}
