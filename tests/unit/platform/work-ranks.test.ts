import 'reflect-metadata';
import { buildAppSchema } from '../../../src/server/schema';
import { WORK_KIND_RANKS } from '../../../src/modules/work/work-ranks';
import { registerWorkSource, workSources, type WorkSource } from '../../../src/modules/work/work.registry';
import { defineWorkSource } from '../../../src/modules/work/work-sources';

/** One table of `myWork` ranks, agreed across modules (src/modules/work/work-ranks.ts). */
describe('myWork ranks', () => {
  it('give every kind a rank of its own', () => {
    const ranks = Object.values(WORK_KIND_RANKS);
    expect(new Set(ranks).size).toBe(ranks.length);
  });

  it('are those of the kinds the modules register, each registered once', async () => {
    await buildAppSchema(); // loads every module, which registers its sources
    const registered = workSources().flatMap((s) => s.kinds.map((k) => [k.name, k.rank] as const));
    expect(Object.fromEntries(registered)).toEqual(WORK_KIND_RANKS);
    expect(registered).toHaveLength(Object.keys(WORK_KIND_RANKS).length);
  });

  it('refuse a kind missing from the table, or registered with another rank', () => {
    const source = (name: string, rank: number): WorkSource => ({
      kinds: [{ name, description: 'test', rank }],
      visible: () => true,
      entity: class {
        id = '';
      },
      items: () => 'SELECT 1',
      reason: () => '',
    });
    expect(() => registerWorkSource(source('TASK_FORGOTTEN', 99))).toThrow(/not in the table of ranks/);
    expect(() => registerWorkSource(source('TASK_OVERDUE', 3))).toThrow(/must have rank 0/);
  });

  it('defineWorkSource takes its ranks from the table, and its fragment may name only its own kinds', () => {
    class Subject {
      id = '';
    }
    const sql = { ctx: {} as never, userId: 'u', today: '2026-01-01', organizationId: 'o', param: () => '$1' };
    const single = defineWorkSource<Subject>({ kinds: { SOP_REVIEW_OVERDUE: 'x' }, entity: Subject, items: ({ kind }) => `SELECT ${kind('SOP_REVIEW_OVERDUE')}`, reason: () => '' });
    expect(single.kinds).toEqual([{ name: 'SOP_REVIEW_OVERDUE', description: 'x', rank: WORK_KIND_RANKS.SOP_REVIEW_OVERDUE }]);
    expect(single.items(sql)).toBe(`SELECT 'SOP_REVIEW_OVERDUE'`);
    const stray = defineWorkSource<Subject>({ kinds: { TASK_OVERDUE: 'a' }, entity: Subject, items: ({ kind }) => `SELECT ${kind('TASK_DUE_TODAY')}`, reason: () => '' });
    expect(() => stray.items(sql)).toThrow(/gave kind TASK_DUE_TODAY/);
  });
});
