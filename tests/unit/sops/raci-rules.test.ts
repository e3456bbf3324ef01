import { RaciProblem, RaciRole, activityProblems, isMatrixValid, matrixProblems } from '../../../src/modules/sops/raci-rules';

const { RESPONSIBLE: R, ACCOUNTABLE: A, CONSULTED: C, INFORMED: I } = RaciRole;
/** Cells whose holders can all act. */
const cells = (roles: RaciRole[]) => roles.map((role) => ({ role, canAct: true }));

describe('RACI validity', () => {
  it.each([
    [[R, A], []],
    [[R, R, A, C, I], []],
    [[], [RaciProblem.MISSING_ACCOUNTABLE, RaciProblem.MISSING_RESPONSIBLE]],
    [[R], [RaciProblem.MISSING_ACCOUNTABLE]],
    [[A, C, I], [RaciProblem.MISSING_RESPONSIBLE]],
    [[R, A, A], [RaciProblem.MULTIPLE_ACCOUNTABLE]],
    [[A, A, I], [RaciProblem.MULTIPLE_ACCOUNTABLE, RaciProblem.MISSING_RESPONSIBLE]],
    [[C, I], [RaciProblem.MISSING_ACCOUNTABLE, RaciProblem.MISSING_RESPONSIBLE]],
  ])('an activity with %j has problems %j', (roles, problems) => {
    expect(activityProblems(cells(roles))).toEqual(problems);
  });

  it('flags a RESPONSIBLE who cannot act (a VIEWER, a former member), even beside one who can', () => {
    const cannot = { role: R, canAct: false };
    expect(activityProblems([cannot, { role: A, canAct: true }])).toEqual([RaciProblem.RESPONSIBLE_CANNOT_ACT]);
    expect(activityProblems([cannot, ...cells([R, A])])).toEqual([RaciProblem.RESPONSIBLE_CANNOT_ACT]);
    expect(activityProblems([cannot, ...cells([A, A])])).toEqual([RaciProblem.MULTIPLE_ACCOUNTABLE, RaciProblem.RESPONSIBLE_CANNOT_ACT]);
    // Only a RESPONSIBLE must act: an ACCOUNTABLE, CONSULTED or INFORMED VIEWER is no problem.
    expect(activityProblems([...cells([R]), { role: A, canAct: false }, { role: I, canAct: false }, { role: C, canAct: false }])).toEqual([]);
    expect(isMatrixValid([{ cells: [cannot, ...cells([A])] }])).toBe(false);
  });

  it('lists the problems of a matrix activity by activity, in order', () => {
    const activities = [
      { activity: '平台流量', cells: cells([R, A]) },
      { activity: 'KOL 合作', cells: cells([A, A]) },
      { activity: '用户激励', cells: cells([R]) },
    ];
    expect(matrixProblems(activities)).toEqual([
      { activity: 'KOL 合作', problem: RaciProblem.MULTIPLE_ACCOUNTABLE },
      { activity: 'KOL 合作', problem: RaciProblem.MISSING_RESPONSIBLE },
      { activity: '用户激励', problem: RaciProblem.MISSING_ACCOUNTABLE },
    ]);
    expect(isMatrixValid(activities)).toBe(false);
  });

  it('calls a matrix valid only with activities that all have one A and an R', () => {
    expect(isMatrixValid([])).toBe(false);
    expect(isMatrixValid([{ cells: cells([R, A]) }, { cells: cells([A, R, C]) }])).toBe(true);
    expect(isMatrixValid([{ cells: cells([R, A]) }, { cells: cells([R, C]) }])).toBe(false);
  });
});
