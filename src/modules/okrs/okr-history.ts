/**
 * `Objective.progressHistory` and `KeyResult.progressHistory`: progress per bucket as it stood at
 * each bucket's end, from the check-ins recorded on or before that day (a key result's start
 * value before its first one), never recomputed from today's values.
 *
 * What is historical and what is not: the values (check-in value and confidence) are as of each
 * bucket end; the structure (which key results and aligned objectives count, their weights, the
 * kind, start and target of each key result) is today's. An objective's point is the roll-up of
 * `rollUpObjectives` (rollup.ts, the rule of `Objective.progress`) evaluated with each key
 * result's as-of value, so the rule is written once.
 *
 * Statements: every field of a request asking for the same grain is answered by one loader batch:
 * the objectives' subtrees are read level by level through the request's loaders (shared with
 * `progress`, `keyResults`...), then one statement reads, per key result and bucket, the last
 * check-in of the bucket (`DISTINCT ON`, every check-in before the first bucket falling in the
 * first bucket), whatever the number of objectives and the length of history.
 */
import Decimal from 'decimal.js';
import { Field, Float, ObjectType } from 'type-graphql';
import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { defineLoader } from '../../common/loaders';
import {
  bucketEnd,
  Grain,
  LAST_DAY,
  MAX_BUCKETS,
  periodSql,
  requestedBuckets,
  type Day,
} from '../../common/periods';
import { RuleViolation } from '../../common/rules';
import { DateScalar, DecimalScalar } from '../../common/scalars';
import { Cycle, KeyResult, Objective } from './okr.entity';
import { elapsedShare, keyResultProgress, keyResultStatus, OkrStatus } from './okr-rules';
import { childrenByParentId, cycleById, keyResultById, keyResultsByObjectiveId, objectiveById } from './okrs.loaders';
import { rollUpObjectives, type Evaluation, type RollupSources } from './rollup';

/** A history has at most this many points (the kit's MAX_BUCKETS). */
export const MAX_HISTORY_POINTS = MAX_BUCKETS;

@ObjectType({ description: 'One bucket of Objective.progressHistory: the roll-up as it stood at the bucket’s last day.' })
export class ObjectiveProgressPoint {
  @Field(() => DateScalar, { description: 'The first day of the bucket (a Monday for WEEK, the 1st for MONTH and QUARTER).' })
  periodStart: Day;

  @Field(() => DateScalar, { description: 'The last day of the bucket, inclusive: the day the progress is read as of.' })
  periodEnd: Day;

  @Field(() => Float, {
    nullable: true,
    description:
      'The weighted roll-up (the rule of Objective.progress) of its key results and aligned objectives, each key result at its value as of periodEnd (its start value before its first check-in), 0..1. Null while no key result of the objective or of the objectives aligned to it had a check-in by periodEnd.',
  })
  progress: number | null;

  @Field(() => OkrStatus, { nullable: true, description: 'The status (the rule of Objective.status) as of periodEnd; null when progress is null.' })
  status: OkrStatus | null;
}

@ObjectType({ description: 'One bucket of KeyResult.progressHistory: the key result as it stood at the bucket’s last day.' })
export class KeyResultProgressPoint {
  @Field(() => DateScalar, { description: 'The first day of the bucket (a Monday for WEEK, the 1st for MONTH and QUARTER).' })
  periodStart: Day;

  @Field(() => DateScalar, { description: 'The last day of the bucket, inclusive: the day the value is read as of.' })
  periodEnd: Day;

  @Field(() => DecimalScalar, { description: 'The value of the last check-in on or before periodEnd; the start value before the first check-in.' })
  value: Decimal;

  @Field(() => Float, { nullable: true, description: 'Progress 0..1 of that value (see KeyResultKind); null before the first check-in.' })
  progress: number | null;

  @Field(() => Float, { nullable: true, description: 'The confidence of the last check-in on or before periodEnd; null before the first check-in.' })
  confidence: number | null;

  @Field(() => OkrStatus, { nullable: true, description: 'The status (the rule of KeyResult.status) as of periodEnd; null before the first check-in.' })
  status: OkrStatus | null;
}

/**
 * The bucket starts from the bucket of `from` to the bucket of `to`, checked as the client's
 * input: `to` before `from`, more than MAX_HISTORY_POINTS buckets or a last bucket ending after
 * the calendar's last day are BAD_USER_INPUT naming `to`.
 */
export function historyBuckets(from: Day, to: Day, grain: Grain): Day[] {
  return requestedBuckets(from, to, grain, MAX_HISTORY_POINTS);
}

/** A key result's state at the end of a bucket: its last check-in so far. */
interface AsOf {
  value: Decimal;
  confidence: number;
}

/** Per key result, the last check-in of each bucket that has one, oldest bucket first. */
type CheckInsByBucket = Map<string, Array<{ bucket: Day; state: AsOf }>>;

/**
 * One statement: for each key result, the last check-in of each bucket of `grain` up to the
 * bucket starting `last`, the check-ins before the bucket `first` counted in that bucket.
 */
async function lastCheckInPerBucket(ctx: Context, krIds: string[], grain: Grain, first: Day, last: Day): Promise<CheckInsByBucket> {
  const out: CheckInsByBucket = new Map();
  if (krIds.length === 0) return out;
  const rows: Array<{ kr: string; bucket: string; value: string; confidence: string }> = await ctx.manager.query(
    `SELECT DISTINCT ON (c.key_result_id, 2) c.key_result_id AS kr,
            ${periodSql.dayText(`greatest(${periodSql.bucketStart('c.day', grain)}, $3::date)`)} AS bucket,
            c.value::text AS value, c.confidence::text AS confidence
       FROM (SELECT key_result_id, id, created_at, value, confidence, ${periodSql.dayOf('created_at')} AS day
               FROM check_ins
              WHERE organization_id = $1 AND key_result_id = ANY($2::uuid[])
                AND created_at < ($4::date + 1)::timestamp AT TIME ZONE 'UTC') c
      ORDER BY c.key_result_id, 2, c.created_at DESC, c.id DESC`,
    [orgId(ctx), krIds, first, bucketEnd(last, grain)],
  );
  for (const r of rows) {
    let list = out.get(r.kr);
    if (!list) out.set(r.kr, (list = []));
    list.push({ bucket: r.bucket, state: { value: new Decimal(r.value), confidence: Number(r.confidence) } });
  }
  for (const list of out.values()) list.sort((a, b) => (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : 0));
  return out;
}

/** The state of each key result at each bucket of `buckets` (ascending): the last check-in of that bucket or an earlier one. */
function statesAt(rows: CheckInsByBucket, krId: string, buckets: readonly Day[]): Array<AsOf | null> {
  const list = rows.get(krId) ?? [];
  const out: Array<AsOf | null> = [];
  let i = 0;
  let state: AsOf | null = null;
  for (const b of buckets) {
    while (i < list.length && list[i].bucket <= b) state = list[i++].state;
    out.push(state);
  }
  return out;
}

/** The loader key: the arguments first (grain, from, to; empty for the cycle's), then the id. */
const keyOf = (id: string, grain: Grain, from: Day | null, to: Day | null) => `${grain}|${from ?? ''}|${to ?? ''}|${id}`;
function parseKey(key: string) {
  const [grain, from, to, id] = key.split('|') as [Grain, string, string, string];
  return { grain, from: from || null, to: to || null, id };
}

/** The buckets of one field: its arguments, or its cycle's span for those left out. */
function bucketsFor(grain: Grain, from: Day | null, to: Day | null, cycle: Cycle | null): Day[] | RuleViolation {
  try {
    return historyBuckets(from ?? cycle?.startsOn ?? to!, to ?? cycle?.endsOn ?? from!, grain);
  } catch (e) {
    if (e instanceof RuleViolation) return e;
    throw e;
  }
}

const ok = <T>(v: T | Error | null | undefined): v is T => v != null && !(v instanceof Error);

/** Each grain's check-ins for `krIds` over the union of `lists` of buckets (one statement per grain). */
async function checkInsFor(ctx: Context, grain: Grain, krIds: Iterable<string>, lists: Array<Day[]>): Promise<CheckInsByBucket> {
  let first: Day | null = null;
  let last: Day | null = null;
  for (const list of lists) {
    if (list.length === 0) continue;
    if (first === null || list[0] < first) first = list[0];
    if (last === null || list[list.length - 1] > last) last = list[list.length - 1];
  }
  if (first === null || last === null) return new Map();
  return lastCheckInPerBucket(ctx, [...new Set(krIds)], grain, first, last);
}

const keyResultHistoryLoader = defineLoader<string, KeyResultProgressPoint[]>('okrs.keyResultProgressHistory', async (ctx, keys) => {
  const parsed = keys.map(parseKey);
  const krs = await keyResultById(ctx).loadMany(parsed.map((p) => p.id));
  const cycles = await cycleById(ctx).loadMany(krs.map((kr) => (ok(kr) ? kr.cycleId : '00000000-0000-0000-0000-000000000000')));
  const buckets = parsed.map((p, i) => (ok(krs[i]) ? bucketsFor(p.grain, p.from, p.to, ok(cycles[i]) ? cycles[i] : null) : []));
  const rowsByGrain = new Map<Grain, CheckInsByBucket>();
  for (const grain of new Set(parsed.map((p) => p.grain))) {
    const idx = parsed.map((p, i) => i).filter((i) => parsed[i].grain === grain && ok(krs[i]) && Array.isArray(buckets[i]));
    rowsByGrain.set(
      grain,
      await checkInsFor(ctx, grain, idx.map((i) => parsed[i].id), idx.map((i) => buckets[i] as Day[])),
    );
  }
  return parsed.map((p, i) => {
    const kr = krs[i];
    const list = buckets[i];
    if (!ok(kr)) return kr instanceof Error ? kr : null;
    if (list instanceof Error) return list;
    const cycle = ok(cycles[i]) ? cycles[i] : null;
    const states = statesAt(rowsByGrain.get(p.grain)!, kr.id, list);
    return list.map((start, b) => {
      const end = bucketEnd(start, p.grain);
      const state = states[b];
      const point = Object.assign(new KeyResultProgressPoint(), { periodStart: start, periodEnd: end, value: state?.value ?? kr.startValue });
      if (!state) return Object.assign(point, { progress: null, confidence: null, status: null });
      const progress = keyResultProgress(kr, state.value);
      const elapsed = cycle ? elapsedShare(cycle.startsOn, cycle.endsOn, end) : 0;
      return Object.assign(point, { progress, confidence: state.confidence, status: keyResultStatus({ confidence: state.confidence, progress, elapsed }) });
    });
  });
});

/** The roll-up's reads through the request's loaders, with `evaluateKeyResult` given. */
function sources(ctx: Context, evaluateKeyResult: RollupSources['evaluateKeyResult']): RollupSources {
  return {
    objectives: (ids) => objectiveById(ctx).loadMany(ids),
    children: (ids) => childrenByParentId(ctx).loadMany(ids) as Promise<Array<Objective[] | Error>>,
    keyResults: (ids) => keyResultsByObjectiveId(ctx).loadMany(ids) as Promise<Array<KeyResult[] | Error>>,
    cycles: (ids) => cycleById(ctx).loadMany(ids),
    evaluateKeyResult,
  };
}

const UNUSED: Evaluation = { progress: 0, status: OkrStatus.ON_TRACK, score: null };

const objectiveHistoryLoader = defineLoader<string, ObjectiveProgressPoint[]>('okrs.objectiveProgressHistory', async (ctx, keys) => {
  const parsed = keys.map(parseKey);
  const ids = [...new Set(parsed.map((p) => p.id))];
  // Each objective's subtree, walked by the roll-up itself (one walk per objective, batched by level):
  // the key results whose check-ins count for it.
  const subtreeKrs = new Map<string, KeyResult[]>();
  await Promise.all(
    ids.map(async (id) => {
      const krs: KeyResult[] = [];
      await rollUpObjectives(
        sources(ctx, (kr) => {
          krs.push(kr);
          return UNUSED;
        }),
        [id],
        LAST_DAY,
      );
      subtreeKrs.set(id, krs);
    }),
  );
  const objectives = await objectiveById(ctx).loadMany(parsed.map((p) => p.id));
  const cycles = await cycleById(ctx).loadMany(
    objectives.map((o) => (ok(o) ? o.cycleId : '00000000-0000-0000-0000-000000000000')),
  );
  const buckets = parsed.map((p, i) => (ok(objectives[i]) ? bucketsFor(p.grain, p.from, p.to, ok(cycles[i]) ? cycles[i] : null) : []));

  const answers: Array<ObjectiveProgressPoint[] | Error | null> = parsed.map((_, i) => {
    const o = objectives[i];
    if (!ok(o)) return o instanceof Error ? o : null;
    return buckets[i] instanceof Error ? (buckets[i] as RuleViolation) : [];
  });
  for (const grain of new Set(parsed.map((p) => p.grain))) {
    const idx = parsed.map((_, i) => i).filter((i) => parsed[i].grain === grain && Array.isArray(answers[i]));
    if (idx.length === 0) continue;
    const krIds = idx.flatMap((i) => (subtreeKrs.get(parsed[i].id) ?? []).map((kr) => kr.id));
    const rows = await checkInsFor(ctx, grain, krIds, idx.map((i) => buckets[i] as Day[]));
    // Every bucket start of the group, each with the objectives asked for at that bucket.
    const byBucket = new Map<Day, number[]>();
    for (const i of idx) for (const start of buckets[i] as Day[]) (byBucket.get(start) ?? byBucket.set(start, []).get(start)!).push(i);
    for (const [start, which] of [...byBucket].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const end = bucketEnd(start, grain);
      const stateOf = new Map<string, AsOf | null>();
      const asOf = (krId: string) => {
        if (!stateOf.has(krId)) stateOf.set(krId, statesAt(rows, krId, [start])[0]);
        return stateOf.get(krId)!;
      };
      const evaluations = await rollUpObjectives(
        sources(ctx, (kr, cycle, day) => {
          const state = asOf(kr.id);
          const progress = keyResultProgress(kr, state?.value ?? kr.startValue);
          const elapsed = cycle ? elapsedShare(cycle.startsOn, cycle.endsOn, day) : 0;
          return { progress, status: keyResultStatus({ confidence: state?.confidence ?? null, progress, elapsed }), score: null };
        }),
        which.map((i) => parsed[i].id),
        end,
      );
      which.forEach((i, n) => {
        const list = answers[i];
        if (!Array.isArray(list)) return;
        const e = evaluations[n];
        if (e instanceof Error) {
          answers[i] = e;
          return;
        }
        const hasData = (subtreeKrs.get(parsed[i].id) ?? []).some((kr) => asOf(kr.id) !== null);
        list.push(
          Object.assign(new ObjectiveProgressPoint(), {
            periodStart: start,
            periodEnd: end,
            progress: hasData && e ? e.progress : null,
            status: hasData && e ? e.status : null,
          }),
        );
      });
    }
  }
  return answers;
});

/** Every field's arguments checked once per request when both ends are given (a page asks the same). */
const checkedArgs = new WeakMap<Context, Set<string>>();
function checkArgs(ctx: Context, grain: Grain, from: Day | null, to: Day | null) {
  if (from === null || to === null) return; // checked with the cycle's span, in the batch
  const args = `${grain}|${from}|${to}`;
  let checked = checkedArgs.get(ctx);
  if (!checked) checkedArgs.set(ctx, (checked = new Set()));
  if (checked.has(args)) return;
  historyBuckets(from, to, grain);
  checked.add(args);
}

export async function objectiveProgressHistory(ctx: Context, id: string, grain: Grain, from: Day | null, to: Day | null) {
  checkArgs(ctx, grain, from, to);
  return (await objectiveHistoryLoader(ctx).load(keyOf(id, grain, from, to))) ?? [];
}

export async function keyResultProgressHistory(ctx: Context, id: string, grain: Grain, from: Day | null, to: Day | null) {
  checkArgs(ctx, grain, from, to);
  return (await keyResultHistoryLoader(ctx).load(keyOf(id, grain, from, to))) ?? [];
}
