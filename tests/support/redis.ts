import { spawnSync } from 'node:child_process';

/** Where tests look for a Redis server (none is needed: Redis cases skip when it does not answer). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Whether a Redis server answers PING at `url`. Synchronous (a short child process), because
 * jest decides between `describe` and `describe.skip` while collecting tests.
 */
export function redisAnswers(url = TEST_REDIS_URL, timeoutMs = 2000): boolean {
  const { hostname, port } = new URL(url);
  const script = `
    const s = require('net').connect(${Number(port) || 6379}, ${JSON.stringify(hostname)});
    s.setTimeout(${timeoutMs}, () => process.exit(1));
    s.on('error', () => process.exit(1));
    s.on('connect', () => s.write('PING\\r\\n'));
    s.on('data', (d) => process.exit(String(d).startsWith('+PONG') ? 0 : 1));`;
  const r = spawnSync(process.execPath, ['-e', script], { timeout: timeoutMs + 1000, stdio: 'ignore' });
  return r.status === 0;
}
