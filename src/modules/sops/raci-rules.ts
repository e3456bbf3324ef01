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
}

/** A matrix holds at most this many activities, and an activity at most this many people. */
export const MAX_RACI_ACTIVITIES = 30;
export const MAX_RACI_ASSIGNMENTS = 15;

/**
 * What breaks "every activity has exactly one A and at least one R" for one activity, given the
 * roles assigned in it (one per person), in a fixed order.
 */
export function activityProblems(roles: readonly RaciRole[]): RaciProblem[] {
  const accountable = roles.filter((r) => r === RaciRole.ACCOUNTABLE).length;
  const problems: RaciProblem[] = [];
  if (accountable === 0) problems.push(RaciProblem.MISSING_ACCOUNTABLE);
  if (accountable > 1) problems.push(RaciProblem.MULTIPLE_ACCOUNTABLE);
  if (!roles.includes(RaciRole.RESPONSIBLE)) problems.push(RaciProblem.MISSING_RESPONSIBLE);
  return problems;
}

/** The problems of a whole matrix, activity by activity, in the activities' order. */
export function matrixProblems<A>(activities: ReadonlyArray<{ activity: A; roles: readonly RaciRole[] }>): Array<{ activity: A; problem: RaciProblem }> {
  return activities.flatMap(({ activity, roles }) => activityProblems(roles).map((problem) => ({ activity, problem })));
}

/** A matrix is valid when it has at least one activity and no activity breaks the rule. */
export function isMatrixValid(activities: ReadonlyArray<{ roles: readonly RaciRole[] }>): boolean {
  return activities.length > 0 && activities.every((a) => activityProblems(a.roles).length === 0);
}
