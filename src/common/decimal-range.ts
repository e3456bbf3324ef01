/**
 * Arithmetic that stays in the documented Decimal range (at most 38 significant digits, exponent
 * of the first significant digit from -40 to 40; see the Decimal scalar). decimal.js itself
 * accepts exponents up to 9·10^15, and writing such a value out builds a string of that many
 * digits: computations on user input use `RangeDecimal` and check every result with
 * `inDecimalRange`.
 */
import Decimal from 'decimal.js';
import { MAX_DECIMAL_DIGITS, MAX_DECIMAL_EXPONENT } from './scalars';

/**
 * A decimal.js constructor for computations on values of the range: every result is rounded
 * (half up) to 38 significant digits, and one whose exponent leaves -100…100 becomes Infinity or
 * 0, so that no value it holds has more than about 140 digits written out. One operation on
 * values of the range gives an exponent within ±82, so its result is what `inDecimalRange` sees
 * and refuses when too large or too small (never a silent 0 or Infinity).
 */
export const RangeDecimal = Decimal.clone({
  precision: MAX_DECIMAL_DIGITS,
  rounding: Decimal.ROUND_HALF_UP,
  maxE: 100,
  minE: -100,
});

/** The range in words, for messages: "(at most 38 significant digits, exponent from -40 to 40)". */
export const DECIMAL_RANGE = `(at most ${MAX_DECIMAL_DIGITS} significant digits, exponent from -${MAX_DECIMAL_EXPONENT} to ${MAX_DECIMAL_EXPONENT})`;

/**
 * Whether a value is in the Decimal range: finite, and zero or with at most 38 significant digits
 * and its first significant digit's exponent from -40 to 40 (1234.5 → 3, 0.05 → -2). Reads the
 * exponent and counts digits without writing the value out.
 */
export function inDecimalRange(value: Decimal): boolean {
  if (!value.isFinite()) return false;
  if (value.isZero()) return true;
  return value.e >= -MAX_DECIMAL_EXPONENT && value.e <= MAX_DECIMAL_EXPONENT && value.sd() <= MAX_DECIMAL_DIGITS;
}
