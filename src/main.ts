import 'reflect-metadata';
import { ConfigError, loadConfig, type Config } from './config';
import { createLogger } from './common/logger';
import { migrate, openDatabase, type Database } from './db/database';
import { createEventBus } from './server/event-transport';
import { startServer, type RunningServer } from './server/app';
import { watchEventLoop } from './server/event-loop-watch';
import type { EventBus } from './server/event-bus';
import { entities } from './modules/entities';
import { closeLoginThrottle, flushTokenUsage, resolveJwtSecret } from './modules/identity';
import { startMailSender, type MailSender } from './modules/mail';
import { seedDemo } from '../seeds/demo';
import { DEMO } from '../seeds/ids';

/** As root in a private directory the cluster lives where PostgreSQL's user can reach it: say where. */
const clusterElsewhere = (clusterDir: string, dataDir: string) =>
  clusterDir === `${dataDir}/pg` ? '' : ` (cluster in ${clusterDir}, which the postgres user can reach)`;

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

  // Signals are handled from the first moment: one that arrives while starting stops the start at
  // the next step and takes down what was started (the embedded PostgreSQL above all).
  let stopSignal: string | null = null;
  let shutdown: ((signal: string) => Promise<void>) | null = null;
  const onSignal = (signal: string) => {
    if (shutdown) return void shutdown(signal);
    if (stopSignal) return;
    stopSignal = signal;
    logger.info({ signal }, 'stopping: start-up interrupted');
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  const interrupted = () => {
    if (stopSignal) throw new StartInterrupted();
  };

  let db: Database | null = null;
  let events: EventBus | null = null;
  let server: RunningServer;
  let mail: MailSender | null = null;
  try {
    db = await openDatabase(config, logger, entities);
    interrupted();
    const applied = await migrate(db.dataSource);
    if (applied.length) logger.info({ applied }, 'migrations applied');
    interrupted();
    if (config.seedDemo && (await seedDemo(db.dataSource))) logger.info('demo organisation loaded');
    interrupted();
    events = await createEventBus(config, db.url, logger);
    server = await startServer(
      { config, logger, db: db.dataSource, events, jwtSecret: resolveJwtSecret(config), health: db.health },
      config.port,
      config.host,
    );
    mail = startMailSender({ db: db.dataSource, config, logger });
    watchEventLoop(logger, config.eventLoopWarnMs);
  } catch (err) {
    // Leave nothing running behind a failed start (the embedded PostgreSQL above all).
    await mail?.stop().catch(() => undefined);
    await events?.close().catch(() => undefined);
    await db?.close().catch(() => undefined);
    if (err instanceof StartInterrupted) {
      logger.info('stopped');
      process.exit(0);
    }
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') throw new Error(`PORT ${config.port} is already in use: set PORT to a free port`);
    if (e.code === 'EACCES' && e.syscall === 'listen') throw new Error(`not allowed to listen on PORT ${config.port}: choose a port above 1023`);
    throw err;
  }
  const database = db;
  const bus = events;
  const mailer = mail!;
  let shuttingDown = false;
  shutdown = async (signal: string) => {
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
      // The delivery in progress ends (sent and marked, or left for the next start).
      await mailer.stop();
      await closeLoginThrottle(database.dataSource);
      await bus.close();
      await flushTokenUsage(database.dataSource);
      await database.close();
      logger.info('stopped');
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'error while shutting down');
      process.exit(1);
    }
  };
  if (stopSignal) return void shutdown(stopSignal);

  // From process start: loading the code is a good part of the wait.
  const ms = Math.round(process.uptime() * 1000);
  logger.info({ ms, transport: bus.transport, mail: mailer.mode }, 'ready');
  const lines = [
    `plangraph is ready (${ms} ms)`,
    `  GraphQL:  ${server.url}/graphql  (WebSocket: ${server.url.replace('http', 'ws')}/graphql)`,
    ...(config.graphiql ? [`  GraphiQL: ${server.url}/graphiql`] : []),
    `  Database: ${database.embedded ? `embedded PostgreSQL on port ${database.embedded.port}, data in ${config.dataDir}${clusterElsewhere(database.embedded.dir, config.dataDir)}` : 'DATABASE_URL'}`,
  ];
  // Never in production, even with SEED_DEMO=true: a published password has no place in a deployment's log.
  if (config.seedDemo && config.nodeEnv !== 'production') lines.push(`  Demo login: ${DEMO.users.owner.email} / ${DEMO.password}`);
  // graphql-js chose its development-mode checks from NODE_ENV when it was loaded.
  if (process.env.NODE_ENV !== 'production') lines.push('  Mode:     development (NODE_ENV=production for deployments: no graphql-js development checks)');
  process.stdout.write(`${lines.join('\n')}\n`);
}

class StartInterrupted extends Error {}

main().catch((err: unknown) => {
  // One line, never a stack trace: the message names what to change.
  const message = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim();
  process.stderr.write(`plangraph: failed to start: ${message || (err as Error).name || 'unknown error'}\n`);
  process.exit(1);
});
