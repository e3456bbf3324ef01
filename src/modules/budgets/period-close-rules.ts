/**
 * A budget's period close as plain rules (no ORM, no GraphQL). `closedThrough` is the last day on
 * which nothing more is booked: expenses, voids and adjustments dated on or before it are refused
 * with PERIOD_CLOSED naming the day. Dates are YYYY-MM-DD strings (UTC calendar days, `today()`
 * of src/common/periods.ts), so they compare as strings.
 */
import { ErrorCode } from '../../common/error-codes';
import { refuse, refuseTransition, RuleViolation } from '../../common/rules';

interface Period {
  periodStart: string;
  periodEnd: string;
  closedThrough: string | null;
}

/** A reopen's reason is at most this long (trimmed, not blank). */
export const MAX_REOPEN_REASON_LENGTH = 500;

/**
 * Where a close may go: within the period (not before its first day, not after its last), not
 * after today (a day still running is not closed), and not back before the current close (that is
 * a reopen). BAD_USER_INPUT naming `through` otherwise. Closing again through the same day is allowed.
 */
export function checkClose(budget: Period, through: string, today: string): void {
  if (through < budget.periodStart || through > budget.periodEnd) {
    throw refuse(`through must be within the budget's period, ${budget.periodStart} to ${budget.periodEnd}`, 'through');
  }
  if (through > today) throw refuse(`through must not be after today (${today}): a day is closed once it is over or running out`, 'through');
  if (budget.closedThrough && through < budget.closedThrough) {
    throw refuse(`The budget is closed through ${budget.closedThrough}: moving the close back is a reopen (reopenBudgetPeriod, OWNER)`, 'through');
  }
}

/**
 * Where a reopen may go: back to a day earlier than the current close, still within the period,
 * or null (the whole period open). A budget that is not closed is INVALID_TRANSITION.
 */
export function checkReopen(budget: Period, through: string | null): void {
  if (!budget.closedThrough) throw refuseTransition('This budget’s period is not closed: there is nothing to reopen');
  if (through == null) return;
  if (through >= budget.closedThrough) {
    throw refuse(`through must be earlier than the current close, ${budget.closedThrough} (to close further, use closeBudgetPeriod)`, 'through');
  }
  if (through < budget.periodStart) {
    throw refuse(`through must be within the budget's period, from ${budget.periodStart}; to open the whole period, send null`, 'through');
  }
}

/** A reopen's reason, trimmed; BAD_USER_INPUT naming `reason` when blank or too long. */
export function reopenReason(reason: string): string {
  const trimmed = reason.trim();
  if (!trimmed) throw refuse('reason must not be blank', 'reason');
  if (trimmed.length > MAX_REOPEN_REASON_LENGTH) throw refuse(`reason must be at most ${MAX_REOPEN_REASON_LENGTH} characters`, 'reason');
  return trimmed;
}

/** PERIOD_CLOSED: "The budget is closed through 2026-11-30", with `field` and `closedThrough`. */
export function periodClosed(budget: { closedThrough: string | null }, field: string, detail: string): RuleViolation {
  return new RuleViolation(
    ErrorCode.PERIOD_CLOSED,
    `The budget is closed through ${budget.closedThrough}: ${detail}`,
    field,
    { closedThrough: budget.closedThrough },
  );
}

/** Whether `day` falls in the closed part of the period (on or before closedThrough). */
export const isClosedOn = (budget: Period, day: string): boolean => budget.closedThrough != null && day <= budget.closedThrough;

/** Whether the whole period is closed (through its last day): the budget takes no adjustments at all. */
export const isFullyClosed = (budget: Period): boolean => budget.closedThrough != null && budget.closedThrough >= budget.periodEnd;

/** An expense (recorded or voided) dated `day`: PERIOD_CLOSED naming `field` when the day is closed. */
export function assertOpenOn(budget: Period, day: string, field: string, detail: string): void {
  if (isClosedOn(budget, day)) throw periodClosed(budget, field, detail);
}

/**
 * An adjustment is dated the day it is requested or decided (`today`): refused when that day is
 * closed, and always once the whole period is closed (a fully closed budget takes no adjustments).
 */
export function assertTakesAdjustments(budget: Period, today: string, field: string): void {
  if (isFullyClosed(budget)) throw periodClosed(budget, field, 'its whole period is closed and it takes no adjustments');
  if (isClosedOn(budget, today)) throw periodClosed(budget, field, `adjustments dated ${today} are refused`);
}
