import { ErrorCode } from './error-codes';

/*
 * How a rule says no. Pure rule functions (the modules' `*-rules.ts`, the kit's periods and
 * money) and services alike throw a `RuleViolation`; it reaches the client as a GraphQL error
 * with `extensions.code`, `extensions.field` (the input field at fault) and the violation's
 * other extensions, wherever it is thrown: in a resolver, a service, a DataLoader's value or a
 * scalar. The one mapping is `toAppError` (src/common/errors.ts), applied by
 * src/server/format-error.ts. No graphql import, so rule files stay pure.
 *
 * One code per situation (docs/api.md, "Errors"):
 * - the input breaks a rule (a bad value, dates in the wrong order, a cap reached with
 *   `extensions.max`): BAD_USER_INPUT, `refuse(message, field, extensions)`;
 * - acting on something already done or in a state that does not allow it (void twice, close a
 *   closed sprint, a transition not allowed): INVALID_TRANSITION, `refuseTransition(message)`;
 * - a reference to an archived object (a squad, a KPI…): ARCHIVED with the field, `refuseArchived`;
 * - an id the organisation does not have: NOT_FOUND with the field (`notFound` in errors.ts).
 */

/** An error code of ErrorCode, as the enum member or its string value. */
export type RuleCode = ErrorCode | `${ErrorCode}`;

/** A pure rule's refusal: mapped to a GraphQL error with `code` (src/server/format-error.ts). No graphql import. */
export class RuleViolation extends Error {
  constructor(readonly code: RuleCode, message: string, readonly field?: string, readonly extensions: Record<string, unknown> = {}) {
    super(message);
    this.name = 'RuleViolation';
  }
}

/** The input breaks a rule: BAD_USER_INPUT naming `field`, e.g. `refuse('endsOn must be on or after startsOn', 'endsOn')`. */
export const refuse = (message: string, field?: string, extensions: Record<string, unknown> = {}) =>
  new RuleViolation(ErrorCode.BAD_USER_INPUT, message, field, extensions);

/** Already done, or not allowed from the current state: INVALID_TRANSITION (e.g. closing a sprint twice). */
export const refuseTransition = (message: string, field?: string, extensions: Record<string, unknown> = {}) =>
  new RuleViolation(ErrorCode.INVALID_TRANSITION, message, field, extensions);

/**
 * The object named by `field` is archived: ARCHIVED. Without `field` it is the object the
 * mutation acts on (it no longer changes); with it, an archived object the input refers to.
 */
export const refuseArchived = (message: string, field?: string, extensions: Record<string, unknown> = {}) =>
  new RuleViolation(ErrorCode.ARCHIVED, message, field, extensions);

/** Throws `violation()` unless `condition` holds: `check(start <= end, () => refuse('…', 'endsOn'))`. */
export function check(condition: unknown, violation: () => RuleViolation): asserts condition {
  if (!condition) throw violation();
}

/** The RuleViolation an error carries (itself, or the cause GraphQL or a loader wrapped it in), if any. */
export function ruleViolationOf(error: unknown): RuleViolation | null {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth += 1) {
    if (e instanceof RuleViolation) return e;
    e = (e as { originalError?: unknown }).originalError ?? (e as { cause?: unknown }).cause;
  }
  return null;
}
