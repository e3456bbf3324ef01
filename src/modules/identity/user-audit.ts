import type { Context } from '../../common/context';
import type { Role } from '../../common/context';
import { actingIn, userViewer } from '../../db/system-context';
import { recordChange, type Change } from '../audit';

/**
 * Records a change of a user's own account (profile, password) in every organisation they are an
 * active member of, with them as the actor: each organisation's admins see it in their audit log
 * (and its change event), and nothing reaches an organisation the user is not in. Call inside the
 * mutation's transaction. A direct `recordChange`: the row written (the user's) belongs to no
 * organisation, so no kit write (which writes a row of the organisation) fits.
 */
export async function recordUserChange(tx: Context, userId: string, change: Omit<Change, 'entityType' | 'entityId'>): Promise<void> {
  const memberships: Array<{ organization_id: string; role: Role }> = await tx.manager.query(
    `SELECT organization_id, role FROM members WHERE user_id = $1 AND status = 'ACTIVE' ORDER BY organization_id`,
    [userId],
  );
  const viewer = tx.viewer?.userId === userId ? tx.viewer : userViewer(userId);
  for (const m of memberships) {
    await recordChange(actingIn(tx, m.organization_id, viewer, m.role), { ...change, entityType: 'User', entityId: userId });
  }
}
