import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { seedDemo } from '../../../seeds/demo';
import { DEMO } from '../../../seeds/ids';
import { toGlobalId } from '../../../src/common/ids';
import { arrays, docExamples, docSection, runExample } from '../../support/doc-examples';
import { ok, startTestApp, type TestApp } from '../../support/test-app';

/**
 * docs/api.md, "For finance": the month-end walk-through, run as it is, block after block in the
 * order a reader follows it, by bash against a server with the demo loaded on the day its dates
 * are written for: the log-in block gives the token, the reads answer data, the exports write
 * files that open, the close closes, and the late expense after it is refused with PERIOD_CLOSED.
 */
const FINANCE_DEMO_DAY = '2026-12-07';

let app: TestApp;
let dir: string;
let token = '';
beforeAll(async () => {
  app = await startTestApp();
  await seedDemo(app.ds, FINANCE_DEMO_DAY);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'finance-examples-'));
});
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await app.stop();
});

const lines = (stdout: string) => stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));

describe('docs/api.md, "For finance"', () => {
  const blocks = docExamples('For finance');

  it('logs in with the set-up block, as a FINANCE member', async () => {
    const setup = /```sh\n(export PLANGRAPH=[\s\S]*?)```/.exec(docSection('For finance'))![1];
    // The block's server address is the reader's; here it is the test's server.
    const stdout = await runExample(`${setup.replace('http://localhost:4000', app.url)}\necho "$TOKEN"`, {}, dir);
    token = stdout.trim();
    expect(token.length).toBeGreaterThan(20);
    const me = ok(await app.gql(`{ viewer { user { email } role } }`, {}, { token }));
    expect(me.viewer).toMatchObject({ user: { email: DEMO.users.finance.email }, role: 'FINANCE' });
  });

  it('has its steps, in order: ledger, spend, efficiency, exports, close, a refused late expense', () => {
    expect(blocks.map((b) => b.expect)).toEqual(['data', 'data', 'data', 'data', 'data', 'refused']);
  });

  it.each(blocks.map((b, i) => [i + 1, b.title, b] as const))('step %d, "%s", runs as written', async (_n, _title, block) => {
    const answers = lines(await runExample(block.code, { PLANGRAPH: app.url, TOKEN: token }, dir));
    expect(answers.length).toBeGreaterThan(0);
    for (const answer of answers) {
      if (block.expect === 'refused') {
        expect(answer.data).toBeNull();
        expect(answer.errors[0].extensions).toMatchObject({ code: 'PERIOD_CLOSED', field: 'incurredOn', closedThrough: '2026-11-30' });
        continue;
      }
      expect(answer.errors).toBeUndefined();
      if ('data' in answer) {
        // Each step is a small part of the query cost limit (a month-end review is not a budget of its own).
        expect(answer.extensions.cost.requested).toBeLessThan(answer.extensions.cost.limit / 10);
        for (const list of arrays(answer.data)) expect(list.length).toBeGreaterThan(0);
      } else {
        // An export: the status line curl prints; the file must open and hold rows.
        expect(answer.status).toBe(200);
        const file = path.join(dir, answer.file);
        if (answer.file.endsWith('.csv')) {
          const body = fs.readFileSync(file);
          expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
          expect(parse(body.subarray(3).toString('utf8'), { columns: true }).length).toBeGreaterThan(0);
        } else {
          const book = new ExcelJS.Workbook();
          await book.xlsx.readFile(file);
          expect(book.worksheets[0].rowCount).toBeGreaterThan(1);
        }
      }
    }
  });

  it('closed both quarter budgets through November, as the walk-through says', async () => {
    for (const id of [DEMO.budgets.organizationQ2, DEMO.budgets.creatorsQ2]) {
      const budget = ok(await app.gql(`query($id: ID!) { budget(id: $id) { closedThrough } }`, { id: toGlobalId('Budget', id) }, { token })).budget;
      expect(budget.closedThrough).toBe('2026-11-30');
    }
  });
});
