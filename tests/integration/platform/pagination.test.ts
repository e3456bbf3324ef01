import { addMember, createOrg, type TestOrg } from '../../support/factories';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';

let app: TestApp;
let org: TestOrg;
let all: string[];

const PAGE = `query($first: Int, $after: String, $last: Int, $before: String) {
  organization { members(first: $first, after: $after, last: $last, before: $before) {
    totalCount edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`;

beforeAll(async () => {
  app = await startTestApp();
  org = await createOrg(app);
  for (let i = 0; i < 6; i++) await addMember(app, org, 'MEMBER', `成员 ${i}`);
  all = ok(await app.gql(PAGE, { first: 100 }, org)).organization.members.edges.map((e: any) => e.node.id);
});
afterAll(() => app.stop());

const page = async (vars: Record<string, unknown>) => ok(await app.gql(PAGE, vars, org)).organization.members;

describe('Relay connections', () => {
  it('pages forward with keyset cursors to the end', async () => {
    expect(all).toHaveLength(7);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const p: any = await page({ first: 3, after });
      seen.push(...p.edges.map((e: any) => e.node.id));
      expect(p.totalCount).toBe(7);
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    expect(seen).toEqual(all);
  });

  it('pages backward with last/before', async () => {
    const tail = await page({ last: 2 });
    expect(tail.edges.map((e: any) => e.node.id)).toEqual(all.slice(5));
    expect(tail.pageInfo.hasPreviousPage).toBe(true);
    const before = await page({ last: 3, before: tail.pageInfo.startCursor });
    expect(before.edges.map((e: any) => e.node.id)).toEqual(all.slice(2, 5));
    expect(before.pageInfo.hasNextPage).toBe(true);
  });

  it('caps first/last at 100 and rejects foreign cursors with clear errors', async () => {
    const tooMany = await app.gql(PAGE, { first: 101 }, org);
    expect(errorCode(tooMany)).toBe('BAD_USER_INPUT');
    expect(tooMany.errors![0].message).toContain('first must be between 0 and 100');
    const badCursor = await app.gql(PAGE, { first: 2, after: 'not-a-cursor' }, org);
    expect(errorCode(badCursor)).toBe('BAD_USER_INPUT');
    expect(badCursor.errors![0].message).toContain('after is not a cursor of this list');
  });
});
