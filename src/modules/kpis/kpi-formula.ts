/**
 * The KPI formula language: + - * / (also × ÷), parentheses, unary minus, decimal numbers and
 * the keys of the KPI's own children. Parsed with jsep, checked by walking the syntax tree
 * (anything else is refused), evaluated with decimal.js. Numbers and every value computed stay in
 * the Decimal range (38 significant digits, exponent from -40 to 40): a number outside it is
 * refused when the formula is saved, a value outside it makes the period's value null with the
 * reason. No ORM or GraphQL imports.
 */
import Decimal from 'decimal.js';
import jsep from 'jsep';
import { DECIMAL_RANGE, inDecimalRange, RangeDecimal } from '../../common/decimal-range';
import { refuse, type RuleViolation } from '../../common/rules';

export const MAX_FORMULA_LENGTH = 500;
const MAX_NODES = 200;

export type Formula =
  /** `raw`: the number as written (messages show it, never the value written out). */
  | { kind: 'number'; value: Decimal; raw: string }
  | { kind: 'key'; key: string }
  | { kind: 'negate'; operand: Formula }
  | { kind: 'binary'; op: '+' | '-' | '*' | '/'; left: Formula; right: Formula };

/** A formula the language refuses: BAD_USER_INPUT naming `formula`, the message naming the problem. */
export const formulaError = (message: string): RuleViolation => refuse(message, 'formula');

const BINARY = new Set(['+', '-', '*', '/']);
const NUMBER = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function describe(node: jsep.Expression): string {
  switch (node.type) {
    case 'CallExpression':
      return 'function calls';
    case 'MemberExpression':
      return 'member access (a.b, a[b])';
    case 'Compound':
      return 'several expressions';
    case 'ArrayExpression':
      return 'lists';
    case 'ThisExpression':
      return '`this`';
    case 'ConditionalExpression':
      return 'conditionals';
    default:
      return `${node.type}`;
  }
}

/** The number as written, shortened for messages. */
const shown = (raw: string) => (raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);

/**
 * Parses and checks the syntax (not the keys): a RuleViolation (formulaError) on anything outside the language,
 * and on a number outside the Decimal range (checked on decimal.js's parsed exponent and digits,
 * never by writing the number out).
 */
export function parseFormula(text: string): Formula {
  return parse(text, true);
}

/**
 * The keys a stored formula reads, each once: a formula saved before numbers were range-checked
 * still names its keys (its value is null with the reason when evaluated). formulaError when it
 * does not parse.
 */
export function storedFormulaKeys(text: string): string[] {
  return formulaKeys(parse(text, false));
}

function parse(text: string, checkRange: boolean): Formula {
  if (text.length > MAX_FORMULA_LENGTH) throw formulaError(`A formula has at most ${MAX_FORMULA_LENGTH} characters`);
  const source = text.replace(/×/g, '*').replace(/÷/g, '/').replace(/−/g, '-');
  if (source.trim() === '') throw formulaError('The formula is empty');
  let ast: jsep.Expression;
  try {
    ast = jsep(source);
  } catch (e) {
    throw formulaError(`The formula does not parse: ${(e as Error).message}`);
  }
  let nodes = 0;
  const walk = (node: jsep.Expression): Formula => {
    if (++nodes > MAX_NODES) throw formulaError(`A formula has at most ${MAX_NODES} terms`);
    switch (node.type) {
      case 'Literal': {
        const raw = String((node as jsep.Literal).raw);
        if (typeof (node as jsep.Literal).value !== 'number' || !NUMBER.test(raw)) {
          throw formulaError(`Only numbers, KPI keys and + - * / are allowed; found ${raw}`);
        }
        const value = new Decimal(raw); // at most MAX_FORMULA_LENGTH characters: cheap whatever the exponent
        if (checkRange && !inDecimalRange(value)) throw formulaError(outOfRangeNumber(raw));
        return { kind: 'number', value, raw };
      }
      case 'Identifier':
        return { kind: 'key', key: (node as jsep.Identifier).name };
      case 'UnaryExpression': {
        const u = node as jsep.UnaryExpression;
        if (u.operator !== '-') throw formulaError(`The operator ${u.operator} is not allowed (only + - * / and unary minus)`);
        return { kind: 'negate', operand: walk(u.argument) };
      }
      case 'BinaryExpression': {
        const b = node as jsep.BinaryExpression;
        if (!BINARY.has(b.operator)) throw formulaError(`The operator ${b.operator} is not allowed (only + - * /)`);
        return { kind: 'binary', op: b.operator as '+' | '-' | '*' | '/', left: walk(b.left), right: walk(b.right) };
      }
      default:
        throw formulaError(`Formulas cannot contain ${describe(node)}: only numbers, KPI keys, + - * / and parentheses`);
    }
  };
  return walk(ast);
}

/** The keys a formula refers to, each once, in order of appearance. */
export function formulaKeys(formula: Formula): string[] {
  const keys: string[] = [];
  const walk = (f: Formula) => {
    if (f.kind === 'key') {
      if (!keys.includes(f.key)) keys.push(f.key);
    } else if (f.kind === 'negate') walk(f.operand);
    else if (f.kind === 'binary') {
      walk(f.left);
      walk(f.right);
    }
  };
  walk(formula);
  return keys;
}

/**
 * Checks a formula for a KPI: parses it and requires every key to be one of `childKeys`
 * (the KPI's own children). formulaError naming the unknown or non-child keys.
 */
export function checkFormula(text: string, ownKey: string, childKeys: readonly string[], knownKeys: ReadonlySet<string>): Formula {
  const formula = parseFormula(text);
  const keys = formulaKeys(formula);
  if (keys.includes(ownKey)) throw formulaError(`The formula of ${ownKey} refers to itself (a cycle)`);
  const unknown = keys.filter((k) => !knownKeys.has(k));
  if (unknown.length > 0) throw formulaError(`Unknown KPI key${unknown.length > 1 ? 's' : ''} in the formula: ${unknown.join(', ')}`);
  const strangers = keys.filter((k) => !childKeys.includes(k));
  if (strangers.length > 0) {
    throw formulaError(
      `A formula may only use the keys of the KPI's own children; not children of ${ownKey}: ${strangers.join(', ')}`,
    );
  }
  return formula;
}

export type FormulaResult = { value: Decimal; reason: null } | { value: null; reason: string };

const outOfRangeNumber = (raw: string) => `The number ${shown(raw)} is out of the Decimal range ${DECIMAL_RANGE}`;

/**
 * Evaluates with decimals rounded to 38 significant digits (RangeDecimal). A missing input, a
 * division by zero, or a number, input or intermediate value outside the Decimal range gives
 * null with the reason; the range is checked after every operation, so nothing computed is ever
 * larger than one operation on values of the range (a formula stored before numbers were checked
 * is refused here too).
 */
export function evaluateFormula(formula: Formula, valueOf: (key: string) => Decimal | null): FormulaResult {
  const missing: string[] = [];
  let divisionByZero: string | null = null;
  let outOfRange: string | null = null;
  /** The value if it is in the range; else null, remembering the first part of the formula that left it. */
  const bounded = (v: Decimal, f: Formula): Decimal | null => {
    if (inDecimalRange(v)) return v;
    outOfRange ??= f.kind === 'number' ? outOfRangeNumber(f.raw) : `Out of range: ${show(f)} is out of the Decimal range ${DECIMAL_RANGE} in this period`;
    return null;
  };
  const walk = (f: Formula): Decimal | null => {
    switch (f.kind) {
      case 'number':
        return bounded(f.value, f);
      case 'key': {
        const v = valueOf(f.key);
        if (v == null && !missing.includes(f.key)) missing.push(f.key);
        return v == null ? null : bounded(v, f);
      }
      case 'negate': {
        const v = walk(f.operand);
        return v == null ? null : new RangeDecimal(v).neg();
      }
      case 'binary': {
        const l = walk(f.left);
        const r = walk(f.right);
        if (l == null || r == null) return null;
        const left = new RangeDecimal(l);
        switch (f.op) {
          case '+':
            return bounded(left.plus(r), f);
          case '-':
            return bounded(left.minus(r), f);
          case '*':
            return bounded(left.times(r), f);
          case '/':
            if (r.isZero()) {
              divisionByZero ??= show(f.right);
              return null;
            }
            return bounded(left.div(r), f);
        }
      }
    }
  };
  const value = walk(formula);
  if (missing.length > 0) return { value: null, reason: `No value for ${missing.join(', ')} in this period` };
  if (divisionByZero != null) return { value: null, reason: `Division by zero: ${divisionByZero} is 0 in this period` };
  if (outOfRange != null) return { value: null, reason: outOfRange };
  return value == null ? { value: null, reason: 'No value in this period' } : { value, reason: null };
}

/** The formula written back (for messages): numbers as written. */
export function show(f: Formula): string {
  switch (f.kind) {
    case 'number':
      return shown(f.raw);
    case 'key':
      return f.key;
    case 'negate':
      return `-${show(f.operand)}`;
    case 'binary':
      return `(${show(f.left)} ${f.op} ${show(f.right)})`;
  }
}

/**
 * A value changed by `percent`: `value * (1 + percent / 100)`, rounded to 38 significant digits;
 * null when the result is outside the Decimal range.
 */
export function scaled(value: Decimal, percent: Decimal): Decimal | null {
  const result = new RangeDecimal(percent).div(100).plus(1).times(value);
  return inDecimalRange(result) ? result : null;
}
