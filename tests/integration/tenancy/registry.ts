import type { TestOrg } from '../../support/factories';
import type { TestApp } from '../../support/test-app';

/**
 * The tenancy matrix: organisation A's data, and for EVERY root field an operation that a caller
 * of organisation B runs with A's ids. tenancy-matrix.test.ts walks the schema and fails for a
 * root field with no case, so a new module adds a file in cases/ (registered in cases.ts) with:
 *  1. a fixture that creates A's data through GraphQL and returns its ids (global ids),
 *  2. one case per new Query / Mutation / Subscription field, and
 *  3. one nested case per new list or connection field of its object types (`Budget.lines`).
 */
export interface TenantA {
  org: TestOrg;
  /** Global ids of A's objects, by name, from all fixtures. */
  ids: Record<string, string>;
}

/** Builds A's data; `ids` holds what the fixtures registered before it returned (e.g. `squad`). */
export type Fixture = (app: TestApp, org: TestOrg, ids: Readonly<Record<string, string>>) => Promise<Record<string, string>>;

export interface RootFieldCase {
  /** The operation B runs; it uses A's ids wherever the field takes one. */
  operation: (a: TenantA) => { query: string; variables?: Record<string, unknown> };
  /**
   * NOT_FOUND: the field names one of A's objects and must answer exactly as for an id that
   * does not exist (null for `node`/`nodes`). ANY: the field takes no id of A (lists, viewer,
   * sign-up...); whatever it answers must hold nothing of A.
   */
  expect: 'NOT_FOUND' | 'NULL' | 'ANY';
  /** The operation ends B's session (logOut...): the matrix runs it after every other case. */
  endsSession?: boolean;
  /** For subscriptions: a change in A, made by A, that B must not receive. */
  trigger?: (app: TestApp, a: TenantA) => Promise<void>;
}

/**
 * A list or connection field below the root (`Budget.lines`, `KeyResult.checkIns`). The fixtures
 * run for A and for a second organisation B, so both hold the same objects under the same names;
 * the matrix reads the field on B's object `parent` (through `node(id:)`), then changes rows of A
 * in SQL so that they point at B's objects while their organization_id stays A's, reads again and
 * requires the same answer: a loader that forgets the organisation shows them.
 */
export type NestedCase =
  | {
      /** The fixture id (of B) whose field is read. */
      parent: string;
      /**
       * A's rows moved under B's objects: in `table`, the rows whose first column of `set` holds A's
       * object of that name get B's object of that name in every column of `set`.
       */
      children: { table: string; set: Record<string, string>; shift?: string };
      /** Arguments of the field (a connection gets `(first: 100)` without). */
      args?: string;
      /**
       * A root field without arguments whose object holds the field (`viewer` for `Viewer.squads`),
       * read instead of `node(id: parent)`; `parent` then only names the case.
       */
      root?: string;
    }
  | {
      parent: string;
      /** B's row of `table` (the parent) made to hold what A's row holds in `columns` (ids of A's rows). */
      references: { table: string; columns: string[] };
      args?: string;
    }
  /** No rows of the organisation hang under this field (computed, the viewer's own...): why. */
  | { exempt: string };

const fixtures: Fixture[] = [];
const cases: Record<string, RootFieldCase> = {};
const nested: Record<string, NestedCase> = {};

export function registerTenancy(fixture: Fixture | null, moduleCases: Record<string, RootFieldCase>, nestedCases: Record<string, NestedCase> = {}): void {
  if (fixture) fixtures.push(fixture);
  Object.assign(cases, moduleCases);
  Object.assign(nested, nestedCases);
}

export const tenancy = { fixtures, cases, nested };
