import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Counts the SQL statements issued inside a scope (a request, or a test's operation).
 * The TypeORM logger increments the counter of the scope the query runs in. The scope also
 * knows how many of its statements are running, so that per-request loaders can dispatch
 * their batches when the request is waiting on nothing else (see common/loaders.ts).
 */
export interface StatementScope {
  count: number;
  statements: string[];
  /** Statements started and not yet finished. */
  running?: number;
  /** Called once, the next time no statement of the scope is running. */
  idleWaiters?: Array<() => void>;
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

/** A statement of the current scope starts running. */
export function statementStarted(): void {
  const scope = storage.getStore();
  if (scope) scope.running = (scope.running ?? 0) + 1;
}

/** A statement of the current scope finished (successfully or not). */
export function statementFinished(): void {
  const scope = storage.getStore();
  if (!scope) return;
  scope.running = Math.max(0, (scope.running ?? 1) - 1);
  if (scope.running === 0 && scope.idleWaiters?.length) {
    for (const waiter of scope.idleWaiters.splice(0)) waiter();
  }
}

/**
 * Runs `fn` once no statement of the current scope is running (at once when none is, or when
 * there is no scope). Returns immediately; `fn` runs later.
 */
export function whenStatementsIdle(fn: () => void): void {
  const scope = storage.getStore();
  if (!scope || !scope.running) {
    fn();
    return;
  }
  (scope.idleWaiters ??= []).push(fn);
}

/** Whether no statement of the current scope is running. */
export function statementsIdle(): boolean {
  return !storage.getStore()?.running;
}
