import { addMember, createOrg, uniqueEmail } from '../../support/factories';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';
import jwt from 'jsonwebtoken';
import { decodeGlobalId } from '../../../src/common/ids';
import { flushTokenUsage } from '../../../src/modules/identity';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const SIGN_UP = `mutation($i: SignUpInput!) { signUp(input: $i) { email } }`;
const FINISH = `mutation($i: VerifyEmailInput!) { verifyEmail(input: $i) { token user { id email displayName } organization { id name slug } } }`;
const LOG_IN = `mutation($i: LogInInput!) { logIn(input: $i) { token user { id } organization { id } } }`;
const ADD = `mutation($i: AddMemberInput!) { addMember(input: $i) { member { id role status user { id email } } } }`;
const ACCEPT = `mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { token user { id } organization { id } member { status } } }`;
const INVITATIONS = `{ viewer { invitations { id role organization { id name } invitedBy { displayName } } } }`;
const CHANGE = `mutation($i: ChangeMemberRoleInput!) { changeMemberRole(input: $i) { member { id role } } }`;
const REMOVE = `mutation($i: RemoveMemberInput!) { removeMember(input: $i) { removedMemberId } }`;
const VIEWER = `{ viewer { user { id } organization { id } role organizations { id slug } } }`;
const MEMBERS = `{ organization { members(first: 100) { nodes { id role user { email } } } } }`;
const PASSWORD = 'correct horse battery';

describe('signUp and logIn', () => {
  it('creates a user who OWNs a new organisation, with Chinese names, once the mailed link is opened', async () => {
    const email = uniqueEmail();
    expect(ok(await app.gql(SIGN_UP, { i: { email: email.toUpperCase(), password: PASSWORD, displayName: '王敏', organizationName: '内容平台运营部' } }))).toEqual({
      signUp: { email },
    });
    const mail = await app.readMail(email, 'sign_up.confirmation');
    const r = ok(await app.gql(FINISH, { i: { token: mail.token } }));
    expect(r.verifyEmail.user).toMatchObject({ email, displayName: '王敏' });
    expect(r.verifyEmail.organization.name).toBe('内容平台运营部');
    expect(r.verifyEmail.organization.slug).toMatch(/^xn--v6qu2d24k11cvs2ebwobzb(-[0-9a-f]{6})?$/);
    const v = ok(await app.gql(VIEWER, {}, { token: r.verifyEmail.token }));
    expect(v.viewer).toMatchObject({ role: 'OWNER', organization: { id: r.verifyEmail.organization.id } });
  });

  it('answers viewer fields only when asked: the caller and role cost authentication and one read', async () => {
    const org = await createOrg(app, '视图组织');
    const r = await app.gql(`{ viewer { role user { id displayName } } }`, {}, org);
    expect(ok(r).viewer).toMatchObject({ role: 'OWNER', user: { id: org.userId } });
    expect(r.statements).toBe(2);
    const all = ok(await app.gql(VIEWER, {}, org)).viewer;
    expect(all).toMatchObject({ user: { id: org.userId }, organization: { id: org.organizationId }, role: 'OWNER', organizations: [{ id: org.organizationId }] });
  });

  it('refuses invalid input with field-level messages', async () => {
    const bad = await app.gql(SIGN_UP, { i: { email: 'not-an-email', password: 'short', displayName: '', organizationName: 'y' } });
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors![0].message).toMatch(/email must be an email address.*password must be at least 10 characters/);
    expect(bad.errors![0].extensions!.fields.map((f: { field: string }) => f.field)).toEqual(
      expect.arrayContaining(['email', 'password', 'displayName']),
    );
  });

  it('logs in, and says nothing about which part was wrong', async () => {
    const org = await createOrg(app);
    const good = ok(await app.gql(LOG_IN, { i: { email: org.email, password: PASSWORD } }));
    expect(good.logIn.organization.id).toBe(org.organizationId);
    const wrongPassword = await app.gql(LOG_IN, { i: { email: org.email, password: 'nope nope nope' } });
    const unknownEmail = await app.gql(LOG_IN, { i: { email: uniqueEmail(), password: PASSWORD } });
    expect(errorCode(wrongPassword)).toBe('UNAUTHENTICATED');
    expect(wrongPassword.errors![0].message).toBe(unknownEmail.errors![0].message);
  });

  it('logs in a user who belongs to no organisation any more, with organization null', async () => {
    const org = await createOrg(app);
    const member = await addMember(app, org, 'MEMBER');
    ok(await app.gql(REMOVE, { i: { memberId: member.memberId } }, org));
    const r = ok(await app.gql(`mutation($i: LogInInput!) { logIn(input: $i) { token user { id } organization { id } } }`, { i: { email: member.email, password: PASSWORD } }));
    expect(r.logIn).toMatchObject({ user: { id: member.userId }, organization: null });
    expect(ok(await app.gql(`{ viewer { organization { id } organizations { id } } }`, {}, { token: r.logIn.token })).viewer).toEqual({ organization: null, organizations: [] });
  });

  it('rejects bad and expired session tokens with UNAUTHENTICATED', async () => {
    expect(errorCode(await app.gql(VIEWER, {}, { token: 'garbage' }))).toBe('UNAUTHENTICATED');
    const expired = jwt.sign({}, process.env.JWT_SECRET!, { subject: 'x', expiresIn: -10, issuer: 'plangraph' });
    const r = await app.gql(VIEWER, {}, { token: expired });
    expect(errorCode(r)).toBe('UNAUTHENTICATED');
    expect(r.errors![0].message).toContain('expired');
  });
});

describe('organisations and members', () => {
  it('invites by mail only: an existing user stays INVITED until they accept, a new one accepts with the link', async () => {
    const org = await createOrg(app);
    const other = await createOrg(app);
    const existing = ok(await app.gql(ADD, { i: { email: other.email, role: 'FINANCE' } }, org)).addMember;
    expect(existing.member).toMatchObject({ role: 'FINANCE', status: 'INVITED' });
    // Not a member yet: the invitee's requests cannot act in the organisation.
    expect(errorCode(await app.gql(MEMBERS, {}, { token: other.token, organizationId: org.slug }))).toBe('FORBIDDEN');
    const [inv] = ok(await app.gql(INVITATIONS, {}, other)).viewer.invitations;
    expect(inv).toMatchObject({ role: 'FINANCE', organization: { id: org.organizationId }, invitedBy: { displayName: '负责人 Owner' } });
    const joined = ok(await app.gql(ACCEPT, { i: { invitationId: inv.id } }, other)).acceptInvitation;
    expect(joined).toMatchObject({ token: null, organization: { id: org.organizationId }, member: { status: 'ACTIVE' } });
    expect(ok(await app.gql(VIEWER, {}, { token: other.token, organizationId: org.slug })).viewer.role).toBe('FINANCE');

    const email = uniqueEmail('new');
    const invited = ok(await app.gql(ADD, { i: { email, role: 'MEMBER' } }, org)).addMember;
    expect(invited.member.status).toBe('INVITED');
    const mail = await app.readMail(email, 'member.invitation');
    expect(mail.text).toContain(`/accept-invitation?token=${mail.token}`);
    expect(mail.token).toMatch(/^pgi_/);
    const accepted = ok(await app.gql(ACCEPT, { i: { token: mail.token, password: PASSWORD, displayName: '新同事' } })).acceptInvitation;
    expect(accepted.organization.id).toBe(org.organizationId);
    const again = await app.gql(ACCEPT, { i: { token: mail.token, password: PASSWORD } });
    expect(errorCode(again)).toBe('BAD_USER_INPUT');
    ok(await app.gql(LOG_IN, { i: { email, password: PASSWORD } }));
    const dup = await app.gql(ADD, { i: { email, role: 'MEMBER' } }, org);
    expect(errorCode(dup)).toBe('CONFLICT');
  });

  it('lets a user in several organisations choose one per request', async () => {
    const org = await createOrg(app);
    const other = await createOrg(app);
    ok(await app.gql(ADD, { i: { email: other.email, role: 'VIEWER' } }, org));
    const [inv] = ok(await app.gql(INVITATIONS, {}, other)).viewer.invitations;
    ok(await app.gql(ACCEPT, { i: { invitationId: inv.id } }, other));
    const noChoice = await app.gql(MEMBERS, {}, { token: other.token });
    expect(errorCode(noChoice)).toBe('FORBIDDEN');
    expect(noChoice.errors![0].message).toContain('X-Organization-Id');
    const bySlug = ok(await app.gql(VIEWER, {}, { token: other.token, organizationId: org.slug }));
    expect(bySlug.viewer).toMatchObject({ role: 'VIEWER', organization: { id: org.organizationId } });
    expect(bySlug.viewer.organizations).toHaveLength(2);
    const byUuid = ok(await app.gql(VIEWER, {}, { token: other.token, organizationId: decodeGlobalId(other.organizationId)!.id }));
    expect(byUuid.viewer.role).toBe('OWNER');
    const notMine = await app.gql(MEMBERS, {}, { token: org.token, organizationId: other.slug });
    expect(errorCode(notMine)).toBe('FORBIDDEN');
  });

  it('tells a user with one organisation that a wrong X-Organization-Id is not theirs', async () => {
    const org = await createOrg(app);
    const other = await createOrg(app);
    for (const hint of [other.slug, other.organizationId, 'no-such-organisation']) {
      const r = await app.gql(MEMBERS, {}, { token: org.token, organizationId: hint });
      expect(errorCode(r)).toBe('FORBIDDEN');
      expect(r.errors![0].message).toBe(`You are not a member of organisation "${hint}"`);
    }
    const none = await app.gql(MEMBERS, {}, { token: org.token, organizationId: other.slug });
    expect(none.errors![0].message).not.toContain('several');
  });

  it('enforces roles: members and viewers cannot manage members, admins cannot touch owners', async () => {
    const org = await createOrg(app);
    const member = await addMember(app, org, 'MEMBER');
    const viewer = await addMember(app, org, 'VIEWER');
    const admin = await addMember(app, org, 'ADMIN');
    expect(errorCode(await app.gql(ADD, { i: { email: uniqueEmail(), displayName: 'x', role: 'MEMBER' } }, member))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(ADD, { i: { email: uniqueEmail(), displayName: 'x', role: 'MEMBER' } }, viewer))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(ADD, { i: { email: uniqueEmail(), displayName: 'x', role: 'OWNER' } }, admin))).toBe('FORBIDDEN');
    ok(await app.gql(CHANGE, { i: { memberId: member.memberId, role: 'SQUAD_LEAD' } }, admin));
    const members = ok(await app.gql(MEMBERS, {}, viewer)).organization.members.nodes;
    const ownerMember = members.find((m: { role: string }) => m.role === 'OWNER');
    expect(errorCode(await app.gql(REMOVE, { i: { memberId: ownerMember.id } }, admin))).toBe('FORBIDDEN');
  });

  it('never demotes or removes the last OWNER', async () => {
    const org = await createOrg(app);
    const members = ok(await app.gql(MEMBERS, {}, org)).organization.members.nodes;
    const me = members[0];
    const demote = await app.gql(CHANGE, { i: { memberId: me.id, role: 'ADMIN' } }, org);
    expect(errorCode(demote)).toBe('LAST_OWNER');
    expect(errorCode(await app.gql(REMOVE, { i: { memberId: me.id } }, org))).toBe('LAST_OWNER');
    const second = await addMember(app, org, 'OWNER');
    ok(await app.gql(CHANGE, { i: { memberId: me.id, role: 'ADMIN' } }, org));
    expect(errorCode(await app.gql(REMOVE, { i: { memberId: second.memberId } }, second))).toBe('LAST_OWNER');
  });

  it('rejects ids of the wrong type or shape clearly', async () => {
    const org = await createOrg(app);
    const r = await app.gql(CHANGE, { i: { memberId: org.organizationId, role: 'ADMIN' } }, org);
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].message).toBe('memberId is not a valid Member id');
  });
});

describe('API tokens', () => {
  const CREATE = `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { secret apiToken { id name scopes role expiresAt } } }`;
  const REVOKE = `mutation($id: ID!) { revokeApiToken(input: { id: $id }) { apiToken { id revokedAt } } }`;

  it('shows the secret once, stores only a hash, and reads with it', async () => {
    const org = await createOrg(app);
    const created = ok(await app.gql(CREATE, { i: { name: '看板 BI', scopes: ['READ'] } }, org)).createApiToken;
    expect(created.secret).toMatch(/^pgt_/);
    expect(created.apiToken).toMatchObject({ name: '看板 BI', scopes: ['READ'], role: 'VIEWER' });
    const [row] = await app.ds.query(`SELECT token_hash FROM api_tokens WHERE id = $1`, [decodeGlobalId(created.apiToken.id)!.id]);
    expect(row.token_hash).not.toContain(created.secret);
    const listed = ok(await app.gql(`{ apiTokens { nodes { id name } } }`, {}, org)).apiTokens.nodes;
    expect(JSON.stringify(listed)).not.toContain(created.secret);
    const asToken = ok(await app.gql(`{ organization { id } viewer { role } }`, {}, { token: created.secret }));
    expect(asToken.organization.id).toBe(org.organizationId);
    expect(asToken.viewer.role).toBe('VIEWER');
  });

  it('shows the role a token acts with wherever its role is shown: the token, the viewer, the creator’s membership', async () => {
    const org = await createOrg(app);
    const admin = await addMember(app, org, 'ADMIN');
    const read = ok(await app.gql(CREATE, { i: { name: 'read', scopes: ['READ'] } }, admin)).createApiToken;
    const write = ok(await app.gql(CREATE, { i: { name: 'write', scopes: ['READ', 'WRITE'] } }, admin)).createApiToken;
    expect([read.apiToken.role, write.apiToken.role]).toEqual(['VIEWER', 'ADMIN']);
    const SEEN = `{ viewer { role user { membership { id role } } } organization { members(first: 10) { nodes { id role } } } }`;
    const seen = async (secret: string) => {
      const d = ok(await app.gql(SEEN, {}, { token: secret }));
      const listed = d.organization.members.nodes.find((m: { id: string }) => m.id === admin.memberId);
      return [d.viewer.role, d.viewer.user.membership.role, listed.role];
    };
    expect(await seen(read.secret)).toEqual(['VIEWER', 'VIEWER', 'VIEWER']);
    expect(await seen(write.secret)).toEqual(['ADMIN', 'ADMIN', 'ADMIN']);
    const TOKENS = `{ apiTokens(first: 10) { nodes { name role } } }`;
    const roles = async () =>
      Object.fromEntries(ok(await app.gql(TOKENS, {}, org)).apiTokens.nodes.map((t: { name: string; role: string | null }) => [t.name, t.role]));
    // The creator's own session still sees their real role.
    expect(ok(await app.gql(SEEN, {}, admin)).viewer.user.membership.role).toBe('ADMIN');
    // Demoted, the creator takes the WRITE token down with them; removed, their tokens act as nothing.
    ok(await app.gql(CHANGE, { i: { memberId: admin.memberId, role: 'MEMBER' } }, org));
    expect(await roles()).toEqual({ read: 'VIEWER', write: 'MEMBER' });
    expect(await seen(write.secret)).toEqual(['MEMBER', 'MEMBER', 'MEMBER']);
    ok(await app.gql(REMOVE, { i: { memberId: admin.memberId } }, org));
    expect(await roles()).toEqual({ read: null, write: null });
  });

  it('authenticate in one statement and write nothing on the request path; last use is written later in one batch', async () => {
    const org = await createOrg(app);
    const a = ok(await app.gql(CREATE, { i: { name: 'a', scopes: ['READ'] } }, org)).createApiToken;
    const b = ok(await app.gql(CREATE, { i: { name: 'b', scopes: ['READ'] } }, org)).createApiToken;
    for (const secret of [a.secret, b.secret, a.secret]) {
      const r = await app.gql(`{ __typename }`, {}, { token: secret });
      expect(r.statements).toBe(1);
    }
    expect((await app.gql(`{ __typename }`, {}, org)).statements).toBe(1);
    const lastUsed = async () =>
      (await app.ds.query(`SELECT name, last_used_at FROM api_tokens WHERE id = ANY($1) ORDER BY name`, [[a, b].map((t) => decodeGlobalId(t.apiToken.id)!.id)])).map(
        (row: { last_used_at: Date | null }) => row.last_used_at,
      );
    expect(await lastUsed()).toEqual([null, null]);
    await flushTokenUsage(app.ds);
    const [usedA, usedB] = await lastUsed();
    expect(usedA).toBeInstanceOf(Date);
    expect(usedB).toBeInstanceOf(Date);
    const listed = ok(await app.gql(`{ apiTokens { nodes { name lastUsedAt } } }`, {}, org)).apiTokens.nodes;
    expect(listed.every((t: { lastUsedAt: string | null }) => t.lastUsedAt)).toBe(true);
  });

  it('READ tokens change nothing; revoked and expired tokens are refused', async () => {
    const org = await createOrg(app);
    const member = await addMember(app, org, 'MEMBER');
    const read = ok(await app.gql(CREATE, { i: { name: 'r', scopes: ['READ'] } }, org)).createApiToken;
    const r = await app.gql(REMOVE, { i: { memberId: member.memberId } }, { token: read.secret });
    expect(errorCode(r)).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(CREATE, { i: { name: 'x', scopes: ['READ'] } }, { token: read.secret }))).toBe('FORBIDDEN');

    ok(await app.gql(REVOKE, { id: read.apiToken.id }, org));
    const revoked = await app.gql(`{ organization { id } }`, {}, { token: read.secret });
    expect(errorCode(revoked)).toBe('UNAUTHENTICATED');
    expect(revoked.errors![0].message).toContain('revoked');

    const soon = ok(await app.gql(CREATE, { i: { name: 'e', scopes: ['READ', 'WRITE'], expiresAt: new Date(Date.now() + 60_000).toISOString() } }, org)).createApiToken;
    await app.ds.query(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [decodeGlobalId(soon.apiToken.id)!.id]);
    const expired = await app.gql(`{ organization { id } }`, {}, { token: soon.secret });
    expect(errorCode(expired)).toBe('UNAUTHENTICATED');
    expect(expired.errors![0].message).toContain('expired');
    expect(errorCode(await app.gql(CREATE, { i: { name: 'p', scopes: ['READ'], expiresAt: '2000-01-01T00:00:00Z' } }, org))).toBe('BAD_USER_INPUT');
  });
});

describe('audit log', () => {
  const AUDIT = `query($f: AuditEventsFilter) { auditEvents(filter: $f, first: 10) { totalCount nodes { action entityType entityId actor { id } before after } } }`;

  it('records every mutation with before and after, readable by OWNER/ADMIN only', async () => {
    const org = await createOrg(app);
    const member = await addMember(app, org, 'MEMBER');
    ok(await app.gql(CHANGE, { i: { memberId: member.memberId, role: 'VIEWER' } }, org));
    const events = ok(await app.gql(AUDIT, { f: { entityId: member.memberId } }, org)).auditEvents;
    expect(events.nodes.map((e: { action: string }) => e.action)).toEqual(['member.role_changed', 'member.joined', 'member.added']);
    expect(events.nodes[0]).toMatchObject({ entityType: 'Member', entityId: member.memberId, actor: { id: org.userId }, before: { role: 'MEMBER' }, after: { role: 'VIEWER' } });
    expect(JSON.stringify(events)).not.toMatch(/passwordHash|tokenHash/);
    expect(errorCode(await app.gql(AUDIT, {}, member))).toBe('FORBIDDEN');
  });

  it('leaves neither change nor event when a mutation fails half-way', async () => {
    const org = await createOrg(app);
    const orgUuid = decodeGlobalId(org.organizationId)!.id;
    // Make the audit write (the last step of addMember) fail inside the transaction.
    await app.ds.query(`
      CREATE OR REPLACE FUNCTION fail_member_added() RETURNS trigger AS $$
      BEGIN IF NEW.action = 'member.added' THEN RAISE EXCEPTION 'audit store unavailable'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
      CREATE TRIGGER fail_member_added BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION fail_member_added();`);
    try {
      const [{ n: auditBefore }] = await app.ds.query(`SELECT count(*)::int n FROM audit_events WHERE organization_id = $1`, [orgUuid]);
      const email = uniqueEmail('atomic');
      const r = await app.gql(ADD, { i: { email, displayName: '原子', role: 'MEMBER' } }, org);
      expect(errorCode(r)).toBe('INTERNAL_SERVER_ERROR');
      expect(JSON.stringify(r.errors)).not.toContain('audit store unavailable');
      expect(await app.ds.query(`SELECT 1 FROM users WHERE email = $1`, [email])).toEqual([]);
      // The invitation mail was queued in the same transaction: it is gone with it.
      expect(await app.ds.query(`SELECT 1 FROM mail_outbox WHERE to_address = $1`, [email])).toEqual([]);
      expect(await app.ds.query(`SELECT 1 FROM members WHERE organization_id = $1`, [orgUuid])).toHaveLength(1);
      const [{ n: auditAfter }] = await app.ds.query(`SELECT count(*)::int n FROM audit_events WHERE organization_id = $1`, [orgUuid]);
      expect(auditAfter).toBe(auditBefore);
    } finally {
      await app.ds.query(`DROP TRIGGER fail_member_added ON audit_events; DROP FUNCTION fail_member_added();`);
    }
  });
});
