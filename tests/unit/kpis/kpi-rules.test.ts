import Decimal from 'decimal.js';
import {
  aggregate,
  breachOf,
  KpiAggregation,
  KpiAlertLevel,
  KpiDirection,
  KpiStatus,
  statusOf,
  validateLimits,
  whatIfPeriod,
  type KpiLimits,
} from '../../../src/modules/kpis/kpi-rules';
import { Grain } from '../../../src/common/periods';

const d = (v: string) => new Decimal(v);
const limits = (l: Partial<Record<keyof KpiLimits, string>> & { direction?: KpiDirection }): KpiLimits => ({
  direction: l.direction ?? KpiDirection.HIGHER_IS_BETTER,
  normalMin: l.normalMin ? d(l.normalMin) : null,
  normalMax: l.normalMax ? d(l.normalMax) : null,
  warningBelow: l.warningBelow ? d(l.warningBelow) : null,
  criticalBelow: l.criticalBelow ? d(l.criticalBelow) : null,
  warningAbove: l.warningAbove ? d(l.warningAbove) : null,
  criticalAbove: l.criticalAbove ? d(l.criticalAbove) : null,
});

describe('alert rules', () => {
  const refund = limits({ direction: KpiDirection.LOWER_IS_BETTER, normalMin: '1', normalMax: '5', warningAbove: '6', criticalAbove: '8' });

  it('raises the most severe level strictly past a threshold', () => {
    expect(breachOf(refund, d('9'))?.level).toBe(KpiAlertLevel.CRITICAL);
    expect(breachOf(refund, d('8'))?.level).toBe(KpiAlertLevel.WARNING); // not strictly past critical
    expect(breachOf(refund, d('6.5'))?.level).toBe(KpiAlertLevel.WARNING);
    expect(breachOf(refund, d('9'))?.reason).toBe('above the critical threshold 8');
  });

  it('lets direction decide which side of the normal range is bad', () => {
    expect(breachOf(refund, d('5.5'))).toEqual({ level: KpiAlertLevel.WARNING, reason: 'above the normal range (max 5)' });
    expect(breachOf(refund, d('0.5'))).toBeNull(); // lower is better: below the range is good news
    const conversion = limits({ normalMin: '0.02', normalMax: '0.05' });
    expect(breachOf(conversion, d('0.01'))?.level).toBe(KpiAlertLevel.WARNING);
    expect(breachOf(conversion, d('0.09'))).toBeNull();
  });

  it('applies "below" thresholds whatever the direction', () => {
    const l = limits({ warningBelow: '10', criticalBelow: '5' });
    expect(breachOf(l, d('4.99'))?.level).toBe(KpiAlertLevel.CRITICAL);
    expect(breachOf(l, d('5'))?.level).toBe(KpiAlertLevel.WARNING);
    expect(breachOf(l, d('10'))).toBeNull();
  });

  it('gives the status of a latest value', () => {
    expect(statusOf(refund, null)).toBe(KpiStatus.NO_DATA);
    expect(statusOf(refund, d('3'))).toBe(KpiStatus.NORMAL);
    expect(statusOf(refund, d('7'))).toBe(KpiStatus.WARNING);
    expect(statusOf(refund, d('10'))).toBe(KpiStatus.CRITICAL);
    expect(statusOf(limits({}), d('-1'))).toBe(KpiStatus.NORMAL);
  });

  it('refuses limits out of order', () => {
    expect(() => validateLimits(limits({ normalMin: '5', normalMax: '1' }))).toThrow(/normalRange/);
    expect(() => validateLimits(limits({ criticalBelow: '5', warningBelow: '1' }))).toThrow(/criticalBelow/);
    expect(() => validateLimits(limits({ warningAbove: '9', criticalAbove: '8' }))).toThrow(/warningAbove/);
    expect(() => validateLimits(limits({ warningBelow: '9', warningAbove: '8' }))).toThrow(/below/);
    expect(() => validateLimits(refund)).not.toThrow();
  });
});

describe('aggregation per period bucket (the buckets are src/common/periods.ts’)', () => {
  it('combines by SUM, AVERAGE and LAST exactly', () => {
    expect(aggregate(KpiAggregation.SUM, d('0.3'), 2, d('0.2'))!.toFixed()).toBe('0.3');
    expect(aggregate(KpiAggregation.AVERAGE, d('0.3'), 2, d('0.2'))!.toFixed()).toBe('0.15');
    expect(aggregate(KpiAggregation.LAST, d('0.3'), 2, d('0.2'))!.toFixed()).toBe('0.2');
    expect(aggregate(KpiAggregation.SUM, d('0'), 0, null)).toBeNull();
  });
});

describe('whatIfPeriod', () => {
  it('maps any day to the start of its period of the grain', () => {
    expect(whatIfPeriod(Grain.WEEK, '2026-04-01', '2026-12-09')).toBe('2026-03-30');
    expect(whatIfPeriod(Grain.WEEK, '2026-03-30', '2026-12-09')).toBe('2026-03-30');
    expect(whatIfPeriod(Grain.MONTH, '2026-12-15', '2026-12-09')).toBe('2026-12-01');
    expect(whatIfPeriod(Grain.DAY, '2026-12-15', '2026-12-09')).toBe('2026-12-15');
  });
  it('without a day, takes the last period that ended before today', () => {
    expect(whatIfPeriod(Grain.WEEK, null, '2026-12-09')).toBe('2026-11-30');
    expect(whatIfPeriod(Grain.WEEK, null, '2026-12-07')).toBe('2026-11-30');
    expect(whatIfPeriod(Grain.MONTH, null, '2026-01-01')).toBe('2025-12-01');
    expect(whatIfPeriod(Grain.DAY, null, '2026-03-01')).toBe('2026-02-28');
  });
});
