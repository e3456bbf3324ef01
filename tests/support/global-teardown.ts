import fs from 'node:fs';
import { dropDatabase } from './test-db';

export default async function globalTeardown(): Promise<void> {
  const serverUrl = process.env.PLANGRAPH_TEST_SERVER_URL;
  if (serverUrl && process.env.PLANGRAPH_TEST_TEMPLATE) {
    await dropDatabase(serverUrl, process.env.PLANGRAPH_TEST_TEMPLATE).catch(() => undefined);
  }
  const g = globalThis as { __PG_CLUSTER__?: { cluster: { stop(): Promise<void> }; dir: string } };
  if (g.__PG_CLUSTER__) {
    await g.__PG_CLUSTER__.cluster.stop();
    fs.rmSync(g.__PG_CLUSTER__.dir, { recursive: true, force: true });
  }
}
