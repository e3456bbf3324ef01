/**
 * The KPI formula language: + - * / (also × ÷), parentheses, unary minus, decimal numbers and
 * the keys of the KPI's own children. Parsed with jsep, checked by walking the syntax tree
 * (anything else is refused), evaluated with decimal.js. No ORM or GraphQL imports.
 */
import Decimal from 'decimal.js';
import jsep from 'jsep';

export const MAX_FORMULA_LENGTH = 500;
const MAX_NODES = 200;

export type Formula =
  | { kind: 'number'; value: Decimal }
  | { kind: 'key'; key: string }
  | { kind: 'negate'; operand: Formula }
  | { kind: 'binary'; op: '+' | '-' | '*' | '/'; left: Formula; right: Formula };

/** A formula the language refuses: the message names the problem. */
export class FormulaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FormulaError';
  }
}

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

/** Parses and checks the syntax (not the keys): FormulaError on anything outside the language. */
export function parseFormula(text: string): Formula {
  if (text.length > MAX_FORMULA_LENGTH) throw new FormulaError(`A formula has at most ${MAX_FORMULA_LENGTH} characters`);
  const source = text.replace(/×/g, '*').replace(/÷/g, '/').replace(/−/g, '-');
  if (source.trim() === '') throw new FormulaError('The formula is empty');
  let ast: jsep.Expression;
  try {
    ast = jsep(source);
  } catch (e) {
    throw new FormulaError(`The formula does not parse: ${(e as Error).message}`);
  }
  let nodes = 0;
  const walk = (node: jsep.Expression): Formula => {
    if (++nodes > MAX_NODES) throw new FormulaError(`A formula has at most ${MAX_NODES} terms`);
    switch (node.type) {
      case 'Literal': {
        const raw = String((node as jsep.Literal).raw);
        if (typeof (node as jsep.Literal).value !== 'number' || !NUMBER.test(raw)) {
          throw new FormulaError(`Only numbers, KPI keys and + - * / are allowed; found ${raw}`);
        }
        const value = new Decimal(raw);
        if (!value.isFinite()) throw new FormulaError(`The number ${raw} is out of range`);
        return { kind: 'number', value };
      }
      case 'Identifier':
        return { kind: 'key', key: (node as jsep.Identifier).name };
      case 'UnaryExpression': {
        const u = node as jsep.UnaryExpression;
        if (u.operator !== '-') throw new FormulaError(`The operator ${u.operator} is not allowed (only + - * / and unary minus)`);
        return { kind: 'negate', operand: walk(u.argument) };
      }
      case 'BinaryExpression': {
        const b = node as jsep.BinaryExpression;
        if (!BINARY.has(b.operator)) throw new FormulaError(`The operator ${b.operator} is not allowed (only + - * /)`);
        return { kind: 'binary', op: b.operator as '+' | '-' | '*' | '/', left: walk(b.left), right: walk(b.right) };
      }
      default:
        throw new FormulaError(`Formulas cannot contain ${describe(node)}: only numbers, KPI keys, + - * / and parentheses`);
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
 * (the KPI's own children). FormulaError naming the unknown or non-child keys.
 */
export function checkFormula(text: string, ownKey: string, childKeys: readonly string[], knownKeys: ReadonlySet<string>): Formula {
  const formula = parseFormula(text);
  const keys = formulaKeys(formula);
  if (keys.includes(ownKey)) throw new FormulaError(`The formula of ${ownKey} refers to itself (a cycle)`);
  const unknown = keys.filter((k) => !knownKeys.has(k));
  if (unknown.length > 0) throw new FormulaError(`Unknown KPI key${unknown.length > 1 ? 's' : ''} in the formula: ${unknown.join(', ')}`);
  const strangers = keys.filter((k) => !childKeys.includes(k));
  if (strangers.length > 0) {
    throw new FormulaError(
      `A formula may only use the keys of the KPI's own children; not children of ${ownKey}: ${strangers.join(', ')}`,
    );
  }
  return formula;
}

export type FormulaResult = { value: Decimal; reason: null } | { value: null; reason: string };

/** Evaluates with exact decimals; a missing input or a division by zero gives null with the reason. */
export function evaluateFormula(formula: Formula, valueOf: (key: string) => Decimal | null): FormulaResult {
  const missing: string[] = [];
  let divisionByZero: string | null = null;
  const walk = (f: Formula): Decimal | null => {
    switch (f.kind) {
      case 'number':
        return f.value;
      case 'key': {
        const v = valueOf(f.key);
        if (v == null && !missing.includes(f.key)) missing.push(f.key);
        return v;
      }
      case 'negate': {
        const v = walk(f.operand);
        return v == null ? null : v.neg();
      }
      case 'binary': {
        const l = walk(f.left);
        const r = walk(f.right);
        if (l == null || r == null) return null;
        switch (f.op) {
          case '+':
            return l.plus(r);
          case '-':
            return l.minus(r);
          case '*':
            return l.times(r);
          case '/':
            if (r.isZero()) {
              divisionByZero ??= show(f.right);
              return null;
            }
            return l.div(r);
        }
      }
    }
  };
  const value = walk(formula);
  if (missing.length > 0) return { value: null, reason: `No value for ${missing.join(', ')} in this period` };
  if (divisionByZero != null) return { value: null, reason: `Division by zero: ${divisionByZero} is 0 in this period` };
  return value == null ? { value: null, reason: 'No value in this period' } : { value, reason: null };
}

/** The formula written back (for messages). */
export function show(f: Formula): string {
  switch (f.kind) {
    case 'number':
      return f.value.toFixed();
    case 'key':
      return f.key;
    case 'negate':
      return `-${show(f.operand)}`;
    case 'binary':
      return `(${show(f.left)} ${f.op} ${show(f.right)})`;
  }
}

/**
 * Scales the inputs named in `percent` and evaluates again: the formula's value with every key
 * at `value * (1 + percent / 100)`.
 */
export function scaled(value: Decimal, percent: Decimal): Decimal {
  return value.times(percent.div(100).plus(1));
}
