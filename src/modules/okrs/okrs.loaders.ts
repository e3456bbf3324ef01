import { In, IsNull } from 'typeorm';
import type { Context } from '../../common/context';
import { isoToday } from '../../common/dates';
import { byKeys, defineLoader, groupByKeys } from '../../common/loaders';
import { CheckIn, Cycle, KeyResult, Objective } from './okr.entity';
import {
  elapsedShare,
  keyResultProgress,
  keyResultStatus,
} from './okr-rules';
import { rollUpObjectives, type Evaluation } from './rollup';

export type { Evaluation } from './rollup';

export const cycleById = defineLoader<string, Cycle>('okrs.cycleById', async (ctx, ids) => {
  if (!ctx.organizationId) return ids.map(() => null);
  const rows = await ctx.manager.find(Cycle, { where: { id: In([...ids]), organizationId: ctx.organizationId } });
  return byKeys(ids, rows, (c) => c.id);
});

export const objectiveById = defineLoader<string, Objective>('okrs.objectiveById', async (ctx, ids) => {
  if (!ctx.organizationId) return ids.map(() => null);
  const rows = await ctx.manager.find(Objective, { where: { id: In([...ids]), organizationId: ctx.organizationId } });
  return byKeys(ids, rows, (o) => o.id);
});

export const keyResultById = defineLoader<string, KeyResult>('okrs.keyResultById', async (ctx, ids) => {
  if (!ctx.organizationId) return ids.map(() => null);
  const rows = await ctx.manager.find(KeyResult, { where: { id: In([...ids]), organizationId: ctx.organizationId } });
  return byKeys(ids, rows, (k) => k.id);
});

/**
 * An objective's active key results (archived ones leave lists and roll-ups), oldest first (at
 * most MAX_KEY_RESULTS each). Unlike the lists
 * resolvers fetch, loaders do not prime the by-id loaders: whether a by-id load in another
 * branch of the same request came before or after would change the statement count.
 */
export const keyResultsByObjectiveId = defineLoader<string, KeyResult[]>('okrs.keyResultsByObjectiveId', async (ctx, ids) => {
  if (!ctx.organizationId) return ids.map(() => []);
  const rows = await ctx.manager.find(KeyResult, {
    where: { objectiveId: In([...ids]), organizationId: ctx.organizationId, archivedAt: IsNull() },
    order: { createdAt: 'ASC', id: 'ASC' },
  });
  return groupByKeys(ids, rows, (k) => k.objectiveId);
});

/** Active objectives aligned to each objective (its children), oldest first. */
export const childrenByParentId = defineLoader<string, Objective[]>('okrs.childrenByParentId', async (ctx, ids) => {
  if (!ctx.organizationId) return ids.map(() => []);
  const rows = await ctx.manager.find(Objective, {
    where: { parentId: In([...ids]), organizationId: ctx.organizationId, archivedAt: IsNull() },
    order: { createdAt: 'ASC', id: 'ASC' },
  });
  return groupByKeys(ids, rows, (o) => o.parentId!);
});

/** The most recent check-in of each key result. */
export const latestCheckInByKeyResultId = defineLoader<string, CheckIn>('okrs.latestCheckInByKeyResultId', async (ctx, ids) => {
  if (!ctx.organizationId) return ids.map(() => null);
  const rows = await ctx.manager
    .createQueryBuilder(CheckIn, 'c')
    .distinctOn(['c.key_result_id'])
    .where('c.organization_id = :org AND c.key_result_id = ANY(:ids)', { org: ctx.organizationId, ids })
    .orderBy('c.key_result_id')
    .addOrderBy('c.created_at', 'DESC')
    .addOrderBy('c.id', 'DESC')
    .getMany();
  return byKeys(ids, rows, (c) => c.keyResultId);
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

export const checkInById = defineLoader<string, CheckIn>('okrs.checkInById', async (ctx, ids) => {
  if (!ctx.organizationId) return ids.map(() => null);
  const rows = await ctx.manager.find(CheckIn, { where: { id: In([...ids]), organizationId: ctx.organizationId } });
  return byKeys(ids, rows, (c) => c.id);
});
