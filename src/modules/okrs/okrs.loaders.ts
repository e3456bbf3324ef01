import { In, IsNull } from 'typeorm';
import type { Context } from '../../common/context';
import { isoToday } from '../../common/dates';
import { byKeys, defineLoader, groupByKeys } from '../../common/loaders';
import { CheckIn, Cycle, KeyResult, Objective } from './okr.entity';
import {
  OkrStatus,
  elapsedShare,
  keyResultProgress,
  keyResultStatus,
  objectiveStatus,
  scoreOf,
  weightedMean,
} from './okr-rules';

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

export interface Evaluation {
  progress: number;
  status: OkrStatus;
  /** Null while the cycle is open. */
  score: number | null;
}

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
 * Each objective's roll-up: progress (weighted mean of its key results and aligned children),
 * status (the weakest of them) and score (once its cycle is closed). Children are evaluated
 * through this same loader, so a whole tree costs one batch of queries per level, whatever
 * the number of objectives. Alignment loops are refused on write.
 */
export const objectiveRollup = defineLoader<string, Evaluation>('okrs.objectiveRollup', async (ctx, ids) => {
  const today = isoToday();
  const [objectives, krLists, childLists] = await Promise.all([
    objectiveById(ctx).loadMany(ids),
    keyResultsByObjectiveId(ctx).loadMany(ids),
    childrenByParentId(ctx).loadMany(ids),
  ]);
  const cycleIds = new Set<string>();
  objectives.forEach((o) => o && !(o instanceof Error) && cycleIds.add(o.cycleId));
  const cycles = new Map<string, Cycle>();
  (await cycleById(ctx).loadMany([...cycleIds])).forEach((c) => c && !(c instanceof Error) && cycles.set(c.id, c));
  const childIds = childLists.flatMap((l) => (l instanceof Error || !l ? [] : l.map((c) => c.id)));
  const childEvals = new Map<string, Evaluation>();
  (await objectiveRollup(ctx).loadMany(childIds)).forEach((e, i) => {
    if (e && !(e instanceof Error)) childEvals.set(childIds[i], e);
  });

  return ids.map((id, i) => {
    const objective = objectives[i];
    if (!objective || objective instanceof Error) return objective instanceof Error ? objective : null;
    const cycle = cycles.get(objective.cycleId) ?? null;
    const krs = (krLists[i] instanceof Error ? [] : krLists[i]) as KeyResult[];
    const children = (childLists[i] instanceof Error ? [] : childLists[i]) as Objective[];
    const parts = [
      ...krs.map((kr) => ({ weight: kr.weight, evaluation: evaluateKeyResult(kr, cycles.get(kr.cycleId) ?? cycle, today) })),
      ...children.flatMap((c) => (childEvals.has(c.id) ? [{ weight: c.weight, evaluation: childEvals.get(c.id)! }] : [])),
    ];
    const progress = weightedMean(parts.map((p) => ({ weight: p.weight, value: p.evaluation.progress })));
    const elapsed = cycle ? elapsedShare(cycle.startsOn, cycle.endsOn, today) : 0;
    const status = objectiveStatus(parts.map((p) => p.evaluation.status), progress, elapsed);
    const score = cycle?.closedAt
      ? weightedMean(parts.map((p) => ({ weight: p.weight, value: p.evaluation.score ?? scoreOf(p.evaluation.progress) })))
      : null;
    return { progress, status, score };
  });
});

export const checkInById = defineLoader<string, CheckIn>('okrs.checkInById', async (ctx, ids) => {
  if (!ctx.organizationId) return ids.map(() => null);
  const rows = await ctx.manager.find(CheckIn, { where: { id: In([...ids]), organizationId: ctx.organizationId } });
  return byKeys(ids, rows, (c) => c.id);
});
