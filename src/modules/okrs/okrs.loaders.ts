import { orgId } from '../../common/auth';
import { defineNestedConnection, type SortKey } from '../../common/connection';
import type { Context } from '../../common/context';
import { isoToday } from '../../common/dates';
import { defineByIdLoader, defineChildLoader, defineLatestLoader, defineLoader } from '../../common/loaders';
import { CheckIn, Cycle, KeyResult, Objective } from './okr.entity';
import {
  elapsedShare,
  keyResultProgress,
  keyResultStatus,
} from './okr-rules';
import { rollUpObjectives, type Evaluation } from './rollup';

export type { Evaluation } from './rollup';

export const cycleById = defineByIdLoader(Cycle, 'Cycle');
export const objectiveById = defineByIdLoader(Objective, 'Objective');
export const keyResultById = defineByIdLoader(KeyResult, 'KeyResult');
export const checkInById = defineByIdLoader(CheckIn, 'CheckIn');

/** An objective's active key results (archived ones leave lists and roll-ups), oldest first (at most MAX_KEY_RESULTS exist); primes `keyResultById`. */
export const keyResultsByObjectiveId = defineChildLoader({
  name: 'okrs.keyResultsByObjectiveId',
  entity: KeyResult,
  parentColumn: 'objective_id',
  parentOf: (k) => k.objectiveId,
  orderBy: 'c.created_at, c.id',
  where: 'c.archived_at IS NULL',
});

/** Active objectives aligned to each objective (its children), oldest first; primes `objectiveById`. */
export const childrenByParentId = defineChildLoader({
  name: 'okrs.childrenByParentId',
  entity: Objective,
  parentColumn: 'parent_id',
  parentOf: (o) => o.parentId!,
  orderBy: 'c.created_at, c.id',
  where: 'c.archived_at IS NULL',
});

/**
 * The most recent check-in of each key result: one index probe per key result
 * (`LATERAL … LIMIT 1` on check_ins (organization_id, key_result_id, created_at DESC, id DESC)),
 * however long the history. Primes `checkInById`.
 */
export const latestCheckInByKeyResultId = defineLatestLoader({
  name: 'okrs.latestCheckInByKeyResultId',
  entity: CheckIn,
  keyColumn: 'key_result_id',
  orderBy: 'c.created_at DESC, c.id DESC',
});

/** A key result's check-in history, newest first: batched across key results (`KeyResult.checkIns`). */
export const checkInsOfKeyResult = defineNestedConnection<CheckIn>({
  name: 'okrs.checkInsOfKeyResult',
  query: (ctx) => ctx.manager.createQueryBuilder(CheckIn, 'c').where('c.organization_id = :org', { org: orgId(ctx) }),
  parent: 'c.key_result_id',
  sort: [
    { column: 'c.created_at', direction: 'DESC', value: (c) => c.createdAt },
    { column: 'c.id', direction: 'DESC', value: (c) => c.id },
  ],
});

const OBJECTIVE_SORT: SortKey<Objective>[] = [
  { column: 'o.created_at', direction: 'ASC', value: (o) => o.createdAt },
  { column: 'o.id', direction: 'ASC', value: (o) => o.id },
];

/** A squad's active objectives, oldest first, optionally of one cycle (uuid): batched across squads (`Squad.objectives`). */
export const objectivesOfSquad = defineNestedConnection<Objective, { cycleId?: string }>({
  name: 'okrs.objectivesOfSquad',
  query: (ctx, filter) => {
    const qb = ctx.manager
      .createQueryBuilder(Objective, 'o')
      .where('o.organization_id = :org AND o.archived_at IS NULL', { org: orgId(ctx) });
    if (filter?.cycleId) qb.andWhere('o.cycle_id = :cycle', { cycle: filter.cycleId });
    return qb;
  },
  parent: 'o.squad_id',
  sort: OBJECTIVE_SORT,
});

/** A cycle's active objectives, oldest first: batched across cycles (`Cycle.objectives`). */
export const objectivesOfCycle = defineNestedConnection<Objective>({
  name: 'okrs.objectivesOfCycle',
  query: (ctx) =>
    ctx.manager.createQueryBuilder(Objective, 'o').where('o.organization_id = :org AND o.archived_at IS NULL', { org: orgId(ctx) }),
  parent: 'o.cycle_id',
  sort: OBJECTIVE_SORT,
});

/** A key result's progress, status and score, given its cycle. */
export function evaluateKeyResult(kr: KeyResult, cycle: Cycle | null, today = isoToday()): Evaluation {
  const progress = keyResultProgress(kr, kr.currentValue);
  const elapsed = cycle ? elapsedShare(cycle.startsOn, cycle.endsOn, today) : 0;
  return { progress, status: keyResultStatus({ confidence: kr.confidence, progress, elapsed }), score: kr.score };
}

export async function keyResultEvaluation(ctx: Context, kr: KeyResult): Promise<Evaluation> {
  return evaluateKeyResult(kr, await cycleById(ctx).load(kr.cycleId));
}

/**
 * Each objective's roll-up (see rollUpObjectives): its subtree is read through the loaders
 * above, one batch per level, and evaluated in memory; a loop gives ALIGNMENT_LOOP.
 */
export const objectiveRollup = defineLoader<string, Evaluation>('okrs.objectiveRollup', (ctx, ids) =>
  rollUpObjectives(
    {
      objectives: (keys) => objectiveById(ctx).loadMany(keys),
      children: (keys) => childrenByParentId(ctx).loadMany(keys) as Promise<Array<Objective[] | Error>>,
      keyResults: (keys) => keyResultsByObjectiveId(ctx).loadMany(keys) as Promise<Array<KeyResult[] | Error>>,
      cycles: (keys) => cycleById(ctx).loadMany(keys),
      evaluateKeyResult,
    },
    ids,
    isoToday(),
  ),
);
