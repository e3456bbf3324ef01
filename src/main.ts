import 'reflect-metadata';
import { ConfigError, loadConfig, type Config } from './config';
import { createLogger } from './common/logger';
import { migrate, openDatabase } from './db/database';
import { createEventBus } from './server/event-transport';
import { startServer, type RunningServer } from './server/app';
import type { EventBus } from './server/event-bus';
import { resolveJwtSecret } from './modules/identity';
import { seedDemo } from '../seeds/demo';
import { DEMO } from '../seeds/ids';

/** start: config → database → migrations → seed → schema → HTTP + WS → drain on signal. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`plangraph: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const started = Date.now();
  const db = await openDatabase(config, logger);
  let events: EventBus | null = null;
  let server: RunningServer;
  try {
    const applied = await migrate(db.dataSource);
    if (applied.length) logger.info({ applied }, 'migrations applied');
    if (config.seedDemo && (await seedDemo(db.dataSource))) logger.info('demo organisation loaded');
    events = await createEventBus(config, db.url, logger);
    server = await startServer(
      { config, logger, db: db.dataSource, events, jwtSecret: resolveJwtSecret(config) },
      config.port,
      config.host,
    );
  } catch (err) {
    // Leave nothing running behind a failed start (the embedded PostgreSQL above all).
    await events?.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') throw new Error(`PORT ${config.port} is already in use: set PORT to a free port`);
    throw err;
  }
  const bus = events;
  logger.info({ ms: Date.now() - started, transport: bus.transport }, 'ready');
  const lines = [
    `plangraph is ready (${Date.now() - started} ms)`,
    `  GraphQL:  ${server.url}/graphql  (WebSocket: ${server.url.replace('http', 'ws')}/graphql)`,
    `  GraphiQL: ${server.url}/graphiql`,
    `  Database: ${db.embedded ? `embedded PostgreSQL on port ${db.embedded.port}, data in ${config.dataDir}` : 'DATABASE_URL'}`,
  ];
  if (config.seedDemo) lines.push(`  Demo login: ${DEMO.users.owner.email} / ${DEMO.password}`);
  process.stdout.write(`${lines.join('\n')}\n`);

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down: draining requests');
    const timer = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 15_000);
    timer.unref();
    try {
      await server.stop();
      logger.debug('http and websocket servers closed');
      await bus.close();
      await db.close();
      logger.info('stopped');
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'error while shutting down');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: Error) => {
  process.stderr.write(`plangraph: failed to start: ${err.message}\n`);
  process.exit(1);
});
