/**
 * Grammar-aware generators for the schema-driven fuzz test (fuzz.test.ts): values chosen by what an
 * argument MEANS (its name, type and description in the introspected schema), not only by its
 * GraphQL type. A `formula` string gets KPI formulas with huge literals and deep nesting, a Decimal
 * gets numbers at and past the documented range, a Date gets edge days and far years, `after` and
 * `before` get other lists' cursors and re-encoded ones, an ID gets a valid id of another type or
 * of another organisation. Each odd value may carry what the API must do with it (`refuse`), which
 * the test checks when the value is the only odd one in a call.
 */
import fc from 'fast-check';
import { toGlobalId, decodeGlobalId } from '../../../src/common/ids';
import { parseDecimal } from '../../../src/common/scalars';

/** What the fixtures made, by GraphQL type (global ids), and what the generators draw from. */
export interface Pools {
  own: Record<string, string[]>;
  foreign: Record<string, string[]>;
  /** Keys of the fuzzed organisation's KPIs (formulas and measurements refer to KPIs by key). */
  kpiKeys: string[];
  foreignKpiKeys: string[];
  /** Cursors by the list that gave them: `Query.kpis`, `Budget.expenses`… */
  cursors: Map<string, string[]>;
  /** The days the fixtures' periods start and end on (budgets, campaigns, cycles). */
  days: string[];
  /** Every type implementing Node. */
  nodeTypes: string[];
}

/** An odd value, and when the API must refuse it, why (checked only when it is the call's one odd value). */
export interface Odd {
  value: unknown;
  refuse?: string;
}

export type GrammarKind = 'formula' | 'decimal' | 'date' | 'datetime' | 'cursor' | 'id' | 'kpiKey' | 'plain';

/** One input position: an argument, or a field of an input object. */
export interface Slot {
  name: string;
  description?: string | null;
  /** The input type holding the field (`MoveKpiInput`), or the root field for an argument (`budget`). */
  holder: string;
  /** The scalar's name (`String`, `Decimal`, `ID`…). */
  scalar: string;
}

// ------------------------------------------------------------------ which grammar

/** The grammar of a slot, from its scalar type, name and description. */
export function grammarOf(slot: Slot): GrammarKind {
  const d = slot.description ?? '';
  switch (slot.scalar) {
    case 'Decimal':
      return 'decimal';
    case 'Date':
      return 'date';
    case 'DateTime':
      return 'datetime';
    case 'ID':
      return 'id';
    case 'String':
      if (slot.name === 'formula' || /\bformula over\b/i.test(d)) return 'formula';
      if (/^(after|before|cursor)$/.test(slot.name)) return 'cursor';
      if (/^(kpiKey|rootKey)$/.test(slot.name) || /\bkey of a\b.*\bKPI\b/i.test(d)) return 'kpiKey';
      if (/\bdecimal number\b/i.test(d)) return 'decimal';
      return 'plain';
    default:
      return 'plain';
  }
}

const ROLE = /^(lead|owner|assignee|user|actor|author|invitedBy|reporter|approver|recordedBy|decidedBy|requestedBy)$/;
const POLYMORPHIC = /^(node|nodes|entity|subject)$/;

/**
 * The type of object an ID slot names: by its name (`budgetLineId` → BudgetLine, `ownerId` →
 * User), its description ("The new parent Kpi"), the end of its name (`fromLineId` → BudgetLine,
 * `matrixId` → RaciMatrix) or, for `id` and `parentId`, the input type or field holding it
 * (`MoveKpiInput.id` → Kpi, `budget(id:)` → Budget). Null when it names several types (`node`,
 * `subjectId`: a Campaign, Sop or Squad) or none the schema knows.
 */
export function idTypeOf(slot: Slot, nodeTypes: readonly string[]): string | null {
  const base = slot.name.replace(/Ids?$/, '');
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  if (POLYMORPHIC.test(base) || POLYMORPHIC.test(slot.holder)) return null;
  const named = (nodeTypes as string[]).filter((t) => new RegExp(`\\b${t}\\b`).test(slot.description ?? ''));
  if (named.length > 1 && /\bor\b/.test(slot.description ?? '')) return null;
  if (base && base !== 'id' && base !== 'parent') {
    if (nodeTypes.includes(cap(base))) return cap(base);
    if (ROLE.test(base)) return 'User';
  }
  if (named.length === 1) return named[0];
  if (base && base !== 'id' && base !== 'parent') {
    const last = /[A-Z]?[a-z]+$/.exec(base)?.[0];
    const ending = last ? nodeTypes.filter((t) => t.endsWith(cap(last))) : [];
    if (ending.length === 1) return ending[0];
    return null;
  }
  const holder = cap(slot.holder);
  const inside = nodeTypes.filter((t) => holder.includes(t)).sort((x, y) => y.length - x.length);
  return inside[0] ?? null;
}

// ------------------------------------------------------------------ decimals

/** A Decimal the API must refuse (as the Decimal scalar does): more than 38 significant digits or an exponent past ±40. */
export function outOfDecimalRange(text: string): boolean {
  try {
    parseDecimal(text);
    return false;
  } catch {
    return true;
  }
}

const D38 = '12345678901234567890123456789012345678';

/** Numbers at and past the Decimal range, and the notations around it. */
const DECIMAL_EDGES = [
  '9'.repeat(38),
  '-' + '9'.repeat(38),
  '9'.repeat(39),
  D38,
  D38 + '9',
  '0.' + D38,
  D38 + 'e2',
  D38 + 'e3',
  D38 + 'e4',
  D38 + 'e-77',
  D38 + 'e-78',
  '9.' + '9'.repeat(37) + 'e40',
  '-9.' + '9'.repeat(37) + 'e40',
  '9.5e40',
  '1e40',
  '1e41',
  '1e-40',
  '1e-41',
  '-1e-40',
  '0.' + '0'.repeat(39) + '1',
  '0.' + '0'.repeat(40) + '1',
  '1' + '0'.repeat(40),
  '1' + '0'.repeat(41),
  '1e3',
  '1E3',
  '1e+3',
  '2.5e2',
  '1e-0',
  '1e03',
  '1e0000000000000003',
  '1.e3',
  '.5e1',
  '-0e5',
  '0e999999999',
  '1e9999999',
  '1e99999999',
  '1e9000000000000000',
  '-1e9000000000000000',
  '1e-9000000000000000',
  '0.1',
  '0.005',
  '1.999',
  '-1',
];

/** A number of `digits` significant digits whose first digit is at 10^exponent, in e-notation or written out. */
const generatedDecimal = fc
  .tuple(fc.boolean(), fc.integer({ min: 1, max: 42 }), fc.integer({ min: -44, max: 44 }), fc.boolean(), fc.integer({ min: 0, max: 1e9 }))
  .map(([negative, digits, exponent, eNotation, seed]) => {
    let d = String(1 + (seed % 9));
    for (let i = 1; i < digits; i++) d += String((seed * 7 + i * 13) % 10);
    d = d.replace(/0+$/, '') || '1';
    const sign = negative ? '-' : '';
    if (eNotation) return `${sign}${d[0]}${d.length > 1 ? '.' + d.slice(1) : ''}e${exponent}`;
    if (exponent >= 0) {
      const whole = d.length > exponent + 1 ? `${d.slice(0, exponent + 1)}.${d.slice(exponent + 1)}` : d + '0'.repeat(exponent + 1 - d.length);
      return sign + whole;
    }
    return `${sign}0.${'0'.repeat(-exponent - 1)}${d}`;
  });

export function decimalOdd(legacy: fc.Arbitrary<unknown>): fc.Arbitrary<Odd> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...DECIMAL_EDGES) },
    { weight: 3, arbitrary: generatedDecimal },
    { weight: 1, arbitrary: legacy },
  ).map((value) => ({ value }));
}

export const decimalPlausible: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 5000 }).map(String) },
  { weight: 2, arbitrary: fc.constantFrom('12.50', '0.05', '99.9', '1000.00', '0.5') },
  { weight: 1, arbitrary: fc.constantFrom('1e3', '2.5e2', '1E1') },
);

// ------------------------------------------------------------------ dates

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (day: string, n: number) => isoDay(new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000));

/** Month ends, leap days, ISO week 53, weekends, and years far from now (0100 to 9999). */
const EDGE_DAYS = [
  '2026-01-01',
  '2025-12-31',
  '2026-12-31',
  '2026-02-28',
  '2024-02-29',
  '2028-02-29',
  '2000-02-29',
  '2100-02-28',
  '2026-03-31',
  '2026-04-30',
  '2026-03-29',
  '2026-10-25',
  '2026-12-28',
  '2027-01-03',
  '2021-01-03',
  '2026-05-02',
  '2026-05-03',
  '2026-05-05',
  '2026-05-07',
];
const FAR_DAYS = [
  '0100-01-01',
  '0999-12-31',
  '1000-01-01',
  '1582-10-04',
  '1582-10-15',
  '1752-09-14',
  '1900-01-01',
  '1900-02-28',
  '1969-12-31',
  '1970-01-01',
  '2038-01-19',
  '2038-01-20',
  '2999-12-31',
  '9998-12-31',
  '9999-01-01',
  '9999-12-27',
  '9999-12-31',
];
const BAD_DAYS = ['2026-02-29', '2026-02-30', '2026-04-31', '2026-13-01', '2026-00-10', '0000-01-01', '0001-01-01', '0099-12-31', '2026-1-1', '20260501', '+275760-09-13', '2026-05-01T00:00:00Z', '', ' 2026-05-01', '２０２６-05-01'];

export function dateOdd(pools: Pools): fc.Arbitrary<Odd> {
  const aroundFixtures = pools.days.length
    ? fc.tuple(fc.constantFrom(...pools.days), fc.constantFrom(-366, -32, -1, 1, 6, 7, 31, 365, 3650)).map(([d, n]) => addDays(d, n))
    : fc.constant('2026-05-01');
  return fc
    .oneof(
      { weight: 3, arbitrary: fc.constantFrom(...EDGE_DAYS) },
      { weight: 3, arbitrary: fc.constantFrom(...FAR_DAYS) },
      { weight: 2, arbitrary: aroundFixtures },
      { weight: 1, arbitrary: fc.constantFrom(...BAD_DAYS) },
      { weight: 1, arbitrary: fc.date({ min: new Date('0100-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true }).map(isoDay) },
    )
    .map((value) => ({ value }));
}

/** Days the fixtures' data lives on: their periods' days, Mondays and month starts around them. */
export function datePlausible(pools: Pools): fc.Arbitrary<string> {
  const days = pools.days.length ? pools.days : ['2026-04-01', '2026-06-30'];
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...days) },
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 90 }).map((n) => addDays('2026-04-01', n)) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 12 }).map((n) => addDays('2026-03-30', 7 * n)) },
    { weight: 1, arbitrary: fc.constantFrom('2026-04-01', '2026-05-01', '2026-06-01', '2026-07-01') },
  );
}

const DATETIME_EDGES = [
  '9999-12-31T23:59:59.999Z',
  '9999-12-31T23:59:59.999-12:00',
  '0100-01-01T00:00:00.000Z',
  '0001-01-01T00:00:00+14:00',
  '1970-01-01T00:00:00Z',
  '2026-05-01T00:00:00.123456789+08:00',
  '2026-03-29T02:30:00+01:00',
  '2026-12-31T23:59:60Z',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00.000Z',
  '2026-02-30T00:00:00Z',
  '2026-05-01',
  'yesterday',
  '',
];

export function dateTimeOdd(legacy: fc.Arbitrary<unknown>): fc.Arbitrary<Odd> {
  return fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...DATETIME_EDGES) }, { weight: 1, arbitrary: legacy }).map((value) => ({ value }));
}

// ------------------------------------------------------------------ cursors

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
const NIL_UUID = '00000000-0000-4000-8000-000000000000';

/** Timestamps a cursor of this server could hold, and ones it never gives out. */
const CURSOR_TIMES = [
  (t: string) => new Date(Date.parse(t) + 1).toISOString(),
  (t: string) => new Date(Date.parse(t) - 1).toISOString(),
  () => '9999-12-31T23:59:59.999Z',
  () => '9999-12-31T23:59:59.999-12:00',
  () => '0001-01-01T00:00:00.000Z',
  () => '0001-01-01T00:00:00+14:00',
  () => '1970-01-01T00:00:00.000Z',
  (t: string) => t.slice(0, 10),
  (t: string) => t.replace(/\.\d+Z$/, '.123456Z'),
  (t: string) => t.replace(/Z$/, '+14:00'),
  () => '2026-02-29T00:00:00.000Z',
];

/** A cursor re-encoded with one of its timestamps (or its id) changed. */
function reencoded(cursor: string, which: number, idFrom: string | null): string {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return cursor;
  }
  if (!Array.isArray(values)) return cursor;
  const change = CURSOR_TIMES[which % CURSOR_TIMES.length];
  const out = values.map((v, i) => (i < values.length - 1 && typeof v === 'string' ? change(v) : v));
  if (idFrom && which % 3 === 0) out[out.length - 1] = idFrom;
  return b64(JSON.stringify(out));
}

/** For the `after`/`before` of `list` (`Query.kpis`): other lists' cursors, its own re-encoded, tampered ones. */
export function cursorOdd(pools: Pools, list: string, legacy: fc.Arbitrary<unknown>): fc.Arbitrary<Odd> {
  const ownCursors = pools.cursors.get(list) ?? [];
  const others = [...pools.cursors.entries()].filter(([l]) => l !== list).flatMap(([, c]) => c);
  const uuids = Object.values(pools.own)
    .flat()
    .map((g) => decodeGlobalId(g)?.id)
    .filter((u): u is string => Boolean(u));
  const source = ownCursors.length ? ownCursors : others;
  const arbs: Array<{ weight: number; arbitrary: fc.Arbitrary<unknown> }> = [{ weight: 1, arbitrary: legacy }];
  if (others.length) arbs.push({ weight: 3, arbitrary: fc.constantFrom(...others) });
  if (source.length) {
    arbs.push({
      weight: 3,
      arbitrary: fc
        .tuple(fc.constantFrom(...source), fc.nat(CURSOR_TIMES.length * 3), fc.constantFrom(NIL_UUID, ...uuids.slice(0, 20)))
        .map(([c, which, id]) => reencoded(c, which, id)),
    });
  }
  return fc.oneof(...arbs).map((value) => ({ value }));
}

export function cursorPlausible(pools: Pools, list: string): fc.Arbitrary<string | undefined> {
  const own = pools.cursors.get(list) ?? [];
  return own.length ? fc.constantFrom(...own) : fc.constant(undefined);
}

// ------------------------------------------------------------------ ids

/** For an ID naming a `wanted` (null: any type): another type's valid id, another organisation's, one of nothing, malformed ones. */
export function idOdd(pools: Pools, wanted: string | null, legacy: fc.Arbitrary<unknown>): fc.Arbitrary<Odd> {
  const arbs: Array<{ weight: number; arbitrary: fc.Arbitrary<Odd> }> = [{ weight: 2, arbitrary: legacy.map((value) => ({ value })) }];
  if (wanted) {
    const otherTypes = Object.entries(pools.own)
      .filter(([t]) => t !== wanted)
      .flatMap(([t, ids]) => ids.slice(0, 3).map((id) => [t, id] as const));
    if (otherTypes.length) {
      arbs.push({
        weight: 3,
        arbitrary: fc.constantFrom(...otherTypes).map(([t, value]) => ({ value, refuse: `a valid ${t} id where a ${wanted} id belongs` })),
      });
    }
    const foreign = pools.foreign[wanted] ?? [];
    if (foreign.length) {
      arbs.push({ weight: 3, arbitrary: fc.constantFrom(...foreign).map((value) => ({ value, refuse: `another organisation's ${wanted} id` })) });
    }
    // The right type, but the uuid of another of the organisation's objects, or of nothing.
    const uuids = Object.entries(pools.own)
      .filter(([t]) => t !== wanted)
      .flatMap(([, ids]) => ids.slice(0, 2))
      .map((g) => decodeGlobalId(g)!.id);
    arbs.push({
      weight: 1,
      arbitrary: fc.constantFrom(NIL_UUID, ...uuids).map((u) => ({ value: toGlobalId(wanted, u), refuse: `a ${wanted} id of no ${wanted}` })),
    });
  }
  return fc.oneof(...arbs);
}

// ------------------------------------------------------------------ KPI keys and formulas

export function kpiKeyOdd(pools: Pools): fc.Arbitrary<Odd> {
  return fc
    .oneof(
      fc.constantFrom(...(pools.foreignKpiKeys.length ? pools.foreignKpiKeys : ['x'])),
      fc.constantFrom('unknown_key', 'GMV', ' gmv', 'gmv\u0000', '', 'a'.repeat(201), '__proto__', 'constructor', 'c1 + c2'),
      fc.constantFrom(...(pools.kpiKeys.length ? pools.kpiKeys : ['x'])).map((k) => k.toUpperCase()),
    )
    .map((value) => ({ value }));
}

/** Literals a formula may hold, and ones past the Decimal range (huge, tiny, 39+ significant digits). */
const SMALL_LITERALS = ['0', '1', '2', '100', '0.5', '1.25', '3', '1e3', '2.5e-3'];
const HUGE_LITERALS = [
  '1e9999999',
  '1e99999999',
  '1e9000000000000000',
  '1e20000',
  '1e400',
  '1e41',
  '1e-41',
  '1.5e-9999999',
  '1e-9000000000000000',
  '9'.repeat(39),
  '1' + '0'.repeat(38) + '1',
  '9'.repeat(60),
  '0.' + '0'.repeat(45) + '1',
  '123456789012345678901234567890.123456789',
];

/** The numeric literals of a formula that the Decimal scalar would refuse. */
export function outOfRangeLiterals(formula: string): string[] {
  const literals = formula.match(/(?<![A-Za-z0-9_$.])(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/g) ?? [];
  return literals.filter(outOfDecimalRange);
}

const MAX_FORMULA = 500;

/**
 * A key in a generated formula: mostly `⟨a⟩` or `⟨b⟩`, which the test replaces, when it sends the
 * call, by the keys of the children of the KPI the input names (a formula may only use those).
 */
const formulaKey = (pools: Pools) =>
  fc.oneof({ weight: 3, arbitrary: fc.constantFrom('⟨a⟩', '⟨b⟩') }, { weight: 1, arbitrary: fc.constantFrom(...(pools.kpiKeys.length ? pools.kpiKeys : ['c1'])) });

export function formulaOdd(pools: Pools): fc.Arbitrary<Odd> {
  const key = formulaKey(pools);
  // The literals that make decimal.js write millions of digits come first.
  const huge = fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...HUGE_LITERALS.slice(0, 4), HUGE_LITERALS[7], HUGE_LITERALS[8]) }, { weight: 1, arbitrary: fc.constantFrom(...HUGE_LITERALS) });
  const literal = fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...SMALL_LITERALS) }, { weight: 3, arbitrary: huge });
  const atom = fc.oneof(key, literal);
  const tree = fc.letrec<{ expr: string }>((tie) => ({
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      atom,
      fc.tuple(tie('expr'), fc.constantFrom('+', '-', '*', '/', '×', '÷', '−'), tie('expr')).map(([l, op, r]) => `${l} ${op} ${r}`),
      tie('expr').map((e) => `(${e})`),
      tie('expr').map((e) => `-${e}`),
    ),
  })).expr;
  const shaped = fc.oneof(
    // A huge literal alone, or beside a key: `c1 * 1e20000`.
    { weight: 2, arbitrary: huge },
    { weight: 12, arbitrary: fc.tuple(key, fc.constantFrom('*', '+', '/', '-'), huge).map(([k, op, h]) => `${k} ${op} ${h}`) },
    { weight: 2, arbitrary: fc.tuple(huge, key).map(([h, k]) => `${h} * ${k}`) },
    { weight: 1, arbitrary: fc.tuple(key, huge).map(([k, h]) => `-(${k} - ${h})`) },
    // Deep nesting, long chains, right at and past the length limit.
    {
      weight: 3,
      arbitrary: fc.tuple(key, fc.constantFrom(50, 120, 200, 248, 249, 250)).map(([k, n]) => `${'('.repeat(n)}${k}${')'.repeat(n)}`.slice(0, MAX_FORMULA + 1)),
    },
    { weight: 1, arbitrary: fc.tuple(key, fc.constantFrom(100, 250, 499, 500)).map(([k, n]) => `${'-'.repeat(n)}${k}`) },
    { weight: 1, arbitrary: fc.tuple(key, fc.constantFrom(100, 250, 499)).map(([k, n]) => `${'-('.repeat(Math.floor(n / 3))}${k}${')'.repeat(Math.floor(n / 3))}`) },
    { weight: 1, arbitrary: fc.tuple(key, fc.constantFrom(50, 99, 100, 101, 200)).map(([k, n]) => Array(n).fill(k).join('+').slice(0, MAX_FORMULA)) },
    { weight: 1, arbitrary: fc.tuple(key, fc.constantFrom(60, 120, 163)).map(([k, n]) => `${k}${' * 1e9'.repeat(n)}`.slice(0, MAX_FORMULA)) },
    { weight: 1, arbitrary: fc.constantFrom('('.repeat(40), ')'.repeat(40), 'x'.repeat(MAX_FORMULA + 1), '1'.repeat(MAX_FORMULA)) },
    // Division by zero, the other operators the language knows, what it must refuse.
    {
      weight: 2,
      arbitrary: fc.tuple(key, key).chain(([a, b]) =>
        fc.constantFrom(
          `${a} / 0`,
          `${a} / (${b} - ${b})`,
          `${a} × ${b} ÷ 2 − 1`,
          `${a} % 2`,
          `${a} ** 2`,
          `Math.pow(${a}, 2)`,
          `${a}.constructor`,
          `${a}[0]`,
          `${a} ? 1 : 2`,
          `${a}, ${b}`,
          `"${a}"`,
          `this`,
          `[${a}]`,
          `${a} ++`,
          `１ + ${a}`,
          `${a} === ${b}`,
          `__proto__`,
          `${a} +`,
          '',
          '   ',
        ),
      ),
    },
    { weight: 3, arbitrary: tree },
  );
  return shaped.map((value) => {
    const bad = outOfRangeLiterals(value);
    return bad.length ? { value, refuse: `a formula literal out of the Decimal range (${bad[0].slice(0, 30)})` } : { value };
  });
}

export function formulaPlausible(pools: Pools): fc.Arbitrary<string> {
  const key = formulaKey(pools);
  return fc.tuple(key, key, fc.constantFrom('+', '*', '-', '/'), fc.constantFrom(...SMALL_LITERALS)).chain(([a, b, op, n]) =>
    fc.constantFrom(`${a} ${op} ${b}`, `${a} * ${n}`, `(${a} + ${b}) / 2`, a, `${a} ${op} ${n}`),
  );
}
