import Decimal from 'decimal.js';
import { ErrorCode } from '../../../src/common/errors';
import { RuleViolation } from '../../../src/common/rules';
import type { Cycle, KeyResult, Objective } from '../../../src/modules/okrs/okr.entity';
import { OkrStatus } from '../../../src/modules/okrs/okr-rules';
import { MAX_ALIGNMENT_DEPTH, rollUpObjectives, type Evaluation, type RollupSources } from '../../../src/modules/okrs/rollup';

/** Roll-ups over an in-memory alignment graph: `parents` maps an objective to its parent. */
function sources(parents: Record<string, string | null>, progressOf: Record<string, number> = {}) {
  const objective = (id: string) => ({ id, title: id, cycleId: 'c', parentId: parents[id], weight: new Decimal(1) }) as unknown as Objective;
  const calls = { children: 0 };
  const s: RollupSources = {
    objectives: async (ids) => ids.map((id) => (id in parents ? objective(id) : null)),
    children: async (ids) => {
      calls.children++;
      return ids.map((id) => Object.keys(parents).filter((c) => parents[c] === id).map(objective));
    },
    keyResults: async (ids) =>
      ids.map((id) => (id in progressOf ? [{ id: `kr-${id}`, cycleId: 'c', weight: new Decimal(1), objectiveId: id } as unknown as KeyResult] : [])),
    cycles: async (ids) => ids.map(() => ({ id: 'c', startsOn: '2026-01-01', endsOn: '2026-12-31', closedAt: null }) as unknown as Cycle),
    evaluateKeyResult: (kr) => ({ progress: progressOf[(kr as KeyResult).objectiveId], status: OkrStatus.ON_TRACK, score: null }),
  };
  return { s, calls };
}

const chain = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`o${i}`, i === 0 ? null : `o${i - 1}`]));

describe('rollUpObjectives', () => {
  it('rolls a chain up, one read of children per level', async () => {
    const { s, calls } = sources(chain(4), { o3: 0.5 });
    const [top] = (await rollUpObjectives(s, ['o0'], '2026-06-01')) as Evaluation[];
    expect(top.progress).toBeCloseTo(0.5);
    expect(calls.children).toBe(4);
  });

  it('answers a parent and its child asked for together', async () => {
    const { s } = sources({ a: null, b: 'a' }, { b: 1 });
    const [a, b] = (await rollUpObjectives(s, ['a', 'b'], '2026-06-01')) as Evaluation[];
    expect(a.progress).toBe(1);
    expect(b.progress).toBe(1);
  });

  it('gives ALIGNMENT_LOOP for objectives in or above a loop, and leaves the others alone', async () => {
    const { s } = sources({ a: 'b', b: 'a', c: 'a', d: null }, { c: 1 });
    const results = await rollUpObjectives(s, ['a', 'b', 'd'], '2026-06-01');
    expect(results[0]).toBeInstanceOf(RuleViolation);
    expect((results[0] as RuleViolation).code).toBe(ErrorCode.ALIGNMENT_LOOP);
    expect(results[1]).toBeInstanceOf(Error);
    expect((results[2] as Evaluation).progress).toBe(0);
  });

  it(`stops at ${MAX_ALIGNMENT_DEPTH} levels`, async () => {
    const { s, calls } = sources(chain(MAX_ALIGNMENT_DEPTH + 10));
    const [deep] = await rollUpObjectives(s, ['o0'], '2026-06-01');
    expect(deep).toBeInstanceOf(Error);
    expect(calls.children).toBe(MAX_ALIGNMENT_DEPTH + 1);
    const { s: fine } = sources(chain(MAX_ALIGNMENT_DEPTH));
    expect((await rollUpObjectives(fine, ['o0'], '2026-06-01'))[0]).not.toBeInstanceOf(Error);
  });

  it('answers null for an objective that does not exist', async () => {
    const { s } = sources({ a: null });
    expect(await rollUpObjectives(s, ['nope'], '2026-06-01')).toEqual([null]);
  });
});
