import { addMember, createOrg } from '../../support/factories';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';

/** An organisation holds at most API_TOKENS_MAX_PER_ORGANIZATION active API tokens (here 3). */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { API_TOKENS_MAX_PER_ORGANIZATION: '3' } });
});
afterAll(() => app.stop());

const CREATE = `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { apiToken { id } } }`;
const REVOKE = `mutation($id: ID!) { revokeApiToken(input: { id: $id }) { apiToken { id } } }`;

it('refuses a token over the cap with TOO_MANY_API_TOKENS, counting every admin’s active tokens; revoked and expired ones free their place', async () => {
  const org = await createOrg(app);
  const admin = await addMember(app, org, 'ADMIN', '管理员');
  const create = (as: typeof org | typeof admin, name: string, expiresAt?: string) => app.gql(CREATE, { i: { name, scopes: ['READ'], ...(expiresAt ? { expiresAt } : {}) } }, as);

  const first = ok(await create(org, '看板 1')).createApiToken.apiToken.id;
  ok(await create(admin, '看板 2'));
  const soon = new Date(Date.now() + 1500).toISOString();
  ok(await create(org, '看板 3', soon));
  for (const as of [org, admin]) {
    const refused = await create(as, '看板 4');
    expect(errorCode(refused)).toBe('TOO_MANY_API_TOKENS');
    expect(refused.errors![0].message).toMatch(/at most 3 .*API_TOKENS_MAX_PER_ORGANIZATION.*revoke/);
    expect(refused.errors![0].extensions).toMatchObject({ max: 3 });
  }
  // Another organisation has its own count.
  ok(await create(await createOrg(app), '别的组织'));
  // A revoked token frees its place.
  ok(await app.gql(REVOKE, { id: first }, org));
  ok(await create(admin, '看板 4'));
  expect(errorCode(await create(org, '看板 5'))).toBe('TOO_MANY_API_TOKENS');
  // So does an expired one.
  await new Promise((r) => setTimeout(r, 1600));
  ok(await create(org, '看板 5'));
  const { totalCount } = ok(await app.gql(`{ apiTokens(first: 10) { totalCount } }`, {}, org)).apiTokens;
  expect(totalCount).toBe(5);
});

it('counts tokens created at the same time against each other', async () => {
  const org = await createOrg(app);
  const results = await Promise.all(Array.from({ length: 6 }, (_, i) => app.gql(CREATE, { i: { name: `并发 ${i}`, scopes: ['READ'] } }, org)));
  expect(results.filter((r) => !r.errors).length).toBe(3);
  expect(results.filter((r) => errorCode(r) === 'TOO_MANY_API_TOKENS').length).toBe(3);
});
