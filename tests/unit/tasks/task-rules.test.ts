import { TaskQuadrant as Q, quadrantOf } from '../../../src/modules/tasks/task-rules';

describe('task quadrant', () => {
  it('follows importance and urgency', () => {
    expect(quadrantOf(true, true)).toBe(Q.DO_FIRST);
    expect(quadrantOf(true, false)).toBe(Q.SCHEDULE);
    expect(quadrantOf(false, true)).toBe(Q.DELEGATE);
    expect(quadrantOf(false, false)).toBe(Q.ELIMINATE);
  });
});
