import DataLoader from 'dataloader';
import { GraphQLError, GraphQLScalarType, Kind, buildSchema, graphql, type GraphQLFormattedError } from 'graphql';
import { AppError, ErrorCode, asAppError, badInput, notFound, toAppError } from '../../../src/common/errors';
import { createLogger } from '../../../src/common/logger';
import { RuleViolation, check, refuse, refuseArchived, refuseTransition, ruleViolationOf } from '../../../src/common/rules';
import { DatabaseHealth } from '../../../src/db/availability';
import { createErrorFormatter } from '../../../src/server/format-error';

/**
 * One way for rules to refuse: a RuleViolation, thrown anywhere, reaches the client with its code,
 * field and extensions through one mapping (toAppError, applied by the error formatter).
 */

const logger = createLogger('silent');
const formatError = createErrorFormatter({ logger, development: false, health: new DatabaseHealth(logger) });

/** Runs `source` against a small schema whose resolvers refuse in each way a module can, and formats the errors as the server does. */
async function run(source: string, variableValues?: Record<string, unknown>): Promise<GraphQLFormattedError[]> {
  const schema = buildSchema(`
    scalar Amount
    type Query {
      thrown: String
      fromLoader(id: ID!): String
      fromService: String
      withAmount(amount: Amount!): String
      plain: String
    }
  `);
  // A scalar whose parsing is a rule (as money's plain-notation check is).
  Object.assign(schema.getType('Amount') as GraphQLScalarType, {
    parseValue: (v: unknown) => {
      if (typeof v !== 'string' || /e/i.test(v)) throw refuse('Write the amount in plain decimal notation (no exponent)', 'amount', { example: '1000' });
      return v;
    },
    parseLiteral: (ast: { kind: string; value?: string }) => (ast.kind === Kind.STRING ? ast.value : undefined),
  });
  // A loader whose batch answers a refusal as the value of one key.
  const loader = new DataLoader<string, string>(async (ids) =>
    ids.map((id) => (id === 'mixed' ? new RuleViolation(ErrorCode.BAD_USER_INPUT, 'Expenses in more than one currency', 'id', { currencies: ['CNY', 'EUR'] }) : `row ${id}`)),
  );
  const rootValue = {
    thrown: () => {
      throw refuseTransition('Sprint "S1" is already closed');
    },
    fromLoader: ({ id }: { id: string }) => loader.load(id),
    fromService: async () => {
      check(false, () => refuseArchived('Squad "增长" is archived', 'squadId'));
    },
    withAmount: ({ amount }: { amount: string }) => amount,
    plain: () => {
      throw new Error('a bug');
    },
  };
  const result = await graphql({ schema, source, rootValue, variableValues });
  return (result.errors ?? []).map((e) => formatError(e.toJSON(), e, 'test-request'));
}

describe('RuleViolation', () => {
  it('carries its code, message, field and extensions, and is an Error named RuleViolation', () => {
    const v = new RuleViolation(ErrorCode.CONFLICT, 'taken', 'slug', { currentVersion: 3 });
    expect(v).toBeInstanceOf(Error);
    expect({ name: v.name, code: v.code, message: v.message, field: v.field, extensions: v.extensions }).toEqual({
      name: 'RuleViolation',
      code: 'CONFLICT',
      message: 'taken',
      field: 'slug',
      extensions: { currentVersion: 3 },
    });
    expect(new RuleViolation('BAD_USER_INPUT', 'x').extensions).toEqual({});
  });

  it('has one helper per situation', () => {
    expect(refuse('too many', 'squadId', { max: 50 })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'squadId', extensions: { max: 50 } });
    expect(refuseTransition('already voided')).toMatchObject({ code: 'INVALID_TRANSITION', field: undefined });
    expect(refuseArchived('archived', 'kpiId')).toMatchObject({ code: 'ARCHIVED', field: 'kpiId' });
    expect(() => check(1 > 2, () => refuse('no', 'a'))).toThrow(RuleViolation);
    expect(() => check(2 > 1, () => refuse('no', 'a'))).not.toThrow();
  });

  it('is found behind the errors that wrap it', () => {
    const v = refuse('no');
    expect(ruleViolationOf(v)).toBe(v);
    expect(ruleViolationOf(new GraphQLError('wrapped', { originalError: v }))).toBe(v);
    expect(ruleViolationOf(new GraphQLError('twice', { originalError: new GraphQLError('once', { originalError: v }) }))).toBe(v);
    expect(ruleViolationOf(new Error('other'))).toBeNull();
    expect(ruleViolationOf(null)).toBeNull();
  });
});

describe('the one mapping to GraphQL errors', () => {
  it('toAppError keeps code, message, field and extensions; a code among the extensions cannot override the code', () => {
    const e = toAppError(new RuleViolation(ErrorCode.BAD_USER_INPUT, 'over the cap', 'budgetId', { max: 200, code: 'FORBIDDEN' }));
    expect(e).toBeInstanceOf(AppError);
    expect(e.message).toBe('over the cap');
    expect(e.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'budgetId', max: 200 });
    expect(asAppError(e)).toBe(e);
    expect(asAppError(new GraphQLError('x', { originalError: refuse('y', 'z') }))?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'z' });
    expect(asAppError(new Error('bug'))).toBeNull();
  });

  it('badInput carries extensions and notFound the field', () => {
    expect(badInput('bad rows', 'measurements', { invalidRows: 2, rows: [{ index: 0 }] }).extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'measurements',
      invalidRows: 2,
      rows: [{ index: 0 }],
    });
    expect(badInput('plain').extensions).toEqual({ code: 'BAD_USER_INPUT' });
    const nf = notFound('Campaign', 'Q2FtcGFpZ246eA', 'campaignId');
    expect(nf.message).toBe('Campaign Q2FtcGFpZ246eA was not found');
    expect(nf.extensions).toEqual({ code: 'NOT_FOUND', field: 'campaignId' });
    expect(notFound('Task').extensions).toEqual({ code: 'NOT_FOUND' });
  });

  it('answers a violation thrown by a resolver, a service or a loader value with its code, field and extensions, never INTERNAL_SERVER_ERROR', async () => {
    const [thrown] = await run(`{ thrown }`);
    expect(thrown).toMatchObject({ message: 'Sprint "S1" is already closed', path: ['thrown'], extensions: { code: 'INVALID_TRANSITION' } });
    expect(thrown.extensions).not.toHaveProperty('field');
    const [fromService] = await run(`{ fromService }`);
    expect(fromService).toMatchObject({ message: 'Squad "增长" is archived', extensions: { code: 'ARCHIVED', field: 'squadId' } });
    const [loaded, ...rest] = await run(`{ a: fromLoader(id: "ok") b: fromLoader(id: "mixed") }`);
    expect(rest).toEqual([]);
    expect(loaded).toMatchObject({
      message: 'Expenses in more than one currency',
      path: ['b'],
      extensions: { code: 'BAD_USER_INPUT', field: 'id', currencies: ['CNY', 'EUR'] },
    });
  });

  it('answers a violation raised while reading a variable with its code and field, and the variable named in the message', async () => {
    const [e] = await run(`query($a: Amount!) { withAmount(amount: $a) }`, { a: '1e3' });
    expect(e.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'amount', example: '1000' });
    expect(e.message).toMatch(/^Variable "\$a" got invalid value "1e3"; .*Write the amount in plain decimal notation \(no exponent\)$/);
  });

  it('still hides an unexpected error', async () => {
    const [e] = await run(`{ plain }`);
    expect(e).toMatchObject({ message: 'Internal server error (request test-request): it has been logged', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });
});
