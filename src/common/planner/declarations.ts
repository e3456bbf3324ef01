/**
 * Plannable GraphQL types: what the read planner (./compile.ts) may answer in SQL.
 *
 * A module declares, next to its entity (`<module>.plan.ts`), for each GraphQL type it owns: the
 * table, the organisation column, and for each field one of a few kinds. A field left out is not
 * plannable: an operation that selects it runs through the resolvers, as every operation did
 * before. A declaration must give exactly what the resolver gives (the schema-walking
 * equivalence test compares the two for every declared field).
 */

/** Adds a parameter and returns its placeholder (`$3`). */
export type Param = (value: unknown) => string;

/** The request facts a declaration may use. */
export interface PlanEnv {
  /** The placeholder of the request's organisation (uuid). */
  org: string;
  /** The placeholder of the signed-in user's id (uuid). */
  viewer: () => string;
  /** The placeholder of today's date (YYYY-MM-DD, as `isoToday()` gives it). */
  today: () => string;
  param: Param;
}

/** A SQL expression of the field's API value as JSON text (strings, numbers, booleans, null). */
export interface ColumnField {
  kind: 'column';
  sql: (alias: string, env: PlanEnv) => string;
}

/**
 * A value computed in TypeScript from inputs read in SQL: `inputs` builds a JSON value (usually
 * `json_build_object(...)`), `compute` turns it into the API value. A throw from `compute` makes
 * the planner fall back to the resolvers (which then give their error).
 */
export interface DerivedField {
  kind: 'derived';
  inputs: (alias: string, env: PlanEnv) => string;
  compute: (raw: any) => unknown;
}

/** Another plannable object by id, through a foreign-key column of this row. */
export interface RefField {
  kind: 'ref';
  type: string;
  /** The foreign-key column, e.g. `lead_id`. */
  column: string;
  /** The GraphQL field is nullable (and the column may be null). */
  nullable?: boolean;
}

/** Children by foreign key, as a plain list (no arguments). */
export interface ListField {
  kind: 'list';
  type: string;
  /** The child's column holding this row's id. */
  parentColumn: string;
  where?: (alias: string, env: PlanEnv) => string;
  orderBy: (alias: string) => string;
}

/** The latest child by foreign key (null when none). */
export interface LatestField {
  kind: 'latest';
  type: string;
  parentColumn: string;
  where?: (alias: string, env: PlanEnv) => string;
  orderBy: (alias: string) => string;
}

/**
 * Children by foreign key as one of the kit's connections (`first`, `nodes`, `totalCount`;
 * `after`/`last`/`before`, `edges` and `pageInfo` are not planned). `filter` turns the field's
 * arguments other than the page's into a SQL condition, or returns null when it cannot (the
 * operation then falls back).
 */
export interface ConnectionField {
  kind: 'connection';
  type: string;
  parentColumn: string;
  where?: (alias: string, env: PlanEnv) => string;
  filter?: (args: Record<string, any>, alias: string, env: PlanEnv) => string | null;
  orderBy: (alias: string) => string;
}

export type PlanField = ColumnField | DerivedField | RefField | ListField | LatestField | ConnectionField;

export interface PlanType {
  /** The GraphQL object type. */
  type: string;
  table: string;
  /** Null only for tables that belong to no organisation (users: reached by reference only). */
  orgColumn: string | null;
  fields: Record<string, PlanField>;
}

/**
 * A root field answered by id: the `id` argument is a global id of `type`; a row that is not in
 * the organisation makes the planner fall back (the resolver then answers NOT_FOUND).
 */
export interface PlanRootById {
  kind?: 'byId';
  field: string;
  type: string;
  idArg: string;
  /** The roles the field's @Authorized allows; empty: any member. */
  roles: string[];
}

/**
 * A root field that is one of the kit's connections over the organisation's rows of `type`
 * (`first`, `nodes`, `totalCount`; a cursor, `edges` or `pageInfo` fall back), e.g. `myTasks`:
 * `where` is the resolver's own condition (the viewer's placeholder is `env.viewer`), `filter`
 * turns the field's other arguments into SQL (null: fall back), `orderBy` is its sort.
 */
export interface PlanRootConnection {
  kind: 'connection';
  field: string;
  type: string;
  roles: string[];
  where: (alias: string, env: PlanEnv) => string;
  filter?: (args: Record<string, any>, alias: string, env: PlanEnv) => string | null;
  orderBy: (alias: string) => string;
}

export type PlanRoot = PlanRootById | PlanRootConnection;

const types = new Map<string, PlanType>();
const roots = new Map<string, PlanRoot>();

/** Fields other modules add to a type they do not own, until its owner declares it. */
const pending = new Map<string, Record<string, PlanField>>();

/**
 * Declares a plannable type, by the module that owns its table (a module's `<module>.plan.ts`,
 * imported by its index.ts). Once per type.
 */
export function definePlannable(decl: PlanType): void {
  if (types.has(decl.type)) throw new Error(`Plannable ${decl.type} declared twice`);
  types.set(decl.type, { ...decl, fields: { ...pending.get(decl.type), ...decl.fields } });
  pending.delete(decl.type);
}

/**
 * Adds fields to another module's plannable type, the way a module adds a field resolver to it
 * (`Squad.objectives` from okrs): the table and its organisation column stay the owner's to name,
 * whichever module's declarations load first.
 */
export function extendPlannable(type: string, fields: Record<string, PlanField>): void {
  const known = types.get(type);
  if (known) Object.assign(known.fields, fields);
  else pending.set(type, { ...pending.get(type), ...fields });
}

export function definePlannedRoot(root: PlanRoot): void {
  roots.set(root.field, root);
}

export function plannableType(name: string): PlanType | undefined {
  return types.get(name);
}

export function plannedRoot(field: string): PlanRoot | undefined {
  return roots.get(field);
}

/** Every declaration, for the test that walks them. */
export function plannableDeclarations(): { types: PlanType[]; roots: PlanRoot[] } {
  return { types: [...types.values()], roots: [...roots.values()] };
}
