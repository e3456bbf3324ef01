import { SprintStatus, monthlyEnd, sprintStatus } from '../../../src/modules/squads/sprint-rules';

describe('sprints', () => {
  it('last a calendar month by default', () => {
    expect(monthlyEnd('2026-04-01')).toBe('2026-04-30');
    expect(monthlyEnd('2026-04-15')).toBe('2026-05-14');
    expect(monthlyEnd('2026-12-01')).toBe('2026-12-31');
    expect(monthlyEnd('2026-12-20')).toBe('2027-01-19');
    expect(monthlyEnd('2026-01-31')).toBe('2026-02-27');
    expect(monthlyEnd('2028-01-31')).toBe('2028-02-28');
  });

  it('are PLANNED before their first day, ACTIVE from it, CLOSED once closed', () => {
    expect(sprintStatus({ startsOn: '2026-05-01', closedAt: null }, '2026-04-30')).toBe(SprintStatus.PLANNED);
    expect(sprintStatus({ startsOn: '2026-05-01', closedAt: null }, '2026-05-01')).toBe(SprintStatus.ACTIVE);
    expect(sprintStatus({ startsOn: '2026-05-01', closedAt: null }, '2026-07-01')).toBe(SprintStatus.ACTIVE);
    expect(sprintStatus({ startsOn: '2026-05-01', closedAt: new Date() }, '2026-05-02')).toBe(SprintStatus.CLOSED);
  });
});
