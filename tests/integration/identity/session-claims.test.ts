import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import { decodeGlobalId } from '../../../src/common/ids';
import { createOrg, type TestOrg } from '../../support/factories';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';

/**
 * A session token signed with the real secret is still refused unless it is what the server
 * issues: a session id (`jti`), an issue time not in the future (beyond a small clock skew), and
 * an expiry no further from its issue time than JWT_TTL_SECONDS. Tokens are forged here with
 * jsonwebtoken and the test secret, as someone holding the secret (or a bug) could make them.
 */

const TTL = 3600;
let app: TestApp;
let org: TestOrg;
beforeAll(async () => {
  app = await startTestApp({ env: { JWT_TTL_SECONDS: String(TTL) } });
  org = await createOrg(app);
});
afterAll(() => app.stop());

const ME = `{ viewer { user { id } } }`;
const now = () => Math.floor(Date.now() / 1000);

function forge(claims: Record<string, unknown>, options: { jti?: string | null } = {}): string {
  const jwtid = options.jti === undefined ? crypto.randomUUID() : options.jti;
  return jwt.sign(claims, process.env.JWT_SECRET!, {
    algorithm: 'HS256',
    subject: userUuid(org),
    issuer: 'plangraph',
    ...(jwtid === null ? {} : { jwtid }),
  });
}

/** The user's uuid: the `sub` of their sessions. */
const userUuid = (o: TestOrg) => decodeGlobalId(o.userId)!.id;

async function refusal(token: string): Promise<string> {
  const r = await app.gql(ME, {}, { token });
  expect(errorCode(r)).toBe('UNAUTHENTICATED');
  return r.errors![0].message;
}

describe('session token claims', () => {
  it('accepts a well-formed forged token (the forging itself works)', async () => {
    const t = now();
    ok(await app.gql(ME, {}, { token: forge({ iat: t, exp: t + TTL }) }));
    // A clock a few seconds ahead of this server's is tolerated.
    ok(await app.gql(ME, {}, { token: forge({ iat: t + 5, exp: t + 5 + TTL }) }));
  });

  it('refuses a token without a session id (jti)', async () => {
    const t = now();
    expect(await refusal(forge({ iat: t, exp: t + TTL }, { jti: null }))).toContain('sign in again');
    expect(await refusal(forge({ iat: t, exp: t + TTL }, { jti: 'not-a-uuid' }))).toContain('sign in again');
  });

  it('refuses a token issued in the future beyond the clock skew', async () => {
    const t = now() + 3600;
    expect(await refusal(forge({ iat: t, exp: t + 60 }))).toContain('sign in again');
  });

  it('refuses a token without an issue time', async () => {
    const t = now();
    expect(await refusal(jwt.sign({ exp: t + 60 }, process.env.JWT_SECRET!, { subject: userUuid(org), issuer: 'plangraph', jwtid: crypto.randomUUID(), noTimestamp: true }))).toContain(
      'sign in again',
    );
  });

  it('refuses a token living longer than JWT_TTL_SECONDS', async () => {
    const t = now();
    expect(await refusal(forge({ iat: t, exp: t + TTL + 3600 }))).toContain('sign in again');
    expect(await refusal(forge({ iat: t - 10 * TTL, exp: t + 60 }))).toContain('sign in again');
  });

  it('accepts the tokens the server issues', async () => {
    const issued = ok(await app.gql(`mutation($i: LogInInput!) { logIn(input: $i) { token } }`, { i: { email: org.email, password: 'correct horse battery' } })).logIn.token;
    const claims = jwt.decode(issued) as jwt.JwtPayload;
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(TTL);
    ok(await app.gql(ME, {}, { token: issued }));
  });
});
