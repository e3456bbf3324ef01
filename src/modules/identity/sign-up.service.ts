import { Role, type Context } from '../../common/context';
import { badInput } from '../../common/errors';
import { actingIn, userViewer } from '../../db/system-context';
import { withTransaction } from '../../db/transaction';
import { createRecorded, recordChange } from '../audit';
import { accountExistsMail, enqueueMail, signUpMail } from '../mail';
import { reserveAccountMail, reserveSignUp } from './account-limits';
import type { SignUpInput } from './identity.inputs';
import { Member, MemberStatus } from './member.entity';
import { insertOrganization } from './organization.service';
import { hashLimited } from './passwords';
import { newSecret } from './secrets';
import { User } from './user.entity';
import { normalizeEmail, userWithSecrets } from './identity-access';

/** How long the link that finishes a sign-up works. */
export const SIGN_UP_TTL_HOURS = 48;

/**
 * Signs up, answering the same whatever the address: only the mailbox owner learns whether it
 * already had an account.
 * - A new address (or one only invited so far): the sign-up waits in `sign_ups` (the password
 *   hashed, the link's token hashed) and the address gets a link; nothing else exists until the
 *   link is opened (`completeSignUp`). A newer sign-up of the address replaces a waiting one.
 * - An address with an account: nothing changes; the address gets a mail saying someone tried
 *   to sign up with it, with a way to log in or reset the password.
 * Counted first (per client address, overall, and one such mail per address per interval), and
 * the password is hashed either way, so neither the answer nor its time tells the two apart.
 */
export async function signUp(ctx: Context, input: SignUpInput) {
  const email = normalizeEmail(input.email);
  await reserveSignUp(ctx);
  await reserveAccountMail(ctx, 'sign_up', email);
  const passwordHash = await hashLimited(ctx, input.password);
  const displayName = input.displayName.trim();
  const organizationName = input.organizationName.trim();
  await withTransaction(ctx, async (tx) => {
    const existing = await userWithSecrets(tx).where('u.email = :email', { email }).getOne();
    if (existing?.passwordHash) {
      await enqueueMail(tx, accountExistsMail(tx, email, existing.displayName));
      return;
    }
    const { secret, hash } = newSecret('pgv');
    await tx.manager.query(`DELETE FROM sign_ups WHERE email = $1 OR expires_at < now()`, [email]);
    await tx.manager.query(
      `INSERT INTO sign_ups (email, display_name, organization_name, password_hash, token_hash, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(hours => $6))`,
      [email, displayName, organizationName, passwordHash, hash, SIGN_UP_TTL_HOURS],
    );
    await enqueueMail(tx, signUpMail(tx, email, { displayName, organizationName, token: secret, validHours: SIGN_UP_TTL_HOURS }));
  });
  return { email };
}

interface SignUpRow {
  id: string;
  email: string;
  display_name: string;
  organization_name: string;
  password_hash: string;
}

/**
 * Finishes the sign-up whose link token hashes to `tokenHash`, inside the caller's transaction:
 * the user (or the invited placeholder at that address) gets the password and a verified address,
 * and an organisation they OWN is created. Returns null when no waiting sign-up has that token
 * (an expired one is gone as if it never was). The link works once: its row is deleted.
 */
export async function completeSignUp(tx: Context, tokenHash: string) {
  // Locks by token hash and by address, before any organisation exists: not `lockById`'s case
  // (a row of the caller's organisation by id); users belong to no organisation.
  const rows: SignUpRow[] = await tx.manager.query(
    `SELECT id, email, display_name, organization_name, password_hash FROM sign_ups
      WHERE token_hash = $1 AND expires_at > now() FOR UPDATE`,
    [tokenHash],
  );
  const signUp = rows[0];
  if (!signUp) return null;
  await tx.manager.query(`DELETE FROM sign_ups WHERE id = $1`, [signUp.id]);
  const existing = await userWithSecrets(tx).setLock('pessimistic_write').where('u.email = :email', { email: signUp.email }).getOne();
  if (existing?.passwordHash) {
    // The address got an account since (an invitation accepted with its link, another sign-up).
    throw badInput('This address already has an account: sign in, or reset your password', 'token');
  }
  const now = new Date();
  let user: User;
  if (existing) {
    // Invited before signing up: the placeholder without a password becomes the account.
    await tx.manager.update(User, { id: existing.id }, {
      displayName: signUp.display_name,
      passwordHash: signUp.password_hash,
      emailVerifiedAt: now,
    });
    user = await tx.manager.findOneByOrFail(User, { id: existing.id });
  } else {
    user = await tx.manager.save(
      tx.manager.create(User, {
        email: signUp.email,
        displayName: signUp.display_name,
        passwordHash: signUp.password_hash,
        emailVerifiedAt: now,
      }),
    );
    user = await tx.manager.findOneByOrFail(User, { id: user.id });
  }
  const organization = await insertOrganization(tx, signUp.organization_name);
  // Recorded in the new organisation, with its first OWNER as the actor. The organisation's
  // insert is `insertOrganization`'s (ON CONFLICT on the slug, which no kit write does): its
  // change is recorded directly.
  const inOrg = actingIn(tx, organization.id, userViewer(user.id), Role.OWNER);
  await recordChange(inOrg, { action: 'organization.created', entityType: 'Organization', entityId: organization.id, after: organization });
  await createRecorded(
    inOrg,
    Member,
    { organizationId: organization.id, userId: user.id, role: Role.OWNER, status: MemberStatus.ACTIVE },
    { action: 'member.added' },
  );
  return { user, organization };
}
