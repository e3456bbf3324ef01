import Decimal from 'decimal.js';
import { RuleViolation } from '../../../src/common/rules';
import {
  CampaignStatus as S,
  combinePeriods,
  ReturnKind,
  allowedNext,
  canTransition,
  experimentResult,
  liftOf,
  P_VALUE_DIGITS,
  returnAmount,
  returnFromBasis,
  roiOf,
  sampleSizePerArm,
  transitionForbidden,
  transitionRefusal,
  twoProportionZTest,
  twoSidedPValue,
  validateVariants,
} from '../../../src/modules/campaigns/campaign-rules';

const d = (v: string | number) => new Decimal(v);
const ALL = Object.values(S);

describe('campaign transitions', () => {
  const allowed: Array<[S, S]> = [
    [S.DRAFT, S.PLANNED],
    [S.PLANNED, S.APPROVED],
    [S.APPROVED, S.LIVE],
    [S.LIVE, S.COMPLETED],
    [S.COMPLETED, S.REVIEWED],
    [S.DRAFT, S.CANCELLED],
    [S.PLANNED, S.CANCELLED],
    [S.APPROVED, S.CANCELLED],
    [S.LIVE, S.CANCELLED],
  ];
  const isAllowed = (from: S, to: S) => allowed.some(([f, t]) => f === from && t === to);
  const pairs = ALL.flatMap((from) => ALL.map((to) => [from, to] as [S, S]));

  it.each(pairs)('%s → %s follows the life cycle', (from, to) => {
    expect(canTransition(from, to)).toBe(isAllowed(from, to));
  });

  it('names the allowed next states when refusing', () => {
    expect(transitionRefusal(S.DRAFT, S.LIVE)).toBe('A DRAFT campaign cannot move to LIVE; allowed next: PLANNED, CANCELLED');
    expect(transitionRefusal(S.COMPLETED, S.CANCELLED)).toBe('A COMPLETED campaign cannot move to CANCELLED; allowed next: REVIEWED');
    expect(transitionRefusal(S.REVIEWED, S.DRAFT)).toContain('REVIEWED is final');
    expect(allowedNext(S.CANCELLED)).toEqual([]);
  });

  it('lets only FINANCE/ADMIN/OWNER approve, and the squad lead run the rest', () => {
    const admin = { admin: true, approver: true, lead: false };
    const finance = { admin: false, approver: true, lead: false };
    const lead = { admin: false, approver: false, lead: true };
    const otherLead = { admin: false, approver: false, lead: false };
    for (const caller of [admin, finance]) expect(transitionForbidden(caller, S.APPROVED)).toBeNull();
    expect(transitionForbidden(lead, S.APPROVED)).toMatch(/FINANCE, ADMIN or OWNER/);
    expect(transitionForbidden(otherLead, S.APPROVED)).not.toBeNull();
    for (const to of [S.PLANNED, S.LIVE, S.COMPLETED, S.CANCELLED]) {
      expect(transitionForbidden(lead, to)).toBeNull();
      expect(transitionForbidden(otherLead, to)).not.toBeNull();
      expect(transitionForbidden(finance, to)).toMatch(/FINANCE approves campaigns/);
      expect(transitionForbidden(admin, to)).toBeNull();
    }
  });
});

describe('returns from their basis', () => {
  it('computes each kind exactly', () => {
    expect(returnFromBasis(ReturnKind.DIRECT, { gmv: d('3200000.10'), grossMargin: d('0.35') }).toFixed()).toBe('1120000.035');
    expect(returnFromBasis(ReturnKind.INDIRECT, { newMembers: 12000, lifetimeValue: d('85.5') }).toFixed()).toBe('1026000');
    expect(returnFromBasis(ReturnKind.BRAND, { impressions: 50_000_001, cpm: d('40') }).toFixed()).toBe('2000000.04');
    // 0.1 × 0.2 would be 0.020000000000000004 in floats.
    expect(returnFromBasis(ReturnKind.DIRECT, { gmv: d('0.1'), grossMargin: d('0.2') }).toFixed()).toBe('0.02');
  });

  it("refuses a basis with missing, foreign or negative fields", () => {
    expect(() => returnFromBasis(ReturnKind.DIRECT, { gmv: d(1) })).toThrow(/needs gmv and grossMargin/);
    expect(() => returnFromBasis(ReturnKind.BRAND, { impressions: 1, cpm: d(1), gmv: d(1) })).toThrow(/not gmv/);
    expect(() => returnFromBasis(ReturnKind.INDIRECT, { newMembers: -1, lifetimeValue: d(1) })).toThrow(RuleViolation);
    expect(() => returnFromBasis(ReturnKind.DIRECT, { gmv: d(1), grossMargin: d('1.2') })).toThrow(/ratio/);
  });

  it('takes the amount, or the basis, and both only when they agree', () => {
    expect(returnAmount(ReturnKind.BRAND, d('12.5'), null, 'CNY').toFixed()).toBe('12.5');
    expect(returnAmount(ReturnKind.BRAND, null, { impressions: 1000, cpm: d('7') }, 'CNY').toFixed()).toBe('7');
    expect(returnAmount(ReturnKind.BRAND, d('7.00'), { impressions: 1000, cpm: d('7') }, 'CNY').toFixed()).toBe('7');
    expect(() => returnAmount(ReturnKind.BRAND, d('8'), { impressions: 1000, cpm: d('7') }, 'CNY')).toThrow(/differs/);
    expect(() => returnAmount(ReturnKind.DIRECT, null, null, 'CNY')).toThrow(/amount/);
    expect(() => returnAmount(ReturnKind.DIRECT, d('-1'), null, 'CNY')).toThrow(/0 or more/);
  });

  it('takes amounts like every amount (src/common/money.ts) and rounds a computed one to the minor unit', () => {
    // Digits of the currency, the maximum, plain notation.
    expect(() => returnAmount(ReturnKind.BRAND, d('12.5'), null, 'JPY')).toThrow(/more decimals than JPY/);
    expect(() => returnAmount(ReturnKind.BRAND, d('1000000000000000.01'), null, 'CNY')).toThrow(/at most 1000000000000000/);
    // 1,234 impressions at 7 per thousand: 8.638 → 8.64 CNY, 9 JPY; half to even: 2.5 JPY → 2.
    expect(returnAmount(ReturnKind.BRAND, null, { impressions: 1234, cpm: d('7') }, 'CNY').toFixed(2)).toBe('8.64');
    expect(returnAmount(ReturnKind.BRAND, null, { impressions: 1234, cpm: d('7') }, 'JPY').toFixed()).toBe('9');
    expect(returnAmount(ReturnKind.BRAND, null, { impressions: 500, cpm: d('5') }, 'JPY').toFixed()).toBe('2');
    expect(() => returnAmount(ReturnKind.DIRECT, null, { gmv: d('1e16'), grossMargin: d('0.5') }, 'CNY')).toThrow(
      expect.objectContaining({ field: 'basis' }),
    );
  });
});

describe('ROI', () => {
  it('is (returns − cost) ÷ cost as an exact ratio', () => {
    expect(roiOf(d('2900000'), d('1000000'))!.toFixed()).toBe('1.9');
    expect(roiOf(d('500'), d('1000'))!.toFixed()).toBe('-0.5');
    expect(roiOf(d('0'), d('1000'))!.toFixed()).toBe('-1');
    // 1/3 to six places, rounded half to even like every ratio; 2/3 rounds up.
    expect(roiOf(d('4'), d('3'))!.toFixed()).toBe('0.333333');
    expect(roiOf(d('5'), d('3'))!.toFixed()).toBe('0.666667');
    // Large and fine-grained amounts keep their decimals (floats would not).
    expect(roiOf(d('12345678901234567890.12'), d('12345678901234567890.11'))!.toFixed()).toBe('0');
    expect(roiOf(d('1000000.01'), d('1000000'))!.toFixed()).toBe('0');
    expect(roiOf(d('1000001'), d('1000000'))!.toFixed()).toBe('0.000001');
    expect(roiOf(d('0.3'), d('0.1'))!.toFixed()).toBe('2');
  });

  it('is null with zero cost', () => {
    expect(roiOf(d('100'), d('0'))).toBeNull();
  });
});

describe('two-proportion z-test', () => {
  // Reference: x₁ = 140 of n₁ = 200, x₂ = 255 of n₂ = 340; pooled p = 0.7314815, SE = 0.03949401,
  // z = −1.266015 (its p-value, 0.103 one-tailed, is read from a t table with 538 d.f.; the
  // standard normal table gives Φ(−1.266) = 0.1028, two-tailed 0.2055).
  it('matches a published example', () => {
    const t = twoProportionZTest({ users: 200, conversions: 140 }, { users: 340, conversions: 255 }, 0.05);
    expect(t.controlRate).toBeCloseTo(0.7, 12);
    expect(t.treatmentRate).toBeCloseTo(0.75, 12);
    // The example computes control − treatment; ours is treatment − control.
    expect(t.zScore).toBeCloseTo(1.266015, 5);
    expect(t.pValue).toBeCloseTo(0.2055, 3);
    expect(t.significant).toBe(false);
  });

  // Reference: x₁ = 28 of 254, x₂ = 36 of 301: z = −0.344, two-tailed p = 0.7307.
  it('matches a second published example', () => {
    const t = twoProportionZTest({ users: 301, conversions: 36 }, { users: 254, conversions: 28 }, 0.05);
    expect(t.zScore).toBeCloseTo(-0.344, 3);
    expect(t.pValue).toBeCloseTo(0.7307, 3);
  });

  it('gives z 0 and p 1 for equal rates', () => {
    const t = twoProportionZTest({ users: 10_000, conversions: 1000 }, { users: 10_000, conversions: 1000 }, 0.05);
    expect(t).toMatchObject({ zScore: 0, pValue: 1, significant: false });
  });

  it('finds the checkout test significant, with the relative lift and the winner', () => {
    // 150,000 users per arm, 10% → 11.8%: an 18% relative lift.
    const r = experimentResult(
      [
        { name: '原结账页', users: 150_000, conversions: 15_000, isControl: true },
        { name: '一键结账', users: 150_000, conversions: 17_700, isControl: false },
      ],
      0.05,
    );
    expect(r.lift!.toString()).toBe('0.18');
    expect(r.zScore).toBeGreaterThan(15);
    expect(r.pValue).toBeLessThan(1e-10);
    expect(r).toMatchObject({ significant: true, winner: '一键结账' });
  });

  it('names the control the winner when it converts significantly better, and nobody when not significant', () => {
    const worse = experimentResult(
      [
        { name: 'A', users: 1000, conversions: 200, isControl: true },
        { name: 'B', users: 1000, conversions: 100, isControl: false },
      ],
      0.05,
    );
    expect(worse).toMatchObject({ significant: true, winner: 'A' });
    expect(worse.lift!.toString()).toBe('-0.5');
    const close = experimentResult(
      [
        { name: 'A', users: 1000, conversions: 100, isControl: true },
        { name: 'B', users: 1000, conversions: 105, isControl: false },
      ],
      0.05,
    );
    expect(close).toMatchObject({ significant: false, winner: null });
  });

  it('gives no evidence (z 0, p 1) when neither arm converts, and no lift from a zero control', () => {
    const none = experimentResult(
      [
        { name: 'A', users: 10, conversions: 0, isControl: true },
        { name: 'B', users: 10, conversions: 0, isControl: false },
      ],
      0.05,
    );
    expect(none).toMatchObject({ zScore: 0, pValue: 1, significant: false, lift: null, winner: null });
  });

  it('gives the lift as an exact decimal from the counts: 59/500 against 50/500 is 0.18, not 0.17999999999999988', () => {
    const c = { users: 500, conversions: 50 };
    const t = { users: 500, conversions: 59 };
    // The float way: (0.118 − 0.1) ÷ 0.1.
    expect((59 / 500 - 50 / 500) / (50 / 500)).not.toBe(0.18);
    expect(liftOf(c, t)!.toString()).toBe('0.18');
    expect(experimentResult([{ name: 'A', ...c, isControl: true }, { name: 'B', ...t, isControl: false }], 0.05).lift!.toString()).toBe('0.18');
    // Rounded half to even to 6 places: 1/3 − 1 → −0.666667, 1/3 ÷ 1/2 − 1 → −0.333333.
    expect(liftOf({ users: 3, conversions: 3 }, { users: 3, conversions: 1 })!.toString()).toBe('-0.666667');
    expect(liftOf({ users: 400, conversions: 200 }, { users: 300, conversions: 100 })!.toString()).toBe('-0.333333');
    // 1/1,000,000 exactly; then exactly half at the 7th place: 1/2,000,000 rounds down to even (0), 3/2,000,000 up to even (0.000002).
    expect(liftOf({ users: 2_000_000, conversions: 1_000_000 }, { users: 2_000_000, conversions: 1_000_001 })!.toString()).toBe('0.000001');
    expect(liftOf({ users: 4_000_000, conversions: 2_000_000 }, { users: 4_000_000, conversions: 2_000_001 })!.toString()).toBe('0');
    expect(liftOf({ users: 4_000_000, conversions: 2_000_000 }, { users: 4_000_000, conversions: 2_000_003 })!.toString()).toBe('0.000002');
    // Counts whose products pass 2^53 stay exact.
    expect(liftOf({ users: 2_000_000_000, conversions: 1_999_999_999 }, { users: 1_999_999_999, conversions: 1_999_999_999 })!.toString()).toBe('0');
    expect(liftOf({ users: 10, conversions: 0 }, { users: 10, conversions: 5 })).toBeNull();
  });

  it('takes the p-value from the upper tail: z 8 is 1.2442e-15 (1 − Φ gives 1.33e-15, and 0 from 8.3), z 0 is 1', () => {
    const within = (actual: number, expected: number, relative: number) => expect(Math.abs(actual - expected) / expected).toBeLessThan(relative);
    within(twoSidedPValue(8), 1.2442e-15, 1e-4);
    within(twoSidedPValue(8), 1.2441921148543639e-15, 1e-6);
    // Shown to 10 significant digits.
    expect(P_VALUE_DIGITS).toBe(10);
    expect(twoSidedPValue(8)).toBe(1.244192115e-15);
    expect(twoSidedPValue(-8)).toBe(1.244192115e-15);
    expect(twoSidedPValue(0)).toBe(1);
    expect(twoSidedPValue(1.959963984540054)).toBe(0.05);
    // Where 1 − Φ(|z|) is 0: Q(8.3) = 5.2056e-17, Q(20) = 2.7536e-89.
    within(twoSidedPValue(8.3), 1.0411139489780573e-16, 1e-9);
    within(twoSidedPValue(20), 5.507248237212663e-89, 1e-9);
    // A double ends at 4.9e-324: the documented limit.
    expect(twoSidedPValue(38.5)).toBeGreaterThan(0);
    expect(twoSidedPValue(39)).toBe(0);
    for (const z of [0.1, 1, 2.5, 5, 12, 30]) {
      const p = twoSidedPValue(z);
      expect(Number(p.toPrecision(P_VALUE_DIGITS))).toBe(p);
    }
  });

  it('gives the tiny p-value of a strong experiment, not 0', () => {
    // 1000 of 10,000 against 1400 of 10,000: z = 8.7039, beyond where 1 − Φ is 0.
    const r = experimentResult(
      [
        { name: 'A', users: 10_000, conversions: 1000, isControl: true },
        { name: 'B', users: 10_000, conversions: 1400, isControl: false },
      ],
      0.05,
    );
    expect(r.zScore).toBeGreaterThan(8.3);
    expect(r.pValue).toBeGreaterThan(0);
    expect(r.pValue).toBeLessThan(1e-16);
    expect(r.lift!.toString()).toBe('0.4');
    expect(r).toMatchObject({ significant: true, winner: 'B' });
  });

  it('refuses users ≤ 0, conversions above users, no control, two controls', () => {
    const v = (users: number, conversions: number, isControl: boolean, name = isControl ? 'A' : 'B') => ({ name, users, conversions, isControl });
    expect(() => validateVariants([v(0, 0, true), v(10, 1, false)])).toThrow(/users must be a whole number above 0/);
    expect(() => validateVariants([v(10, 11, true), v(10, 1, false)])).toThrow(/cannot exceed/);
    expect(() => validateVariants([v(10, 1, false, 'A'), v(10, 1, false)])).toThrow(/control/);
    expect(() => validateVariants([v(10, 1, true), v(10, 1, true, 'B')])).toThrow(/Only one/);
    expect(() => validateVariants([v(10, 1, true)])).toThrow(/exactly 2/);
    expect(() => validateVariants([v(10, 1, true), v(10, 1, false, 'A')])).toThrow(/differ/);
  });
});

describe('sample size', () => {
  // Reference: baseline 10%, +20% relative (12%), α 0.05 two-sided, power 0.8 → 3,841 per arm
  // (pooled-variance formula, as in common online A/B calculators).
  it('matches the reference calculator', () => {
    expect(sampleSizePerArm(0.1, 0.2, 0.05, 0.8)).toBe(3841);
  });

  it('grows with power and a stricter alpha, shrinks with a larger lift', () => {
    expect(sampleSizePerArm(0.1, 0.2, 0.05, 0.9)).toBeGreaterThan(3841);
    expect(sampleSizePerArm(0.1, 0.2, 0.01, 0.8)).toBeGreaterThan(3841);
    expect(sampleSizePerArm(0.1, 0.5, 0.05, 0.8)).toBeLessThan(3841);
  });

  it('refuses impossible inputs', () => {
    expect(() => sampleSizePerArm(0, 0.2, 0.05, 0.8)).toThrow(/baselineRate/);
    expect(() => sampleSizePerArm(0.6, 1, 0.05, 0.8)).toThrow(/stay a rate/);
    expect(() => sampleSizePerArm(0.1, 0, 0.05, 0.8)).toThrow(/minimumDetectableLift/);
    expect(() => sampleSizePerArm(0.1, 0.2, 0.7, 0.8)).toThrow(/alpha/);
    expect(() => sampleSizePerArm(0.1, 0.2, 0.05, 1)).toThrow(/power/);
  });
});

describe('KPI actuals over a campaign', () => {
  const months = [d('10'), null, d('5.5')];
  it('combine monthly values by the aggregation', () => {
    expect(combinePeriods('SUM', months)!.toFixed()).toBe('15.5');
    expect(combinePeriods('AVERAGE', months)!.toFixed()).toBe('7.75');
    expect(combinePeriods('LAST', [d('1'), d('2'), null])!.toFixed()).toBe('2');
    expect(combinePeriods('SUM', [null, null])).toBeNull();
  });
});
