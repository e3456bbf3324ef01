import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../src/common/logger';
import { freePort, startEmbeddedPostgres } from '../../src/db/embedded-postgres';
import { createTemplateDatabase } from './test-db';

/**
 * One PostgreSQL per test run: DATABASE_URL's server when set, otherwise an embedded cluster in
 * a temporary directory. A template database is built once by running every migration; each
 * test file then gets its own copy of it.
 */
export default async function globalSetup(): Promise<void> {
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'warn');
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plangraph-test-pg-'));
    fs.chmodSync(dir, 0o755);
    const cluster = await startEmbeddedPostgres({ dir: path.join(dir, 'pg'), port: await freePort(), logger, persistent: false, detached: false });
    serverUrl = cluster.url('postgres');
    (globalThis as { __PG_CLUSTER__?: unknown }).__PG_CLUSTER__ = { cluster, dir };
  }
  process.env.PLANGRAPH_TEST_SERVER_URL = serverUrl;
  process.env.PLANGRAPH_TEST_TEMPLATE = await createTemplateDatabase(serverUrl);
}
