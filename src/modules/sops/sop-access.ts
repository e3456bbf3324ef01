import { assertCanManage } from '../../common/access';
import type { Context } from '../../common/context';
import { primeById } from '../../common/loaders';
import type { SqlCondition } from '../../common/rows';
import { updateRowWhere } from '../../db/conditional-update';
import { lockById, type LockMode } from '../../db/locks';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { assertSopAllows, type SopAction } from './sop-rules';
import { Sop, SopVersion } from './sops.entity';

/*
 * What the SOP services share: locking an SOP, who may change it, which life-cycle
 * step its state allows, and the (unaudited) change of one of its versions.
 */

/** The routing facts of an SOP's events. */
export const sopMeta = (s: Sop) => ({ sopId: s.id, ownerId: s.ownerId });

/**
 * Reads the SOP with a row lock, so that two life-cycle changes of one SOP (approve and reject,
 * two edits) queue and each sees the other's result (`SHARE`: a change that only needs the SOP
 * to stay as it is, an acknowledgement). An id the organisation does not have: NOT_FOUND naming `sopId`.
 */
export const lockSop = (tx: Context, id: string, mode: LockMode = 'UPDATE'): Promise<Sop> => lockById(tx, Sop, id, { mode, field: 'sopId' });

/** Changes a version of the SOP (not audited by itself: the SOP's change that goes with it is) and primes its loader. */
export async function updateVersion(tx: Context, id: string, condition: SqlCondition<Context> | null, set: QueryDeepPartialEntity<SopVersion>): Promise<SopVersion | null> {
  const row = await updateRowWhere(tx, SopVersion, id, condition, set);
  if (row) primeById(tx, SopVersion, [row], { replace: true });
  return row;
}

export const assertAllowed = (sop: Sop, action: SopAction) => assertSopAllows({ status: sop.status, hasCurrentVersion: sop.currentVersionId !== null }, action);

/** OWNER/ADMIN, or the SOP's owner (the kit's `canManage`). */
export const assertOwnsSop = (ctx: Context, sop: Sop, action: string) => assertCanManage(ctx, { kind: 'SOP', ownerId: sop.ownerId }, action);
