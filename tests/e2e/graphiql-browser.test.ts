import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { demoCalendar } from '../../seeds/calendar';
import { DEMO } from '../../seeds/ids';
import { toGlobalId } from '../../src/common/ids';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';
import { createTestDatabase } from '../support/test-db';

/**
 * GraphiQL in a real browser: Debian's Chromium (driven by playwright-core, no downloaded
 * browser) opens /graphiql of the built server, offline — every request to another host fails
 * the test — runs the demo's logIn the page opens with, puts the token in the headers editor,
 * runs the squad lead's Monday dashboard (docs/api.md) and finds its answer in the result pane.
 * Skipped only when no Chromium is installed (`.ci/run` installs the `chromium` package).
 */
jest.setTimeout(180_000);

/** CHROMIUM_PATH when set (only it), else Debian's /usr/bin/chromium (or Ubuntu's chromium-browser). */
const CANDIDATES = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
const CHROMIUM = CANDIDATES.find((p) => fs.existsSync(p));
const NO_CHROMIUM =
  `GraphiQL in a real browser: SKIPPED, no Chromium at ${CANDIDATES.join(' or ')}: ` +
  'install it with `apt-get install -y chromium` (.ci/run does) or set CHROMIUM_PATH';
if (!CHROMIUM) console.warn(NO_CHROMIUM);

const SQUAD_DASHBOARD = `query SquadDashboard($squadId: ID!, $cycleId: ID!) {
  squad(id: $squadId) {
    name
    currentSprint { name endsOn goal }
    members { function user { displayName } }
    objectives(filter: { cycleId: $cycleId }, first: 50) {
      nodes {
        title progress status version
        keyResults {
          id title unit currentValue targetValue progress confidence status version
          owner { displayName }
          latestCheckIn { value confidence note createdAt author { displayName } }
        }
      }
    }
    tasks(filter: { status: [TODO, IN_PROGRESS, BLOCKED] }, first: 50) {
      nodes { id title status dueOn quadrant assignee { displayName } keyResult { title } }
    }
  }
}
`;

/** Replaces the text of a GraphiQL editor the way a user does: focus it, select all, type. */
async function typeInto(page: Page, editor: string, text: string): Promise<void> {
  await page.locator(`${editor} .CodeMirror:visible`).first().click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
  // What the editor holds now is exactly the text (no auto-closed brackets added).
  const value = await page.locator(`${editor} .CodeMirror:visible`).first().evaluate((el) => (el as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue());
  expect(value).toBe(text);
}

/**
 * Waits until GraphiQL has taken `name` as the operation to run: its query editor holds the
 * name (set by its debounced change handler, with the React state the execute button reads)
 * and the page has rendered twice since, so the button's handler is the new one.
 */
async function operationNameIs(page: Page, name: string): Promise<void> {
  await page.waitForFunction(
    (want) => {
      const page = globalThis as unknown as { document: { querySelector(selector: string): { CodeMirror?: { operationName?: string | null } } | null } };
      return page.document.querySelector('.graphiql-query-editor .CodeMirror')?.CodeMirror?.operationName === want;
    },
    name,
    { timeout: 30_000 },
  );
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const frame = (globalThis as unknown as { requestAnimationFrame(cb: () => void): number }).requestAnimationFrame;
        frame(() => frame(() => resolve()));
      }),
  );
}

/** The JSON in the result pane once it holds something that contains `expected`. */
async function result(page: Page, expected: string): Promise<any> {
  const pane = page.locator('.graphiql-response .CodeMirror').first();
  await page.waitForFunction(
    (want) => {
      // Runs in the page (the test's TypeScript has no DOM types).
      const page = globalThis as unknown as { document: { querySelector(selector: string): { CodeMirror?: { getValue(): string } } | null } };
      const el = page.document.querySelector('.graphiql-response .CodeMirror');
      const text = el?.CodeMirror?.getValue() ?? '';
      // An answer with errors ends the wait too: the test then fails on them, not on a timeout.
      return text.includes(want) || text.includes('"errors"');
    },
    expected,
    { timeout: 30_000 },
  );
  return JSON.parse(await pane.evaluate((el) => (el as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue()));
}

(CHROMIUM ? describe : describe.skip)(CHROMIUM ? 'GraphiQL in Chromium' : NO_CHROMIUM, () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let server: SpawnedServer;
  let browser: Browser;
  const offHost: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await spawnServer({
      NODE_ENV: 'development', DATABASE_URL: db.url, HOST: '127.0.0.1', SEED_DEMO: 'true', GRAPHIQL: 'true',
      JWT_SECRET: crypto.randomBytes(32).toString('hex'),
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await db?.drop();
  });

  it('opens /graphiql offline, logs in as the demo owner, runs the squad dashboard and shows its result', async () => {
    const origin = new URL(server.url).host;
    const context = await browser.newContext();
    // Offline: anything not served by this server is refused and recorded (the test fails on it).
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.host === origin || url.protocol === 'data:' || url.protocol === 'blob:') return route.continue();
      offHost.push(route.request().url());
      return route.abort('internetdisconnected');
    });
    const page = await context.newPage();
    page.on('websocket', (ws) => {
      if (new URL(ws.url()).host !== origin) offHost.push(ws.url());
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to|Failed to load/i.test(m.text())) pageErrors.push(m.text());
    });

    const response = await page.goto(`${server.url}/graphiql`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    // Everything the page loaded came from this server (a request elsewhere, or one the page's
    // Content-Security-Policy refused, fails here).
    expect(offHost).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.locator('.graphiql-execute-button').waitFor({ timeout: 30_000 });

    // The page opens with the demo's logIn: run it and take the token from the result pane.
    await page.locator('.graphiql-execute-button').click();
    const login = await result(page, '"token"');
    expect(login.errors).toBeUndefined();
    expect(login.data.logIn.organization.slug).toBe(DEMO.organizationSlug);
    const token: string = login.data.logIn.token;

    // The token goes into the headers editor, as the page's default headers show.
    await page.getByRole('button', { name: /^headers$/i }).click();
    await typeInto(page, '.graphiql-editor-tool', JSON.stringify({ Authorization: `Bearer ${token}` }));
    await page.getByRole('button', { name: /^variables$/i }).click();
    await typeInto(page, '.graphiql-editor-tool', JSON.stringify({ squadId: toGlobalId('Squad', DEMO.plan.squadCreators), cycleId: toGlobalId('Cycle', DEMO.plan.cycleQ2) }));
    await typeInto(page, '.graphiql-query-editor', SQUAD_DASHBOARD);
    // GraphiQL reads the operation's name from the editor 100 ms after the last keystroke and
    // runs with the name it last read: a click before that sends the page's LogIn with the new
    // text (OPERATION_RESOLUTION_FAILURE). A user reads the button; the test waits for the name.
    await operationNameIs(page, 'SquadDashboard');
    await page.locator('.graphiql-execute-button').click();

    const dashboard = await result(page, '"currentSprint"');
    expect(dashboard.errors).toBeUndefined();
    const { squad } = dashboard.data;
    const month = demoCalendar().month;
    expect(squad.name).toBe('创作者增长小组');
    expect(squad.currentSprint).toMatchObject({ name: `${month.number}月：内容分发算法优化`, endsOn: month.end });
    expect(squad.objectives.nodes.map((o: { title: string }) => o.title)).toEqual(['提升用户创作活跃度']);
    expect(squad.tasks.nodes.length).toBeGreaterThan(0);
    // What the user sees: the pane shows the answer.
    expect(await page.locator('.graphiql-response').innerText()).toContain('创作者增长小组');

    expect(offHost).toEqual([]);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
