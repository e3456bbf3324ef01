import Decimal from 'decimal.js';
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';

export { Decimal };
export const DateTimeScalar = DateTimeResolver;
export const JSONScalar = JSONResolver;

/** Numbers that must stay exact (money, metric values): a string on the wire, `numeric` in PostgreSQL. */
const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const MAX_DECIMAL_LENGTH = 100;
/** The documented range (docs/api.md): checked on the text, before decimal.js sees the value. */
export const MAX_DECIMAL_DIGITS = 38;
export const MAX_DECIMAL_EXPONENT = 40;

/**
 * A Decimal input the API refuses. Not a GraphQLError, so that graphql-js adds where it was
 * found (the variable path, e.g. `input.targetValue`, or the literal's location); reported as
 * BAD_USER_INPUT (see server/format-error.ts).
 */
export class DecimalInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecimalInputError';
  }
}

/**
 * For a Decimal literal refused while validating a document: the name of the argument or input
 * field it was written for (`targetValue: "1e30000000"` → targetValue), read from the document
 * just before the literal. Null inside a list or when it cannot be told.
 */
export function decimalLiteralField(error: GraphQLError): string | null {
  const body = error.source?.body;
  const at = error.positions?.[0];
  if (!body || at === undefined) return null;
  return /([_A-Za-z][_0-9A-Za-z]*)\s*:\s*$/.exec(body.slice(Math.max(0, at - 200), at))?.[1] ?? null;
}

const shown = (value: unknown) =>
  typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : JSON.stringify(value)?.slice(0, 40);

/**
 * Checks the text's shape, number of significant digits and exponent with a regular expression
 * and string lengths only (linear in at most 100 characters): "1e30000000" is refused at once
 * instead of making decimal.js build a 30-million-digit number.
 */
function checkDecimalText(text: string): void {
  const m = text.length <= MAX_DECIMAL_LENGTH ? DECIMAL_TEXT.exec(text) : null;
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) {
    throw new DecimalInputError(`Decimal must be a decimal number written as a string, such as "1234.50"; got ${shown(text)}`);
  }
  const digits = `${m[2]}${m[3] ?? ''}`;
  const first = digits.search(/[1-9]/);
  if (first === -1) return; // zero, whatever its exponent
  const significant = digits.slice(first).replace(/0+$/, '').length;
  const written = m[4] ?? '0';
  // The exponent of the first significant digit (1234.5 → 3, 0.05 → -2), from at most 100 characters.
  const exponent = written.replace(/^[+-]?0*/, '').length > 6 ? Infinity : Number(written) + (m[2].length - 1 - first);
  if (significant > MAX_DECIMAL_DIGITS || Math.abs(exponent) > MAX_DECIMAL_EXPONENT) {
    throw new DecimalInputError(
      `Decimal ${shown(text)} is out of range: at most ${MAX_DECIMAL_DIGITS} significant digits and an exponent from -${MAX_DECIMAL_EXPONENT} to ${MAX_DECIMAL_EXPONENT} (as in 9.5e${MAX_DECIMAL_EXPONENT})`,
    );
  }
}

/** How each Decimal read from the API was written (its trimmed text): see `decimalWrittenAs`. */
const writtenAs = new WeakMap<Decimal, string>();

export function parseDecimal(value: unknown): Decimal {
  let text: string | null = null;
  if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else if (typeof value === 'string') text = value.trim();
  if (text === null) {
    throw new DecimalInputError(`Decimal must be a decimal number written as a string, such as "1234.50"; got ${shown(value)}`);
  }
  checkDecimalText(text);
  const decimal = new Decimal(text);
  writtenAs.set(decimal, text);
  return decimal;
}

/**
 * The text a Decimal input was written as (trimmed; a JSON number as JavaScript writes it, so
 * 1e21 is "1e+21"), for rules on the notation itself (money refuses "1e3": src/common/money.ts).
 * Undefined for a value the API did not read (computed, or loaded from the database).
 */
export function decimalWrittenAs(value: Decimal): string | undefined {
  return writtenAs.get(value);
}

/** The number of decimal places a value is shown with: see `withScale`. */
const scales = new WeakMap<Decimal, number>();

/**
 * Marks `value` to be shown by the Decimal scalar with exactly `places` decimals ("30000.50",
 * JPY "300"), and returns it. The value must not have more decimals than that (round it first:
 * src/common/money.ts `roundAmount`). The mark belongs to this object: arithmetic on it gives an
 * unmarked value, shown as today (shortest exact form, "30000.5").
 */
export function withScale(value: Decimal, places: number): Decimal {
  if (!Number.isInteger(places) || places < 0 || places > MAX_DECIMAL_EXPONENT) throw new RangeError(`Not a scale: ${places}`);
  if (!value.isFinite() || value.decimalPlaces() > places) throw new RangeError(`${value.toString()} has more than ${places} decimals: round it first`);
  scales.set(value, places);
  return value;
}

/** The decimals `value` is shown with (see withScale), or undefined for its shortest exact form. */
export function scaleOf(value: Decimal): number | undefined {
  return scales.get(value);
}

/**
 * A decimal in its shortest exact form, as `Decimal#toFixed()` writes it: no exponent, no leading
 * zeros, no trailing zeros after the point, no "-0". At most 38 characters it has at most 38
 * digits and an exponent inside ±40, so it is in range.
 */
const CANONICAL_DECIMAL = /^(?:0|-?[1-9]\d*)(?:\.\d*[1-9])?$|^-?0\.\d*[1-9]$/;

export const DecimalScalar = new GraphQLScalarType<Decimal, string>({
  name: 'Decimal',
  description:
    'An exact decimal number carried as a string, e.g. "1000000.00" or "0.05": at most 38 significant digits, exponent from -40 to 40.',
  serialize(value) {
    if (value instanceof Decimal) {
      const places = scales.get(value);
      return places === undefined ? value.toFixed() : value.toFixed(places);
    }
    // Text already in the form the API shows (SQL's `trim_scale(x)::text`), short enough to be in range: as is.
    if (typeof value === 'string' && value.length <= 38 && CANONICAL_DECIMAL.test(value)) return value;
    return parseDecimal(value).toFixed();
  },
  parseValue: parseDecimal,
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return parseDecimal(ast.value);
    throw new DecimalInputError('Decimal must be a string such as "1234.50"');
  },
});

const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseDateOnly(value: unknown): string {
  if (typeof value === 'string') {
    const m = DATE_TEXT.exec(value);
    if (m) {
      const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
      if (d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3]) return value;
    }
  }
  throw new GraphQLError(`Date must be a calendar date written YYYY-MM-DD; got ${JSON.stringify(value)?.slice(0, 40)}`);
}

/** A calendar date with no time zone, "YYYY-MM-DD" (kept as a string end to end). */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'A calendar date without time zone, written YYYY-MM-DD.',
  serialize(value) {
    if (value instanceof Date) return value.toISOString().slice(0, 10);
    return parseDateOnly(value);
  },
  parseValue: parseDateOnly,
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING) return parseDateOnly(ast.value);
    throw new GraphQLError('Date must be a string written YYYY-MM-DD');
  },
});

/** TypeORM transformer: numeric column <-> Decimal. */
export const decimalTransformer = {
  to: (v: Decimal | null | undefined) => (v == null ? v : v.toFixed()),
  from: (v: string | null) => (v == null ? null : new Decimal(v)),
};

/**
 * TypeORM transformer: numeric column <-> JavaScript number, for statistics and shares shown as
 * Float (a confidence, a score, an alpha); never for money, which stays a Decimal. (A `date`
 * column needs no transformer: src/db/data-source.ts makes pg return its YYYY-MM-DD text.)
 */
export const numberTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | null) => (v == null ? null : Number(v)),
};
