/** Pure RACI rules (no ORM or GraphQL). */

export enum RaciRole {
  RESPONSIBLE = 'RESPONSIBLE',
  ACCOUNTABLE = 'ACCOUNTABLE',
  CONSULTED = 'CONSULTED',
  INFORMED = 'INFORMED',
}

export enum RaciProblem {
  MISSING_ACCOUNTABLE = 'MISSING_ACCOUNTABLE',
  MULTIPLE_ACCOUNTABLE = 'MULTIPLE_ACCOUNTABLE',
  MISSING_RESPONSIBLE = 'MISSING_RESPONSIBLE',
  /** A RESPONSIBLE who cannot do the work: a VIEWER, or no longer a member of the organisation. */
  RESPONSIBLE_CANNOT_ACT = 'RESPONSIBLE_CANNOT_ACT',
}

/** A matrix holds at most this many activities, and an activity at most this many people. */
export const MAX_RACI_ACTIVITIES = 30;
export const MAX_RACI_ASSIGNMENTS = 15;

/** A cell of an activity: the role, and whether its holder can act (a member of the organisation who is not a VIEWER). */
export interface RaciCell {
  role: RaciRole;
  canAct: boolean;
}

/**
 * What breaks "every activity has exactly one A and at least one R who can do the work" for one
 * activity, given its cells (one per person), in a fixed order.
 */
export function activityProblems(cells: readonly RaciCell[]): RaciProblem[] {
  const accountable = cells.filter((c) => c.role === RaciRole.ACCOUNTABLE).length;
  const responsible = cells.filter((c) => c.role === RaciRole.RESPONSIBLE);
  const problems: RaciProblem[] = [];
  if (accountable === 0) problems.push(RaciProblem.MISSING_ACCOUNTABLE);
  if (accountable > 1) problems.push(RaciProblem.MULTIPLE_ACCOUNTABLE);
  if (responsible.length === 0) problems.push(RaciProblem.MISSING_RESPONSIBLE);
  else if (responsible.some((c) => !c.canAct)) problems.push(RaciProblem.RESPONSIBLE_CANNOT_ACT);
  return problems;
}

/** The problems of a whole matrix, activity by activity, in the activities' order. */
export function matrixProblems<A>(activities: ReadonlyArray<{ activity: A; cells: readonly RaciCell[] }>): Array<{ activity: A; problem: RaciProblem }> {
  return activities.flatMap(({ activity, cells }) => activityProblems(cells).map((problem) => ({ activity, problem })));
}

/** A matrix is valid when it has at least one activity and no activity breaks the rule. */
export function isMatrixValid(activities: ReadonlyArray<{ cells: readonly RaciCell[] }>): boolean {
  return activities.length > 0 && activities.every((a) => activityProblems(a.cells).length === 0);
}
