import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { seedDemo } from '../../../seeds/demo';
import { DEMO } from '../../../seeds/ids';
import { ok, startTestApp, type TestApp } from '../../support/test-app';

/**
 * The copy-paste examples of docs/api.md, "For dashboard builders" (the `sh` blocks marked
 * `<!-- runnable example -->`), run as they are by bash against a server with the demo data and a
 * READ API token, so that they cannot rot. The demo is seeded relative to the day it is loaded;
 * the examples' dates lie in the year of KPI history of a demo loaded on DASHBOARD_DEMO_DAY.
 */
const run = promisify(execFile);
const API_MD = path.resolve(__dirname, '../../../docs/api.md');

function examples(): Array<{ title: string; code: string }> {
  const doc = fs.readFileSync(API_MD, 'utf8');
  const start = doc.indexOf('\n## For dashboard builders\n');
  if (start < 0) throw new Error('docs/api.md has no section "For dashboard builders"');
  const end = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/([^\n]*)\n\n<!-- runnable example -->\n```sh\n([\s\S]*?)```/g)].map((m) => ({ title: m[1], code: m[2] }));
}

const DASHBOARD_DEMO_DAY = '2026-12-07';

let app: TestApp;
let token: string;
beforeAll(async () => {
  app = await startTestApp();
  await seedDemo(app.ds, DASHBOARD_DEMO_DAY);
  const owner = ok(await app.gql(`mutation($i: LogInInput!) { logIn(input: $i) { token } }`, { i: { email: DEMO.users.owner.email, password: DEMO.password } }))
    .logIn.token as string;
  token = ok(await app.gql(`mutation { createApiToken(input: { name: "BI 看板", scopes: [READ] }) { secret } }`, {}, { token: owner })).createApiToken
    .secret;
});
afterAll(() => app.stop());

/** Every array in `value`, however deep. */
function arrays(value: unknown): unknown[][] {
  if (Array.isArray(value)) return [value, ...value.flatMap(arrays)];
  if (value && typeof value === 'object') return Object.values(value).flatMap(arrays);
  return [];
}

describe('docs/api.md, "For dashboard builders"', () => {
  const blocks = examples();

  it('has its examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
  });

  it.each(blocks.map(({ title, code }) => [title, code] as const))('"%s" runs and answers data', async (_title, code) => {
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', code], {
      env: { ...process.env, PLANGRAPH: app.url, API_TOKEN: token },
      timeout: 30_000,
    });
    const lines = stdout.split('\n').filter((l) => l.trim());
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const value = JSON.parse(line);
      expect(value.errors).toBeUndefined();
      if ('data' in value) {
        expect(value.data).not.toBeNull();
        // Each list the example asks for has something in it: the example shows real data.
        for (const list of arrays(value.data)) expect(list.length).toBeGreaterThan(0);
      }
    }
  });

  it('the paging example reads every measurement of its KPI, page by page', async () => {
    const paging = blocks.find((b) => b.code.includes('hasNextPage'))!.code;
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', paging], { env: { ...process.env, PLANGRAPH: app.url, API_TOKEN: token } });
    const all = ok(await app.gql(`{ kpi(key: "dau") { measurements(first: 100) { totalCount } } }`, {}, { token })).kpi.measurements.totalCount;
    expect(all).toBeGreaterThan(5);
    const rows = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(all);
    expect(new Set(rows.map((r) => r.periodStart)).size).toBe(all);
  });
});
