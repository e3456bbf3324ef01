import 'reflect-metadata';
import { types as pgTypes } from 'pg';
import { DataSource, type EntitySchema, type Logger as TypeOrmLogger, type QueryRunner } from 'typeorm';
import type { Logger } from '../common/logger';
import { migrations } from '../../migrations';
import { recordStatement } from '../common/statement-scope';
import { setPreparedStatements } from '../common/statements';

// `date` columns stay 'YYYY-MM-DD' strings (no time-zone shift); numeric stays a string.
pgTypes.setTypeParser(1082, (v: string) => v);

class PinoTypeOrmLogger implements TypeOrmLogger {
  constructor(private readonly logger: Logger) {}
  logQuery(query: string, _parameters?: unknown[], _qr?: QueryRunner) {
    recordStatement(query);
    if (this.logger.isLevelEnabled('trace')) this.logger.trace({ sql: query }, 'sql');
  }
  logQueryError(error: string | Error, query: string) {
    this.logger.debug({ sql: query, err: String(error) }, 'sql error');
  }
  logQuerySlow(time: number, query: string) {
    this.logger.warn({ sql: query, ms: time }, 'slow sql');
  }
  logSchemaBuild(message: string) {
    this.logger.debug(message);
  }
  logMigration(message: string) {
    this.logger.info({ migration: message }, 'migration');
  }
  log(level: 'log' | 'info' | 'warn', message: unknown) {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.debug(String(message));
  }
}

/** The entity classes TypeORM maps; the caller composes them from the modules (src/modules/entities.ts). */
export type EntityList = ReadonlyArray<Function | EntitySchema>;

/**
 * The data source for `url`. The database layer knows no module: the caller passes the
 * entities (main and the CLI pass `entities` from src/modules/entities.ts; migrations alone
 * need none). `preparedStatements` (config PREPARED_STATEMENTS, on by default): whether the kit's
 * hot reads go out as named prepared statements (src/common/statements.ts).
 */
export function createDataSource(
  url: string,
  logger: Logger,
  poolSize = 10,
  entities: EntityList = [],
  options: { preparedStatements?: boolean } = {},
): DataSource {
  const ds = new DataSource({
    type: 'postgres',
    url,
    entities: [...entities],
    migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logger: new PinoTypeOrmLogger(logger),
    maxQueryExecutionTime: 1000,
    applicationName: 'plangraph',
    extra: { max: poolSize, connectionTimeoutMillis: 10_000 },
  });
  setPreparedStatements(ds, options.preparedStatements ?? true);
  return ds;
}

/** Names of migrations defined in code that the database has not run yet. */
export async function pendingMigrations(ds: DataSource): Promise<string[]> {
  const rows: Array<{ name: string }> = await ds
    .query(`SELECT name FROM migrations`)
    .catch(() => [] as Array<{ name: string }>);
  const done = new Set(rows.map((r) => r.name));
  return ds.migrations.map((m) => m.name ?? m.constructor.name).filter((n) => !done.has(n));
}
