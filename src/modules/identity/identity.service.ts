import crypto from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { orgId } from '../../common/auth';
import { Role, type Context } from '../../common/context';
import { paginate, type ConnectionArgs } from '../../common/connection';
import { AppError, ErrorCode, badInput, conflict, forbidden, notFound, unauthenticated } from '../../common/errors';
import { toGlobalId } from '../../common/ids';
import { withTransaction } from '../../db/transaction';
import { recordChange } from '../audit';
import { memberById, organizationById } from './identity.loaders';
import type {
  AcceptInvitationInput,
  AddMemberInput,
  ChangeMemberRoleInput,
  LogInInput,
  RemoveMemberInput,
  SignUpInput,
} from './identity.inputs';
import { Invitation } from './invitation.entity';
import { LoginFailure } from './login-failure.entity';
import { Member, MemberStatus } from './member.entity';
import { Organization } from './organization.entity';
import { dummyHash, hashPassword, verifyPassword } from './passwords';
import { hashSecret, newSecret } from './secrets';
import { signSession } from './session-tokens';
import { User } from './user.entity';

const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;
/** Failed sign-ins allowed before each further attempt must wait (doubling, up to 15 minutes). */
const FREE_LOGIN_FAILURES = 5;
const MAX_LOGIN_DELAY_S = 15 * 60;

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

function slugBase(name: string): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/g, '');
  return ascii || 'org';
}

async function uniqueSlug(manager: EntityManager, name: string): Promise<string> {
  const base = slugBase(name);
  if (!(await manager.existsBy(Organization, { slug: base }))) return base;
  for (;;) {
    const candidate = `${base}-${crypto.randomBytes(3).toString('hex')}`;
    if (!(await manager.existsBy(Organization, { slug: candidate }))) return candidate;
  }
}

export async function signUp(ctx: Context, input: SignUpInput) {
  const email = normalizeEmail(input.email);
  const passwordHash = await hashPassword(input.password);
  const { user, organization } = await withTransaction(ctx, async (tx) => {
    if (await tx.manager.existsBy(User, { email })) {
      throw badInput('An account with this email already exists: log in instead', 'email');
    }
    const user = await tx.manager.save(
      tx.manager.create(User, { email, displayName: input.displayName.trim(), passwordHash }),
    );
    const organization = await tx.manager.save(
      tx.manager.create(Organization, {
        name: input.organizationName.trim(),
        slug: await uniqueSlug(tx.manager, input.organizationName),
      }),
    );
    const member = await tx.manager.save(
      tx.manager.create(Member, {
        organizationId: organization.id,
        userId: user.id,
        role: Role.OWNER,
        status: MemberStatus.ACTIVE,
      }),
    );
    const inOrg: Context = {
      ...tx,
      organizationId: organization.id,
      role: Role.OWNER,
      viewer: { kind: 'user', userId: user.id, apiTokenId: null, scopes: [] },
    };
    await recordChange(inOrg, { action: 'organization.created', entityType: 'Organization', entityId: organization.id, after: organization });
    await recordChange(inOrg, { action: 'member.added', entityType: 'Member', entityId: member.id, after: member });
    return { user, organization };
  });
  return { token: signSession(ctx.sessions.jwtSecret, user.id, ctx.sessions.ttlSeconds), user, organization };
}

export async function logIn(ctx: Context, input: LogInInput) {
  const email = normalizeEmail(input.email);
  const failure = await ctx.manager.findOneBy(LoginFailure, { email });
  if (failure && failure.failures >= FREE_LOGIN_FAILURES) {
    const wait = Math.min(2 ** (failure.failures - FREE_LOGIN_FAILURES), MAX_LOGIN_DELAY_S);
    const readyAt = failure.lastFailedAt.getTime() + wait * 1000;
    if (Date.now() < readyAt) {
      const retryAfterSeconds = Math.ceil((readyAt - Date.now()) / 1000);
      throw new AppError(ErrorCode.RATE_LIMITED, `Too many failed sign-ins: try again in ${retryAfterSeconds} s`, {
        retryAfterSeconds,
      });
    }
  }
  const user = await ctx.manager
    .createQueryBuilder(User, 'u')
    .addSelect('u.passwordHash')
    .where('u.email = :email', { email })
    .getOne();
  // Verify against a dummy hash when there is no such user, so timing does not tell.
  const ok = await verifyPassword(user?.passwordHash ?? (await dummyHash()), input.password);
  if (!user || !user.passwordHash || !ok) {
    await ctx.manager.query(
      `INSERT INTO login_failures (email, failures, last_failed_at) VALUES ($1, 1, now())
       ON CONFLICT (email) DO UPDATE SET
         failures = CASE WHEN login_failures.last_failed_at < now() - interval '15 minutes' THEN 1
                         ELSE login_failures.failures + 1 END,
         last_failed_at = now()`,
      [email],
    );
    throw unauthenticated('Email or password is incorrect');
  }
  if (failure) await ctx.manager.delete(LoginFailure, { email });
  const member = await ctx.manager.findOne(Member, {
    where: { userId: user.id, status: MemberStatus.ACTIVE },
    order: { createdAt: 'ASC' },
  });
  const organization = member ? await ctx.manager.findOneBy(Organization, { id: member.organizationId }) : null;
  return { token: signSession(ctx.sessions.jwtSecret, user.id, ctx.sessions.ttlSeconds), user, organization };
}

export async function currentOrganization(ctx: Context): Promise<Organization> {
  const org = await organizationById(ctx).load(orgId(ctx));
  if (!org) throw notFound('Organization');
  return org;
}

export async function listMembers(ctx: Context, organization: Organization, page: ConnectionArgs) {
  if (organization.id !== ctx.organizationId) {
    throw forbidden('Members are visible only for the organisation the request acts in (X-Organization-Id)');
  }
  const qb = ctx.manager
    .createQueryBuilder(Member, 'm')
    .where('m.organization_id = :org', { org: organization.id });
  const result = await paginate(qb, page, [
    { column: 'm.created_at', direction: 'ASC', value: (m) => m.createdAt },
    { column: 'm.id', direction: 'ASC', value: (m) => m.id },
  ]);
  for (const m of result.nodes) memberById(ctx).prime(m.id, m);
  return result;
}

/** Locks the organisation's members so that concurrent role changes see each other. */
async function lockMembers(tx: Context): Promise<Member[]> {
  return tx.manager
    .createQueryBuilder(Member, 'm')
    .setLock('pessimistic_write')
    .where('m.organization_id = :org', { org: orgId(tx) })
    .getMany();
}

function assertMayManage(ctx: Context, target: Member | null, newRole?: Role) {
  if (ctx.role === Role.ADMIN && (target?.role === Role.OWNER || newRole === Role.OWNER)) {
    throw forbidden('Only an OWNER can grant, change or remove the OWNER role');
  }
}

export async function addMember(ctx: Context, input: AddMemberInput) {
  const email = normalizeEmail(input.email);
  assertMayManage(ctx, null, input.role);
  return withTransaction(ctx, async (tx) => {
    const org = orgId(tx);
    let user = await tx.manager.findOneBy(User, { email });
    let invitationToken: string | null = null;
    let status = MemberStatus.ACTIVE;
    if (user) {
      if (await tx.manager.existsBy(Member, { organizationId: org, userId: user.id })) {
        throw conflict(`${email} is already a member of this organisation`);
      }
    } else {
      if (!input.displayName?.trim()) throw badInput('displayName is required to invite a new user', 'displayName');
      user = await tx.manager.save(tx.manager.create(User, { email, displayName: input.displayName.trim(), passwordHash: null }));
      status = MemberStatus.INVITED;
    }
    const member = await tx.manager.save(
      tx.manager.create(Member, { organizationId: org, userId: user.id, role: input.role, status }),
    );
    if (status === MemberStatus.INVITED) {
      const { secret, hash } = newSecret('pgi');
      invitationToken = secret;
      await tx.manager.insert(Invitation, {
        organizationId: org,
        memberId: member.id,
        userId: user.id,
        tokenHash: hash,
        expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
        createdBy: tx.viewer?.userId ?? null,
      });
    }
    await recordChange(tx, {
      action: 'member.added',
      entityType: 'Member',
      entityId: member.id,
      after: member,
      meta: { userId: user.id },
    });
    return { member, invitationToken };
  });
}

export async function acceptInvitation(ctx: Context, input: AcceptInvitationInput) {
  const passwordHash = await hashPassword(input.password);
  const invalid = () => badInput('This invitation is invalid, used or expired: ask for a new one', 'token');
  const result = await withTransaction(ctx, async (tx) => {
    const inv = await tx.manager
      .createQueryBuilder(Invitation, 'i')
      .setLock('pessimistic_write')
      .where('i.token_hash = :h', { h: hashSecret(input.token) })
      .getOne();
    if (!inv || inv.acceptedAt || inv.expiresAt.getTime() < Date.now()) throw invalid();
    const member = await tx.manager.findOneBy(Member, { id: inv.memberId });
    const user = await tx.manager.findOneBy(User, { id: inv.userId });
    if (!member || !user) throw invalid();
    const inOrg: Context = {
      ...tx,
      organizationId: inv.organizationId,
      role: member.role,
      viewer: { kind: 'user', userId: user.id, apiTokenId: null, scopes: [] },
    };
    await tx.manager.update(Invitation, { id: inv.id }, { acceptedAt: new Date() });
    const before = { ...member };
    member.status = MemberStatus.ACTIVE;
    await tx.manager.save(member);
    // A user who already has a password keeps it; a new one sets it now.
    const hasPassword = await tx.manager
      .createQueryBuilder(User, 'u')
      .addSelect('u.passwordHash')
      .where('u.id = :id', { id: user.id })
      .getOne();
    if (!hasPassword?.passwordHash) await tx.manager.update(User, { id: user.id }, { passwordHash });
    await recordChange(inOrg, {
      action: 'member.joined',
      entityType: 'Member',
      entityId: member.id,
      before,
      after: member,
      meta: { userId: user.id },
    });
    const organization = await tx.manager.findOneByOrFail(Organization, { id: inv.organizationId });
    return { user, organization };
  });
  return { token: signSession(ctx.sessions.jwtSecret, result.user.id, ctx.sessions.ttlSeconds), ...result };
}

/**
 * Locks the organisation's members and returns the one to change, after the checks every
 * membership change shares: it exists here, the caller may manage it, and the change does not
 * leave the organisation without an active OWNER.
 */
async function memberToChange(tx: Context, memberId: string, change: { newRole?: Role; verb: string }): Promise<Member> {
  const members = await lockMembers(tx);
  const member = members.find((m) => m.id === memberId);
  if (!member) throw notFound('Member', toGlobalId('Member', memberId));
  assertMayManage(tx, member, change.newRole);
  const losesOwner = member.role === Role.OWNER && change.newRole !== Role.OWNER;
  const activeOwners = members.filter((m) => m.role === Role.OWNER && m.status === MemberStatus.ACTIVE);
  if (losesOwner && activeOwners.length <= 1) {
    throw new AppError(ErrorCode.LAST_OWNER, `The last OWNER cannot be ${change.verb}: make someone else OWNER first`);
  }
  return member;
}

export async function changeMemberRole(ctx: Context, input: ChangeMemberRoleInput) {
  return withTransaction(ctx, async (tx) => {
    const member = await memberToChange(tx, input.memberId, { newRole: input.role, verb: 'demoted' });
    const before = { ...member };
    member.role = input.role;
    await tx.manager.save(member);
    await recordChange(tx, {
      action: 'member.role_changed',
      entityType: 'Member',
      entityId: member.id,
      before,
      after: member,
      meta: { userId: member.userId },
    });
    return { member };
  });
}

export async function removeMember(ctx: Context, input: RemoveMemberInput) {
  return withTransaction(ctx, async (tx) => {
    const member = await memberToChange(tx, input.memberId, { verb: 'removed' });
    await tx.manager.delete(Member, { id: member.id });
    await recordChange(tx, {
      action: 'member.removed',
      entityType: 'Member',
      entityId: member.id,
      before: member,
      meta: { userId: member.userId },
    });
    return { removedMemberId: input.memberId };
  });
}
