import type { Context } from '../../common/context';
import type { Role } from '../../common/context';
import { recordChange, type Change } from '../audit';

/**
 * Records a change of a user's own account (profile, password) in every organisation they are an
 * active member of, with them as the actor: each organisation's admins see it in their audit log
 * (and its change event), and nothing reaches an organisation the user is not in. Call inside the
 * mutation's transaction.
 */
export async function recordUserChange(tx: Context, userId: string, change: Omit<Change, 'entityType' | 'entityId'>): Promise<void> {
  const memberships: Array<{ organization_id: string; role: Role }> = await tx.manager.query(
    `SELECT organization_id, role FROM members WHERE user_id = $1 AND status = 'ACTIVE' ORDER BY organization_id`,
    [userId],
  );
  for (const m of memberships) {
    const inOrg: Context = {
      ...tx,
      organizationId: m.organization_id,
      role: m.role,
      viewer: tx.viewer?.userId === userId ? tx.viewer : { kind: 'user', userId, apiTokenId: null, scopes: [] },
    };
    await recordChange(inOrg, { ...change, entityType: 'User', entityId: userId });
  }
}
