import Decimal from 'decimal.js';
import { Grain, bucketStarts } from '../../../src/common/periods';
import {
  BudgetStatus,
  assertCanGive,
  budgetStatus,
  burnCurve,
  burnRate,
  compareEfficiency,
  costPerUnit,
  decisionDueAt,
  expectedBurn,
  forecastAtEnd,
  kpiWindowChange,
  thresholdsReached,
  toleratedLossAmount,
  validatePeriod,
} from '../../../src/modules/budgets/budget-rules';

const d = (v: string | number) => new Decimal(v);

describe('budget rules', () => {
  it('burn rate is spent ÷ planned, null without a plan', () => {
    expect(burnRate(d('250'), d('1000'))!.toFixed()).toBe('0.25');
    expect(burnRate(d('1500'), d('1000'))!.toFixed()).toBe('1.5');
    expect(burnRate(d('10'), d('0'))).toBeNull();
  });

  it('expected burn is the elapsed share of the period, counting today, clamped to 0..1', () => {
    // 2026-04-01..2026-04-10: 10 days.
    expect(expectedBurn('2026-04-01', '2026-04-10', '2026-03-31').toFixed()).toBe('0');
    expect(expectedBurn('2026-04-01', '2026-04-10', '2026-04-01').toFixed()).toBe('0.1');
    expect(expectedBurn('2026-04-01', '2026-04-10', '2026-04-05').toFixed()).toBe('0.5');
    expect(expectedBurn('2026-04-01', '2026-04-10', '2026-04-10').toFixed()).toBe('1');
    expect(expectedBurn('2026-04-01', '2026-04-10', '2026-05-01').toFixed()).toBe('1');
    // A quarter of 91 days, 30 days in.
    expect(expectedBurn('2026-04-01', '2026-06-30', '2026-04-30').toFixed(6)).toBe(d(30).div(91).toFixed(6));
  });

  it('the forecast carries the pace so far to the end of the period', () => {
    expect(forecastAtEnd(d('300'), d('0.25'), 'CNY').toFixed()).toBe('1200');
    expect(forecastAtEnd(d('300'), d('0'), 'CNY').toFixed()).toBe('300');
    expect(forecastAtEnd(d('300'), d('1'), 'CNY').toFixed()).toBe('300');
    expect(forecastAtEnd(d('0.1'), d('0.5'), 'CNY').toFixed()).toBe('0.2');
    // Rounded HALF_EVEN to the currency's minor unit: 175,150 spent 70 % of the way in.
    expect(forecastAtEnd(d('175150'), d(7).div(10), 'CNY').toFixed()).toBe('250214.29');
    expect(forecastAtEnd(d('175150'), d(7).div(10), 'JPY').toFixed()).toBe('250214');
    expect(forecastAtEnd(d('0.25'), d('0.5'), 'JPY').toFixed()).toBe('0'); // 0.5 → 0 (half to even)
  });

  it('status compares burn with the elapsed share: AT_RISK above +10 points, UNDER below −25, OVER past plan', () => {
    const planned = d('1000');
    expect(budgetStatus(d('500'), planned, d('0.5'))).toBe(BudgetStatus.ON_TRACK);
    expect(budgetStatus(d('600'), planned, d('0.5'))).toBe(BudgetStatus.ON_TRACK); // exactly +10: still on track
    expect(budgetStatus(d('600.01'), planned, d('0.5'))).toBe(BudgetStatus.AT_RISK);
    expect(budgetStatus(d('250'), planned, d('0.5'))).toBe(BudgetStatus.ON_TRACK); // exactly −25
    expect(budgetStatus(d('249.99'), planned, d('0.5'))).toBe(BudgetStatus.UNDER);
    expect(budgetStatus(d('1000'), planned, d('1'))).toBe(BudgetStatus.ON_TRACK);
    expect(budgetStatus(d('1000.01'), planned, d('1'))).toBe(BudgetStatus.OVER);
    expect(budgetStatus(d('0'), d('0'), d('0.5'))).toBe(BudgetStatus.ON_TRACK);
    expect(budgetStatus(d('1'), d('0'), d('0.5'))).toBe(BudgetStatus.OVER);
    expect(budgetStatus(d('0'), planned, d('0'))).toBe(BudgetStatus.ON_TRACK);
  });

  it('thresholds are reached at 80 % and 100 % of plan', () => {
    expect(thresholdsReached(d('799.99'), d('1000'))).toEqual([]);
    expect(thresholdsReached(d('800'), d('1000'))).toEqual([80]);
    expect(thresholdsReached(d('1000'), d('1000'))).toEqual([80, 100]);
    expect(thresholdsReached(d('5'), d('0'))).toEqual([]);
  });

  it('cost per unit is spent ÷ KPI gain, null for no, zero or negative gain', () => {
    expect(costPerUnit(d('30000'), d('1500'))!.toFixed()).toBe('20');
    expect(costPerUnit(d('100'), d('3'))!.toFixed(4)).toBe('33.3333');
    expect(costPerUnit(d('100'), d('0'))).toBeNull();
    expect(costPerUnit(d('100'), d('-5'))).toBeNull();
    expect(costPerUnit(d('100'), null)).toBeNull();
  });

  it('the KPI change from the baseline to the window, by aggregation', () => {
    const pts = (...v: Array<[string, number | null]>) => v.map(([periodStart, x]) => ({ periodStart, value: x == null ? null : d(x) }));
    // Three weeks each: the baseline measured 70 and 140 (one week missing), the window 210 and 280.
    const weeks = pts(['2026-03-02', 70], ['2026-03-09', null], ['2026-03-16', 140], ['2026-03-23', 210], ['2026-03-30', 280], ['2026-04-06', null]);
    const windows = { baseline: { start: '2026-03-02', end: '2026-03-22' }, window: { start: '2026-03-23', end: '2026-04-12' } };
    // SUM: 210 over the baseline's 14 measured days (15 a day); 490 over the window's 14, 210 of them at the baseline's pace.
    expect(kpiWindowChange('SUM', Grain.WEEK, weeks, windows)!.toFixed()).toBe('280');
    expect(kpiWindowChange('AVERAGE', Grain.WEEK, weeks, windows)!.toFixed()).toBe('140');
    expect(kpiWindowChange('LAST', Grain.WEEK, weeks, windows)!.toFixed()).toBe('140');
    expect(kpiWindowChange('LAST', Grain.WEEK, weeks.slice(3), windows)).toBeNull();
    expect(kpiWindowChange('SUM', Grain.WEEK, weeks.slice(0, 3), windows)).toBeNull();
    // A month overlapping a window counts for its days in it: January (10 a day) for 28 of its 31 days in February's baseline.
    const months = pts(['2026-01-01', 310], ['2026-02-01', 560]);
    const feb = { baseline: { start: '2026-01-04', end: '2026-01-31' }, window: { start: '2026-02-01', end: '2026-02-28' } };
    expect(kpiWindowChange('SUM', Grain.MONTH, months, feb)!.toFixed()).toBe('280');
    expect(kpiWindowChange('AVERAGE', Grain.MONTH, months, feb)!.toFixed()).toBe('250');
  });

  it('efficiency ranks the cheapest unit first, lines without a measurable gain last', () => {
    const rows = [
      { name: 'c', spent: d(10), costPerKpiUnit: null },
      { name: 'b', spent: d(100), costPerKpiUnit: d('5') },
      { name: 'a', spent: d(500), costPerKpiUnit: d('2.5') },
      { name: 'd', spent: d(5), costPerKpiUnit: null },
    ];
    expect([...rows].sort(compareEfficiency).map((r) => r.name)).toEqual(['a', 'b', 'd', 'c']);
  });

  it('the burn curve has one point per bucket of the kit (src/common/periods.ts) covering the period', () => {
    const starts = (grain: Grain) => burnCurve(d('910'), '2026-04-01', '2026-06-30', grain, new Map(), 'CNY').map((p) => p.periodStart);
    expect(starts(Grain.MONTH)).toEqual(['2026-04-01', '2026-05-01', '2026-06-01']);
    expect(starts(Grain.QUARTER)).toEqual(['2026-04-01']);
    expect(starts(Grain.DAY)).toHaveLength(91);
    const weeks = starts(Grain.WEEK);
    expect(weeks[0]).toBe('2026-03-30'); // the Monday of the week holding Wednesday 1 April
    expect(weeks[weeks.length - 1]).toBe('2026-06-29');
    expect(weeks).toHaveLength(14);
    expect(weeks).toEqual(bucketStarts('2026-04-01', '2026-06-30', Grain.WEEK));
  });

  it('the burn curve sums the plan evenly over the days and the spend bucket by bucket', () => {
    const spend = new Map([
      ['2026-04-01', d('100.10')],
      ['2026-06-01', d('0.20')],
    ]);
    const curve = burnCurve(d('910'), '2026-04-01', '2026-06-30', Grain.MONTH, spend, 'CNY');
    expect(curve.map((p) => [p.periodStart, p.plannedCumulative.toFixed(2), p.spentCumulative.toFixed()])).toEqual([
      ['2026-04-01', '300.00', '100.1'],
      ['2026-05-01', '610.00', '100.1'],
      ['2026-06-01', '910.00', '100.3'],
    ]);
  });

  it('derived figures are rounded by the kit: ratios to 6 places, amounts HALF_EVEN to the minor unit', () => {
    expect(burnRate(d('2'), d('3'))!.toFixed()).toBe('0.666667');
    expect(costPerUnit(d('100'), d('3'))!.toFixed()).toBe('33.333333');
    expect(toleratedLossAmount(d('0.45'), d('0.5'), 'CNY')!.toFixed()).toBe('0.22'); // 0.225 → 0.22
    expect(toleratedLossAmount(d('0.35'), d('0.5'), 'CNY')!.toFixed()).toBe('0.18'); // 0.175 → 0.18
  });

  it('exact sums: 10,000 × 0.10 is 1000.00', () => {
    let total = d(0);
    for (let i = 0; i < 10_000; i++) total = total.plus('0.10');
    expect(total.toFixed(2)).toBe('1000.00');
  });

  it('periods, deadlines, what a line may give, tolerated loss', () => {
    expect(() => validatePeriod('2026-04-02', '2026-04-01')).toThrow(/on or after/);
    expect(() => validatePeriod('2026-01-01', '2028-01-02')).toThrow(/at most/);
    const at = new Date('2026-04-01T08:00:00Z');
    expect(decisionDueAt(at, true, 24).toISOString()).toBe('2026-04-02T08:00:00.000Z');
    expect(decisionDueAt(at, true, 4).toISOString()).toBe('2026-04-01T12:00:00.000Z');
    expect(decisionDueAt(at, false, 4).toISOString()).toBe('2026-04-08T08:00:00.000Z');
    expect(() => assertCanGive({ name: 'x', planned: d(100), spent: d(60) }, d(40), 'CNY')).not.toThrow();
    expect(() => assertCanGive({ name: 'x', planned: d(100), spent: d(60) }, d('40.01'), 'CNY')).toThrow(/40 CNY left/);
    expect(toleratedLossAmount(d(5000), d('0.3'), 'CNY')!.toFixed()).toBe('1500');
    expect(toleratedLossAmount(d(5000), null, 'CNY')).toBeNull();
  });
});
