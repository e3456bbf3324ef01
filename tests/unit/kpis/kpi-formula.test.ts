import Decimal from 'decimal.js';
import { RuleViolation } from '../../../src/common/rules';
import { checkFormula, evaluateFormula, formulaKeys, parseFormula, storedFormulaKeys } from '../../../src/modules/kpis/kpi-formula';
import { TreeValues } from '../../../src/modules/kpis/kpi-tree';

const values = (map: Record<string, string | null>) => (key: string) => (map[key] == null ? null : new Decimal(map[key]!));
const evalText = (text: string, map: Record<string, string | null> = {}) => evaluateFormula(parseFormula(text), values(map));

describe('formula language', () => {
  it('follows arithmetic precedence and parentheses', () => {
    expect(evalText('2 + 3 * 4').value!.toFixed()).toBe('14');
    expect(evalText('(2 + 3) * 4').value!.toFixed()).toBe('20');
    expect(evalText('20 - 6 - 4').value!.toFixed()).toBe('10');
    expect(evalText('2 * 12 / 4 / 3').value!.toFixed()).toBe('2');
    expect(evalText('-a + 5', { a: '2' }).value!.toFixed()).toBe('3');
    expect(evalText('a − b × c ÷ d', { a: '10', b: '2', c: '3', d: '4' }).value!.toFixed()).toBe('8.5');
  });

  it('computes with exact decimals', () => {
    expect(evalText('a + b', { a: '0.1', b: '0.2' }).value!.toFixed()).toBe('0.3');
    expect(evalText('visitors * conversion_rate * aov', { visitors: '10000', conversion_rate: '0.1', aov: '0.3' }).value!.toFixed()).toBe('300');
    expect(evalText('1.5e2 * 2').value!.toFixed()).toBe('300');
  });

  it('gives null with a reason on division by zero or a missing input', () => {
    const zero = evalText('dau / mau', { dau: '5', mau: '0' });
    expect(zero.value).toBeNull();
    expect(zero.reason).toMatch(/Division by zero: mau/);
    expect(evalText('a / (b - b)', { a: '1', b: '3' }).reason).toMatch(/Division by zero/);
    const missing = evalText('a * b + c', { a: '1', b: null, c: null });
    expect(missing.value).toBeNull();
    expect(missing.reason).toBe('No value for b, c in this period');
  });

  it.each([
    ['max(a, b)', /function calls/],
    ['a.b', /member access/],
    ['a[0]', /member access/],
    ['a % 2', /operator %/],
    ['a ** 2', /not parse|operator/],
    ['!a', /operator !/],
    ['+a', /operator \+/],
    ['~a', /operator ~/],
    ['a ? b : c', /not parse|conditional/i],
    ['"text"', /Only numbers/],
    ['true', /Only numbers/],
    ['a; b', /several expressions/],
    ['a b', /several expressions|not parse/],
    ['[a]', /lists/],
    ['a +', /not parse/],
    ['', /empty/],
    ['a == b', /operator ==/],
    ['a || b', /operator \|\|/],
  ])('refuses %s', (text, message) => {
    expect(() => parseFormula(text)).toThrow(RuleViolation);
    expect(() => parseFormula(text)).toThrow(message);
  });

  it.each(['1e9000000000000000', '1e41', '1e-41', '1234567890123456789012345678901234567890'])('refuses the number %s, out of the Decimal range', (n) => {
    expect(() => parseFormula(`a * ${n}`)).toThrow(/is out of the Decimal range \(at most 38 significant digits, exponent from -40 to 40\)/);
  });

  it('keeps every computed value in the Decimal range: 38 significant digits, null with the reason beyond', () => {
    expect(evalText('a / 3', { a: '1' }).value!.toFixed()).toBe(`0.${'3'.repeat(38)}`);
    expect(evalText('a * 1e20 * 1e20 / 1e20', { a: '10' })).toEqual({ value: null, reason: expect.stringMatching(/^Out of range: \(\(a \* 1e20\) \* 1e20\) is out of the Decimal range/) });
    expect(evalText('a * a', { a: '1e-30' }).value).toBeNull();
    expect(evalText('a + 1', { a: '1e41' }).reason).toMatch(/^Out of range: a is out of the Decimal range/);
  });

  it('names the keys of a formula stored before its numbers were checked', () => {
    expect(storedFormulaKeys('a * 1e9999999 + b')).toEqual(['a', 'b']);
  });

  it('lists the keys once, in order', () => {
    expect(formulaKeys(parseFormula('a * (b + a) / c'))).toEqual(['a', 'b', 'c']);
  });

  it("accepts only the keys of the KPI's own children, and names unknown keys and self-references", () => {
    const known = new Set(['gmv', 'visitors', 'aov', 'conversion_rate', 'dau']);
    expect(() => checkFormula('visitors * aov', 'gmv', ['visitors', 'aov'], known)).not.toThrow();
    expect(() => checkFormula('visitors * nope * nada', 'gmv', ['visitors'], known)).toThrow('Unknown KPI keys in the formula: nope, nada');
    expect(() => checkFormula('visitors * dau', 'gmv', ['visitors'], known)).toThrow(/not children of gmv: dau/);
    expect(() => checkFormula('gmv + 1', 'gmv', ['visitors'], known)).toThrow(/refers to itself/);
  });
});

describe('tree values', () => {
  const node = (id: string, parentId: string | null, formula: string | null = null) => ({ id, key: id, parentId, formula });

  it('evaluates nested formulas bottom-up and propagates what-if changes', () => {
    const nodes = [node('gmv', null, 'visitors * conversion_rate * aov'), node('visitors', 'gmv', 'new_users + returning'), node('conversion_rate', 'gmv'), node('aov', 'gmv'), node('new_users', 'visitors'), node('returning', 'visitors')];
    const measured = values({ new_users: '4000', returning: '6000', conversion_rate: '0.03', aov: '80' });
    const base = new TreeValues(nodes, (id) => measured(id));
    expect(base.valueOf('visitors').value!.toFixed()).toBe('10000');
    expect(base.valueOf('gmv').value!.toFixed()).toBe('24000');
    const whatIf = new TreeValues(nodes, (id) => measured(id), new Map([['new_users', new Decimal(50)]]));
    expect(whatIf.valueOf('visitors').value!.toFixed()).toBe('12000');
    expect(whatIf.valueOf('gmv').value!.toFixed()).toBe('28800');
  });

  it('reports a missing input through the levels and does not loop on a cycle', () => {
    const nodes = [node('a', null, 'b * 2'), node('b', 'a', 'c + 1'), node('c', 'b')];
    const r = new TreeValues(nodes, () => null).valueOf('a');
    expect(r.value).toBeNull();
    expect(r.reason).toMatch(/No value for b.*c/);
    const loop = [node('x', 'y', 'y + 1'), node('y', 'x', 'x + 1')];
    expect(new TreeValues(loop, () => null).valueOf('x').value).toBeNull();
  });
});
