import crypto from 'node:crypto';
import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';

/**
 * The kit's hot reads (authentication, by-id, child, latest-of-each and row-by-key loaders) as
 * named prepared statements: PostgreSQL parses and plans each text once per connection, then
 * only binds and executes it. A statement is named after a hash of its text, so one name always
 * means one text, whichever connection, process or instance sends it, and a text that would vary
 * from one call to the next (a value written into it, a list of placeholders as long as a batch)
 * must not be sent here: the kit's statements take their keys as one array (`= ANY($2)`).
 *
 * The statement goes through the connection (and transaction) the manager uses, like
 * `manager.query`: inside `withTransaction` the transaction's own connection, otherwise one taken
 * from the pool for the statement. It is counted and logged by the data source's logger as every
 * other statement, and a failure is TypeORM's `QueryFailedError` around the pg error.
 *
 * With `PREPARED_STATEMENTS=off` (a pooler that cannot keep protocol-level prepared statements,
 * see docs/operations.md) the same text goes out unnamed, exactly as `manager.query` sends it.
 */

const enabled = new WeakMap<DataSource, boolean>();

/** Whether `ds` sends the kit's statements prepared (set once, where the data source is created; default off). */
export function setPreparedStatements(ds: DataSource, on: boolean): void {
  enabled.set(ds, on);
}

export function preparedStatementsOn(ds: DataSource): boolean {
  return enabled.get(ds) === true;
}

/**
 * At most this many distinct texts are prepared per process (each is kept by every connection
 * that ran it): a bound against a text that varies by mistake, which would otherwise fill the
 * server's memory one name at a time. Texts beyond it go out unnamed.
 */
export const MAX_PREPARED_TEXTS = 2000;

const names = new Map<string, string>();

/** `k` and 24 hex digits of the SHA-256 of the text (96 bits: no two texts of a process share a name). */
export function statementName(text: string): string {
  return `k${crypto.createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
}

function nameFor(text: string): string | null {
  let name = names.get(text);
  if (name === undefined) {
    if (names.size >= MAX_PREPARED_TEXTS) return null;
    name = statementName(text);
    names.set(text, name);
  }
  return name;
}

interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * Runs a read of the kit (a SELECT whose text does not vary with its values) as a named prepared
 * statement on the manager's connection, and answers its rows, as `manager.query` would.
 */
export async function queryStatement<R = Record<string, unknown>>(manager: EntityManager, text: string, values: unknown[]): Promise<R[]> {
  const ds = manager.connection;
  const own = manager.queryRunner;
  const name = enabled.get(ds) === true && !own?.isReleased ? nameFor(text) : null;
  if (!name) return manager.query(text, values);
  const runner = own ?? ds.createQueryRunner();
  try {
    const client = (await runner.connect()) as PgClient;
    ds.logger.logQuery(text, values, runner);
    const started = Date.now();
    let rows: unknown[];
    try {
      rows = (await client.query({ name, text, values })).rows;
    } catch (err) {
      ds.logger.logQueryError(err as Error, text, values, runner);
      throw new QueryFailedError(text, values, err as Error);
    }
    const ms = Date.now() - started;
    const slow = ds.options.maxQueryExecutionTime;
    if (slow && ms > slow) ds.logger.logQuerySlow(ms, text, values, runner);
    return rows as R[];
  } finally {
    if (!own) await runner.release();
  }
}
