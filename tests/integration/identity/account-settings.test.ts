import { addMember, createOrg } from '../../support/factories';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';

/** What users change about themselves (updateProfile) and owners about their organisation (updateOrganization). */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const PROFILE = `mutation($i: UpdateProfileInput!) { updateProfile(input: $i) { user { id displayName locale } } }`;
const ORG = `mutation($i: UpdateOrganizationInput!) { updateOrganization(input: $i) { organization { id name slug } } }`;
const AUDIT = `query($f: AuditEventsFilter) { auditEvents(filter: $f, first: 5) { nodes { action entityType entityId actor { id } before after } } }`;
const MEMBERS = `{ organization { members(first: 20) { nodes { user { id displayName locale } } } } }`;

const field = (r: { errors?: Array<{ extensions?: Record<string, any> }> }) =>
  r.errors![0].extensions!.field ?? r.errors![0].extensions!.fields?.[0]?.field;

describe('updateProfile', () => {
  it('changes the display name and locale; others see them, and each of the user’s organisations records it', async () => {
    const org = await createOrg(app);
    const member = await addMember(app, org, 'MEMBER', '旧名字');
    const other = await createOrg(app);
    const r = ok(await app.gql(PROFILE, { i: { displayName: '  李娜  ', locale: 'zh-cn' } }, member)).updateProfile;
    expect(r.user).toEqual({ id: member.userId, displayName: '李娜', locale: 'zh-CN' });
    const seen = ok(await app.gql(MEMBERS, {}, org)).organization.members.nodes.find((m: { user: { id: string } }) => m.user.id === member.userId);
    expect(seen.user).toEqual({ id: member.userId, displayName: '李娜', locale: 'zh-CN' });
    const [event] = ok(await app.gql(AUDIT, { f: { entityId: member.userId } }, org)).auditEvents.nodes;
    expect(event).toMatchObject({
      action: 'user.profile_updated',
      entityType: 'User',
      actor: { id: member.userId },
      before: { displayName: '旧名字', locale: null },
      after: { displayName: '李娜', locale: 'zh-CN' },
    });
    expect(ok(await app.gql(AUDIT, { f: { entityId: member.userId } }, other)).auditEvents.nodes).toEqual([]);

    // Only what is sent changes; null clears the locale.
    expect(ok(await app.gql(PROFILE, { i: { locale: 'en' } }, member)).updateProfile.user).toMatchObject({ displayName: '李娜', locale: 'en' });
    expect(ok(await app.gql(PROFILE, { i: { locale: null } }, member)).updateProfile.user).toMatchObject({ displayName: '李娜', locale: null });
  });

  it('refuses what is not a name or a language tag, and an empty change, naming the field', async () => {
    const org = await createOrg(app);
    for (const [input, name] of [
      [{ locale: 'not a locale!' }, 'locale'],
      [{ locale: 'x'.repeat(36) }, 'locale'],
      [{ displayName: '   ' }, 'displayName'],
      [{ displayName: 'two\nlines' }, 'displayName'],
      [{}, 'displayName'],
    ] as const) {
      const r = await app.gql(PROFILE, { i: input }, org);
      expect({ input, code: errorCode(r), field: field(r) }).toEqual({ input, code: 'BAD_USER_INPUT', field: name });
    }
  });

  it('is for signed-in users, not API tokens or anonymous callers', async () => {
    const org = await createOrg(app);
    const secret = ok(await app.gql(`mutation { createApiToken(input: { name: "bi", scopes: [READ, WRITE] }) { secret } }`, {}, org)).createApiToken.secret;
    expect(errorCode(await app.gql(PROFILE, { i: { displayName: 'Bot' } }, { token: secret }))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(PROFILE, { i: { displayName: 'Nobody' } }))).toBe('UNAUTHENTICATED');
  });
});

describe('updateOrganization', () => {
  it('lets the OWNER rename it and choose its slug; the new slug selects it, the old one no longer does', async () => {
    const org = await createOrg(app, '内容平台运营部');
    const slug = `growth-${Date.now().toString(36)}`;
    const r = ok(await app.gql(ORG, { i: { name: '用户增长部', slug } }, org)).updateOrganization.organization;
    expect(r).toEqual({ id: org.organizationId, name: '用户增长部', slug });
    const bySlug = ok(await app.gql(`{ organization { id name } }`, {}, { token: org.token, organizationId: slug }));
    expect(bySlug.organization).toEqual({ id: org.organizationId, name: '用户增长部' });
    const old = await app.gql(`{ organization { id } }`, {}, { token: org.token, organizationId: org.slug });
    expect(errorCode(old)).toBe('FORBIDDEN');
    expect(old.errors![0].message).toContain('not a member');
    const [event] = ok(await app.gql(AUDIT, { f: { entityId: org.organizationId } }, { token: org.token })).auditEvents.nodes;
    expect(event).toMatchObject({
      action: 'organization.updated',
      entityType: 'Organization',
      actor: { id: org.userId },
      before: { name: '内容平台运营部', slug: org.slug },
      after: { name: '用户增长部', slug },
    });
  });

  it('lets an ADMIN rename it but not change the slug; members, viewers and API tokens change nothing', async () => {
    const org = await createOrg(app);
    const admin = await addMember(app, org, 'ADMIN');
    const member = await addMember(app, org, 'MEMBER');
    const viewer = await addMember(app, org, 'VIEWER');
    expect(ok(await app.gql(ORG, { i: { name: 'Renamed by admin' } }, admin)).updateOrganization.organization.name).toBe('Renamed by admin');
    const slugByAdmin = await app.gql(ORG, { i: { slug: `admin-${Date.now().toString(36)}` } }, admin);
    expect(errorCode(slugByAdmin)).toBe('FORBIDDEN');
    expect(slugByAdmin.errors![0].message).toContain('Only an OWNER');
    for (const caller of [member, viewer]) expect(errorCode(await app.gql(ORG, { i: { name: 'x' } }, caller))).toBe('FORBIDDEN');
    const secret = ok(await app.gql(`mutation { createApiToken(input: { name: "w", scopes: [READ, WRITE] }) { secret } }`, {}, org)).createApiToken.secret;
    expect(errorCode(await app.gql(ORG, { i: { name: 'x' } }, { token: secret }))).toBe('FORBIDDEN');
    expect(ok(await app.gql(`{ organization { name slug } }`, {}, org)).organization).toEqual({ name: 'Renamed by admin', slug: org.slug });
  });

  it('refuses a slug that breaks the rules or is taken, with a message saying why', async () => {
    const org = await createOrg(app);
    const other = await createOrg(app);
    for (const [slug, code, message] of [
      ['Growth', 'BAD_USER_INPUT', 'slug must be lower-case (for example "growth")'],
      ['ab', 'BAD_USER_INPUT', 'slug must be 3 to 40 characters'],
      ['增长团队', 'BAD_USER_INPUT', 'slug may hold only the letters a-z, digits and hyphens'],
      ['-growth', 'BAD_USER_INPUT', 'slug must start and end with a letter or digit'],
      ['0b9f3c2e-1d4a-4e8b-9c7d-2a1b3c4d5e6f', 'BAD_USER_INPUT', 'slug must not look like an id (a UUID)'],
      [other.slug, 'CONFLICT', `The slug "${other.slug}" is taken by another organisation: choose another`],
    ]) {
      const r = await app.gql(ORG, { i: { slug } }, org);
      expect({ slug, code: errorCode(r), message: r.errors?.[0].message, field: field(r) }).toEqual({ slug, code, message, field: 'slug' });
    }
    // Its own slug again, and a name alone, are fine.
    ok(await app.gql(ORG, { i: { slug: org.slug } }, org));
    expect(errorCode(await app.gql(ORG, { i: { name: '  ' } }, org))).toBe('BAD_USER_INPUT');
    expect(errorCode(await app.gql(ORG, { i: {} }, org))).toBe('BAD_USER_INPUT');
  });

  it('gives a slug to exactly one of two owners asking for it at once', async () => {
    const [a, b] = await Promise.all([createOrg(app), createOrg(app)]);
    const slug = `race-${Date.now().toString(36)}`;
    const results = await Promise.all([a, b].map((o) => app.gql(ORG, { i: { slug } }, o)));
    expect(results.map((r) => errorCode(r) ?? 'OK').sort()).toEqual(['CONFLICT', 'OK']);
    const lost = results.find((r) => errorCode(r) === 'CONFLICT')!;
    expect(lost.errors![0].message).toBe(`The slug "${slug}" is taken by another organisation: choose another`);
  });
});
