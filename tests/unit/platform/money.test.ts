import 'reflect-metadata';
import fc from 'fast-check';
import { graphql, printSchema, type GraphQLSchema } from 'graphql';
import { Arg, buildSchema, Field, InputType, Query, Resolver } from 'type-graphql';
import { ErrorCode } from '../../../src/common/errors';
import { Grain } from '../../../src/common/graphql-enums';
import { Grain as PureGrain } from '../../../src/common/periods';
import {
  checkAmount,
  checkSameCurrency,
  isCurrencyCode,
  MAX_AMOUNT,
  minorUnits,
  parseCurrency,
  RATIO_PLACES,
  ratioOf,
  roundAmount,
  roundRatio,
  sumByCurrency,
} from '../../../src/common/money';
import { RuleViolation } from '../../../src/common/rules';
import { Decimal, DecimalScalar, decimalWrittenAs, numberTransformer, parseDecimal, scaleOf, withScale } from '../../../src/common/scalars';

const d = (v: string | number) => new Decimal(v);
const shown = (v: Decimal) => DecimalScalar.serialize(v);

function refusal(fn: () => unknown): RuleViolation {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RuleViolation);
    return e as RuleViolation;
  }
  throw new Error('expected a RuleViolation');
}

describe('currencies', () => {
  it('takes ISO 4217 codes, trimmed and upper-cased, and refuses others naming the field', () => {
    expect(parseCurrency(' cny ')).toBe('CNY');
    expect(isCurrencyCode('EUR')).toBe(true);
    expect(isCurrencyCode('eur')).toBe(false);
    for (const bad of ['ZZZ', 'EURO', '', 'E1R']) {
      const e = refusal(() => parseCurrency(bad, 'input.currency'));
      expect([e.code, e.field]).toEqual([ErrorCode.BAD_USER_INPUT, 'input.currency']);
      expect(e.message).toMatch(/^input\.currency must be an ISO 4217 currency code such as CNY, EUR or JPY; got/);
    }
  });

  it('knows each currency’s minor unit', () => {
    expect([minorUnits('CNY'), minorUnits('EUR'), minorUnits('JPY'), minorUnits('KWD'), minorUnits('BHD')]).toEqual([2, 2, 0, 3, 3]);
    expect(() => minorUnits('ZZZ')).toThrow(RangeError);
  });
});

describe('checkAmount', () => {
  it('takes amounts in plain notation within the sign, the maximum and the minor unit, shown at the currency’s scale', () => {
    expect(shown(checkAmount(parseDecimal('30000.50'), 'CNY', 'amount'))).toBe('30000.50');
    expect(shown(checkAmount(parseDecimal('300'), 'JPY', 'amount'))).toBe('300');
    expect(shown(checkAmount(parseDecimal('10.0'), 'JPY', 'amount'))).toBe('10');
    expect(shown(checkAmount(parseDecimal('0.001'), 'KWD', 'amount'))).toBe('0.001');
    expect(shown(checkAmount(parseDecimal('0'), 'CNY', 'amount', { allowZero: true }))).toBe('0.00');
    expect(shown(checkAmount(parseDecimal('-0'), 'CNY', 'amount', { allowZero: true }))).toBe('0.00');
    expect(shown(checkAmount(parseDecimal('1000000000000000'), 'CNY', 'amount'))).toBe('1000000000000000.00');
    expect(shown(checkAmount(parseDecimal(1500), 'CNY', 'amount'))).toBe('1500.00'); // a JSON number written plainly
    expect(shown(checkAmount(d('2.5').mul(4), 'CNY', 'amount'))).toBe('10.00'); // computed: no notation to check
  });

  it.each([
    ['1e3', 'CNY', {}, 'amount must be written in plain decimal notation, such as "1000.50", without an exponent; got "1e3"', {}],
    ['1E+3', 'CNY', {}, 'amount must be written in plain decimal notation, such as "1000.50", without an exponent; got "1E+3"', {}],
    ['2.5e-1', 'CNY', {}, 'amount must be written in plain decimal notation, such as "1000.50", without an exponent; got "2.5e-1"', {}],
    ['0', 'CNY', {}, 'amount must be more than 0', {}],
    ['-0.01', 'CNY', { allowZero: true }, 'amount must be 0 or more', {}],
    ['-5', 'CNY', {}, 'amount must be more than 0', {}],
    ['1000000000000000.01', 'CNY', {}, 'amount must be at most 1000000000000000', { max: '1000000000000000' }],
    ['10.5', 'JPY', {}, 'amount has more decimals than JPY allows (0)', { minorUnits: 0 }],
    ['10.005', 'CNY', {}, 'amount has more decimals than CNY allows (2)', { minorUnits: 2 }],
  ])('refuses %s %s as BAD_USER_INPUT naming the field', (text, currency, opts, message, extensions) => {
    const e = refusal(() => checkAmount(parseDecimal(text), currency, 'amount', opts));
    expect([e.code, e.field, e.message, e.extensions]).toEqual([ErrorCode.BAD_USER_INPUT, 'amount', message, extensions]);
  });

  it('refuses a JSON number that JavaScript writes with an exponent', () => {
    expect(decimalWrittenAs(parseDecimal(1e21))).toBe('1e+21');
    expect(refusal(() => checkAmount(parseDecimal(1e-7), 'KWD', 'amount')).message).toMatch(/without an exponent; got "1e-7"/);
  });

  it('leaves other Decimal inputs free to use an exponent', () => {
    expect(parseDecimal('1e3').toFixed()).toBe('1000');
    expect(MAX_AMOUNT.toFixed()).toBe('1000000000000000');
  });
});

describe('rounding', () => {
  it('rounds amounts HALF_EVEN to the minor unit and shows them at that scale', () => {
    const cases: Array<[string, string, string]> = [
      ['0.125', 'CNY', '0.12'],
      ['0.135', 'CNY', '0.14'],
      ['0.1251', 'CNY', '0.13'],
      ['-0.125', 'CNY', '-0.12'],
      ['-0.001', 'CNY', '0.00'],
      ['2.5', 'JPY', '2'],
      ['3.5', 'JPY', '4'],
      ['250214.28571428571428', 'CNY', '250214.29'],
      ['30000.5', 'CNY', '30000.50'],
      ['1.0005', 'KWD', '1.000'],
    ];
    for (const [value, currency, expected] of cases) expect([value, currency, shown(roundAmount(d(value), currency))]).toEqual([value, currency, expected]);
  });

  it('rounds like decimal.js HALF_EVEN for any amount, never with more decimals than the currency', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 22n), max: 10n ** 22n }), fc.integer({ min: 0, max: 7 }), fc.constantFrom('CNY', 'JPY', 'KWD'), (units, exp, currency) => {
        const value = d(units.toString()).div(d(10).pow(exp));
        const out = shown(roundAmount(value, currency));
        const digits = minorUnits(currency);
        expect(out).toBe(value.toDecimalPlaces(digits, Decimal.ROUND_HALF_EVEN).abs().isZero() ? (0).toFixed(digits) : value.toFixed(digits, Decimal.ROUND_HALF_EVEN));
        expect(out.split('.')[1]?.length ?? 0).toBe(digits);
      }),
      { numRuns: 1000 },
    );
  });

  it('rounds ratios HALF_EVEN to 6 places, shown in their shortest form', () => {
    expect(RATIO_PLACES).toBe(6);
    expect(shown(roundRatio(d('0.5')))).toBe('0.5');
    expect(shown(roundRatio(d('0.0000005')))).toBe('0');
    expect(shown(roundRatio(d('0.0000015')))).toBe('0.000002');
    expect(shown(roundRatio(d('1.2345675')))).toBe('1.234568');
    expect(shown(ratioOf(d(2), d(3))!)).toBe('0.666667');
    expect(shown(ratioOf(d('250214.28'), d('0.7'))!)).toBe('357448.971429');
    expect(ratioOf(d(1), d(0))).toBeNull();
    expect(ratioOf(d('1e40'), d('1e-40'))).toBeNull();
  });
});

describe('sums and currencies', () => {
  it('adds amounts per currency, never across currencies, at each currency’s scale', () => {
    const totals = sumByCurrency([
      { amount: d('0.1'), currency: 'CNY' },
      { amount: d('1000'), currency: 'JPY' },
      { amount: d('0.2'), currency: 'CNY' },
      { amount: d('999999999999999.99'), currency: 'EUR' },
      { amount: d('999999999999999.99'), currency: 'EUR' },
    ]);
    expect(totals.map((t) => [t.currency, shown(t.amount)])).toEqual([
      ['CNY', '0.30'],
      ['EUR', '1999999999999999.98'],
      ['JPY', '1000'],
    ]);
    expect(sumByCurrency([])).toEqual([]);
    // Past decimal.js's default 20 significant digits: 1001 × 999999999999999.01 = 1000999999999999009.01 exactly.
    const many = Array.from({ length: 1001 }, () => ({ amount: d('999999999999999.01'), currency: 'USD' }));
    expect(shown(sumByCurrency(many)[0].amount)).toBe('1000999999999999009.01');
  });

  it('refuses an amount in another currency than expected', () => {
    expect(() => checkSameCurrency('CNY', 'CNY', 'amount')).not.toThrow();
    const e = refusal(() => checkSameCurrency('EUR', 'CNY', 'targetBudgetId'));
    expect([e.code, e.field, e.message, e.extensions]).toEqual([ErrorCode.BAD_USER_INPUT, 'targetBudgetId', 'targetBudgetId is in EUR, but it must be in CNY', { currency: 'CNY' }]);
  });
});

describe('the Decimal scalar', () => {
  it('shows a value marked with a scale at that scale, and any other in its shortest exact form', () => {
    expect(shown(withScale(d('30000.5'), 2))).toBe('30000.50');
    expect(scaleOf(d('1'))).toBeUndefined();
    expect(shown(d('30000.50'))).toBe('30000.5');
    expect(shown(withScale(d('30000.5'), 2).plus(0))).toBe('30000.5');
    expect(() => withScale(d('0.125'), 2)).toThrow(RangeError);
  });

  it('numberTransformer maps numeric text to numbers and back', () => {
    expect([numberTransformer.from('0.25'), numberTransformer.from(null), numberTransformer.to(0.5)]).toEqual([0.25, null, 0.5]);
  });
});

@InputType()
class ProbeInput {
  @Field(() => DecimalScalar) amount: Decimal;
  @Field() currency: string;
}

@Resolver()
class ProbeResolver {
  @Query(() => DecimalScalar, { description: 'An amount checked by the kit and shown at its scale.' })
  checkedAmount(@Arg('input') input: ProbeInput): Decimal {
    return checkAmount(input.amount, parseCurrency(input.currency, 'input.currency'), 'input.amount');
  }
  @Query(() => DecimalScalar)
  plainDecimal(@Arg('value', () => DecimalScalar) value: Decimal): Decimal {
    return value;
  }
  @Query(() => [String])
  buckets(@Arg('grain', () => Grain) grain: Grain): string[] {
    return [grain];
  }
}

describe('through GraphQL (type-graphql inputs keep how a Decimal was written)', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await buildSchema({ resolvers: [ProbeResolver] });
  });
  const run = (source: string, variableValues?: Record<string, unknown>) => graphql({ schema, source, variableValues });

  it('answers an amount at its currency’s scale, from a variable or a literal', async () => {
    const q = `query($i: ProbeInput!) { checkedAmount(input: $i) }`;
    expect((await run(q, { i: { amount: '30000.5', currency: 'CNY' } })).data).toEqual({ checkedAmount: '30000.50' });
    expect((await run(q, { i: { amount: '300', currency: 'jpy' } })).data).toEqual({ checkedAmount: '300' });
    expect((await run(`{ checkedAmount(input: { amount: "12.3", currency: "EUR" }) }`)).data).toEqual({ checkedAmount: '12.30' });
  });

  it('refuses "1e3" and a Float literal with an exponent as an amount, naming the field', async () => {
    for (const r of [
      await run(`query($i: ProbeInput!) { checkedAmount(input: $i) }`, { i: { amount: '1e3', currency: 'CNY' } }),
      await run(`{ checkedAmount(input: { amount: 1e3, currency: "CNY" }) }`),
    ]) {
      const e = r.errors![0].originalError as RuleViolation;
      expect(e).toBeInstanceOf(RuleViolation);
      expect([e.code, e.field]).toEqual([ErrorCode.BAD_USER_INPUT, 'input.amount']);
    }
  });

  it('still takes an exponent in other Decimal inputs', async () => {
    expect((await run(`query($v: Decimal!) { plainDecimal(value: $v) }`, { v: '1e3' })).data).toEqual({ plainDecimal: '1000' });
  });

  it('shows one Grain enum, the same object as the pure one', async () => {
    expect(Grain).toBe(PureGrain);
    expect(printSchema(schema)).toContain('enum Grain {');
    expect((await run(`{ buckets(grain: QUARTER) }`)).data).toEqual({ buckets: ['QUARTER'] });
    expect((await run(`{ buckets(grain: YEAR) }`)).errors?.[0].message).toMatch(/Value "YEAR" does not exist in "Grain" enum/);
  });
});
