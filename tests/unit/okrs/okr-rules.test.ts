import { RuleViolation } from '../../../src/common/rules';
import Decimal from 'decimal.js';
import {
  KeyResultKind as K,
  OkrStatus as S,
  assertSomeWeight,
  createsAlignmentCycle,
  elapsedShare,
  keyResultProgress,
  keyResultStatus,
  objectiveStatus,
  scoreOf,
  statusFromConfidence,
  statusFromPace,
  validateMeasure,
  validateValue,
  weakestStatus,
  weightedMean,
} from '../../../src/modules/okrs/okr-rules';

const d = (v: string | number) => new Decimal(v);
const measure = (kind: K, start: string | number, target: string | number) => ({ kind, startValue: d(start), targetValue: d(target) });
const progress = (kind: K, start: string | number, target: string | number, current: string | number) =>
  keyResultProgress(measure(kind, start, target), d(current));

describe('key result progress', () => {
  it('INCREASE_TO is the share of the way from start to target', () => {
    expect(progress(K.INCREASE_TO, 100, 130, 100)).toBe(0);
    expect(progress(K.INCREASE_TO, 100, 130, 115)).toBe(0.5);
    expect(progress(K.INCREASE_TO, 100, 130, 130)).toBe(1);
    expect(progress(K.INCREASE_TO, 0, 3, 1)).toBeCloseTo(1 / 3, 12);
  });

  it('clamps: beyond the target is 1, worse than the start is 0 (never negative)', () => {
    expect(progress(K.INCREASE_TO, 100, 130, 160)).toBe(1);
    expect(progress(K.INCREASE_TO, 100, 130, 90)).toBe(0);
    expect(progress(K.DECREASE_TO, 8, 5, 9)).toBe(0);
    expect(progress(K.DECREASE_TO, 8, 5, 4)).toBe(1);
  });

  it('DECREASE_TO works for "reduce the refund rate from 8% to 5%"', () => {
    expect(progress(K.DECREASE_TO, '0.08', '0.05', '0.08')).toBe(0);
    expect(progress(K.DECREASE_TO, '0.08', '0.05', '0.065')).toBe(0.5);
    expect(progress(K.DECREASE_TO, '0.08', '0.05', '0.05')).toBe(1);
    expect(progress(K.DECREASE_TO, 8, 5, 7)).toBeCloseTo(1 / 3, 12);
  });

  it('is exact with decimal values that floats get wrong', () => {
    // (0.3 − 0.1) / (0.5 − 0.1) is 0.49999999999999994 in floats
    expect(progress(K.INCREASE_TO, '0.1', '0.5', '0.3')).toBe(0.5);
    expect(progress(K.INCREASE_TO, '0.1', '0.3', '0.2')).toBe(0.5);
  });

  it('handles negative values and very large numbers', () => {
    expect(progress(K.INCREASE_TO, -10, 10, 0)).toBe(0.5);
    expect(progress(K.DECREASE_TO, 0, -4, -1)).toBe(0.25);
    expect(progress(K.INCREASE_TO, '1e20', '3e20', '2e20')).toBe(0.5);
  });

  it('STAY_ABOVE is 1 at or above the threshold, else 0', () => {
    expect(progress(K.STAY_ABOVE, 0, '0.3', '0.3')).toBe(1);
    expect(progress(K.STAY_ABOVE, 0, '0.3', '0.31')).toBe(1);
    expect(progress(K.STAY_ABOVE, 0, '0.3', '0.2999')).toBe(0);
  });

  it('STAY_BELOW is 1 at or below the threshold, else 0', () => {
    expect(progress(K.STAY_BELOW, 0, 5, 5)).toBe(1);
    expect(progress(K.STAY_BELOW, 0, 5, 4)).toBe(1);
    expect(progress(K.STAY_BELOW, 0, 5, '5.01')).toBe(0);
  });

  it('MILESTONE is 1 when done, else 0', () => {
    expect(progress(K.MILESTONE, 0, 1, 0)).toBe(0);
    expect(progress(K.MILESTONE, 0, 1, 1)).toBe(1);
  });
});

describe('key result definitions and values', () => {
  it('refuses start = target for INCREASE_TO and DECREASE_TO', () => {
    expect(() => validateMeasure(measure(K.INCREASE_TO, 5, 5))).toThrow(RuleViolation);
    expect(() => validateMeasure(measure(K.DECREASE_TO, '5.0', '5'))).toThrow(/targetValue different/);
    expect(() => keyResultProgress(measure(K.INCREASE_TO, 5, 5), d(5))).toThrow(RuleViolation);
  });

  it('allows start = target for thresholds, and needs 0→1 for a milestone', () => {
    expect(() => validateMeasure(measure(K.STAY_ABOVE, 5, 5))).not.toThrow();
    expect(() => validateMeasure(measure(K.STAY_BELOW, 5, 5))).not.toThrow();
    expect(() => validateMeasure(measure(K.MILESTONE, 0, 1))).not.toThrow();
    expect(() => validateMeasure(measure(K.MILESTONE, 0, 2))).toThrow(RuleViolation);
  });

  it('accepts only 0 or 1 as a milestone value', () => {
    expect(() => validateValue(K.MILESTONE, d(1))).not.toThrow();
    expect(() => validateValue(K.MILESTONE, d(0))).not.toThrow();
    expect(() => validateValue(K.MILESTONE, d('0.5'))).toThrow(RuleViolation);
    expect(() => validateValue(K.INCREASE_TO, d('-3.5'))).not.toThrow();
  });
});

describe('weighted roll-up', () => {
  const w = (weight: number | string, value: number) => ({ weight: d(weight), value });

  it('defaults to the plain mean with weights 1', () => {
    expect(weightedMean([w(1, 0.5), w(1, 1)])).toBe(0.75);
  });

  it('weighs contributors', () => {
    expect(weightedMean([w(3, 1), w(1, 0)])).toBe(0.75);
    expect(weightedMean([w('0.5', 1), w('1.5', 0.5)])).toBe(0.625);
  });

  it('ignores weight 0 contributors', () => {
    expect(weightedMean([w(0, 0), w(1, 0.8)])).toBe(0.8);
  });

  it('gives 0 for no contributors or all-zero weights (no division by zero)', () => {
    expect(weightedMean([])).toBe(0);
    expect(weightedMean([w(0, 1), w(0, 1)])).toBe(0);
  });

  it('refuses negative weights', () => {
    expect(() => weightedMean([w(-1, 1)])).toThrow(RuleViolation);
    expect(() => assertSomeWeight([d(-1), d(2)])).toThrow(RuleViolation);
  });

  it('refuses a set of weights that are all zero, but allows some zeros and the empty set', () => {
    expect(() => assertSomeWeight([d(0), d(0)])).toThrow(/weight above 0/);
    expect(() => assertSomeWeight([d(0)])).toThrow(RuleViolation);
    expect(() => assertSomeWeight([d(0), d(1)])).not.toThrow();
    expect(() => assertSomeWeight([])).not.toThrow();
  });

  it('rolls up through levels: KR → objective → parent objective', () => {
    const squadObjective = weightedMean([w(1, 0.5), w(1, 1)]); // 0.75
    const other = weightedMean([w(1, 0.25)]);
    expect(weightedMean([w(2, squadObjective), w(1, other)])).toBeCloseTo((2 * 0.75 + 0.25) / 3, 12);
  });
});

describe('status', () => {
  it('follows the latest confidence: ≥ 0.7 on track, ≥ 0.4 at risk, else off track', () => {
    expect(statusFromConfidence(1)).toBe(S.ON_TRACK);
    expect(statusFromConfidence(0.7)).toBe(S.ON_TRACK);
    expect(statusFromConfidence(0.69)).toBe(S.AT_RISK);
    expect(statusFromConfidence(0.4)).toBe(S.AT_RISK);
    expect(statusFromConfidence(0.39)).toBe(S.OFF_TRACK);
    expect(statusFromConfidence(0)).toBe(S.OFF_TRACK);
  });

  it('without a check-in, follows pace: progress against the elapsed share', () => {
    expect(statusFromPace(0.35, 0.5)).toBe(S.ON_TRACK); // 70% of expected
    expect(statusFromPace(0.34, 0.5)).toBe(S.AT_RISK);
    expect(statusFromPace(0.25, 0.5)).toBe(S.AT_RISK); // 50%
    expect(statusFromPace(0.24, 0.5)).toBe(S.OFF_TRACK);
    expect(statusFromPace(0, 0)).toBe(S.ON_TRACK); // not started yet
    expect(statusFromPace(1, 1)).toBe(S.ON_TRACK);
    expect(statusFromPace(0, 1)).toBe(S.OFF_TRACK);
  });

  it('prefers confidence over pace when there is a check-in (even confidence 0)', () => {
    expect(keyResultStatus({ confidence: 0.9, progress: 0, elapsed: 1 })).toBe(S.ON_TRACK);
    expect(keyResultStatus({ confidence: 0, progress: 1, elapsed: 0.1 })).toBe(S.OFF_TRACK);
    expect(keyResultStatus({ confidence: null, progress: 0, elapsed: 0.9 })).toBe(S.OFF_TRACK);
  });

  it('gives an objective its weakest key result status', () => {
    expect(weakestStatus([S.ON_TRACK, S.AT_RISK, S.ON_TRACK])).toBe(S.AT_RISK);
    expect(weakestStatus([S.AT_RISK, S.OFF_TRACK])).toBe(S.OFF_TRACK);
    expect(weakestStatus([])).toBeNull();
    expect(objectiveStatus([S.ON_TRACK], 0, 1)).toBe(S.ON_TRACK);
    expect(objectiveStatus([], 0, 1)).toBe(S.OFF_TRACK);
    expect(objectiveStatus([], 0, 0)).toBe(S.ON_TRACK);
  });

  it('measures the elapsed share of a cycle with inclusive dates', () => {
    expect(elapsedShare('2026-04-01', '2026-06-30', '2026-03-31')).toBe(0);
    expect(elapsedShare('2026-04-01', '2026-06-30', '2026-04-01')).toBeCloseTo(1 / 91, 12);
    expect(elapsedShare('2026-04-01', '2026-06-30', '2026-06-30')).toBe(1);
    expect(elapsedShare('2026-04-01', '2026-06-30', '2026-09-01')).toBe(1);
    expect(elapsedShare('2026-05-01', '2026-05-01', '2026-05-01')).toBe(1);
  });
});

describe('scoring', () => {
  it('rounds progress to one decimal, halves up', () => {
    expect(scoreOf(0)).toBe(0);
    expect(scoreOf(0.04)).toBe(0);
    expect(scoreOf(0.05)).toBe(0.1);
    expect(scoreOf(0.649)).toBe(0.6);
    expect(scoreOf(0.65)).toBe(0.7);
    expect(scoreOf(1 / 3)).toBe(0.3);
    expect(scoreOf(0.96)).toBe(1);
    expect(scoreOf(1)).toBe(1);
  });
});

describe('alignment cycles', () => {
  it('refuses aligning an objective to itself or to one of its descendants', () => {
    expect(createsAlignmentCycle('a', 'a', [])).toBe(true);
    // b's ancestors are [a]: making b the parent of a closes a → b → a
    expect(createsAlignmentCycle('a', 'b', ['a'])).toBe(true);
    expect(createsAlignmentCycle('a', 'c', ['b', 'a', 'root'])).toBe(true);
  });

  it('allows any other parent, and no parent', () => {
    expect(createsAlignmentCycle('a', 'b', ['root'])).toBe(false);
    expect(createsAlignmentCycle('a', null, [])).toBe(false);
  });
});
