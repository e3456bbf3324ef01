import Decimal from 'decimal.js';
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';

export { Decimal };
export const DateTimeScalar = DateTimeResolver;
export const JSONScalar = JSONResolver;

/** Numbers that must stay exact (money, metric values): a string on the wire, `numeric` in PostgreSQL. */
const DECIMAL_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const MAX_DECIMAL_LENGTH = 60;

export function parseDecimal(value: unknown): Decimal {
  if (typeof value === 'number' && Number.isFinite(value)) return new Decimal(value);
  if (typeof value === 'string' && value.length <= MAX_DECIMAL_LENGTH && DECIMAL_TEXT.test(value.trim())) {
    return new Decimal(value.trim());
  }
  throw new GraphQLError(
    `Decimal must be a decimal number written as a string, such as "1234.50"; got ${JSON.stringify(value)?.slice(0, 40)}`,
  );
}

export const DecimalScalar = new GraphQLScalarType<Decimal, string>({
  name: 'Decimal',
  description: 'An exact decimal number carried as a string, e.g. "1000000.00" or "0.05".',
  serialize(value) {
    if (value instanceof Decimal) return value.toFixed();
    return parseDecimal(value).toFixed();
  },
  parseValue: parseDecimal,
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return parseDecimal(ast.value);
    throw new GraphQLError('Decimal must be a string such as "1234.50"');
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
