import { orgId } from '../../common/auth';
import { defineNestedConnection, type SortKey } from '../../common/connection';
import type { Context } from '../../common/context';
import { isoToday } from '../../common/dates';
import { byKeys, defineByIdLoader, defineLoader, groupByKeys, primeAll } from '../../common/loaders';
import { queryRows, rowShape } from '../../common/rows';
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

/** An objective's active key results (archived ones leave lists and roll-ups), oldest first (at most MAX_KEY_RESULTS each); primes `keyResultById`. */
export const keyResultsByObjectiveId = defineLoader<string, KeyResult[]>('okrs.keyResultsByObjectiveId', async (ctx, ids) => {
  if (!ctx.organizationId) return ids.map(() => []);
  const shape = rowShape(ctx.manager.connection, KeyResult);
  const rows = await queryRows(
    ctx.manager,
    KeyResult,
    `SELECT ${shape.columns('k')} FROM key_results k
      WHERE k.organization_id = $1 AND k.objective_id = ANY($2::uuid[]) AND k.archived_at IS NULL
      ORDER BY k.objective_id, k.created_at, k.id`,
    [ctx.organizationId, ids],
  );
  primeAll(keyResultById(ctx), rows);
  return groupByKeys(ids, rows, (k) => k.objectiveId);
});

/** Active objectives aligned to each objective (its children), oldest first; primes `objectiveById`. */
export const childrenByParentId = defineLoader<string, Objective[]>('okrs.childrenByParentId', async (ctx, ids) => {
  if (!ctx.organizationId) return ids.map(() => []);
  const shape = rowShape(ctx.manager.connection, Objective);
  const rows = await queryRows(
    ctx.manager,
    Objective,
    `SELECT ${shape.columns('o')} FROM objectives o
      WHERE o.organization_id = $1 AND o.parent_id = ANY($2::uuid[]) AND o.archived_at IS NULL
      ORDER BY o.created_at, o.id`,
    [ctx.organizationId, ids],
  );
  primeAll(objectiveById(ctx), rows);
  return groupByKeys(ids, rows, (o) => o.parentId!);
});

/**
 * The most recent check-in of each key result: one index probe per key result
 * (`LATERAL … LIMIT 1` on check_ins (organization_id, key_result_id, created_at DESC, id DESC)),
 * however long the history. Primes `checkInById`.
 */
export const latestCheckInByKeyResultId = defineLoader<string, CheckIn>('okrs.latestCheckInByKeyResultId', async (ctx, ids) => {
  if (!ctx.organizationId) return ids.map(() => null);
  const shape = rowShape(ctx.manager.connection, CheckIn);
  const rows = await queryRows(
    ctx.manager,
    CheckIn,
    `SELECT c.* FROM unnest($2::uuid[]) AS k(id)
       CROSS JOIN LATERAL (
         SELECT ${shape.columns('c')} FROM check_ins c
          WHERE c.organization_id = $1 AND c.key_result_id = k.id
          ORDER BY c.created_at DESC, c.id DESC
          LIMIT 1) c`,
    [ctx.organizationId, ids],
  );
  primeAll(checkInById(ctx), rows);
  return byKeys(ids, rows, (c) => c.keyResultId);
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
  loaded: (ctx, rows) => primeAll(checkInById(ctx), rows),
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
  loaded: (ctx, rows) => primeAll(objectiveById(ctx), rows),
});

/** A cycle's active objectives, oldest first: batched across cycles (`Cycle.objectives`). */
export const objectivesOfCycle = defineNestedConnection<Objective>({
  name: 'okrs.objectivesOfCycle',
  query: (ctx) =>
    ctx.manager.createQueryBuilder(Objective, 'o').where('o.organization_id = :org AND o.archived_at IS NULL', { org: orgId(ctx) }),
  parent: 'o.cycle_id',
  sort: OBJECTIVE_SORT,
  loaded: (ctx, rows) => primeAll(objectiveById(ctx), rows),
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
