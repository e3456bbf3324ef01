import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Counts the SQL statements issued inside a scope (a request, or a test's operation), for the
 * request log and for tests. The TypeORM logger increments the counter of the scope the query
 * runs in. Counting only: nothing waits on it. It is the request's only async-local scope: the
 * server reads the request id from it too (each AsyncLocalStorage costs on every async hop).
 */
export interface StatementScope {
  count: number;
  statements: string[];
  /** The request's id (X-Request-Id), for the log and the error formatter. */
  requestId?: string;
}

const storage = new AsyncLocalStorage<StatementScope>();

export function runCountingStatements<T>(scope: StatementScope, fn: () => T): T {
  return storage.run(scope, fn);
}

export function recordStatement(sql: string): void {
  const scope = storage.getStore();
  if (!scope) return;
  scope.count += 1;
  if (scope.statements.length < 500) scope.statements.push(sql);
}

export function currentStatementScope(): StatementScope | undefined {
  return storage.getStore();
}

/** Runs `fn` outside any statement scope (work that belongs to no request, such as a timer it armed). */
export function outsideStatementScope<T>(fn: () => T): T {
  return storage.exit(fn);
}
