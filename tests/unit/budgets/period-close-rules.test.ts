import { RuleViolation } from '../../../src/common/rules';
import {
  assertOpenOn,
  assertTakesAdjustments,
  checkClose,
  checkReopen,
  MAX_REOPEN_REASON_LENGTH,
  reopenReason,
} from '../../../src/modules/budgets/period-close-rules';

const Q2 = { periodStart: '2026-04-01', periodEnd: '2026-06-30', closedThrough: null as string | null };
const closed = (closedThrough: string) => ({ ...Q2, closedThrough });

function violation(fn: () => void): { code: string; field?: string; message: string; extensions: Record<string, unknown> } {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RuleViolation);
    const v = e as RuleViolation;
    return { code: v.code, field: v.field, message: v.message, extensions: v.extensions };
  }
  throw new Error('expected a refusal');
}

describe('period close rules', () => {
  it('a close stays within the period, not after today, not before the current close (the same day again is fine)', () => {
    expect(() => checkClose(Q2, '2026-04-01', '2026-12-07')).not.toThrow();
    expect(() => checkClose(Q2, '2026-06-30', '2026-12-07')).not.toThrow();
    expect(() => checkClose(closed('2026-05-31'), '2026-05-31', '2026-12-07')).not.toThrow();
    for (const [budget, through, today] of [
      [Q2, '2026-03-31', '2026-12-07'],
      [Q2, '2026-07-01', '2026-12-07'],
      [Q2, '2026-05-02', '2026-05-01'],
      [closed('2026-05-31'), '2026-05-30', '2026-12-07'],
    ] as const) {
      expect(violation(() => checkClose(budget, through, today))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'through' });
    }
  });

  it('a reopen goes back to an earlier day of the period, or fully; an open budget has nothing to reopen', () => {
    expect(() => checkReopen(closed('2026-05-31'), '2026-04-01')).not.toThrow();
    expect(() => checkReopen(closed('2026-05-31'), null)).not.toThrow();
    expect(violation(() => checkReopen(Q2, null)).code).toBe('INVALID_TRANSITION');
    for (const through of ['2026-05-31', '2026-06-01', '2026-03-31']) {
      expect(violation(() => checkReopen(closed('2026-05-31'), through))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'through' });
    }
    expect(reopenReason('  补录  ')).toBe('补录');
    expect(violation(() => reopenReason(' \n ')).field).toBe('reason');
    expect(violation(() => reopenReason('x'.repeat(MAX_REOPEN_REASON_LENGTH + 1))).field).toBe('reason');
  });

  it('PERIOD_CLOSED on and before the closed day, naming the day and the field', () => {
    expect(() => assertOpenOn(Q2, '2026-04-01', 'incurredOn', 'x')).not.toThrow();
    expect(() => assertOpenOn(closed('2026-04-30'), '2026-05-01', 'incurredOn', 'x')).not.toThrow();
    expect(violation(() => assertOpenOn(closed('2026-04-30'), '2026-04-30', 'incurredOn', 'x'))).toMatchObject({
      code: 'PERIOD_CLOSED',
      field: 'incurredOn',
      message: 'The budget is closed through 2026-04-30: x',
      extensions: { closedThrough: '2026-04-30' },
    });
  });

  it('adjustments: refused on a closed today, and always once the whole period is closed', () => {
    expect(() => assertTakesAdjustments(closed('2026-05-31'), '2026-06-01', 'id')).not.toThrow();
    expect(violation(() => assertTakesAdjustments(closed('2026-06-01'), '2026-06-01', 'id')).code).toBe('PERIOD_CLOSED');
    // Closed through its last day: refused even on a later "today".
    expect(violation(() => assertTakesAdjustments(closed('2026-06-30'), '2026-12-07', 'budgetId'))).toMatchObject({ code: 'PERIOD_CLOSED', field: 'budgetId' });
  });
});
