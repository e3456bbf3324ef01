import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  isAbstractType,
  isNonNullType,
  isObjectType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../connection';
import { decodeGlobalId } from '../ids';
import { plannableType, plannedRoot, type PlanEnv, type PlanType } from './declarations';

/**
 * The read planner's compiler: a query operation whose every selected field is declared
 * plannable becomes ONE SQL statement returning the response's `data` as JSON. Anything it cannot
 * plan throws `NotPlannable` inside and `compilePlan` answers null: the caller then lets the
 * resolvers run. It never decides an error: a missing root row, a bad id, a page size out of
 * range, a field that would throw all fall back, and the resolvers give their usual answer.
 */
export interface CompiledPlan {
  /**
   * One row: `data`, the response's data as JSON text, and `ok`, false when a non-null root
   * field found no row in the organisation (then fall back: the resolver answers NOT_FOUND).
   */
  sql: string;
  params: unknown[];
  /** Applies the derived fields' computations to the parsed data (in place); null when none. */
  post: ((data: Record<string, unknown>) => void) | null;
}

export interface PlanRequest {
  schema: GraphQLSchema;
  operation: OperationDefinitionNode;
  fragments: Record<string, FragmentDefinitionNode>;
  /** Coerced variable values. */
  variables: Record<string, unknown>;
  organizationId: string;
  /** The signed-in user (uuid). */
  viewerId: string;
  role: string;
  today: string;
}

class NotPlannable extends Error {}

const fail = (why: string): never => {
  throw new NotPlannable(why);
};

/** At most 100 arguments to json_build_object. */
const MAX_KEYS = 50;

type Post = (obj: any) => void;

interface Compiler {
  req: PlanRequest;
  params: unknown[];
  env: PlanEnv;
  aliases: number;
}

function newAlias(c: Compiler): string {
  c.aliases += 1;
  return `p${c.aliases}`;
}

function included(c: Compiler, node: { directives?: readonly any[] }): boolean {
  if (!node.directives?.length) return true;
  const skip = getDirectiveValues(GraphQLSkipDirective, node as any, c.req.variables);
  if (skip?.if === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, node as any, c.req.variables);
  return include?.if !== false;
}

function applies(c: Compiler, typeCondition: string | undefined, type: GraphQLObjectType): boolean {
  if (!typeCondition || typeCondition === type.name) return true;
  const cond = c.req.schema.getType(typeCondition);
  return !!cond && isAbstractType(cond) && c.req.schema.isSubType(cond, type);
}

/** The fields selected on an object of `type`, by response key (fragments, @skip/@include resolved). */
function collect(c: Compiler, type: GraphQLObjectType, set: SelectionSetNode, out = new Map<string, FieldNode[]>(), seen = new Set<string>()) {
  for (const sel of set.selections) {
    if (!included(c, sel)) continue;
    if (sel.kind === 'Field') {
      const key = sel.alias?.value ?? sel.name.value;
      const list = out.get(key);
      if (list) list.push(sel);
      else out.set(key, [sel]);
    } else if (sel.kind === 'InlineFragment') {
      if (applies(c, sel.typeCondition?.name.value, type)) collect(c, type, sel.selectionSet, out, seen);
    } else {
      const name = sel.name.value;
      if (seen.has(name)) continue;
      seen.add(name);
      const frag = c.req.fragments[name] ?? fail(`fragment ${name}`);
      if (applies(c, frag.typeCondition.name.value, type)) collect(c, type, frag.selectionSet, out, seen);
    }
  }
  return out;
}

/** One field node per response key; merged duplicates are planned only for leaf fields without arguments. */
function single(nodes: FieldNode[]): FieldNode {
  if (nodes.length === 1) return nodes[0];
  const [first] = nodes;
  for (const n of nodes) {
    if (n.name.value !== first.name.value || n.selectionSet || n.arguments?.length) fail('merged selections');
  }
  return first;
}

function fieldDef(type: GraphQLObjectType, name: string): GraphQLField<unknown, unknown> {
  return type.getFields()[name] ?? fail(`${type.name}.${name}`);
}

function objectTypeOf(c: Compiler, name: string): GraphQLObjectType {
  const t = c.req.schema.getType(name);
  return t && isObjectType(t) ? t : fail(`type ${name}`);
}

const orgCondition = (c: Compiler, decl: PlanType, alias: string) => (decl.orgColumn ? `${alias}.${decl.orgColumn} = ${c.env.org}` : 'true');

/** The JSON of one object row (alias `alias` of `decl.table`) for a selection. */
function objectSql(c: Compiler, decl: PlanType, alias: string, set: SelectionSetNode | undefined): { sql: string; post: Post | null } {
  if (!set) return fail(`${decl.type} without selection`);
  const type = objectTypeOf(c, decl.type);
  const fields = collect(c, type, set);
  if (fields.size > MAX_KEYS) fail('too many keys');
  const parts: string[] = [];
  const posts: Array<(obj: any) => void> = [];
  // Derived fields of one object that read the same inputs (a key result's progress and status)
  // share one copy of them, under a key removed once every field is computed.
  const sharedInputs = new Map<unknown, string>();
  for (const [key, nodes] of fields) {
    const node = single(nodes);
    const name = node.name.value;
    const lit = `'${key}'`;
    if (name === '__typename') {
      parts.push(lit, `'${type.name}'`);
      continue;
    }
    const f = decl.fields[name] ?? fail(`${decl.type}.${name}`);
    const def = fieldDef(type, name);
    if (f.kind !== 'connection' && def.args.length) fail(`${decl.type}.${name} has arguments`);
    switch (f.kind) {
      case 'column':
        parts.push(lit, f.sql(alias, c.env));
        break;
      case 'derived': {
        let inputs = sharedInputs.get(f.inputs);
        if (!inputs) {
          inputs = `#in${sharedInputs.size}`; // no GraphQL response key has a #
          sharedInputs.set(f.inputs, inputs);
          parts.push(`'${inputs}'`, f.inputs(alias, c.env));
        }
        parts.push(lit, 'null');
        const compute = f.compute;
        const from = inputs;
        posts.push((obj) => {
          obj[key] = compute(obj[from]);
        });
        break;
      }
      case 'ref': {
        const target = plannableType(f.type) ?? fail(`type ${f.type}`);
        const a = newAlias(c);
        const sub = objectSql(c, target, a, node.selectionSet);
        parts.push(lit, `(SELECT ${sub.sql} FROM ${target.table} ${a} WHERE ${a}.id = ${alias}.${f.column} AND ${orgCondition(c, target, a)})`);
        if (sub.post) posts.push(nested(key, sub.post));
        break;
      }
      case 'latest':
      case 'list': {
        // The children of this row by `parentColumn`, in the declared order: the first, or all.
        const target = plannableType(f.type) ?? fail(`type ${f.type}`);
        const a = newAlias(c);
        const sub = objectSql(c, target, a, node.selectionSet);
        const rows = `FROM ${target.table} ${a}
             WHERE ${orgCondition(c, target, a)} AND ${a}.${f.parentColumn} = ${alias}.id${f.where ? ` AND ${f.where(a, c.env)}` : ''}`;
        if (f.kind === 'latest') {
          parts.push(lit, `(SELECT ${sub.sql} ${rows} ORDER BY ${f.orderBy(a)} LIMIT 1)`);
          if (sub.post) posts.push(nested(key, sub.post));
        } else {
          parts.push(lit, `coalesce((SELECT json_agg(${sub.sql} ORDER BY ${f.orderBy(a)}) ${rows}), '[]'::json)`);
          if (sub.post) posts.push(nestedList(key, sub.post));
        }
        break;
      }
      case 'connection': {
        const a = newAlias(c);
        const conn = connectionSql(c, def, node, f.type, a, (args) => {
          const filter = f.filter ? f.filter(args, a, c.env) : Object.values(args).some((v) => v != null) ? null : 'true';
          if (filter === null) fail(`${decl.type}.${name} arguments`);
          return `${a}.${f.parentColumn} = ${alias}.id${f.where ? ` AND ${f.where(a, c.env)}` : ''} AND ${filter}`;
        }, f.orderBy);
        parts.push(lit, conn.sql);
        if (conn.post) posts.push(nested(key, conn.post));
        break;
      }
    }
  }
  if (sharedInputs.size) {
    const hidden = [...sharedInputs.values()];
    posts.push((obj) => {
      for (const k of hidden) delete obj[k];
    });
  }
  if (parts.length > MAX_KEYS * 2) fail('too many keys');
  return { sql: `json_build_object(${parts.join(', ')})`, post: posts.length ? all(posts) : null };
}

/**
 * One of the kit's connections over rows of `type` (alias `a` in its conditions): `first`,
 * `nodes` and `totalCount`. `condition` gets the field's arguments other than the page's and
 * returns the rows' SQL condition beyond the organisation's.
 */
function connectionSql(
  c: Compiler,
  def: GraphQLField<unknown, unknown>,
  node: FieldNode,
  typeName: string,
  a: string,
  condition: (args: Record<string, any>) => string,
  orderBy: (alias: string) => string,
): { sql: string; post: Post | null } {
  const target = plannableType(typeName) ?? fail(`type ${typeName}`);
  const args = getArgumentValues(def, node, c.req.variables);
  if (args.after != null || args.last != null || args.before != null) fail('connection cursor or last');
  const first = (args.first ?? DEFAULT_PAGE_SIZE) as number;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) fail('first out of range');
  const { first: _f, after: _a, last: _l, before: _b, ...rest } = args;
  const where = `${orgCondition(c, target, a)} AND ${condition(rest)}`;
  const connType = getNamedType(def.type);
  if (!isObjectType(connType)) fail('connection type');
  const connFields = collect(c, connType as GraphQLObjectType, node.selectionSet ?? fail('connection without selection'));
  const connParts: string[] = [];
  const connPosts: Post[] = [];
  for (const [ckey, cnodes] of connFields) {
    const cnode = single(cnodes);
    const cname = cnode.name.value;
    if (cname === '__typename') connParts.push(`'${ckey}'`, `'${connType.name}'`);
    else if (cname === 'totalCount') connParts.push(`'${ckey}'`, `(SELECT count(*)::int FROM ${target.table} ${a} WHERE ${where})`);
    else if (cname === 'nodes') {
      const b = newAlias(c);
      const sub = objectSql(c, target, b, cnode.selectionSet);
      connParts.push(
        `'${ckey}'`,
        `coalesce((SELECT json_agg(${sub.sql} ORDER BY ${orderBy(b)})
           FROM (SELECT * FROM ${target.table} ${a} WHERE ${where} ORDER BY ${orderBy(a)} LIMIT ${c.env.param(first)}) ${b}), '[]'::json)`,
      );
      if (sub.post) connPosts.push(nestedList(ckey, sub.post));
    } else fail(`connection field ${cname}`);
  }
  return { sql: `json_build_object(${connParts.join(', ')})`, post: connPosts.length ? all(connPosts) : null };
}

const all = (posts: Post[]): Post => (obj) => {
  for (const p of posts) p(obj);
};
const nested = (key: string, post: Post): Post => (obj) => {
  if (obj[key] != null) post(obj[key]);
};
const nestedList = (key: string, post: Post): Post => (obj) => {
  for (const item of obj[key] as unknown[]) post(item);
};

/** The plan of a query operation, or null when some part of it is not plannable. */
export function compilePlan(req: PlanRequest): CompiledPlan | null {
  if (req.operation.operation !== 'query') return null;
  const params: unknown[] = [req.organizationId];
  let todayParam: string | null = null;
  let viewerParam: string | null = null;
  const param = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const c: Compiler = {
    req,
    params,
    aliases: 0,
    env: { org: '$1', param, today: () => (todayParam ??= param(req.today)), viewer: () => (viewerParam ??= param(req.viewerId)) },
  };
  try {
    const queryType = req.schema.getQueryType() ?? fail('no query type');
    const roots = collect(c, queryType, req.operation.selectionSet);
    const parts: string[] = [];
    const columns: string[] = [];
    const posts: Post[] = [];
    const required: string[] = [];
    for (const [key, nodes] of roots) {
      const node = single(nodes);
      const name = node.name.value;
      if (name === '__typename') {
        parts.push(`'${key}'`, `'${queryType.name}'`);
        continue;
      }
      const root = plannedRoot(name) ?? fail(`root ${name}`);
      if (root.roles.length && !root.roles.includes(req.role)) fail('role');
      const def = fieldDef(queryType, name);
      const column = `r${columns.length + 1}`;
      if (root.kind === 'connection') {
        const a = newAlias(c);
        const conn = connectionSql(c, def, node, root.type, a, (args) => {
          const filter = root.filter ? root.filter(args, a, c.env) : Object.values(args).some((v) => v != null) ? null : 'true';
          if (filter === null) fail(`${root.field} arguments`);
          return `${root.where(a, c.env)} AND ${filter}`;
        }, root.orderBy);
        columns.push(`${conn.sql} AS ${column}`);
        parts.push(`'${key}'`, column);
        if (conn.post) posts.push(nested(key, conn.post));
        continue;
      }
      const decl = plannableType(root.type) ?? fail(`type ${root.type}`);
      const args = getArgumentValues(def, node, req.variables);
      const decoded = decodeGlobalId(String(args[root.idArg] ?? ''));
      if (!decoded || decoded.type !== root.type) fail('root id');
      const a = newAlias(c);
      const sub = objectSql(c, decl, a, node.selectionSet);
      columns.push(`(SELECT ${sub.sql} FROM ${decl.table} ${a} WHERE ${orgCondition(c, decl, a)} AND ${a}.id = ${param(decoded!.id)}) AS ${column}`);
      parts.push(`'${key}'`, column);
      if (isNonNullType(def.type)) required.push(`${column} IS NOT NULL`);
      if (sub.post) posts.push(nested(key, sub.post));
    }
    if (parts.length > MAX_KEYS * 2) fail('too many roots');
    // Nothing to read (`{ __typename }`): the resolvers answer without a statement.
    if (!columns.length) fail('no root reads the database');
    return {
      sql: `SELECT json_build_object(${parts.join(', ')})::text AS data, ${required.length ? required.join(' AND ') : 'true'} AS ok
        FROM (SELECT ${columns.length ? columns.join(', ') : 'true'}) roots`,
      params,
      post: posts.length ? all(posts) : null,
    };
  } catch (e) {
    if (e instanceof NotPlannable) return null;
    throw e;
  }
}
