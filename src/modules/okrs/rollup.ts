import { ErrorCode } from '../../common/error-codes';
import { RuleViolation } from '../../common/rules';
import type { Cycle, KeyResult, Objective } from './okr.entity';
import { elapsedShare, objectiveStatus, scoreOf, weightedMean, type OkrStatus } from './okr-rules';

/**
 * Deepest alignment a roll-up follows (company → squad → person needs 3). Deeper chains, and
 * loops (which writes refuse under a per-organisation lock, but which data restored or edited
 * by hand can still hold), get an ALIGNMENT_LOOP error rather than a roll-up that never ends.
 */
export const MAX_ALIGNMENT_DEPTH = 50;

export interface Evaluation {
  progress: number;
  status: OkrStatus;
  /** Null while the cycle is open. */
  score: number | null;
}

/** What a roll-up reads, batched by the caller's loaders (one batch per level). */
export interface RollupSources {
  objectives(ids: string[]): Promise<Array<Objective | null | Error>>;
  children(ids: string[]): Promise<Array<Objective[] | Error>>;
  keyResults(ids: string[]): Promise<Array<KeyResult[] | Error>>;
  cycles(ids: string[]): Promise<Array<Cycle | null | Error>>;
  evaluateKeyResult(kr: KeyResult, cycle: Cycle | null, today: string): Evaluation;
}

export const alignmentLoop = (objective: Objective) =>
  new RuleViolation(
    ErrorCode.ALIGNMENT_LOOP,
    `The alignment under objective "${objective.title.slice(0, 80)}" loops back on itself or is deeper than ${MAX_ALIGNMENT_DEPTH} levels: re-align one of its objectives (updateObjective parentId) to roll its progress up`,
    undefined,
    { objectiveId: objective.id },
  );

const ok = <T>(v: T | Error | null | undefined): v is T => v != null && !(v instanceof Error);

/**
 * Each objective's roll-up: progress (weighted mean of its key results and aligned children),
 * status (the weakest of them) and score (once its cycle is closed).
 *
 * The objectives' subtrees are read level by level (each node once, at most
 * MAX_ALIGNMENT_DEPTH levels) and evaluated in memory, so the number of statements depends
 * on the depth only, and a roll-up never waits on another roll-up of the same batch (a parent
 * and its child asked for in one list) or on itself (a loop).
 */
export async function rollUpObjectives(sources: RollupSources, ids: readonly string[], today: string): Promise<Array<Evaluation | null | Error>> {
  const roots = await sources.objectives([...ids]);
  const objectives = new Map<string, Objective>();
  const childrenOf = new Map<string, Objective[]>();
  const krsOf = new Map<string, KeyResult[]>();
  roots.forEach((o) => ok(o) && objectives.set(o.id, o));

  let frontier = [...objectives.keys()];
  for (let depth = 0; frontier.length > 0 && depth <= MAX_ALIGNMENT_DEPTH; depth++) {
    const [childLists, krLists] = await Promise.all([sources.children(frontier), sources.keyResults(frontier)]);
    const next: string[] = [];
    frontier.forEach((id, i) => {
      const children = ok(childLists[i]) ? childLists[i] : [];
      childrenOf.set(id, children);
      krsOf.set(id, ok(krLists[i]) ? krLists[i] : []);
      for (const c of children) {
        if (objectives.has(c.id)) continue; // seen: a loop, or a parent and child both asked for
        objectives.set(c.id, c);
        next.push(c.id);
      }
    });
    frontier = next;
  }

  const cycleIds = new Set<string>();
  for (const o of objectives.values()) cycleIds.add(o.cycleId);
  for (const krs of krsOf.values()) for (const kr of krs) cycleIds.add(kr.cycleId);
  const cycleList = [...cycleIds];
  const cycles = new Map<string, Cycle>();
  (await sources.cycles(cycleList)).forEach((c, i) => ok(c) && cycles.set(cycleList[i], c));

  const done = new Map<string, Evaluation | RuleViolation>();
  const onPath = new Set<string>();
  // Recursion depth is bounded: a node beyond MAX_ALIGNMENT_DEPTH has no children read.
  const evaluate = (o: Objective): Evaluation | RuleViolation => {
    const known = done.get(o.id);
    if (known) return known;
    const children = childrenOf.get(o.id);
    if (onPath.has(o.id) || !children) return alignmentLoop(o);
    onPath.add(o.id);
    const cycle = cycles.get(o.cycleId) ?? null;
    const parts: Array<{ weight: KeyResult['weight']; evaluation: Evaluation }> = (krsOf.get(o.id) ?? []).map((kr) => ({
      weight: kr.weight,
      evaluation: sources.evaluateKeyResult(kr, cycles.get(kr.cycleId) ?? cycle, today),
    }));
    let result: Evaluation | RuleViolation | null = null;
    for (const c of children) {
      const e = evaluate(c);
      if (e instanceof Error) {
        result = e;
        break;
      }
      parts.push({ weight: c.weight, evaluation: e });
    }
    onPath.delete(o.id);
    if (!result) {
      const progress = weightedMean(parts.map((p) => ({ weight: p.weight, value: p.evaluation.progress })));
      const elapsed = cycle ? elapsedShare(cycle.startsOn, cycle.endsOn, today) : 0;
      result = {
        progress,
        status: objectiveStatus(parts.map((p) => p.evaluation.status), progress, elapsed),
        score: cycle?.closedAt
          ? weightedMean(parts.map((p) => ({ weight: p.weight, value: p.evaluation.score ?? scoreOf(p.evaluation.progress) })))
          : null,
      };
    }
    done.set(o.id, result);
    return result;
  };

  return roots.map((o) => (o instanceof Error ? o : o ? evaluate(o) : null));
}
