import crypto from 'node:crypto';
import { Client } from 'pg';
import { createLogger } from '../../src/common/logger';
import { createDataSource } from '../../src/db/data-source';
import { migrate } from '../../src/db/database';

function withDatabase(serverUrl: string, database: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(serverUrl: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createEmptyDatabase(serverUrl: string, prefix = 'pg_test'): Promise<{ name: string; url: string }> {
  const name = `${prefix}_${crypto.randomBytes(6).toString('hex')}`;
  await admin(serverUrl, (c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)} ENCODING 'UTF8' TEMPLATE template0`));
  return { name, url: withDatabase(serverUrl, name) };
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await admin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`));
}

/** Builds the template every test database is copied from, by running all migrations. */
export async function createTemplateDatabase(serverUrl: string): Promise<string> {
  const { name, url } = await createEmptyDatabase(serverUrl, 'pg_template');
  const ds = createDataSource(url, createLogger('warn'));
  await ds.initialize();
  try {
    await migrate(ds);
  } finally {
    await ds.destroy();
  }
  return name;
}

/** A fresh database for one test file, copied from the migrated template. */
export async function createTestDatabase(): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const serverUrl = process.env.PLANGRAPH_TEST_SERVER_URL!;
  const template = process.env.PLANGRAPH_TEST_TEMPLATE!;
  const name = `pg_test_${crypto.randomBytes(6).toString('hex')}`;
  await admin(serverUrl, (c) =>
    c.query(`CREATE DATABASE ${c.escapeIdentifier(name)} TEMPLATE ${c.escapeIdentifier(template)}`),
  );
  return { name, url: withDatabase(serverUrl, name), drop: () => dropDatabase(serverUrl, name) };
}

export { withDatabase };
