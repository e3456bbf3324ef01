/**
 * Money: ISO 4217 currencies, the amounts the API takes, and the rounding of amounts and ratios
 * it computes. Pure rules (no ORM, no database); a refusal is a RuleViolation naming the field.
 *
 * - An amount taken from a client passes `checkAmount`: written in plain decimal notation
 *   ("1000.50", not "1e3"), more than 0 (or 0 or more), at most MAX_AMOUNT, with no more
 *   decimals than the currency's minor unit (CNY 2, JPY 0, KWD 3).
 * - An amount computed from others (a forecast, a share of a plan, a return from its basis) is
 *   rounded HALF_EVEN to the currency's minor unit (`roundAmount`): 0.125 CNY → 0.12,
 *   0.135 → 0.14.
 * - Every amount shown is at its currency's scale (`roundAmount` marks it for the Decimal scalar:
 *   "30000.50", JPY "300").
 * - A ratio (burn rate, expected burn, ROI, a cost per KPI unit, a share) is rounded HALF_EVEN to
 *   RATIO_PLACES (6) decimals and shown in its shortest form ("0.5", "1.333333").
 * - Sums and quotients are computed with RangeDecimal (38 significant digits) before rounding;
 *   amounts in different currencies are never added (`sumByCurrency`).
 */
import Decimal from 'decimal.js';
import type { ErrorCode } from './errors';
import { inDecimalRange, RangeDecimal } from './decimal-range';
import { RuleViolation } from './rules';
import { decimalWrittenAs, withScale } from './scalars';

const BAD_USER_INPUT: `${ErrorCode.BAD_USER_INPUT}` = 'BAD_USER_INPUT';

// ------------------------------------------------------------------ currencies

/** An ISO 4217 currency code, upper case ("CNY", "EUR", "JPY"). */
export type CurrencyCode = string;

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
const MINOR_UNITS = new Map<string, number>();

/** Whether `code` is an ISO 4217 currency code as written (three upper-case letters Intl knows). */
export function isCurrencyCode(code: string): code is CurrencyCode {
  return /^[A-Z]{3}$/.test(code) && CURRENCIES.has(code);
}

/** A currency given by a client: trimmed, upper-cased, an ISO 4217 code; otherwise BAD_USER_INPUT naming `field`. */
export function parseCurrency(raw: string, field = 'currency'): CurrencyCode {
  const code = raw.trim().toUpperCase();
  if (!isCurrencyCode(code)) {
    throw new RuleViolation(
      BAD_USER_INPUT,
      `${field} must be an ISO 4217 currency code such as CNY, EUR or JPY; got ${JSON.stringify(raw.slice(0, 20))}`,
      field,
    );
  }
  return code;
}

/**
 * The decimals of a currency's minor unit as ISO 4217 (through Intl) gives them: CNY 2, JPY 0,
 * KWD 3. An unknown code is a programming error (stored codes were parsed): RangeError.
 */
export function minorUnits(currency: CurrencyCode): number {
  let digits = MINOR_UNITS.get(currency);
  if (digits === undefined) {
    if (!isCurrencyCode(currency)) throw new RangeError(`Not an ISO 4217 currency code: ${JSON.stringify(currency)}`);
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    MINOR_UNITS.set(currency, digits);
  }
  return digits;
}

// ------------------------------------------------------------------ amounts

/** The largest amount taken anywhere (a plan, an expense, an adjustment, a return): 10^15 in any currency. */
export const MAX_AMOUNT = new Decimal('1e15');

/** An exponent in how a Decimal input was written ("1e3", "2.5E-1"). */
const EXPONENT = /e/i;

/**
 * An amount in `currency` given by a client, or a RuleViolation BAD_USER_INPUT naming `field`:
 * - written in plain decimal notation: "1e3" is refused (a value the API did not read, such as
 *   a computed one, has no notation to check);
 * - more than 0, or 0 or more with `allowZero` ("-0" counts as 0);
 * - at most MAX_AMOUNT (`extensions.max`);
 * - no more decimals than the currency's minor unit (`extensions.minorUnits`): "10.5" JPY is
 *   refused, "10.50" CNY and "10.0" JPY are taken.
 * Returns the amount marked to be shown at the currency's scale.
 */
export function checkAmount(value: Decimal, currency: CurrencyCode, field: string, opts: { allowZero?: boolean } = {}): Decimal {
  const written = decimalWrittenAs(value);
  if (written !== undefined && EXPONENT.test(written)) {
    throw new RuleViolation(
      BAD_USER_INPUT,
      `${field} must be written in plain decimal notation, such as "1000.50", without an exponent; got ${JSON.stringify(written)}`,
      field,
    );
  }
  if (!value.isFinite()) throw new RuleViolation(BAD_USER_INPUT, `${field} must be a finite number`, field);
  if (opts.allowZero ? value.lt(0) : value.lte(0)) {
    throw new RuleViolation(BAD_USER_INPUT, `${field} must be ${opts.allowZero ? '0 or more' : 'more than 0'}`, field);
  }
  if (value.gt(MAX_AMOUNT)) {
    throw new RuleViolation(BAD_USER_INPUT, `${field} must be at most ${MAX_AMOUNT.toFixed()}`, field, { max: MAX_AMOUNT.toFixed() });
  }
  const digits = minorUnits(currency);
  if (value.decimalPlaces() > digits) {
    throw new RuleViolation(BAD_USER_INPUT, `${field} has more decimals than ${currency} allows (${digits})`, field, { minorUnits: digits });
  }
  return roundAmount(value, currency);
}

/** `value` rounded HALF_EVEN to `places` decimals, never "-0". */
function roundHalfEven(value: Decimal, places: number): Decimal {
  if (!value.isFinite()) throw new RangeError(`Cannot round ${value.toString()}`);
  const rounded = new Decimal(value).toDecimalPlaces(places, Decimal.ROUND_HALF_EVEN);
  return rounded.isZero() ? new Decimal(0) : rounded;
}

/**
 * An amount in `currency` rounded HALF_EVEN (banker's rounding) to the currency's minor unit
 * (0.125 CNY → 0.12, 0.135 → 0.14, 2.5 JPY → 2), marked to be shown at that scale ("0.10",
 * JPY "3"). For every amount the API shows: computed ones are rounded, stored ones (already at
 * most that fine) only marked.
 */
export function roundAmount(value: Decimal, currency: CurrencyCode): Decimal {
  const digits = minorUnits(currency);
  return withScale(roundHalfEven(value, digits), digits);
}

// ------------------------------------------------------------------ ratios

/** Decimal places of every ratio the API computes (burn rate, expected burn, ROI, cost per KPI unit, shares). */
export const RATIO_PLACES = 6;

/** A ratio rounded HALF_EVEN to RATIO_PLACES decimals, shown in its shortest form (0.5 → "0.5", 2/3 → "0.666667"). */
export function roundRatio(value: Decimal): Decimal {
  return roundHalfEven(value, RATIO_PLACES);
}

/**
 * numerator ÷ denominator, computed to 38 significant digits and rounded by `roundRatio`; null
 * when the denominator is 0 or the ratio leaves the Decimal range (a return far above a tiny cost).
 */
export function ratioOf(numerator: Decimal, denominator: Decimal): Decimal | null {
  if (denominator.isZero()) return null;
  const quotient = new RangeDecimal(numerator).div(denominator);
  if (!quotient.isFinite()) return null;
  const ratio = roundRatio(quotient);
  return inDecimalRange(ratio) ? ratio : null;
}

// ------------------------------------------------------------------ sums and currencies

/** An amount with its currency. */
export interface Money {
  amount: Decimal;
  currency: CurrencyCode;
}

/**
 * The total of each currency among `items`, ordered by currency code, each rounded and shown at
 * its currency's scale: amounts in different currencies are never added. One currency gives one
 * total (`totals.length === 1`); none gives [] (the caller decides what an empty sum is).
 */
export function sumByCurrency(items: Iterable<Money>): Money[] {
  const sums = new Map<CurrencyCode, Decimal>();
  for (const { amount, currency } of items) {
    minorUnits(currency);
    sums.set(currency, new RangeDecimal(sums.get(currency) ?? 0).plus(amount));
  }
  return [...sums.keys()].sort().map((currency) => ({ currency, amount: roundAmount(sums.get(currency)!, currency) }));
}

/**
 * An amount that must be in the currency of what it goes to (an adjustment between two budgets,
 * a return on a campaign's line): otherwise BAD_USER_INPUT naming `field`, with
 * `extensions.currency` the one expected.
 */
export function checkSameCurrency(actual: CurrencyCode, expected: CurrencyCode, field: string): void {
  if (actual !== expected) {
    throw new RuleViolation(BAD_USER_INPUT, `${field} is in ${actual}, but it must be in ${expected}`, field, { currency: expected });
  }
}
