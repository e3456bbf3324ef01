import fs from 'node:fs';
import path from 'node:path';
import {
  buildSchema,
  getIntrospectionQuery,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  parse,
  specifiedRules,
  typeFromAST,
  validate,
  type DocumentNode,
  type GraphQLInputType,
  type OperationDefinitionNode,
} from 'graphql';
import { loadConfig } from '../../../src/config';
import { PLAIN_LIST_SIZES, queryCost, queryLimitRules } from '../../../src/server/query-limits';

/**
 * The default limits against the real front ends' queries, statically (the committed SDL, the
 * queries as their files hold them): each must pass depth, aliases, tokens and cost.
 * Over HTTP and WebSocket: tests/integration/platform/query-limits.test.ts.
 */
const root = path.resolve(__dirname, '../../..');
const schema = buildSchema(fs.readFileSync(path.join(root, 'schema/schema.graphql'), 'utf8'));
const limits = loadConfig({}).queryLimits;
const rules = queryLimitRules(limits);

/** A value of the input type, for required variables (ids and amounts do not change a price). */
function sample(type: GraphQLInputType): unknown {
  const t = getNullableType(type);
  if (isListType(t)) return [sample(t.ofType)];
  if (isEnumType(t)) return t.getValues()[0].value;
  if (isInputObjectType(t)) {
    return Object.fromEntries(Object.values(t.getFields()).filter((f) => isNonNullType(f.type)).map((f) => [f.name, sample(f.type)]));
  }
  return { Int: 1, Float: 1, Boolean: true, Date: '2026-05-01', DateTime: '2026-05-01T00:00:00Z', Decimal: '1' }[t.name] ?? 'x';
}

function check(query: string) {
  const document: DocumentNode = parse(query, { maxTokens: limits.maxTokens });
  const errors = validate(schema, document, [...specifiedRules, ...rules]);
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  const costs = operations.map((op) => {
    const variables = Object.fromEntries(
      (op.variableDefinitions ?? []).map((v) => [v.variable.name.value, sample(typeFromAST(schema, v.type as never) as GraphQLInputType)]),
    );
    return queryCost(schema, document, variables, op.name?.value) ?? NaN;
  });
  return { errors: errors.map((e) => e.message), cost: Math.max(...costs) };
}

const fromFile = (file: string, pattern: RegExp) => {
  const m = pattern.exec(fs.readFileSync(path.join(root, file), 'utf8'));
  if (!m) throw new Error(`no query found in ${file}`);
  return m[1];
};

/** `KeyResult.objective` and `Objective.keyResults`, nested `levels` deep. */
export function nested(levels: number): string {
  let q = '{ id }';
  for (let i = levels - 1; i >= 0; i--) q = i % 2 === 0 ? `{ objective ${q} }` : `{ keyResults ${q} }`;
  return `query($id: ID!) { node(id: $id) { ... on KeyResult ${q} } }`;
}

describe('default query limits', () => {
  it.each([
    ['the full squad dashboard of the bench', () => fromFile('bench/workloads.ts', /const DASHBOARD_FULL = \/\* GraphQL \*\/ `([^`]+)`/).replace('${OPEN_TASKS}', '[TODO, IN_PROGRESS, BLOCKED]')],
    ['the squad dashboard of the statement-count test', () => fromFile('tests/integration/okrs/dashboard-statements.test.ts', /const DASHBOARD = \/\* GraphQL \*\/ `([^`]+)`/)],
    ["a BI tool's full introspection query", () => getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true })],
  ])('let %s pass', (_name, query) => {
    const r = check(query());
    expect(r.errors).toEqual([]);
    expect(r.cost).toBeLessThanOrEqual(limits.maxCost);
  });

  it('let every example of docs/api.md pass', () => {
    const md = fs.readFileSync(path.join(root, 'docs/api.md'), 'utf8');
    const blocks = [...md.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks.length).toBeGreaterThan(5);
    for (const block of blocks) {
      const r = check(block);
      expect({ block, errors: r.errors.filter((e) => /QUERY_MAX/.test(e)) }).toEqual({ block, errors: [] });
      expect({ block, cost: r.cost <= limits.maxCost }).toEqual({ block, cost: true });
    }
  });

  it('prices a dashboard-shaped query by its page sizes and list caps', () => {
    // objectives(first: 10): 1 + 1 (totalCount) + 10 × (1 node + keyResults: 1 + 20 × (1 + owner 1)).
    const q = `query($id: ID!) { squad(id: $id) { objectives(first: 10) { totalCount nodes { title keyResults { title owner { displayName } } } } } }`;
    expect(check(q).cost).toBe(1 + 1 + 1 + 10 * (1 + 1 + 20 * 2));
    expect(check(`{ squads { totalCount } }`).cost).toBe(2);
    expect(check(`{ squads(first: 5) { nodes { name } } }`).cost).toBe(1 + 5 * 1);
  });

  it('refuses the 40-level nesting by depth and prices it far over the limit', () => {
    const r = check(nested(40));
    expect(r.errors).toEqual(['Query too complex: depth 42 exceeds the limit of 12 (QUERY_MAX_DEPTH)']);
    expect(r.cost).toBeGreaterThan(limits.maxCost);
  });

  it.each([
    ['__typename', 1],
    ['squads { totalCount }', 2],
    ['squads { nodes { id name } }', 4],
    ['organization { members { nodes { user { id displayName } } } }', 6],
  ])('validates %s repeated up to the field limit without graphql-js giving up, and refuses one more by the limit', (selection, fields) => {
    const times = Math.floor(limits.maxFields / fields);
    expect(check(`{ ${`${selection} `.repeat(times)}}`).errors).toEqual([]);
    const over = times + 1;
    expect(check(`{ ${`${selection} `.repeat(over)}}`).errors).toEqual([
      `Query too complex: fields ${over * fields} exceeds the limit of ${limits.maxFields} (QUERY_MAX_FIELDS)`,
    ]);
  });

  it('leaves introspection out of the depth limit but not out of bounds', () => {
    // Exempt from QUERY_MAX_DEPTH; its lists are priced (50 each) and graphql-js refuses nesting them deeper.
    const twice = `{ __schema { types { fields { type { fields { name } } } } } }`;
    expect(check(twice)).toEqual({ errors: [], cost: 1 + 50 * (1 + 50 * 1) });
    const thrice = `{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }`;
    expect(check(thrice).errors).toEqual(['Maximum introspection depth exceeded']);
  });

  it('prices Kpi.series by its number of buckets, a range it refuses at none', () => {
    const cost = (grain: string, from: string, to: string) =>
      check(`{ kpi(key: "gmv") { series(grain: ${grain}, from: "${from}", to: "${to}") { periodStart value } } }`).cost;
    // The KPI (1) and the list (1 + one per point).
    expect(cost('WEEK', '2026-01-05', '2026-12-28')).toBe(1 + 1 + 52);
    expect(cost('MONTH', '2026-01-15', '2026-12-15')).toBe(1 + 1 + 12);
    expect(cost('DAY', '2020-01-01', '2026-01-01')).toBe(1 + 1);
    expect(cost('DAY', '2026-02-01', '2026-01-01')).toBe(1 + 1);
  });

  it('prices progressHistory by its number of buckets, a year of them when left to the cycle', () => {
    const cost = (args: string) => check(`{ objective(id: "x") { progressHistory(${args}) { periodStart progress } } }`).cost;
    expect(cost('grain: WEEK, from: "2026-01-05", to: "2026-12-28"')).toBe(1 + 1 + 52);
    expect(cost('grain: MONTH')).toBe(1 + 1 + 13);
    expect(cost('grain: WEEK, from: "2026-01-05"')).toBe(1 + 1 + 54);
    expect(cost('grain: DAY, from: "2020-01-01", to: "2026-01-01"')).toBe(1 + 1);
    const kr = check(`{ node(id: "x") { ... on KeyResult { progressHistory(grain: QUARTER) { value } } } }`).cost;
    expect(kr).toBe(1 + 1 + 5);
  });

  it('prices budgetBurn by the points its grain can have (106 weeks, 25 months, 9 quarters, as its description states) and spend by the buckets asked for', () => {
    const burn = (grain: string) => check(`{ budgetBurn(budgetId: "x", grain: ${grain}) { periodStart } }`).cost;
    expect([burn('WEEK'), burn('MONTH'), burn('QUARTER'), burn('DAY')]).toEqual([1 + 106, 1 + 25, 1 + 9, 1]);
    const description = schema.getQueryType()!.getFields().budgetBurn.description!;
    expect(description).toContain('at most 106 weeks, 25 months or 9 quarters');
    const spend = (args: string) => check(`{ spend(${args}) { periodStart line { name } } }`).cost;
    // Three months grouped: 100 rows a bucket, each row 1 + its line.
    expect(spend('grain: MONTH, groupBy: [LINE], filter: { from: "2026-04-01", to: "2026-06-30" }')).toBe(1 + 3 * 100 * 2);
    // Not grouped: a few currencies a bucket; no range: the 2,000-row cap.
    expect(spend('grain: MONTH, filter: { from: "2026-04-01", to: "2026-06-30" }')).toBe(1 + 3 * 5 * 2);
    expect(spend('grain: WEEK, groupBy: [LINE]')).toBe(1 + 2000 * 2);
    expect(spend('grain: WEEK, groupBy: [LINE], filter: { from: "2020-01-01", to: "2026-06-30" }')).toBe(1 + 2000 * 2);
  });

  it.each(Object.entries(PLAIN_LIST_SIZES))('prices %s at the cap its description states (%d)', (name, size) => {
    const [type, field] = name.split('.');
    const def = (schema.getType(type) as import('graphql').GraphQLObjectType).getFields()[field];
    expect(def.description).toContain(`at most ${size}`);
  });
});
