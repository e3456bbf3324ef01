import { decodeGlobalId, fromGlobalId, toGlobalId } from '../../../src/common/ids';
import { DateScalar, DecimalScalar, parseDecimal } from '../../../src/common/scalars';
import { validatePageArgs } from '../../../src/common/connection';

const UUID = '3f2c6c1e-8a1b-4c3d-9e2f-0a1b2c3d4e5f';

describe('global ids', () => {
  it('round-trips and is opaque', () => {
    const g = toGlobalId('Organization', UUID);
    expect(g).not.toContain(UUID);
    expect(decodeGlobalId(g)).toEqual({ type: 'Organization', id: UUID });
  });
  it('rejects malformed ids and ids of another type', () => {
    expect(decodeGlobalId('nonsense')).toBeNull();
    expect(decodeGlobalId(toGlobalId('User', 'not-a-uuid'))).toBeNull();
    expect(() => fromGlobalId(toGlobalId('User', UUID), 'Organization')).toThrow('id is not a valid Organization id');
  });
});

describe('Decimal', () => {
  it('keeps exact values as strings', () => {
    expect(DecimalScalar.serialize(parseDecimal('0.1').plus(parseDecimal('0.2')))).toBe('0.3');
    expect(DecimalScalar.serialize(parseDecimal('1000000.00'))).toBe('1000000');
    expect(parseDecimal('-12.345').toFixed()).toBe('-12.345');
  });
  it('shows text read from SQL in the shortest exact form, whether or not it is already in it', () => {
    // Text already in that form (trim_scale(x)::text) goes out as it is; any other is normalised or refused.
    for (const [text, shown] of [
      ['0', '0'],
      ['1300.1', '1300.1'],
      ['-42', '-42'],
      ['0.0000125', '0.0000125'],
      ['-0.5', '-0.5'],
      ['100000000000000000000.5', '100000000000000000000.5'],
      ['1300.10', '1300.1'],
      ['-0', '0'],
      ['0.000', '0'],
      ['007', '7'],
      ['1e3', '1000'],
      ['.5', '0.5'],
      ['+5', '5'],
      [' 5', '5'],
    ]) {
      expect([text, DecimalScalar.serialize(text)]).toEqual([text, shown]);
    }
    expect(() => DecimalScalar.serialize('1'.repeat(39))).toThrow(/out of range/);
    expect(() => DecimalScalar.serialize('12,5')).toThrow(/Decimal must be/);
  });
  it.each(['abc', '', '1,000', '12e', null, {}, 'NaN', 'Infinity'])('rejects %p', (v) => {
    expect(() => parseDecimal(v)).toThrow(/Decimal must be/);
  });
});

describe('Date', () => {
  it('accepts real calendar dates only', () => {
    expect(DateScalar.parseValue('2026-02-28')).toBe('2026-02-28');
    expect(() => DateScalar.parseValue('2026-02-30')).toThrow(/YYYY-MM-DD/);
    expect(() => DateScalar.parseValue('2026-2-3')).toThrow(/YYYY-MM-DD/);
  });
});

describe('page arguments', () => {
  it('defaults to 20 forward and caps at 100', () => {
    expect(validatePageArgs({})).toEqual({ limit: 20, backward: false });
    expect(validatePageArgs({ first: 100 })).toEqual({ limit: 100, backward: false });
    expect(validatePageArgs({ last: 5 })).toEqual({ limit: 5, backward: true });
    expect(() => validatePageArgs({ first: 101 })).toThrow('first must be between 0 and 100');
    expect(() => validatePageArgs({ last: -1 })).toThrow('last must be between 0 and 100');
    expect(() => validatePageArgs({ first: 1, last: 1 })).toThrow('either first or last');
  });
});
