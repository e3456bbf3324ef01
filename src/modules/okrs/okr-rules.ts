import Decimal from 'decimal.js';
import { refuse } from '../../common/rules';
import { daysCovered } from '../../common/periods';

/**
 * Pure OKR rules: progress per key-result kind, weighted roll-up, status from confidence or
 * pace, scoring and alignment-cycle detection. No ORM or GraphQL here, so that unit tests cover
 * every edge case quickly. Values are Decimal; progress, confidence and score are numbers 0..1.
 */

export enum KeyResultKind {
  INCREASE_TO = 'INCREASE_TO',
  DECREASE_TO = 'DECREASE_TO',
  STAY_ABOVE = 'STAY_ABOVE',
  STAY_BELOW = 'STAY_BELOW',
  MILESTONE = 'MILESTONE',
}

export enum OkrStatus {
  ON_TRACK = 'ON_TRACK',
  AT_RISK = 'AT_RISK',
  OFF_TRACK = 'OFF_TRACK',
}

/** Thresholds, shared by confidence and pace. */
export const CONFIDENCE_ON_TRACK = 0.7;
export const CONFIDENCE_AT_RISK = 0.4;
export const PACE_ON_TRACK = 0.7;
export const PACE_AT_RISK = 0.5;
/** A key result's owner should check in at least this often. */
export const CHECK_IN_INTERVAL_DAYS = 7;

export interface KeyResultMeasure {
  kind: KeyResultKind;
  startValue: Decimal;
  targetValue: Decimal;
}

/** Checks start/target of a key result; throws a RuleViolation (BAD_USER_INPUT naming the field) for a definition that cannot be measured. */
export function validateMeasure(m: KeyResultMeasure): void {
  if ((m.kind === KeyResultKind.INCREASE_TO || m.kind === KeyResultKind.DECREASE_TO) && m.startValue.eq(m.targetValue)) {
    throw refuse(
      `${m.kind} needs a targetValue different from startValue (both are ${m.startValue.toFixed()}); use STAY_ABOVE or STAY_BELOW to hold a level`,
      'targetValue',
    );
  }
  if (m.kind === KeyResultKind.MILESTONE && !(m.startValue.eq(0) && m.targetValue.eq(1))) {
    throw refuse('A MILESTONE is measured 0 (not done) to 1 (done): startValue 0, targetValue 1', 'targetValue');
  }
}

/** Checks a value checked in for a key result of `kind`. */
export function validateValue(kind: KeyResultKind, value: Decimal): void {
  if (kind === KeyResultKind.MILESTONE && !(value.eq(0) || value.eq(1))) {
    throw refuse('A MILESTONE check-in value is 1 (done) or 0 (not done)', 'value');
  }
}

const clamp01 = (d: Decimal) => Decimal.min(1, Decimal.max(0, d));

/**
 * Progress 0..1 of a key result at `current`:
 * INCREASE_TO / DECREASE_TO: (current − start) / (target − start), clamped (worse than start is 0);
 * STAY_ABOVE: 1 when current ≥ target; STAY_BELOW: 1 when current ≤ target; MILESTONE: 1 when done.
 */
export function keyResultProgress(m: KeyResultMeasure, current: Decimal): number {
  switch (m.kind) {
    case KeyResultKind.INCREASE_TO:
    case KeyResultKind.DECREASE_TO: {
      const span = m.targetValue.minus(m.startValue);
      if (span.isZero()) throw refuse('targetValue equals startValue', 'targetValue');
      return clamp01(current.minus(m.startValue).div(span)).toNumber();
    }
    case KeyResultKind.STAY_ABOVE:
      return current.gte(m.targetValue) ? 1 : 0;
    case KeyResultKind.STAY_BELOW:
      return current.lte(m.targetValue) ? 1 : 0;
    case KeyResultKind.MILESTONE:
      return current.gte(m.targetValue) ? 1 : 0;
  }
}

export interface Weighted {
  weight: Decimal;
  value: number;
}

/**
 * Weighted mean of contributors (an objective's key results and aligned child objectives).
 * Weight 0 contributes nothing; no contributors gives 0. All-zero weights are refused on write
 * (see `assertSomeWeight`); here they give 0 rather than a division by zero.
 */
export function weightedMean(items: Weighted[]): number {
  let total = new Decimal(0);
  let sum = new Decimal(0);
  for (const { weight, value } of items) {
    if (weight.isNegative()) throw refuse('weight cannot be negative', 'weight');
    total = total.plus(weight);
    sum = sum.plus(weight.times(value));
  }
  if (total.isZero()) return 0;
  return clamp01(sum.div(total)).toNumber();
}

/** Refuses a set of weights (after a change) that are all zero: the roll-up would mean nothing. */
export function assertSomeWeight(weights: Decimal[]): void {
  for (const w of weights) if (w.isNegative()) throw refuse('weight cannot be negative', 'weight');
  if (weights.length > 0 && weights.every((w) => w.isZero())) {
    throw refuse(
      'At least one key result or aligned objective must have a weight above 0; otherwise progress cannot roll up',
      'weight',
    );
  }
}

export function statusFromConfidence(confidence: number): OkrStatus {
  if (confidence >= CONFIDENCE_ON_TRACK) return OkrStatus.ON_TRACK;
  if (confidence >= CONFIDENCE_AT_RISK) return OkrStatus.AT_RISK;
  return OkrStatus.OFF_TRACK;
}

/**
 * Share 0..1 of a period (inclusive dates) elapsed on `today`: the first day counts as elapsed.
 * A `today` before the start is 0 (compared as text, so the day before 0001-01-01 that status
 * dates probe, "0000-12-31", needs no day number).
 */
export function elapsedShare(startsOn: string, endsOn: string, today: string): number {
  const days = daysCovered(startsOn, endsOn);
  if (days <= 0) return 1;
  if (today < startsOn) return 0;
  const elapsed = daysCovered(startsOn, today);
  return Math.min(1, Math.max(0, elapsed / days));
}

/** Status from pace: progress against the share of the period elapsed. */
export function statusFromPace(progress: number, elapsed: number): OkrStatus {
  if (progress >= 1 || elapsed <= 0) return OkrStatus.ON_TRACK;
  const ratio = progress / elapsed;
  if (ratio >= PACE_ON_TRACK) return OkrStatus.ON_TRACK;
  if (ratio >= PACE_AT_RISK) return OkrStatus.AT_RISK;
  return OkrStatus.OFF_TRACK;
}

/** A key result's status: from the latest confidence when there is one, else from pace. */
export function keyResultStatus(input: { confidence: number | null; progress: number; elapsed: number }): OkrStatus {
  if (input.confidence != null) return statusFromConfidence(input.confidence);
  return statusFromPace(input.progress, input.elapsed);
}

const SEVERITY: Record<OkrStatus, number> = { ON_TRACK: 0, AT_RISK: 1, OFF_TRACK: 2 };

/** The weakest status of a list, or null for an empty list. */
export function weakestStatus(statuses: OkrStatus[]): OkrStatus | null {
  let worst: OkrStatus | null = null;
  for (const s of statuses) if (worst === null || SEVERITY[s] > SEVERITY[worst]) worst = s;
  return worst;
}

/**
 * An objective's status: the weakest of its key results and aligned child objectives; with
 * neither, from the pace of its own progress.
 */
export function objectiveStatus(contributors: OkrStatus[], progress: number, elapsed: number): OkrStatus {
  return weakestStatus(contributors) ?? statusFromPace(progress, elapsed);
}

/** The score of a key result when its cycle closes: progress rounded to one decimal (0.0–1.0). */
export function scoreOf(progress: number): number {
  return new Decimal(progress).toDecimalPlaces(1, Decimal.ROUND_HALF_UP).toNumber();
}

/**
 * Whether making `parentId` the parent of `objectiveId` would close an alignment loop.
 * `ancestorsOfParent` lists the parent's own ancestors (its parent, grandparent, ...).
 */
export function createsAlignmentCycle(objectiveId: string, parentId: string | null, ancestorsOfParent: string[]): boolean {
  if (parentId === null) return false;
  return parentId === objectiveId || ancestorsOfParent.includes(objectiveId);
}
