import { addMember, createOrg, type TestOrg } from '../../support/factories';
import { ok, startTestApp, type TestApp } from '../../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const MEMBERS = /* GraphQL */ `
  query Members {
    organization {
      name
      members(first: 100) {
        totalCount
        edges { cursor node { id role status createdAt user { id email displayName membership { role } } } }
      }
    }
  }
`;

/** Inserts members straight into the database (fast), as if added through addMember. */
async function addMembersDirect(org: TestOrg, count: number): Promise<void> {
  const { organizationId } = org;
  const [{ id: orgUuid }] = await app.ds.query(`SELECT organization_id AS id FROM members m JOIN users u ON u.id = m.user_id WHERE u.email = $1`, [org.email]);
  void organizationId;
  await app.ds.query(
    `WITH u AS (
       INSERT INTO users (email, display_name)
       SELECT 'bulk-' || md5(random()::text) || '@example.test', '成员 ' || g FROM generate_series(1, $1) g
       RETURNING id)
     INSERT INTO members (organization_id, user_id, role) SELECT $2, id, 'MEMBER' FROM u`,
    [count, orgUuid],
  );
}

/**
 * Statements a request may cost beyond the small list's: loader batches go out when the event
 * loop turns, so a load may or may not find its row primed by another branch. What must not
 * happen is growth with the number of items.
 */
const MARGIN = 2;

describe('statement count of a nested list query', () => {
  it('does not grow from 10 to 100 members (no N+1)', async () => {
    const small = await createOrg(app, 'Small');
    const large = await createOrg(app, 'Large');
    await addMembersDirect(small, 9);
    await addMembersDirect(large, 99);

    const s = await app.gql(MEMBERS, {}, small);
    const l = await app.gql(MEMBERS, {}, large);
    expect(ok(s).organization.members.edges).toHaveLength(10);
    expect(ok(l).organization.members.edges).toHaveLength(100);
    expect(ok(l).organization.members.totalCount).toBe(100);
    expect(s.statements).toBeGreaterThan(0);
    expect(l.statements).toBeLessThanOrEqual(s.statements + MARGIN);
  });

  it('also holds for members added through the API', async () => {
    const org = await createOrg(app, 'Via API');
    const before = await app.gql(MEMBERS, {}, org);
    await addMember(app, org, 'MEMBER');
    await addMember(app, org, 'VIEWER');
    const after = await app.gql(MEMBERS, {}, org);
    expect(ok(after).organization.members.edges).toHaveLength(3);
    expect(after.statements).toBeLessThanOrEqual(before.statements + MARGIN);
  });
});
