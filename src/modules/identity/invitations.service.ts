import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import type { Role } from '../../common/context';
import { badInput, conflict, forbidden, unauthenticated } from '../../common/errors';
import { toGlobalId } from '../../common/ids';
import { actingIn, userViewer } from '../../db/system-context';
import { withTransaction } from '../../db/transaction';
import { createRecorded, deleteRecorded, updateWhere } from '../audit';
import { enqueueMail, invitationMail } from '../mail';
import { assertMayManage, normalizeEmail, userWithSecrets } from './identity-access';
import type { AcceptInvitationInput, AddMemberInput, DeclineInvitationInput } from './identity.inputs';
import { Invitation } from './invitation.entity';
import { Member, MemberStatus } from './member.entity';
import { Organization } from './organization.entity';
import { hashLimited } from './passwords';
import { hashSecret, newSecret } from './secrets';
import { signSession } from './session-tokens';
import { User } from './user.entity';

// Invitations: inviting by email (addMember), the caller's open invitations, accepting and declining.

const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * Invites someone by email: the membership is INVITED until the invitee accepts (by the mailed
 * link, or signed in with a verified address). Nothing becomes ACTIVE without their act, and no
 * token is returned to the inviter.
 */
export async function addMember(ctx: Context, input: AddMemberInput) {
  const email = normalizeEmail(input.email);
  assertMayManage(ctx, null, input.role);
  return withTransaction(ctx, async (tx) => {
    const org = orgId(tx);
    let user = await userWithSecrets(tx).where('u.email = :email', { email }).getOne();
    if (user) {
      const existing = await tx.manager.findOneBy(Member, { organizationId: org, userId: user.id });
      if (existing) {
        throw conflict(
          existing.status === MemberStatus.INVITED
            ? `${email} is already invited to this organisation`
            : `${email} is already a member of this organisation`,
        );
      }
    } else {
      const displayName = input.displayName?.trim() || email.split('@')[0];
      user = await tx.manager.save(tx.manager.create(User, { email, displayName, passwordHash: null, emailVerifiedAt: null }));
    }
    const member = await createRecorded(
      tx,
      Member,
      { organizationId: org, userId: user.id, role: input.role, status: MemberStatus.INVITED },
      { action: 'member.added', meta: { userId: user.id } },
    );
    const { secret, hash } = newSecret('pgi');
    await tx.manager.insert(Invitation, {
      organizationId: org,
      memberId: member.id,
      userId: user.id,
      tokenHash: hash,
      expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
      createdBy: tx.viewer?.userId ?? null,
    });
    const organization = await tx.manager.findOneByOrFail(Organization, { id: org });
    const inviter = tx.viewer ? await tx.manager.findOneBy(User, { id: tx.viewer.userId }) : null;
    await enqueueMail(
      tx,
      invitationMail(tx, email, {
        organizationName: organization.name,
        inviterName: inviter?.displayName ?? null,
        role: input.role,
        token: secret,
        hasAccount: Boolean(user.passwordHash),
      }),
    );
    return { member };
  });
}

interface InvitationRow {
  id: string;
  organization_id: string;
  member_id: string;
  user_id: string;
  expires_at: Date;
  accepted_at: Date | null;
}

const invalidInvitation = (field = 'token') =>
  badInput('This invitation is invalid, used or expired: ask for a new one', field);

/** Invitations open for the caller (a signed-in user with a verified address; others see none). */
export async function pendingInvitations(ctx: Context) {
  if (ctx.viewer?.kind !== 'user') return [];
  const rows: Array<{
    id: string;
    role: Role;
    expires_at: Date;
    organization_id: string;
    org_name: string;
    org_slug: string;
    org_created_at: Date;
    org_updated_at: Date;
    inviter_name: string | null;
  }> = await ctx.manager.query(
    `SELECT i.id, m.role, i.expires_at, o.id AS organization_id, o.name AS org_name, o.slug AS org_slug,
            o.created_at AS org_created_at, o.updated_at AS org_updated_at, inviter.display_name AS inviter_name
       FROM invitations i
       JOIN users u ON u.id = i.user_id AND u.email_verified_at IS NOT NULL
       JOIN members m ON m.id = i.member_id AND m.status = 'INVITED'
       JOIN organizations o ON o.id = i.organization_id
       LEFT JOIN users inviter ON inviter.id = i.created_by
      WHERE i.user_id = $1 AND i.accepted_at IS NULL AND i.expires_at > now()
      ORDER BY i.created_at DESC, i.id`,
    [ctx.viewer.userId],
  );
  return rows.map((r) => ({
    id: toGlobalId('Invitation', r.id),
    role: r.role,
    expiresAt: r.expires_at,
    organization: Object.assign(new Organization(), {
      id: r.organization_id,
      name: r.org_name,
      slug: r.org_slug,
      createdAt: r.org_created_at,
      updatedAt: r.org_updated_at,
    }),
    invitedBy: r.inviter_name === null ? null : { displayName: r.inviter_name },
  }));
}

/** Makes the invited membership ACTIVE and records it (inside the caller's transaction). */
async function join(tx: Context, inv: InvitationRow) {
  const current = await tx.manager.findOneBy(Member, { id: inv.member_id });
  if (!current || current.status !== MemberStatus.INVITED) throw invalidInvitation();
  await tx.manager.query(`UPDATE invitations SET accepted_at = now() WHERE id = $1`, [inv.id]);
  // Recorded in the invitation's organisation, with the invitee as the actor.
  const inOrg = actingIn(tx, inv.organization_id, userViewer(inv.user_id), current.role);
  return updateWhere(inOrg, Member, current, (param) => `status = ${param(MemberStatus.INVITED)}`, { status: MemberStatus.ACTIVE }, {
    action: 'member.joined',
    meta: { userId: inv.user_id },
    unmet: () => invalidInvitation(),
  });
}

/**
 * Locks an invitation by token hash or id, for an invitee who does not act in its organisation yet:
 * not `lockById`'s case (a row of the caller's organisation).
 */
async function lockInvitation(tx: Context, where: { tokenHash?: string; id?: string }): Promise<InvitationRow | null> {
  const rows: InvitationRow[] = await tx.manager.query(
    `SELECT id, organization_id, member_id, user_id, expires_at, accepted_at FROM invitations
      WHERE ${where.tokenHash ? 'token_hash = $1' : 'id = $1'} FOR UPDATE`,
    [where.tokenHash ?? where.id],
  );
  const inv = rows[0];
  return inv && !inv.accepted_at && inv.expires_at.getTime() > Date.now() ? inv : null;
}

/** A signed-in user with a verified address, or FORBIDDEN/UNAUTHENTICATED. */
async function verifiedCaller(tx: Context): Promise<User> {
  if (tx.viewer?.kind !== 'user') throw unauthenticated('Sign in to accept or decline an invitation by its id');
  const user = await tx.manager.findOneBy(User, { id: tx.viewer.userId });
  if (!user) throw unauthenticated('The account of this session no longer exists');
  if (!user.emailVerifiedAt) {
    throw forbidden('Verify your email address first (see the mail we sent, or resendVerificationEmail): invitations are for the mailbox owner');
  }
  return user;
}

/**
 * Accepts an invitation, either
 * - with `invitationId`, signed in with a verified address (`viewer.invitations`), or
 * - with the mailed `token`: proof of the mailbox. Signed in as the invitee, it simply joins (and
 *   marks the address verified). Otherwise, for an address without a verified account, the
 *   invitee sets `password` (and `displayName`); an unverified account at that address (possibly
 *   registered by someone else) is taken over by the mailbox owner: its password is replaced, the
 *   address marked verified, every earlier session and API token ended. A verified account
 *   signs in first.
 */
export async function acceptInvitation(ctx: Context, input: AcceptInvitationInput) {
  if (Boolean(input.token) === Boolean(input.invitationId)) {
    throw badInput('Send either token (from the invitation mail) or invitationId (signed in), not both', input.token ? 'invitationId' : 'token');
  }
  if (input.invitationId) {
    const id = input.invitationId;
    const result = await withTransaction(ctx, async (tx) => {
      const user = await verifiedCaller(tx);
      const inv = await lockInvitation(tx, { id });
      if (!inv || inv.user_id !== user.id) throw invalidInvitation('invitationId');
      const member = await join(tx, inv);
      const organization = await tx.manager.findOneByOrFail(Organization, { id: inv.organization_id });
      return { user, organization, member };
    });
    return { token: null, ...result };
  }
  const result = await withTransaction(ctx, async (tx) => {
    const inv = await lockInvitation(tx, { tokenHash: hashSecret(input.token!) });
    if (!inv) throw invalidInvitation();
    const user = await userWithSecrets(tx).setLock('pessimistic_write').where('u.id = :id', { id: inv.user_id }).getOne();
    if (!user) throw invalidInvitation();
    const signedInAsInvitee = tx.viewer?.kind === 'user' && tx.viewer.userId === user.id;
    if (signedInAsInvitee && user.passwordHash) {
      // The session proves the password, the link the mailbox: nothing to reset.
      if (!user.emailVerifiedAt) await tx.manager.update(User, { id: user.id }, { emailVerifiedAt: new Date() });
      const member = await join(tx, inv);
      const organization = await tx.manager.findOneByOrFail(Organization, { id: inv.organization_id });
      const fresh = await tx.manager.findOneByOrFail(User, { id: user.id });
      return { user: fresh, organization, member, issuedAt: null };
    }
    if (user.emailVerifiedAt && user.passwordHash) {
      // The link never sets the password of a verified account.
      throw badInput('This address already has an account: sign in and accept the invitation from your invitations', 'token');
    }
    if (!input.password) throw badInput('password is required to accept this invitation', 'password');
    const passwordHash = await hashLimited(tx, input.password);
    const now = new Date();
    const changes: Partial<User> = { passwordHash, emailVerifiedAt: user.emailVerifiedAt ?? now, sessionsValidAfter: now };
    if (input.displayName?.trim()) changes.displayName = input.displayName.trim();
    await tx.manager.update(User, { id: user.id }, changes);
    if (user.passwordHash) {
      // An unverified account with a password: whoever registered it loses it, API tokens included.
      await tx.manager.query(`UPDATE api_tokens SET revoked_at = now() WHERE created_by = $1 AND revoked_at IS NULL`, [user.id]);
    }
    const member = await join(tx, inv);
    const organization = await tx.manager.findOneByOrFail(Organization, { id: inv.organization_id });
    const fresh = await tx.manager.findOneByOrFail(User, { id: user.id });
    return { user: fresh, organization, member, issuedAt: now };
  });
  const { issuedAt, ...rest } = result;
  return {
    token: issuedAt ? signSession(ctx.sessions.jwtSecret, rest.user.id, ctx.sessions.ttlSeconds, issuedAt) : null,
    ...rest,
  };
}

/** Declines an invitation: the INVITED membership (and the invitation) are deleted. */
export async function declineInvitation(ctx: Context, input: DeclineInvitationInput) {
  const id = input.invitationId;
  return withTransaction(ctx, async (tx) => {
    const user = await verifiedCaller(tx);
    const inv = await lockInvitation(tx, { id });
    if (!inv || inv.user_id !== user.id) throw invalidInvitation('invitationId');
    const member = await tx.manager.findOneBy(Member, { id: inv.member_id });
    if (!member || member.status !== MemberStatus.INVITED) throw invalidInvitation('invitationId');
    // Recorded in the invitation's organisation, with the invitee (not a member) as the actor.
    const inOrg = actingIn(tx, inv.organization_id, userViewer(user.id), null);
    await deleteRecorded(inOrg, Member, member, { action: 'member.declined', meta: { userId: user.id } });
    return { declinedInvitationId: toGlobalId('Invitation', id) };
  });
}

