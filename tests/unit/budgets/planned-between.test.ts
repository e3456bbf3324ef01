import Decimal from 'decimal.js';
import fc from 'fast-check';
import { addDays, addMonths, bucketEnd, bucketStarts, Grain } from '../../../src/common/periods';
import { BudgetLineKind, monthShare, plannedBetween } from '../../../src/modules/budgets/budget-rules';

/** The plan of a line for a range (Query.spend's planned): VARIABLE by days, FIXED by months. */
describe('plannedBetween', () => {
  it('counts a month by the share of its days in the range', () => {
    expect(monthShare('2026-04-01', '2026-04-15').toFixed()).toBe('0.5');
    expect(monthShare('2026-02-01', '2026-02-28').toFixed()).toBe('1');
    expect(monthShare('2026-04-01', '2026-06-30').toFixed()).toBe('3');
    expect(monthShare('2026-01-31', '2026-02-01').toFixed(6)).toBe(new Decimal(1).div(31).plus(new Decimal(1).div(28)).toFixed(6));
  });

  it('plans every whole month of a FIXED line alike, whatever its length; a VARIABLE line by its days', () => {
    const q1 = ['2026-01-01', '2026-03-31'] as const;
    const feb = plannedBetween(new Decimal(90000), BudgetLineKind.FIXED, ...q1, '2026-02-01', '2026-02-28');
    const mar = plannedBetween(new Decimal(90000), BudgetLineKind.FIXED, ...q1, '2026-03-01', '2026-03-31');
    expect([feb.toFixed(2), mar.toFixed(2)]).toEqual(['30000.00', '30000.00']);
    const febV = plannedBetween(new Decimal(90000), BudgetLineKind.VARIABLE, ...q1, '2026-02-01', '2026-02-28');
    expect(febV.toFixed(2)).toBe(new Decimal(90000).mul(28).div(90).toFixed(2));
    expect(plannedBetween(new Decimal(90000), BudgetLineKind.FIXED, ...q1, '2026-04-01', '2026-04-30').toFixed()).toBe('0');
  });

  it('adds up to the plan over any grain’s buckets of the period, for both kinds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 700 }),
        fc.integer({ min: 0, max: 700 }),
        fc.constantFrom(Grain.WEEK, Grain.MONTH, Grain.QUARTER),
        fc.constantFrom(BudgetLineKind.FIXED, BudgetLineKind.VARIABLE),
        (offset, length, grain, kind) => {
          const start = addDays('2025-01-01', offset);
          const end = addDays(start, length);
          const planned = new Decimal(123456.78);
          const total = bucketStarts(start, end, grain, { max: Infinity })
            .map((s) => plannedBetween(planned, kind, start, end, s, bucketEnd(s, grain)))
            .reduce((a, b) => a.plus(b), new Decimal(0));
          expect(total.toDecimalPlaces(8).toFixed()).toBe(planned.toFixed());
        },
      ),
    );
  });

  it('plans each whole month of a FIXED year-long line at a twelfth, from any first month', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 36 }), (m) => {
        const start = addMonths('2024-01-01', m);
        const end = addDays(addMonths(start, 12), -1);
        for (let i = 0; i < 12; i++) {
          const from = addMonths(start, i);
          const share = plannedBetween(new Decimal(12000), BudgetLineKind.FIXED, start, end, from, addDays(addMonths(from, 1), -1));
          expect(share.toDecimalPlaces(8).toFixed()).toBe('1000');
        }
      }),
    );
  });
});
