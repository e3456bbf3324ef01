/**
 * Campaign rules as plain functions (no ORM, no GraphQL): the life cycle, who may move a
 * campaign, returns from their basis, exact ROI, and the statistics of A/B experiments.
 */
import Decimal from 'decimal.js';
import { DECIMAL_RANGE, inDecimalRange, RangeDecimal } from '../../common/decimal-range';
import { checkAmount, MAX_AMOUNT, ratioOf, roundAmount, type CurrencyCode } from '../../common/money';
import { refuse } from '../../common/rules';
import erfc from '@stdlib/math-base-special-erfc';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

// ------------------------------------------------------------------ life cycle

export enum CampaignStatus {
  DRAFT = 'DRAFT',
  PLANNED = 'PLANNED',
  APPROVED = 'APPROVED',
  LIVE = 'LIVE',
  COMPLETED = 'COMPLETED',
  REVIEWED = 'REVIEWED',
  CANCELLED = 'CANCELLED',
}

/** goal-setting (DRAFT) → resource planning (PLANNED) → design (APPROVED) → execution (LIVE) → evaluation (COMPLETED) → review. */
export const CAMPAIGN_TRANSITIONS: Readonly<Record<CampaignStatus, readonly CampaignStatus[]>> = {
  [CampaignStatus.DRAFT]: [CampaignStatus.PLANNED, CampaignStatus.CANCELLED],
  [CampaignStatus.PLANNED]: [CampaignStatus.APPROVED, CampaignStatus.CANCELLED],
  [CampaignStatus.APPROVED]: [CampaignStatus.LIVE, CampaignStatus.CANCELLED],
  [CampaignStatus.LIVE]: [CampaignStatus.COMPLETED, CampaignStatus.CANCELLED],
  [CampaignStatus.COMPLETED]: [CampaignStatus.REVIEWED],
  [CampaignStatus.REVIEWED]: [],
  [CampaignStatus.CANCELLED]: [],
};

export function allowedNext(from: CampaignStatus): readonly CampaignStatus[] {
  return CAMPAIGN_TRANSITIONS[from];
}

export function canTransition(from: CampaignStatus, to: CampaignStatus): boolean {
  return CAMPAIGN_TRANSITIONS[from].includes(to);
}

/** The message of a refused transition, naming the allowed next states. */
export function transitionRefusal(from: CampaignStatus, to: CampaignStatus): string {
  const next = allowedNext(from);
  return `A ${from} campaign cannot move to ${to}; ${next.length ? `allowed next: ${next.join(', ')}` : `${from} is final: no transition is allowed`}`;
}

/** Campaigns whose cost, returns and experiments no longer change. */
export const isClosed = (status: CampaignStatus) => status === CampaignStatus.REVIEWED || status === CampaignStatus.CANCELLED;

/** What the caller is to a campaign (the service reads it with the kit's role sets, src/common/access.ts). */
export interface TransitionCaller {
  /** OWNER or ADMIN (`ADMINS`). */
  admin: boolean;
  /** OWNER, ADMIN or FINANCE (`ADMINS_AND_FINANCE`): who approve. */
  approver: boolean;
  /** The lead of the campaign's squad (`canManage`). */
  lead: boolean;
}

/**
 * Who may make an (allowed) transition. OWNER/ADMIN: any. APPROVED: FINANCE/ADMIN/OWNER only.
 * The lead of the campaign's squad runs it up to PLANNED and after APPROVED (every other
 * transition, cancelling included). FINANCE approves only. Null when permitted, else the reason.
 */
export function transitionForbidden(caller: TransitionCaller, to: CampaignStatus): string | null {
  if (caller.admin) return null;
  if (to === CampaignStatus.APPROVED) return caller.approver ? null : 'Only FINANCE, ADMIN or OWNER may approve a campaign';
  if (caller.lead) return null;
  if (caller.approver) return 'FINANCE approves campaigns; the squad lead or ADMIN/OWNER runs the rest of the life cycle';
  return "Only OWNER/ADMIN or the lead of the campaign's squad may move this campaign";
}

// ------------------------------------------------------------------ returns and ROI

export enum ReturnKind {
  DIRECT = 'DIRECT',
  INDIRECT = 'INDIRECT',
  BRAND = 'BRAND',
}

/**
 * Exact arithmetic on values of the Decimal range: a product of two has at most 76 significant
 * digits, a sum of two at most 119 (from 10^41 down to 10^-77). Exponents leaving -100…100 become
 * Infinity or 0, so no value is ever written out with more than about 220 digits. Results are
 * checked with `inDecimalRange` before anyone sees them.
 */
const D = Decimal.clone({ precision: 120, rounding: Decimal.ROUND_HALF_UP, maxE: 100, minE: -100 });

export interface ReturnBasis {
  gmv?: Decimal | null;
  grossMargin?: Decimal | null;
  newMembers?: number | null;
  lifetimeValue?: Decimal | null;
  impressions?: number | null;
  cpm?: Decimal | null;
}

/** The basis fields each kind takes. */
export const BASIS_FIELDS: Readonly<Record<ReturnKind, readonly (keyof ReturnBasis)[]>> = {
  [ReturnKind.DIRECT]: ['gmv', 'grossMargin'],
  [ReturnKind.INDIRECT]: ['newMembers', 'lifetimeValue'],
  [ReturnKind.BRAND]: ['impressions', 'cpm'],
};

const ALL_BASIS_FIELDS: (keyof ReturnBasis)[] = ['gmv', 'grossMargin', 'newMembers', 'lifetimeValue', 'impressions', 'cpm'];

function nonNegative(value: Decimal | number, field: string): Decimal {
  const d = new D(value);
  if (!d.isFinite() || d.isNegative()) throw refuse(`basis.${field} must be 0 or more`, `basis.${field}`);
  return d;
}

/**
 * The amount of a return from its basis, exactly: DIRECT gmv × grossMargin (a ratio 0..1),
 * INDIRECT newMembers × lifetimeValue, BRAND impressions ÷ 1000 × cpm. The basis must hold the
 * kind's fields and no other.
 */
export function returnFromBasis(kind: ReturnKind, basis: ReturnBasis): Decimal {
  const wanted = BASIS_FIELDS[kind];
  for (const f of ALL_BASIS_FIELDS) {
    const given = basis[f] != null;
    if (wanted.includes(f) && !given) throw refuse(`A ${kind} return's basis needs ${wanted.join(' and ')}`, `basis.${f}`);
    if (!wanted.includes(f) && given) throw refuse(`A ${kind} return's basis takes only ${wanted.join(' and ')}, not ${f}`, `basis.${f}`);
  }
  let amount: Decimal;
  switch (kind) {
    case ReturnKind.DIRECT: {
      const margin = nonNegative(basis.grossMargin!, 'grossMargin');
      if (margin.gt(1)) throw refuse('basis.grossMargin is a ratio from 0 to 1 (0.35 for 35%)', 'basis.grossMargin');
      amount = nonNegative(basis.gmv!, 'gmv').times(margin);
      break;
    }
    case ReturnKind.INDIRECT:
      amount = nonNegative(basis.newMembers!, 'newMembers').times(nonNegative(basis.lifetimeValue!, 'lifetimeValue'));
      break;
    case ReturnKind.BRAND:
      amount = nonNegative(basis.impressions!, 'impressions').div(1000).times(nonNegative(basis.cpm!, 'cpm'));
      break;
  }
  if (!inDecimalRange(amount)) {
    throw refuse(
      `The ${BASIS_PRODUCT[kind]} of this basis is out of the Decimal range ${DECIMAL_RANGE}: pass fewer digits, or the amount`,
      'basis',
    );
  }
  return new Decimal(amount);
}

const BASIS_PRODUCT: Readonly<Record<ReturnKind, string>> = {
  [ReturnKind.DIRECT]: 'gmv × grossMargin',
  [ReturnKind.INDIRECT]: 'newMembers × lifetimeValue',
  [ReturnKind.BRAND]: 'impressions ÷ 1000 × cpm',
};

/**
 * The amount to record, in the campaign's currency (its budget's): the given amount, taken like
 * every amount (src/common/money.ts `checkAmount`: plain decimal notation, 0 or more, at most
 * MAX_AMOUNT, no finer than the currency's minor unit), or the one computed from the basis,
 * rounded HALF_EVEN to the minor unit and at most MAX_AMOUNT (refused naming `basis`). Both
 * given: they must agree.
 */
export function returnAmount(
  kind: ReturnKind,
  amount: Decimal | null | undefined,
  basis: ReturnBasis | null | undefined,
  currency: CurrencyCode,
): Decimal {
  if (amount == null && basis == null) throw refuse('Pass amount, or basis for the server to compute it', 'amount');
  const computed = basis != null ? roundAmount(returnFromBasis(kind, basis), currency) : null;
  if (computed && computed.gt(MAX_AMOUNT)) {
    throw refuse(`The ${BASIS_PRODUCT[kind]} of this basis is ${computed.toFixed()}, more than ${MAX_AMOUNT.toFixed()}`, 'basis', {
      max: MAX_AMOUNT.toFixed(),
    });
  }
  if (amount != null) {
    const taken = checkAmount(amount, currency, 'amount', { allowZero: true });
    if (computed && !computed.eq(taken)) {
      throw refuse(`amount ${taken.toFixed()} differs from what the basis gives (${computed.toFixed()}): pass one of them`, 'amount');
    }
    return taken;
  }
  return computed!;
}

/**
 * (totalReturn − cost) ÷ cost, a ratio (1.9 means 190%) rounded HALF_EVEN to 6 places like every
 * ratio (src/common/money.ts `ratioOf`); null when the cost is zero or the ratio is out of the
 * Decimal range (returns far above a tiny cost).
 */
export function roiOf(totalReturn: Decimal, cost: Decimal): Decimal | null {
  return ratioOf(new D(totalReturn).minus(cost), cost);
}

/** A value read back rounded to 38 significant digits; null when it is out of the Decimal range. */
function inRangeOrNull(value: Decimal): Decimal | null {
  const rounded = value.toSignificantDigits(38, Decimal.ROUND_HALF_UP);
  return inDecimalRange(rounded) ? new Decimal(rounded) : null;
}

// ------------------------------------------------------------------ experiments

export interface VariantCounts {
  name: string;
  users: number;
  conversions: number;
  isControl: boolean;
}

export interface ExperimentResult {
  controlRate: number;
  treatmentRate: number;
  /** (treatment − control) ÷ control, exact from the counts, rounded HALF_EVEN to RATIO_PLACES; null when the control converted nobody. */
  lift: Decimal | null;
  zScore: number;
  /** 2·Q(|z|) from the upper tail, to P_VALUE_DIGITS significant digits. */
  pValue: number;
  significant: boolean;
  /** The variant that converts significantly better; null when the difference is not significant. */
  winner: string | null;
}

/** An A/B experiment compares one control with one treatment. */
export const MAX_VARIANTS = 2;

/** Checks the variants: two, unique names, exactly one control, users > 0, 0 ≤ conversions ≤ users. */
export function validateVariants(variants: readonly VariantCounts[]): void {
  if (variants.length !== MAX_VARIANTS) {
    throw refuse(`An A/B experiment has exactly ${MAX_VARIANTS} variants, one of them the control (got ${variants.length})`, 'variants');
  }
  const names = new Set<string>();
  variants.forEach((v, i) => {
    if (names.has(v.name)) throw refuse(`Variant names must differ: ${v.name} appears twice`, `variants.${i}.name`);
    names.add(v.name);
    if (!Number.isInteger(v.users) || v.users <= 0) throw refuse(`variants[${i}].users must be a whole number above 0`, `variants.${i}.users`);
    if (!Number.isInteger(v.conversions) || v.conversions < 0) {
      throw refuse(`variants[${i}].conversions must be a whole number, 0 or more`, `variants.${i}.conversions`);
    }
    if (v.conversions > v.users) {
      throw refuse(`variants[${i}].conversions (${v.conversions}) cannot exceed its users (${v.users})`, `variants.${i}.conversions`);
    }
  });
  const controls = variants.filter((v) => v.isControl).length;
  if (controls === 0) throw refuse('One variant must be the control (isControl: true)', 'variants');
  if (controls > 1) throw refuse('Only one variant may be the control', 'variants');
}

/** Significant digits of a p-value the API shows. */
export const P_VALUE_DIGITS = 10;

/**
 * The two-sided p-value of a standard normal z: 2·Q(|z|), Q the upper tail, computed as
 * erfc(|z| ÷ √2) (stdlib) and never as 2(1 − Φ(|z|)): 1 − Φ loses every digit once Φ rounds to 1
 * (|z| above about 8.3 gives 0), where the upper tail keeps them (z = 8: 1.244192115e-15).
 * Rounded to P_VALUE_DIGITS significant digits. A double holds them down to 2.2e-308 (|z| up to
 * about 37.5), fewer below; under 4.9e-324, the smallest positive double (|z| above about 38.5),
 * the value is 0.
 */
export function twoSidedPValue(z: number): number {
  const p = Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
  return p === 0 ? 0 : Number(p.toPrecision(P_VALUE_DIGITS));
}

/**
 * Two-sided two-proportion z-test with the pooled proportion:
 * p = (x₁ + x₂) ÷ (n₁ + n₂), z = (p₂ − p₁) ÷ √(p(1 − p)(1/n₁ + 1/n₂)), pValue = 2·Q(|z|)
 * (`twoSidedPValue`). Significant when pValue < alpha. Rates and z are statistics (floats): a
 * rate is one division of two whole numbers, the double nearest conversions ÷ users, which
 * prints as that decimal when it ends within 15 digits (59 ÷ 500 → 0.118).
 */
export function twoProportionZTest(control: { users: number; conversions: number }, treatment: { users: number; conversions: number }, alpha: number) {
  const p1 = control.conversions / control.users;
  const p2 = treatment.conversions / treatment.users;
  const pooled = (control.conversions + treatment.conversions) / (control.users + treatment.users);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / control.users + 1 / treatment.users));
  // Both arms converting nobody (or everybody): no evidence of a difference.
  const z = se === 0 ? 0 : (p2 - p1) / se;
  const pValue = twoSidedPValue(z);
  return { controlRate: p1, treatmentRate: p2, zScore: z, pValue, significant: pValue < alpha };
}

/**
 * The relative lift (treatment − control) ÷ control as an exact rational of the counts,
 * (x₂n₁ − x₁n₂) ÷ (x₁n₂), rounded HALF_EVEN to RATIO_PLACES (6) decimals like every ratio
 * (src/common/money.ts `ratioOf`): 59/500 against 50/500 is exactly 0.18. Null when the control
 * converted nobody.
 */
export function liftOf(control: { users: number; conversions: number }, treatment: { users: number; conversions: number }): Decimal | null {
  return ratioOf(liftNumerator(control, treatment), new RangeDecimal(control.conversions).times(treatment.users));
}

/** x₂n₁ − x₁n₂, exactly: its sign says which arm converts better. */
function liftNumerator(control: { users: number; conversions: number }, treatment: { users: number; conversions: number }): Decimal {
  return new RangeDecimal(treatment.conversions).times(control.users).minus(new RangeDecimal(control.conversions).times(treatment.users));
}

export function experimentResult(variants: readonly VariantCounts[], alpha: number): ExperimentResult {
  validateVariants(variants);
  const control = variants.find((v) => v.isControl)!;
  const treatment = variants.find((v) => !v.isControl)!;
  const t = twoProportionZTest(control, treatment, alpha);
  const lift = liftOf(control, treatment);
  const winner = !t.significant ? null : liftNumerator(control, treatment).gt(0) ? treatment.name : control.name;
  return { ...t, lift, winner };
}

/**
 * Rates, alpha and power are probabilities computed with floats and the normal quantile: they are
 * kept from one in a million to one minus that, where both are meaningful (a denormal alpha made
 * the quantile infinite; one within 1e-16 of 1 is 1 to a float).
 */
export const MIN_PROBABILITY = 0.000001;
export const MAX_PROBABILITY = 0.999999;

export function validateAlpha(alpha: number): void {
  if (!(alpha >= MIN_PROBABILITY && alpha < 0.5)) throw refuse(`alpha must be from ${MIN_PROBABILITY.toFixed(6)} to below 0.5 (0.05 is usual)`, 'alpha');
}

/**
 * Users per arm to detect a relative lift of the baseline rate with a two-sided
 * two-proportion z-test (pooled variance under the null):
 * n = (z₁₋α/₂ √(2 p̄(1 − p̄)) + z₁₋β √(p₁(1 − p₁) + p₂(1 − p₂)))² ÷ (p₂ − p₁)²,
 * p₂ = p₁(1 + lift), p̄ = (p₁ + p₂) ÷ 2, rounded up. Quantiles from stdlib.
 */
export function sampleSizePerArm(baselineRate: number, minimumDetectableLift: number, alpha: number, power: number): number {
  const rate = (p: number) => p >= MIN_PROBABILITY && p <= MAX_PROBABILITY;
  const rates = `from ${MIN_PROBABILITY.toFixed(6)} to ${MAX_PROBABILITY}`;
  if (!rate(baselineRate)) throw refuse(`baselineRate must be a rate ${rates} (0.1 for 10%)`, 'baselineRate');
  if (!(minimumDetectableLift !== 0 && Number.isFinite(minimumDetectableLift))) {
    throw refuse('minimumDetectableLift must be a relative lift other than 0 (0.2 for +20%)', 'minimumDetectableLift');
  }
  validateAlpha(alpha);
  if (!(power >= 0.5 && power <= MAX_PROBABILITY)) throw refuse(`power must be from 0.5 to ${MAX_PROBABILITY} (0.8 is usual)`, 'power');
  const p1 = baselineRate;
  const p2 = p1 * (1 + minimumDetectableLift);
  if (!rate(p2)) {
    throw refuse(`baselineRate × (1 + minimumDetectableLift) must stay a rate ${rates}: choose another minimumDetectableLift`, 'minimumDetectableLift');
  }
  const zA = normalQuantile(1 - alpha / 2, 0, 1);
  const zB = normalQuantile(power, 0, 1);
  const pBar = (p1 + p2) / 2;
  const n = (zA * Math.sqrt(2 * pBar * (1 - pBar)) + zB * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / (p2 - p1) ** 2;
  // Guard against 3841.0000000001 from floating point before rounding up.
  const rounded = Math.ceil(n - 1e-9);
  if (!Number.isSafeInteger(rounded) || rounded > 2_000_000_000) {
    throw refuse('minimumDetectableLift is too small to detect with any practical number of users (over 2,000,000,000 per arm)', 'minimumDetectableLift');
  }
  return rounded;
}

// ------------------------------------------------------------------ KPI targets

/**
 * A targeted KPI's actual value over a campaign: its monthly values over the months the
 * campaign's dates touch, combined by the KPI's aggregation — SUM: their sum; AVERAGE: the mean
 * of the months that have a value; LAST: the latest month with a value. Null without any value,
 * and when the result is out of the Decimal range (a sum rounded to 38 significant digits).
 */
export function combinePeriods(aggregation: 'SUM' | 'AVERAGE' | 'LAST', values: ReadonlyArray<Decimal | null>): Decimal | null {
  const present = values.filter((v): v is Decimal => v != null);
  if (present.length === 0) return null;
  const sum = () => present.reduce((s, v) => s.plus(v), new D(0));
  switch (aggregation) {
    case 'SUM':
      return inRangeOrNull(sum());
    case 'AVERAGE':
      return inRangeOrNull(sum().div(present.length).toSignificantDigits(34));
    case 'LAST':
      return present[present.length - 1];
  }
}
