import type { TestOrg } from '../../support/factories';
import type { TestApp } from '../../support/test-app';

/**
 * The tenancy matrix: organisation A's data, and for EVERY root field an operation that a caller
 * of organisation B runs with A's ids. tenancy-matrix.test.ts walks the schema and fails for a
 * root field with no case, so a new module adds a file in cases/ (registered in cases.ts) with:
 *  1. a fixture that creates A's data through GraphQL and returns its ids (global ids), and
 *  2. one case per new Query / Mutation / Subscription field.
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

const fixtures: Fixture[] = [];
const cases: Record<string, RootFieldCase> = {};

export function registerTenancy(fixture: Fixture | null, moduleCases: Record<string, RootFieldCase>): void {
  if (fixture) fixtures.push(fixture);
  Object.assign(cases, moduleCases);
}

export const tenancy = { fixtures, cases };
