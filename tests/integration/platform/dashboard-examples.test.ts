import { seedDemo } from '../../../seeds/demo';
import { DEMO } from '../../../seeds/ids';
import { arrays, docExamples, runExample } from '../../support/doc-examples';
import { ok, startTestApp, type TestApp } from '../../support/test-app';

/**
 * The copy-paste examples of docs/api.md, "For dashboard builders" (the `sh` blocks marked
 * `<!-- runnable example -->`), run as they are by bash against a server with the demo data and a
 * READ API token, so that they cannot rot. The demo is seeded relative to the day it is loaded;
 * the examples' dates lie in the year of KPI history of a demo loaded on DASHBOARD_DEMO_DAY.
 */
const examples = () => docExamples('For dashboard builders');

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

describe('docs/api.md, "For dashboard builders"', () => {
  const blocks = examples();

  it('has its examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
  });

  it.each(blocks.map(({ title, code }) => [title, code] as const))('"%s" runs and answers data', async (_title, code) => {
    const stdout = await runExample(code, { PLANGRAPH: app.url, API_TOKEN: token });
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
    const stdout = await runExample(paging, { PLANGRAPH: app.url, API_TOKEN: token });
    const all = ok(await app.gql(`{ kpi(key: "dau") { measurements(first: 100) { totalCount } } }`, {}, { token })).kpi.measurements.totalCount;
    expect(all).toBeGreaterThan(5);
    const rows = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(all);
    expect(new Set(rows.map((r) => r.periodStart)).size).toBe(all);
  });
});
