import { createOrg, uniqueEmail } from '../../support/factories';
import { redisAnswers, TEST_REDIS_URL } from '../../support/redis';
import { errorCode, ok, startTestApp, type GqlResult, type TestApp } from '../../support/test-app';

/**
 * Log-in abuse over HTTP: attempts are counted before the password is checked (parallel guesses
 * check at most 5), the back-off grows and resets, a client address has its own limit, and an
 * attacker hammering an email from their address does not lock its owner out elsewhere.
 * Client addresses come from X-Forwarded-For (TRUST_PROXY=loopback, as behind a local proxy).
 */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({
    env: { TRUST_PROXY: 'loopback', LOGIN_MAX_FAILURES_PER_ADDRESS: '25', LOGIN_MAX_FAILURES_PER_EMAIL: '40' },
  });
});
afterAll(() => app.stop());

const PASSWORD = 'correct horse battery';
const LOG_IN = `mutation($i: LogInInput!) { logIn(input: $i) { token } }`;
// Fresh addresses per run: Redis counters (shared server) outlive a test run.
const run = `${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 256)}`;
let nextAddress = 1;
const newAddress = () => `10.${run}.${nextAddress++}`;

function logInAt(target: TestApp, email: string, password: string, address: string): Promise<GqlResult> {
  return target.gql(LOG_IN, { i: { email, password } }, {}, { 'x-forwarded-for': address });
}
const logIn = (email: string, password: string, address: string) => logInAt(app, email, password, address);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const retryAfter = (r: GqlResult) => r.errors![0].extensions!.retryAfterSeconds as number;

describe('parallel attempts', () => {
  // A first back-off step longer than any burst takes, so the counts below do not depend on
  // how fast a loaded machine answers (with 1 s, a burst spread over more than a second
  // rightly lets one more attempt through after the wait).
  let burstApp: TestApp;
  beforeAll(async () => {
    burstApp = await startTestApp({ env: { TRUST_PROXY: 'loopback', LOGIN_BACKOFF_BASE_SECONDS: '60' } });
  });
  afterAll(() => burstApp.stop());

  it('checks at most 5 of 40 parallel wrong passwords', async () => {
    const org = await createOrg(burstApp);
    const address = newAddress();
    const results = await Promise.all(Array.from({ length: 40 }, () => logInAt(burstApp, org.email, 'wrong password', address)));
    const codes = results.map(errorCode);
    expect(codes.filter((c) => c === 'UNAUTHENTICATED')).toHaveLength(5);
    expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(35);
    for (const r of results.filter((x) => errorCode(x) === 'RATE_LIMITED')) expect(retryAfter(r)).toBeGreaterThanOrEqual(1);
  });

  it('does not lock the owner out from another address while an attacker hammers their email', async () => {
    const victim = await createOrg(burstApp);
    const attacker = newAddress();
    const results = await Promise.all(Array.from({ length: 30 }, () => logInAt(burstApp, victim.email, 'guess guess', attacker)));
    expect(results.filter((r) => errorCode(r) === 'RATE_LIMITED').length).toBe(25);
    // The attacker stays refused...
    expect(errorCode(await logInAt(burstApp, victim.email, PASSWORD, attacker))).toBe('RATE_LIMITED');
    // ...while the owner signs in from home at once.
    ok(await logInAt(burstApp, victim.email, PASSWORD, newAddress()));
  });

});

describe('log-in limits', () => {
  it('makes each further attempt wait longer (1 s, 2 s, 4 s) and forgets it all after a success', async () => {
    const org = await createOrg(app);
    const address = newAddress();
    for (let i = 0; i < 5; i++) expect(errorCode(await logIn(org.email, 'wrong password', address))).toBe('UNAUTHENTICATED');
    const waits: number[] = [];
    for (let round = 0; round < 3; round++) {
      const refused = await logIn(org.email, PASSWORD, address); // even the right password waits
      expect(errorCode(refused)).toBe('RATE_LIMITED');
      waits.push(retryAfter(refused));
      await sleep(retryAfter(refused) * 1000 + 100);
      if (round < 2) expect(errorCode(await logIn(org.email, 'wrong password', address))).toBe('UNAUTHENTICATED');
    }
    expect(waits).toEqual([1, 2, 4]);
    ok(await logIn(org.email, PASSWORD, address));
    // Reset: five free attempts again.
    for (let i = 0; i < 5; i++) expect(errorCode(await logIn(org.email, 'wrong password', address))).toBe('UNAUTHENTICATED');
    expect(retryAfter(await logIn(org.email, 'wrong password', address))).toBe(1);
  });

  it('limits failures per client address whatever the email', async () => {
    const address = newAddress();
    for (let i = 0; i < 25; i++) expect(errorCode(await logIn(uniqueEmail('spray'), 'wrong password', address))).toBe('UNAUTHENTICATED');
    const org = await createOrg(app);
    const refused = await logIn(org.email, PASSWORD, address);
    expect(errorCode(refused)).toBe('RATE_LIMITED');
    expect(refused.errors![0].message).toContain('from your address');
    expect(retryAfter(refused)).toBeGreaterThan(60);
    ok(await logIn(org.email, PASSWORD, newAddress()));
  });

  it('limits failures per email across addresses, far above the per-address allowance', async () => {
    const org = await createOrg(app);
    for (let i = 0; i < 40; i++) expect(errorCode(await logIn(org.email, 'wrong password', newAddress()))).toBe('UNAUTHENTICATED');
    const refused = await logIn(org.email, PASSWORD, newAddress());
    expect(errorCode(refused)).toBe('RATE_LIMITED');
    expect(refused.errors![0].message).toContain('for this account');
  });

  it('refuses a malformed email before any password work or counting', async () => {
    for (const email of ['not an email', 'a\u0000@example.com', 'x'.repeat(300)]) {
      expect(errorCode(await logIn(email, 'whatever whatever', newAddress()))).toBe('BAD_USER_INPUT');
    }
    const [{ n }] = await app.ds.query(`SELECT count(*)::int AS n FROM rate_limits WHERE key LIKE 'login_email:not an email%'`);
    expect(n).toBe(0);
  });
});

(redisAnswers() ? describe : describe.skip)('log-in limits with REDIS_URL (counters in Redis)', () => {
  let redisApp: TestApp;
  beforeAll(async () => {
    redisApp = await startTestApp({ env: { TRUST_PROXY: 'loopback', REDIS_URL: TEST_REDIS_URL, LOGIN_BACKOFF_BASE_SECONDS: '60' } });
  });
  afterAll(() => redisApp.stop());

  it('checks at most 5 of 40 parallel wrong passwords, and lets the owner in from elsewhere', async () => {
    const org = await createOrg(redisApp);
    const address = newAddress();
    const call = (password: string, from: string) =>
      redisApp.gql(LOG_IN, { i: { email: org.email, password } }, {}, { 'x-forwarded-for': from });
    const codes = (await Promise.all(Array.from({ length: 40 }, () => call('wrong password', address)))).map(errorCode);
    expect(codes.filter((c) => c === 'UNAUTHENTICATED')).toHaveLength(5);
    expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(35);
    const [{ n }] = await redisApp.ds.query(`SELECT count(*)::int AS n FROM rate_limits`);
    expect(n).toBe(0); // the counters are in Redis
    ok(await call(PASSWORD, newAddress()));
  });
});
