/** Shared by the OKR services: lookups, permissions, cycle locks, roll-up checks and progress events. */
import Decimal from 'decimal.js';
import { IsNull } from 'typeorm';
import { assertCanManage } from '../../common/access';
import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { ErrorCode, badInput } from '../../common/errors';
import { RuleViolation, refuseArchived } from '../../common/rules';
import { emitAfterCommit } from '../../common/events';
import { OKRS_EVENTS } from './okrs.events';
import { requireById } from '../../common/loaders';
import { lockById, lockIds } from '../../db/locks';
import { squadById, type Squad } from '../squads';
import { Cycle, KeyResult, Objective } from './okr.entity';
import { assertSomeWeight } from './okr-rules';
import { cycleById, keyResultById, objectiveById } from './okrs.loaders';
import type { RolledUp } from './okr-progress-store';

/** Good OKRs have 3–5 key results; the list is returned whole, so it is bounded. */
export const MAX_KEY_RESULTS = 20;

export const cycleClosed = (cycle: Cycle) =>
  new RuleViolation(ErrorCode.CYCLE_CLOSED, `Cycle ${cycle.name} is closed: its objectives and key results are scored and frozen`);

// ------------------------------------------------------------------ lookups and permissions

export function requireCycle(ctx: Context, id: string): Promise<Cycle> {
  return requireById(cycleById(ctx), id, 'Cycle');
}

export function requireObjective(ctx: Context, id: string): Promise<Objective> {
  return requireById(objectiveById(ctx), id, 'Objective');
}

export function requireKeyResult(ctx: Context, id: string): Promise<KeyResult> {
  return requireById(keyResultById(ctx), id, 'KeyResult');
}

export async function squadOf(ctx: Context, objective: Objective): Promise<Squad | null> {
  return objective.squadId ? squadById(ctx).load(objective.squadId) : null;
}

/** OWNER/ADMIN manage every objective; a SQUAD_LEAD those of the squads they lead. */
export function assertManagesObjective(ctx: Context, objective: Objective, action: string): Promise<void> {
  return assertCanManage(ctx, { kind: 'objective', squadId: objective.squadId }, action);
}

/** Reads the cycle with a lock: shared for writes inside it, exclusive for closing it (NOT_FOUND when missing). */
export function lockCycle(tx: Context, cycleId: string, mode: 'SHARE' | 'UPDATE'): Promise<Cycle> {
  return lockById(tx, Cycle, cycleId, { mode });
}

/** Serialises key-result changes of one objective (their cap and weights). */
export async function lockObjective(tx: Context, objectiveId: string): Promise<void> {
  await lockIds(tx, Objective, [objectiveId]);
}

export async function openCycle(tx: Context, cycleId: string): Promise<Cycle> {
  const cycle = await lockCycle(tx, cycleId, 'SHARE');
  if (cycle.closedAt) throw cycleClosed(cycle);
  return cycle;
}

/** The objective and its ancestors (nearest first), following parent links. */
export async function alignmentChain(tx: Context, objectiveId: string): Promise<Array<{ id: string; cycleId: string }>> {
  const rows: Array<{ id: string; cycle_id: string }> = await tx.manager.query(
    `WITH RECURSIVE up(id, parent_id, cycle_id, depth) AS (
       SELECT id, parent_id, cycle_id, 0 FROM objectives WHERE id = $1 AND organization_id = $2
       UNION ALL
       SELECT o.id, o.parent_id, o.cycle_id, up.depth + 1
         FROM objectives o JOIN up ON o.id = up.parent_id
        WHERE o.organization_id = $2 AND up.depth < 100
     )
     SELECT id, cycle_id FROM up ORDER BY depth`,
    [objectiveId, orgId(tx)],
  );
  return rows.map((r) => ({ id: r.id, cycleId: r.cycle_id }));
}

/**
 * Announces (after commit) the objectives a roll-up recomputed, nearest first, from the chains
 * it already walked: no second walk. `except` leaves one out (a new objective is announced as
 * created, not as changed).
 */
export function announceProgress(tx: Context, rolledUp: RolledUp, except?: string): void {
  for (const [id, { cycleId }] of rolledUp) {
    if (id === except) continue;
    emitAfterCommit(tx, { type: OKRS_EVENTS.OBJECTIVE_PROGRESS_CHANGED, entityType: 'Objective', entityId: id, meta: { cycleId } });
  }
}

/**
 * Progress of these objectives and everything they roll up into may have changed, and nothing
 * was stored (e.g. a key result's title): walks the chains to announce them.
 */
export async function emitProgressChanged(tx: Context, objectiveIds: Array<string | null>): Promise<void> {
  const seen = new Set<string>();
  for (const start of objectiveIds) {
    if (!start) continue;
    for (const o of await alignmentChain(tx, start)) {
      if (seen.has(o.id)) continue;
      seen.add(o.id);
      emitAfterCommit(tx, { type: OKRS_EVENTS.OBJECTIVE_PROGRESS_CHANGED, entityType: 'Objective', entityId: o.id, meta: { cycleId: o.cycleId } });
    }
  }
}

/** Refuses weights that would leave `objectiveId`'s roll-up with only zero weights. */
export async function assertRollupWeights(
  tx: Context,
  objectiveId: string,
  change: { keyResultId?: string; childId?: string; weight: Decimal | null },
): Promise<void> {
  const krs = await tx.manager.find(KeyResult, { where: { objectiveId, organizationId: orgId(tx), archivedAt: IsNull() } });
  const children = await tx.manager.find(Objective, { where: { parentId: objectiveId, organizationId: orgId(tx), archivedAt: IsNull() } });
  const weights = [
    ...krs.filter((k) => k.id !== change.keyResultId).map((k) => k.weight),
    ...children.filter((c) => c.id !== change.childId).map((c) => c.weight),
    ...(change.weight ? [change.weight] : []),
  ];
  assertSomeWeight(weights);
}

/** An archived objective or key result no longer changes. */
export function assertNotArchived(row: { archivedAt: Date | null }, what: string): void {
  if (row.archivedAt) throw refuseArchived(`${what} is archived: it no longer changes`);
}

export const checkWeight = (w: Decimal | undefined) => {
  if (w && (w.isNegative() || !w.isFinite())) throw badInput('weight must be 0 or more', 'weight');
  return w;
};
