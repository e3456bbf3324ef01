import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';

/**
 * Serialises re-alignments (parent changes) within an organisation for the rest of the
 * transaction: two crossing updates (O1 → O2 and O2 → O1) would each find no loop in what the
 * other has not committed yet. Under this lock the second one reads the first's parent link
 * (READ COMMITTED: every statement sees what committed before it) and is refused. The lock is
 * a transaction-level advisory lock, released at commit or rollback.
 */
export async function lockAlignments(tx: Context): Promise<void> {
  await tx.manager.query(`SELECT pg_advisory_xact_lock(hashtext('plangraph.objective-alignment'), hashtext($1))`, [orgId(tx)]);
}
