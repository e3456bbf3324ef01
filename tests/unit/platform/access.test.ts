import {
  ADMINS,
  ADMINS_AND_FINANCE,
  FINANCE_DESK,
  FINANCE_DESK_AND_LEADS,
  MANAGERS,
  MANAGERS_AND_FINANCE,
  OWNER_ONLY,
  ROLE_SETS,
  WRITERS,
  assertCanManage,
  canManage,
  hasRole,
  isAdmin,
  leadsSquad,
  manageRefusal,
  registerSquadLeadLookup,
  requireRole,
  type Managed,
} from '../../../src/common/access';
import { ADMINS as AUTH_ADMINS, WRITERS as AUTH_WRITERS, isAdmin as authIsAdmin } from '../../../src/common/auth';
import { Role, type Context } from '../../../src/common/context';
import { AppError } from '../../../src/common/errors';

/** The caller as the access rules see it: a role in the organisation and a user (nothing else is read). */
const as = (role: Role | null, userId = 'u-me'): Context =>
  ({ role, viewer: { kind: 'user', userId, apiTokenId: null, scopes: [] } }) as Partial<Context> as Context;

/** Squads of the test, as the squads module's lookup would find them; counts the lookups. */
const squads = new Map([
  ['sq-mine', { leadId: 'u-me' }],
  ['sq-other', { leadId: 'u-other' }],
]);
let lookups = 0;
registerSquadLeadLookup(async (_ctx, id) => {
  lookups += 1;
  return squads.get(id) ?? null;
});

beforeEach(() => {
  lookups = 0;
});

describe('role sets', () => {
  it('name the sets the modules use', () => {
    expect(ROLE_SETS).toEqual({
      ADMINS: ['OWNER', 'ADMIN'],
      WRITERS: ['OWNER', 'ADMIN', 'FINANCE', 'SQUAD_LEAD', 'MEMBER'],
      MANAGERS: ['OWNER', 'ADMIN', 'SQUAD_LEAD'],
      FINANCE_DESK: ['OWNER', 'FINANCE'],
      FINANCE_DESK_AND_LEADS: ['OWNER', 'FINANCE', 'SQUAD_LEAD'],
      ADMINS_AND_FINANCE: ['OWNER', 'ADMIN', 'FINANCE'],
      MANAGERS_AND_FINANCE: ['OWNER', 'ADMIN', 'FINANCE', 'SQUAD_LEAD'],
      OWNER_ONLY: ['OWNER'],
    });
    expect([ADMINS, WRITERS, MANAGERS, FINANCE_DESK, FINANCE_DESK_AND_LEADS, ADMINS_AND_FINANCE, MANAGERS_AND_FINANCE, OWNER_ONLY]).toEqual(Object.values(ROLE_SETS));
    // No set lets a VIEWER change anything.
    for (const set of Object.values(ROLE_SETS)) expect(set).not.toContain(Role.VIEWER);
    // auth.ts gives the same objects (one definition).
    expect([AUTH_ADMINS, AUTH_WRITERS, authIsAdmin]).toEqual([ADMINS, WRITERS, isAdmin]);
  });

  it('hasRole, isAdmin and requireRole read the caller’s role', () => {
    expect(hasRole(as(Role.FINANCE), FINANCE_DESK)).toBe(true);
    expect(hasRole(as(Role.ADMIN), FINANCE_DESK)).toBe(false);
    expect(hasRole(as(null), WRITERS)).toBe(false);
    expect([Role.OWNER, Role.ADMIN, Role.SQUAD_LEAD, Role.VIEWER].map((r) => isAdmin(as(r)))).toEqual([true, true, false, false]);
    expect(() => requireRole(as(Role.ADMIN), ADMINS, 'change a squad’s lead')).not.toThrow();
    const refused = (() => {
      try {
        requireRole(as(Role.SQUAD_LEAD), ADMINS, 'change a squad’s lead');
      } catch (e) {
        return e as AppError;
      }
    })();
    expect(refused).toBeInstanceOf(AppError);
    expect(refused?.message).toBe('Only OWNER/ADMIN may change a squad’s lead; you are SQUAD_LEAD');
    expect(refused?.extensions.code).toBe('FORBIDDEN');
  });
});

describe('leadsSquad and canManage', () => {
  it('a SQUAD_LEAD leads the squads whose lead they are; another role never does, even as the lead', () => {
    expect(leadsSquad(as(Role.SQUAD_LEAD), { leadId: 'u-me' })).toBe(true);
    expect(leadsSquad(as(Role.SQUAD_LEAD), { leadId: 'u-other' })).toBe(false);
    expect(leadsSquad(as(Role.MEMBER), { leadId: 'u-me' })).toBe(false);
    expect(leadsSquad(as(Role.SQUAD_LEAD), null)).toBe(false);
  });

  it('OWNER/ADMIN manage everything without a lookup; a lead only their squads’ subjects', async () => {
    const campaign = (squadId: string | null): Managed => ({ kind: 'campaign', squadId });
    expect(await canManage(as(Role.OWNER), campaign('sq-other'))).toBe(true);
    expect(await canManage(as(Role.ADMIN), campaign(null))).toBe(true);
    expect(lookups).toBe(0);
    expect(await canManage(as(Role.SQUAD_LEAD), campaign('sq-mine'))).toBe(true);
    expect(await canManage(as(Role.SQUAD_LEAD), campaign('sq-other'))).toBe(false);
    expect(await canManage(as(Role.SQUAD_LEAD), campaign('sq-gone'))).toBe(false);
    expect(await canManage(as(Role.SQUAD_LEAD), campaign(null))).toBe(false);
    expect(lookups).toBe(3);
    // A member, FINANCE or a VIEWER never manages through a squad, and costs no lookup.
    for (const role of [Role.MEMBER, Role.FINANCE, Role.VIEWER]) expect(await canManage(as(role), campaign('sq-mine'))).toBe(false);
    expect(lookups).toBe(3);
  });

  it('uses the loaded squad when given, instead of a lookup', async () => {
    expect(await canManage(as(Role.SQUAD_LEAD), { kind: 'squad', squad: { leadId: 'u-me' } })).toBe(true);
    expect(await canManage(as(Role.SQUAD_LEAD), { kind: 'squad', squad: null, squadId: 'sq-mine' })).toBe(false);
    expect(lookups).toBe(0);
  });

  it('has the finance desk variant: OWNER/FINANCE and the lead, not ADMIN', async () => {
    const budget: Managed = { kind: 'budget', squadId: 'sq-mine' };
    const opts = { managers: FINANCE_DESK };
    expect(await canManage(as(Role.FINANCE), { kind: 'budget', squadId: null }, opts)).toBe(true);
    expect(await canManage(as(Role.OWNER), budget, opts)).toBe(true);
    expect(await canManage(as(Role.ADMIN), budget, opts)).toBe(false);
    expect(await canManage(as(Role.SQUAD_LEAD), budget, opts)).toBe(true);
    await expect(assertCanManage(as(Role.ADMIN), budget, 'book expenses', opts)).rejects.toMatchObject({
      message: 'Only OWNER/FINANCE or the lead of the budget’s squad may book expenses',
      extensions: { code: 'FORBIDDEN' },
    });
  });

  it('has the owner and assignee variants', async () => {
    const keyResult: Managed = { kind: 'key result', squadId: 'sq-other', ownerId: 'u-me' };
    expect(await canManage(as(Role.MEMBER), keyResult)).toBe(true);
    expect(await canManage(as(Role.MEMBER, 'u-third'), keyResult)).toBe(false);
    const task: Managed = { kind: 'task', squadId: 'sq-other', assigneeId: 'u-me' };
    expect(await canManage(as(Role.MEMBER), task)).toBe(true);
    expect(await canManage(as(Role.MEMBER), { ...task, assigneeId: null })).toBe(false);
    // Without a viewer (a system context) nobody is the owner.
    expect(await canManage({ ...as(Role.MEMBER), viewer: null }, { kind: 'task', squadId: null, ownerId: undefined })).toBe(false);
  });

  it('says who may, in one sentence', async () => {
    expect(manageRefusal({ kind: 'campaign', squadId: 's' }, 'edit this campaign')).toBe('Only OWNER/ADMIN or the lead of the campaign’s squad may edit this campaign');
    expect(manageRefusal({ kind: 'squad', squad: { leadId: 'x' } }, 'plan sprints')).toBe('Only OWNER/ADMIN or the squad’s lead may plan sprints');
    expect(manageRefusal({ kind: 'key result', squadId: 's', ownerId: 'o' }, 'check in')).toBe('Only OWNER/ADMIN, the lead of the key result’s squad or its owner may check in');
    expect(manageRefusal({ kind: 'task', squadId: null, assigneeId: null }, 'move this task')).toBe('Only OWNER/ADMIN or its assignee may move this task');
    expect(manageRefusal({ kind: 'objective', squadId: null }, 'archive it')).toBe('Only OWNER/ADMIN may archive it');
    await expect(assertCanManage(as(Role.SQUAD_LEAD), { kind: 'campaign', squadId: 'sq-other' }, 'edit this campaign')).rejects.toBeInstanceOf(AppError);
    await expect(assertCanManage(as(Role.SQUAD_LEAD), { kind: 'campaign', squadId: 'sq-mine' }, 'edit this campaign')).resolves.toBeUndefined();
  });

  it('refuses a second, different squad lead lookup', () => {
    expect(() => registerSquadLeadLookup(async () => null)).toThrow(/already registered/);
  });
});
