/**
 * Schema-driven fuzzing: for EVERY root field of Query, Mutation and Subscription in the schema
 * the server serves (read by introspection, so a new field is fuzzed without editing this file),
 * fast-check generates arguments from the argument types — valid-but-odd values (long, control,
 * bidi, emoji and Chinese strings, extreme numbers, dates at the edges, ids of other types and of
 * another organisation, empty and huge lists, tampered cursors) and invalid ones (wrong types,
 * nulls, NUL bytes) — and sends them as the OWNER, as an anonymous caller and with odd
 * credentials. Every answer must be a client error with an `extensions.code` (or a success):
 * never INTERNAL_SERVER_ERROR, never an HTTP 5xx, never a stack trace; and the server must still
 * answer afterwards.
 *
 * The run is deterministic: FUZZ_SEED (default 20260801) picks the inputs, FUZZ_RUNS (default
 * 40) bounds the cases per field (a third of that per subscription), FUZZ_FIELDS (a regular
 * expression) narrows the fields, FUZZ_VERBOSE=1 prints the time per field. All failures are
 * collected and reported together, grouped by the cause the server logged, with one input each:
 *
 *     FUZZ_SEED=42 FUZZ_FIELDS='^(squads|createTask)$' npx jest tests/integration/platform/fuzz.test.ts
 */
import fc from 'fast-check';
import pino from 'pino';
import jwt from 'jsonwebtoken';
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import { decodeGlobalId, toGlobalId } from '../../../src/common/ids';
import { signSession } from '../../../src/modules/identity/session-tokens';
import { addMember, createOrg, type TestOrg } from '../../support/factories';
import { createCycle, createKeyResult, createObjective, createSquad, createTask, checkIn } from '../../support/planning';
import { ok, startTestApp, type TestApp } from '../../support/test-app';
import { wsClient } from '../../support/ws';

const SEED = Number(process.env.FUZZ_SEED ?? 20260801);
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const ONLY = process.env.FUZZ_FIELDS ? new RegExp(process.env.FUZZ_FIELDS) : null;
const PASSWORD = 'correct horse battery';

let app: TestApp;
let schema: GraphQLSchema;
let owner: TestOrg;
/** Ids by GraphQL type: of the fuzzed organisation, of another one, and of nothing at all. */
const own: Record<string, string[]> = {};
const foreign: Record<string, string[]> = {};
const cursors: string[] = [];
let writeToken = '';

const put = (pool: Record<string, string[]>, type: string, id: string | null | undefined) => {
  if (id) (pool[type] ??= []).push(id);
};

async function buildPlan(org: TestOrg, pool: Record<string, string[]>, full: boolean) {
  put(pool, 'Organization', org.organizationId);
  put(pool, 'User', org.userId);
  const lead = await addMember(app, org, 'SQUAD_LEAD', '组长 Lead');
  put(pool, 'User', lead.userId);
  put(pool, 'Member', lead.memberId);
  const squadId = await createSquad(app, org, lead.userId);
  put(pool, 'Squad', squadId);
  const cycleId = await createCycle(app, org);
  put(pool, 'Cycle', cycleId);
  const objective = await createObjective(app, org, { cycleId, squadId });
  put(pool, 'Objective', objective.id);
  const kr = await createKeyResult(app, org, { objectiveId: objective.id });
  put(pool, 'KeyResult', kr.id);
  const checked = ok(await checkIn(app, org, kr.id, kr.version, '1100', 0.6, '进展顺利'));
  put(pool, 'CheckIn', checked.checkInKeyResult.checkIn.id);
  put(pool, 'Task', (await createTask(app, org, { keyResultId: kr.id, assigneeId: lead.userId })).id);
  const sprint = ok(
    await app.gql(`mutation($i: CreateSprintInput!) { createSprint(input: $i) { sprint { id } } }`, {
      i: { squadId, name: '五月冲刺', startsOn: '2026-05-01' },
    }, org),
  );
  put(pool, 'Sprint', sprint.createSprint.sprint.id);
  if (!full) return;
  for (const role of ['ADMIN', 'MEMBER', 'VIEWER']) {
    const m = await addMember(app, org, role);
    put(pool, 'User', m.userId);
    put(pool, 'Member', m.memberId);
  }
  const added = ok(
    await app.gql(`mutation($i: AddSquadMemberInput!) { addSquadMember(input: $i) { squadMember { id } } }`, {
      i: { squadId, userId: pool.User[pool.User.length - 1], function: 'DATA' },
    }, org),
  );
  put(pool, 'SquadMember', added.addSquadMember.squadMember.id);
  const token = ok(await app.gql(`mutation { createApiToken(input: { name: "集成", scopes: [READ, WRITE] }) { apiToken { id } secret } }`, {}, org));
  put(pool, 'ApiToken', token.createApiToken.apiToken.id);
  writeToken = token.createApiToken.secret;
  const lists = ok(
    await app.gql(
      `{ auditEvents(first: 3) { edges { cursor node { id } } } squads(first: 1) { edges { cursor } }
         cycles(first: 1) { edges { cursor } } objectives(first: 1) { edges { cursor } } myTasks(first: 1) { edges { cursor } } }`,
      {},
      org,
    ),
  );
  for (const e of lists.auditEvents.edges) put(pool, 'AuditEvent', e.node.id);
  for (const list of Object.values(lists) as Array<{ edges: Array<{ cursor: string }> }>) for (const e of list.edges) cursors.push(e.cursor);
}

/** What the server logged for each unexpected error, by request id: the cause behind an INTERNAL_SERVER_ERROR. */
const logged = new Map<string, string>();
const logSink = {
  write(line: string) {
    try {
      const o = JSON.parse(line);
      if (o.level < 50) return;
      const err = o.err ? `${o.err.type ?? 'Error'}: ${o.err.message}` : o.msg;
      logged.set(String(o.requestId ?? 'ws'), `${o.msg}: ${err}`);
    } catch {
      /* not JSON */
    }
  },
};

beforeAll(async () => {
  app = await startTestApp({ logger: pino({ level: 'error' }, logSink) });
  owner = await createOrg(app, '模糊测试 Fuzz Org');
  await buildPlan(owner, own, true);
  const other = await createOrg(app, '别的组织 Other Org');
  await buildPlan(other, foreign, false);
  const introspection = ok<IntrospectionQuery>(await app.gql(getIntrospectionQuery(), {}, owner));
  schema = buildClientSchema(introspection);
}, 60_000);
afterAll(() => app?.stop());

// ------------------------------------------------------------------ values

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
const NIL_UUID = '00000000-0000-4000-8000-000000000000';

const ODD_STRINGS = [
  '',
  ' ',
  ' \t\n ',
  '\u3000',
  '\u0000',
  'a\u0000b',
  'name\u0000',
  '\u202eevil\u202c',
  'abc\u2066\u2069',
  '\u200b\u200d\ufeff',
  '\u0007\u001b[31mred\u001b[0m',
  '\r\n\r\n',
  '😀👨‍👩‍👧‍👦🏳️‍🌈',
  '提升用户创作活跃度',
  '飞轮小组（运营）',
  '\ud800',
  '\udfff\ud800',
  "'; DROP TABLE squads; --",
  '%_\\',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  'null',
  'NaN',
  '-0',
];
const LENGTHS = [50, 51, 100, 101, 200, 201, 2000, 2001, 5001, 10001, 20001, 100_000];

const oddString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ODD_STRINGS.filter((x) => x.includes('\u0000'))) },
  { weight: 2, arbitrary: fc.constantFrom(...ODD_STRINGS.filter((x) => /[\u0001-\u001f\u007f\u200b-\u200d\u202a-\u202e\u2066-\u2069\ufeff]/.test(x))) },
  { weight: 1, arbitrary: fc.constantFrom(...ODD_STRINGS.filter((x) => x.trim() === '' || /^\s+$/.test(x))) },
  { weight: 2, arbitrary: fc.constantFrom(...ODD_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...LENGTHS), fc.constantFrom('x', '长', '😀', ' ', '\u0000')).map(([n, c]) => c.repeat(n)) },
);

const tamperedCursor = fc.oneof(
  fc.constantFrom(
    b64('[1,2]'),
    b64('["x","y"]'),
    b64('[null,null]'),
    b64('[{"a":1},[2]]'),
    b64('["2026-01-01T00:00:00.000Z","not-a-uuid"]'),
    b64('["not-a-date","00000000-0000-4000-8000-000000000000"]'),
    b64('["2026-13-45","00000000-0000-4000-8000-000000000000"]'),
    b64('[1e999,"00000000-0000-4000-8000-000000000000"]'),
    b64('["a","b","c"]'),
    b64('"just a string"'),
    b64('{"x":1}'),
    b64('[' + '1,'.repeat(5000) + '1]'),
    '!!!not-base64!!!',
    '',
  ),
  fc.constant(null).chain(() => (cursors.length ? fc.constantFrom(...cursors) : fc.constant('x'))),
  fc.tuple(fc.constant(null), fc.nat(40)).map(([, i]) => {
    const c = cursors[i % Math.max(1, cursors.length)] ?? 'x';
    const j = i % c.length;
    return c.slice(0, j) + (c[j] === 'A' ? 'B' : 'A') + c.slice(j + 1);
  }),
);

const intArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(0, 1, -1, 2, 10, 99, 100, 101, 1000, 2147483647, -2147483648) },
  { weight: 2, arbitrary: fc.integer() },
  // Not Ints at all: GraphQL must refuse them at the edge.
  { weight: 1, arbitrary: fc.constantFrom(2147483648, -2147483649, 1e15, 1e300, 0.5, -0.0001) },
);
const floatArb = fc.oneof(
  fc.constantFrom(0, 1, -1, 0.5, 1.0000001, -0, 5e-324, 1e-300, 1e308, -1e308, 2, 100),
  fc.double(), // NaN and Infinity travel as null in JSON
);
const decimalArb = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '0',
      '-0',
      '1',
      '-1',
      '0.5',
      '1000000.00',
      '1e10',
      '1e-10',
      '1e40',
      '1e-40',
      '1e400',
      '1e-400',
      '1e9999',
      '1e30000000', // froze the event loop for seconds before decimals were bounded
      '-1e-30000000',
      '9'.repeat(38),
      '9'.repeat(60),
      '9'.repeat(61),
      '0.' + '0'.repeat(57) + '1',
      'NaN',
      'Infinity',
      '-Infinity',
      '0x10',
      '1_000',
      '1,000',
      '١٢٣',
      '１２３',
      ' 1 ',
      '1e',
      '.',
      '+',
      '',
      '1.2.3',
      '--1',
    ),
  },
  { weight: 2, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map(String) },
  { weight: 1, arbitrary: fc.bigInt().map(String) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
);
const dateArb = fc.oneof(
  fc.constantFrom(
    '2026-05-01',
    '2026-02-29',
    '2024-02-29',
    '2026-02-30',
    '2026-13-01',
    '2026-00-10',
    '0000-01-01',
    '0001-01-01',
    '9999-12-31',
    '1969-12-31',
    '2026-1-1',
    '20260501',
    '+275760-09-13',
    '-001000-01-01',
    '2026-05-01T00:00:00Z',
    '',
  ),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
);
const dateTimeArb = fc.oneof(
  fc.constantFrom(
    '2026-05-01T00:00:00Z',
    '2026-05-01T00:00:00.123456789+08:00',
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59.999Z',
    '+275760-09-13T00:00:00.000Z',
    '-271821-04-20T00:00:00.000Z',
    '2026-02-30T00:00:00Z',
    '2026-05-01',
    'yesterday',
    '',
  ),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.integer(),
);

const KNOWN_TYPES = () => Object.keys(own);
/** The type an id argument names: `squadId` → Squad, `ownerId` → User, `id`/`ids` → any. */
function idTypeOf(argName: string): string | null {
  const base = argName.replace(/Ids?$/, '');
  if (/^(lead|owner|assignee|user|actor|author|invitedBy|reporter)$/.test(base)) return 'User';
  if (base === 'parent') return 'Objective';
  const type = base.charAt(0).toUpperCase() + base.slice(1);
  return own[type] ? type : null;
}

function idArb(argName: string): fc.Arbitrary<unknown> {
  const wanted = idTypeOf(argName);
  const pick = (pool: Record<string, string[]>, type: string | null) => {
    const ids = type ? (pool[type] ?? []) : Object.values(pool).flat();
    return ids.length ? fc.constantFrom(...ids) : fc.constant(toGlobalId(type ?? 'Squad', NIL_UUID));
  };
  return fc.oneof(
    { weight: 5, arbitrary: pick(own, wanted) },
    { weight: 2, arbitrary: fc.constant(null).chain(() => pick(own, null)) }, // valid ids of other types
    { weight: 2, arbitrary: fc.constant(null).chain(() => pick(foreign, wanted)) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...KNOWN_TYPES(), 'Nope'), fc.uuid()).map(([t, u]) => toGlobalId(t, u)) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        NIL_UUID,
        'nope',
        '',
        b64('Squad:'),
        b64(':' + NIL_UUID),
        b64('Squad:' + NIL_UUID + '\u0000'),
        b64('Squad:not-a-uuid'),
        b64('__proto__:' + NIL_UUID),
        b64('Squad:' + NIL_UUID).toUpperCase(),
        'x'.repeat(300),
        'a\u0000b',
      ),
    },
    { weight: 1, arbitrary: oddString },
    { weight: 1, arbitrary: fc.integer() },
  );
}

/** Values of the wrong GraphQL type, for any position. */
const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant({}),
  fc.constant([]),
  fc.constant(JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}')),
  fc.constant([[[]]]),
  fc.string({ maxLength: 5 }),
  fc.constant(1.5),
);

/**
 * Two ways of filling arguments: `wild` (every value odd or invalid, most calls stop at the edge)
 * and `plausible` (valid values of the right type, own ids of the type the name suggests, with
 * one odd leaf here and there), so that odd values also reach the services and the database.
 */
type Mode = 'wild' | 'plausible';

function plausibleLeaf(type: GraphQLInputType, argName: string): fc.Arbitrary<unknown> | null {
  if (isEnumType(type)) return fc.constantFrom(...type.getValues().map((v) => v.name));
  if (!isScalarType(type)) return null;
  switch (type.name) {
    case 'ID': {
      const wanted = idTypeOf(argName);
      const ids = (wanted && own[wanted]) || Object.values(own).flat();
      return fc.constantFrom(...ids);
    }
    case 'String':
      if (/^(after|before|cursor)$/.test(argName)) return cursors.length ? fc.constantFrom(...cursors) : fc.constant(undefined);
      if (/email/i.test(argName)) return fc.uuid().map((u) => `fuzz-${u.slice(0, 8)}@example.test`);
      if (/password/i.test(argName)) return fc.constant(PASSWORD);
      if (/key$/i.test(argName)) return fc.uuid();
      return fc.constantFrom('提升用户创作活跃度', 'Weekly check-in', '内容增长小组 Growth', '备注 😀', 'x');
    case 'Int':
      return /^(first|last)$/.test(argName) ? fc.integer({ min: 0, max: 20 }) : fc.integer({ min: 0, max: 3 });
    case 'Float':
      return fc.double({ min: 0, max: 1, noNaN: true });
    case 'Boolean':
      return fc.boolean();
    case 'Decimal':
      return fc.integer({ min: 0, max: 5000 }).map(String);
    case 'Date':
      return fc.date({ min: new Date('2025-01-01'), max: new Date('2027-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    case 'DateTime':
      return fc.date({ min: new Date('2027-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }).map((d) => d.toISOString());
    default:
      return null;
  }
}

function namedArb(type: GraphQLInputType, argName: string, depth: number, mode: Mode): fc.Arbitrary<unknown> {
  const plausible = mode === 'plausible' ? plausibleLeaf(type, argName) : null;
  // Ids stay valid more often: an odd id ends most calls before the other values are used.
  const oddWeight = isScalarType(type) && type.name === 'ID' ? 1 : 4;
  if (plausible) return fc.oneof({ weight: 10, arbitrary: plausible }, { weight: oddWeight, arbitrary: oddLeaf(type, argName) });
  if (isInputObjectType(type)) {
    if (depth > 4) return fc.constant(null);
    const fields = Object.values(type.getFields());
    const entries = Object.fromEntries(fields.map((f) => [f.name, valueArb(f.type, f.name, depth + 1, mode)]));
    const extras = mode === 'wild' ? [null, null, null, 'unknownField', 'idempotencyKey'] : [null];
    return fc.tuple(fc.record(entries), fc.constantFrom(...extras)).map(([record, extra]) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(record)) if (v !== undefined) out[k] = v;
      if (extra && !(extra in out)) out[extra] = 'x';
      return out;
    });
  }
  return oddLeaf(type, argName);
}

function oddLeaf(type: GraphQLInputType, argName: string): fc.Arbitrary<unknown> {
  if (isScalarType(type)) {
    switch (type.name) {
      case 'ID':
        return idArb(argName);
      case 'String':
        return /^(after|before|cursor)$/.test(argName)
          ? fc.oneof({ weight: 3, arbitrary: tamperedCursor }, { weight: 1, arbitrary: oddString })
          : /email/i.test(argName)
            ? fc.oneof(oddString, fc.emailAddress(), fc.constantFrom('a@b', '@', 'x@example.test\u0000', owner.email, owner.email.toUpperCase()))
            : /password/i.test(argName)
              ? fc.oneof(oddString, fc.constant(PASSWORD))
              : oddString;
      case 'Int':
        return intArb;
      case 'Float':
        return floatArb;
      case 'Boolean':
        return fc.oneof({ weight: 4, arbitrary: fc.boolean() }, { weight: 1, arbitrary: fc.constantFrom('true', 0, 1) });
      case 'Decimal':
        return decimalArb;
      case 'Date':
        return dateArb;
      case 'DateTime':
        return dateTimeArb;
      case 'JSON':
        return fc.jsonValue({ maxDepth: 3 });
      default:
        // A scalar added later: strings and numbers of every kind.
        return fc.oneof(oddString, intArb, floatArb, decimalArb);
    }
  }
  if (isEnumType(type)) {
    const values = type.getValues().map((v) => v.name);
    return fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...values) },
      { weight: 1, arbitrary: fc.constantFrom(values[0].toLowerCase(), 'NOPE', '', values[0] + '\u0000') },
    );
  }
  if (isInputObjectType(type)) return namedArb(type, argName, 0, 'wild');
  return wrongType;
}

/** A value for a (possibly non-null, possibly list) input type; `undefined` leaves it out. */
function valueArb(type: GraphQLInputType, argName: string, depth: number, mode: Mode): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) {
    const value = valueArb(type.ofType, argName, depth, mode).filter((v) => v !== undefined);
    if (mode === 'plausible') return value;
    return fc.oneof(
      { weight: 24, arbitrary: value },
      { weight: 1, arbitrary: fc.constantFrom(null, undefined) },
      { weight: 1, arbitrary: wrongType },
    );
  }
  let inner: fc.Arbitrary<unknown>;
  if (isListType(type)) {
    const item = valueArb(type.ofType, argName.replace(/s$/, ''), depth + 1, mode).map((v) => (v === undefined ? null : v));
    inner =
      mode === 'plausible'
        ? fc.array(item, { maxLength: 3 })
        : fc.oneof(
            { weight: 2, arbitrary: fc.constant([]) },
            { weight: 4, arbitrary: fc.array(item, { minLength: 1, maxLength: 5 }) },
            { weight: 1, arbitrary: fc.tuple(item, fc.constantFrom(101, 1_000, 10_000)).map(([v, n]) => Array(n).fill(v)) },
            { weight: 1, arbitrary: item }, // a single value where a list is expected (GraphQL coerces it)
          );
  } else {
    inner = namedArb(type, argName, depth, mode);
  }
  if (mode === 'plausible') return fc.oneof({ weight: 3, arbitrary: inner }, { weight: 2, arbitrary: fc.constant(undefined) });
  return fc.oneof(
    { weight: 8, arbitrary: inner },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: wrongType },
  );
}

// ------------------------------------------------------------------ operations

/** `{ __typename <scalars> <objects with their scalars> }`: enough to run the field resolvers. */
function selection(type: GraphQLOutputType, depth = 0): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (!isObjectType(named) && !isInterfaceType(named)) return '{ __typename }';
  const parts = ['__typename'];
  for (const f of Object.values(named.getFields())) {
    if (f.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined)) continue;
    const fieldNamed = getNamedType(f.type);
    if (isLeafType(fieldNamed)) parts.push(f.name);
    else if (depth < 1) parts.push(`${f.name} ${selection(f.type, depth + 1)}`);
  }
  return `{ ${parts.join(' ')} }`;
}

/** Prints a value as a GraphQL literal of `type` (enum names bare), for the inline half of the cases. */
function literal(value: unknown, type: GraphQLInputType | null): string {
  const named = type ? getNamedType(type) : null;
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) {
    const itemType = type && isNonNullType(type) ? type.ofType : type;
    const of = itemType && isListType(itemType) ? itemType.ofType : null;
    return `[${value.map((v) => literal(v, of)).join(', ')}]`;
  }
  if (typeof value === 'object') {
    const fields = named && isInputObjectType(named) ? named.getFields() : {};
    return `{ ${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${/^[_A-Za-z][_0-9A-Za-z]*$/.test(k) ? k : 'bad'}: ${literal(v, fields[k]?.type ?? null)}`)
      .join(', ')} }`;
  }
  if (typeof value === 'string' && named && isEnumType(named) && /^[_A-Za-z][_0-9A-Za-z]*$/.test(value)) return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  return JSON.stringify(value);
}

interface Case {
  operation: string;
  /** The field and its arguments, for the report. */
  call: string;
  variables: Record<string, unknown>;
  headers: Record<string, string>;
  as: string;
}

function caseArb(kind: 'query' | 'mutation' | 'subscription', field: GraphQLField<unknown, unknown>): fc.Arbitrary<Case> {
  const args = field.args as readonly GraphQLArgument[];
  const values = fc.oneof(
    ...(['wild', 'plausible'] as const).map((mode) => fc.tuple(...args.map((a) => valueArb(a.type, a.name, 0, mode)))),
  );
  const as = fc.oneof(
    { weight: 6, arbitrary: fc.constant('owner') },
    { weight: 2, arbitrary: fc.constant('anonymous') },
    { weight: 1, arbitrary: fc.constant('WRITE token') },
    { weight: 1, arbitrary: fc.constant('odd credentials') },
  );
  return fc.tuple(values, fc.boolean(), as, oddCredentials).map(([vals, inline, who, odd]) => {
    const decl: string[] = [];
    const use: string[] = [];
    const variables: Record<string, unknown> = {};
    args.forEach((a, i) => {
      const v = vals[i];
      if (v === undefined) return;
      if (inline) {
        use.push(`${a.name}: ${literal(v, a.type)}`);
      } else {
        decl.push(`$${a.name}: ${String(a.type)}`);
        use.push(`${a.name}: $${a.name}`);
        variables[a.name] = v;
      }
    });
    const operation = `${kind} Fuzz${decl.length ? `(${decl.join(', ')})` : ''} { ${field.name}${use.length ? `(${use.join(', ')})` : ''} ${selection(field.type)} }`;
    const headers: Record<string, string> =
      who === 'owner'
        ? { authorization: `Bearer ${owner.token}`, 'x-organization-id': owner.organizationId }
        : who === 'anonymous'
          ? {}
          : who === 'WRITE token'
            ? { authorization: `Bearer ${writeToken}` }
            : odd.headers;
    const call = `${field.name}(${use.join(', ')})`;
    return { operation, call, variables, headers, as: who === 'odd credentials' ? `odd credentials (${odd.label})` : who };
  });
}

/** Credentials a careless or hostile client sends (printable: fetch refuses control characters in headers). */
const oddCredentials: fc.Arbitrary<{ headers: Record<string, string>; label: string }> = fc
  .tuple(
    fc.constantFrom(
      '',
      'Bearer',
      'Bearer ',
      'Bearer x',
      'Bearer a.b.c',
      'Basic dXNlcjpwYXNz',
      'bearer pgt_' + 'x'.repeat(64),
      'Bearer pgt_',
      'Bearer ' + 'x'.repeat(8000),
      'jwt:no-exp',
      'jwt:sub-not-uuid',
      'jwt:sub-number',
      'jwt:other-issuer',
      'jwt:alg-none',
      'jwt:expired',
      'owner',
    ),
    fc.constantFrom('', 'own', 'foreign', 'not-an-org', 'x'.repeat(500), '%00', b64('Organization:' + NIL_UUID)),
  )
  .map(([auth, org]) => {
    const secret = process.env.JWT_SECRET!;
    const forge: Record<string, () => string> = {
      // The OWNER's own id, so that only the missing expiry is wrong.
      'jwt:no-exp': () => jwt.sign({}, secret, { algorithm: 'HS256', subject: decodeGlobalId(owner.userId)!.id, issuer: 'plangraph' }),
      'jwt:sub-not-uuid': () => jwt.sign({}, secret, { algorithm: 'HS256', subject: 'admin', issuer: 'plangraph', expiresIn: 600 }),
      'jwt:sub-number': () => jwt.sign({ sub: 42 } as object, secret, { algorithm: 'HS256', issuer: 'plangraph', expiresIn: 600 }),
      'jwt:other-issuer': () => jwt.sign({}, secret, { algorithm: 'HS256', subject: NIL_UUID, issuer: 'evil', expiresIn: 600 }),
      'jwt:alg-none': () => jwt.sign({}, '', { algorithm: 'none', subject: NIL_UUID, issuer: 'plangraph' } as jwt.SignOptions),
      'jwt:expired': () => jwt.sign({ exp: 1 }, secret, { algorithm: 'HS256', subject: NIL_UUID, issuer: 'plangraph' }),
    };
    const headers: Record<string, string> = {};
    if (auth === 'owner') headers.authorization = `Bearer ${owner.token}`;
    else if (forge[auth]) headers.authorization = `Bearer ${forge[auth]()}`;
    else if (auth) headers.authorization = auth;
    if (org === 'own') headers['x-organization-id'] = owner.organizationId;
    else if (org === 'foreign') headers['x-organization-id'] = foreign.Organization[0];
    else if (org) headers['x-organization-id'] = org;
    return { headers, label: `authorization ${JSON.stringify(auth.length > 40 ? `${auth.slice(0, 20)}…` : auth)}, x-organization-id ${JSON.stringify(org.slice(0, 20))}` };
  });

// ------------------------------------------------------------------ checks

interface Failure {
  field: string;
  problem: string;
  message: string;
  example: string;
}
const failures: Failure[] = [];

const STACK_FRAME = /\n\s+at \S|\bat (?:async )?[\w$.<>]+ \([^)]*:\d+:\d+\)|node_modules\/|\/src\/\w+.*\.(?:ts|js):\d+/;

/** What is wrong with an answer, if anything. */
function problemsOf(status: number, text: string): Array<{ problem: string; message: string }> {
  const out: Array<{ problem: string; message: string }> = [];
  if (/stacktrace/i.test(text) || STACK_FRAME.test(text)) out.push({ problem: 'stack trace in the answer', message: text.slice(0, 200) });
  let body: { errors?: Array<{ message?: string; extensions?: { code?: unknown } }> };
  try {
    body = JSON.parse(text);
  } catch {
    out.push({ problem: `answer is not JSON (HTTP ${status})`, message: text.slice(0, 120) });
    return out;
  }
  const internal = (body.errors ?? []).some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR');
  if (status >= 500 && !internal) out.push({ problem: `HTTP ${status}`, message: JSON.stringify(body).slice(0, 160) });
  for (const e of body.errors ?? []) {
    const code = e.extensions?.code;
    if (typeof code !== 'string') out.push({ problem: 'error without extensions.code', message: String(e.message) });
    else if (code === 'INTERNAL_SERVER_ERROR') out.push({ problem: 'INTERNAL_SERVER_ERROR', message: String(e.message) });
  }
  return out;
}

/** Request ids, uuids and quoted values vary from case to case: leave them out of the cause. */
const normalise = (m: string) =>
  m
    .replace(/\(request [^)]*\)/g, '(request …)')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
    .replace(/: ".*$/s, ': "…"')
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .slice(0, 160);

const shorten = (v: unknown) => {
  const s = JSON.stringify(v, (_k, x) => (typeof x === 'string' && x.length > 60 ? `${x.slice(0, 40)}…(${x.length} chars)` : Array.isArray(x) && x.length > 6 ? [...x.slice(0, 3), `…(${x.length} items)`] : x));
  return s.length > 400 ? s.slice(0, 400) + '…' : s;
};

async function send(c: Case): Promise<{ status: number; text: string }> {
  const res = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...c.headers },
    body: JSON.stringify({ query: c.operation, variables: c.variables }),
  });
  return { status: res.status, text: await res.text() };
}

function record(field: string, c: Case, status: number, text: string) {
  for (const p of problemsOf(status, text)) {
    const requestId = /\(request ([^)]+)\)/.exec(p.message)?.[1] ?? (c.as.includes('(ws)') ? 'ws' : '');
    const cause = logged.get(requestId);
    failures.push({
      field,
      problem: p.problem,
      message: normalise(cause ? `logged ${cause}` : p.message),
      example: `as ${c.as}: ${c.call.length > 400 ? c.call.slice(0, 400) + '…' : c.call}  variables ${shorten(c.variables)}`,
    });
  }
}

/** The OWNER's session may be ended by a fuzzed mutation (log-out, password change): sign in again. */
async function ensureOwnerSession() {
  const probe = await app.gql(`{ viewer { __typename } }`, {}, owner);
  if (!probe.errors?.length) return;
  const r = await app.gql(`mutation($i: LogInInput!) { logIn(input: $i) { token } }`, { i: { email: owner.email, password: PASSWORD } });
  // The password may have been changed, or log-ins limited: then a session signed as the server does.
  owner.token = r.data?.logIn?.token ?? signSession(process.env.JWT_SECRET!, decodeGlobalId(owner.userId)!.id, 3600);
}

async function assertAlive(after: string) {
  const res = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  if (res.status !== 200 || ((await res.json()) as { data?: { __typename?: string } }).data?.__typename !== 'Query') {
    failures.push({ field: after, problem: 'server stopped answering', message: `HTTP ${res.status}`, example: '' });
  }
}

function report(): string {
  if (!failures.length) return '';
  const byCause = new Map<string, Map<string, Failure>>();
  for (const f of failures) {
    const cause = `${f.problem}${f.message ? `: ${f.message}` : ''}`;
    const fields = byCause.get(cause) ?? new Map<string, Failure>();
    if (!fields.has(f.field)) fields.set(f.field, f);
    byCause.set(cause, fields);
  }
  const lines = [`${failures.length} bad answers, ${byCause.size} distinct causes (FUZZ_SEED=${SEED}, FUZZ_RUNS=${RUNS}):`];
  for (const [cause, fields] of byCause) {
    lines.push('', `● ${cause}`, `  fields: ${[...fields.keys()].join(', ')}`);
    for (const f of [...fields.values()].slice(0, 3)) lines.push(`  e.g. ${f.field} ${f.example}`);
  }
  return lines.join('\n');
}

/** Fails with the grouped report as the message (readable in CI logs, unlike an escaped diff). */
function assertNoFailures() {
  const text = report();
  if (text) throw new Error(text);
}

// ------------------------------------------------------------------ the run

describe('schema-driven fuzzing', () => {
  beforeEach(() => {
    failures.length = 0;
  });

  it('answers every generated call to every root field with a coded client error or data, never a 500 or a stack trace', async () => {
    // Subscriptions too: sent over HTTP POST they must be refused with a code, not fail.
    const roots: Array<['query' | 'mutation' | 'subscription', GraphQLField<unknown, unknown>]> = [];
    for (const [kind, type] of [
      ['query', schema.getQueryType()],
      ['mutation', schema.getMutationType()],
      ['subscription', schema.getSubscriptionType()],
    ] as const) {
      for (const f of Object.values(type?.getFields() ?? {})) if (!ONLY || ONLY.test(f.name)) roots.push([kind, f]);
    }
    expect(roots.length).toBeGreaterThan(0);
    let seed = SEED;
    for (const [kind, field] of roots) {
      const fieldStarted = Date.now();
      const cases = fc.sample(caseArb(kind, field), { seed: seed++, numRuns: kind === 'subscription' ? Math.ceil(RUNS / 8) : RUNS });
      // A few at a time: parallel requests find races too, and keep the run short.
      for (let i = 0; i < cases.length; i += 4) {
        await Promise.all(
          cases.slice(i, i + 4).map(async (c) => {
            const { status, text } = await send(c);
            record(kind === 'subscription' ? `${field.name} (HTTP)` : field.name, c, status, text);
          }),
        );
      }
      await assertAlive(field.name);
      await ensureOwnerSession();
      if (process.env.FUZZ_VERBOSE) console.log(`${field.name}: ${Date.now() - fieldStarted} ms`);
    }
    const health = await fetch(`${app.url}/healthz`);
    expect(health.status).toBe(200);
    assertNoFailures();
  }, 60_000 + RUNS * 2_000);

  it('answers every generated subscription over graphql-ws with data, nothing or a coded error, never a stack trace', async () => {
    const fields = Object.values(schema.getSubscriptionType()?.getFields() ?? {}).filter((f) => !ONLY || ONLY.test(f.name));
    const client = wsClient(app.url, { authorization: `Bearer ${owner.token}`, organizationId: owner.organizationId });
    let seed = SEED + 1000;
    try {
      for (const field of fields) {
        const cases = fc.sample(caseArb('subscription', field), { seed: seed++, numRuns: Math.max(4, Math.ceil(RUNS / 3)) });
        await Promise.all(
          cases.map(
            (c) =>
              new Promise<void>((resolve) => {
                const operation = c.operation;
                const check = (payload: unknown) => {
                  const text = JSON.stringify(payload) ?? '';
                  const errors = Array.isArray(payload) ? payload : (payload as { errors?: unknown[] })?.errors;
                  record(field.name, { ...c, operation, as: 'owner (ws)' }, 200, JSON.stringify({ errors: errors ?? [] }));
                  if (/stacktrace/i.test(text) || STACK_FRAME.test(text)) {
                    failures.push({ field: field.name, problem: 'stack trace in the answer', message: text.slice(0, 200), example: operation });
                  }
                };
                let done = false;
                const finish = () => {
                  if (done) return;
                  done = true;
                  dispose();
                  resolve();
                };
                const dispose = client.subscribe(
                  { query: operation, variables: c.variables },
                  {
                    next: (v) => check(v),
                    error: (e) => {
                      if (Array.isArray(e)) check(e);
                      else failures.push({ field: field.name, problem: 'socket closed', message: String((e as { reason?: string })?.reason ?? e), example: operation });
                      finish();
                    },
                    complete: finish,
                  },
                );
                setTimeout(finish, 300);
              }),
          ),
        );
        await assertAlive(`${field.name} (ws)`);
      }
      // The socket survived all of it.
      const alive = await new Promise<boolean>((resolve) => {
        const dispose = client.subscribe(
          { query: 'subscription { taskAssigned { id } }' },
          { next: () => undefined, error: () => resolve(false), complete: () => resolve(true) },
        );
        setTimeout(() => {
          dispose();
          resolve(true);
        }, 200);
      });
      expect(alive).toBe(true);
    } finally {
      await client.dispose();
    }
    assertNoFailures();
  }, 60_000 + RUNS * 500);
});
