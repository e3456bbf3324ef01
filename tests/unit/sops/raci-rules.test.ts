import { RaciProblem, RaciRole, activityProblems, isMatrixValid, matrixProblems } from '../../../src/modules/sops/raci-rules';

const { RESPONSIBLE: R, ACCOUNTABLE: A, CONSULTED: C, INFORMED: I } = RaciRole;

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
    expect(activityProblems(roles)).toEqual(problems);
  });

  it('lists the problems of a matrix activity by activity, in order', () => {
    const activities = [
      { activity: '平台流量', roles: [R, A] },
      { activity: 'KOL 合作', roles: [A, A] },
      { activity: '用户激励', roles: [R] },
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
    expect(isMatrixValid([{ roles: [R, A] }, { roles: [A, R, C] }])).toBe(true);
    expect(isMatrixValid([{ roles: [R, A] }, { roles: [R, C] }])).toBe(false);
  });
});
