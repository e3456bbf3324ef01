import Decimal from 'decimal.js';
import fc from 'fast-check';
import { addDays, bucketEnd, bucketStart, bucketStarts, daysCovered, Grain, nextBucket } from '../../../src/common/periods';
import {
  attributeChange,
  compareEfficiency,
  efficiencyWindows,
  EfficiencyReason,
  lineEfficiencies,
  LONGEST_KPI_PERIOD_DAYS,
  type EfficiencyWindows,
  type EfficiencyKpi,
  type EfficiencyLine,
  type KpiPoint,
} from '../../../src/modules/budgets/budget-rules';

const d = (v: string | number) => new Decimal(v);

/** January as the baseline and the next 31 days as the window (the points below start on the 1st of each). */
const JAN_FEB = { baseline: { start: '2026-01-01', end: '2026-01-31' }, window: { start: '2026-02-01', end: '2026-03-03' } };

/** A SUM KPI measured at `grain` at a steady daily rate: each period's value is rate × its days (periods starting from `from` to `to`). */
function steady(grain: Grain, from: string, to: string, rate: number): KpiPoint[] {
  return bucketStarts(from, to, grain)
    .filter((s) => s >= from)
    .map((periodStart) => ({ periodStart, value: d(rate).mul(daysCovered(periodStart, bucketEnd(periodStart, grain))) }));
}

/** Rate `before` up to the window's start, then `during`: the periods the service reads (from LONGEST_KPI_PERIOD_DAYS before the baseline). */
function series(grain: Grain, w: EfficiencyWindows, before: number, during: number): KpiPoint[] {
  const startOfWindow = bucketStart(w.window.start, grain) === w.window.start ? w.window.start : nextBucket(w.window.start, grain);
  return [
    ...steady(grain, bucketStart(addDays(w.baseline.start, -LONGEST_KPI_PERIOD_DAYS), grain), addDays(startOfWindow, -1), before),
    ...steady(grain, startOfWindow, w.window.end, during),
  ];
}

/** The lines of a one-month budget, each following its own SUM KPI, ranked best first. */
function rank(month: string, grain: Grain, lines: Array<{ before: number; during: number; spendPerDay: number }>) {
  const periodEnd = bucketEnd(month, Grain.MONTH);
  const w = efficiencyWindows(month, periodEnd);
  const kpis = new Map<string, EfficiencyKpi>(
    lines.map((l, i) => [
      `k${i}`,
      { aggregation: 'SUM', grain, points: series(grain, w, l.before, l.during) },
    ]),
  );
  const rows: EfficiencyLine[] = lines.map((l, i) => ({ id: `l${i}`, kpiId: `k${i}`, spent: d(l.spendPerDay).mul(w.days) }));
  const figures = lineEfficiencies(rows, kpis, w);
  return rows
    .map((r) => ({ ...r, name: r.id, ...figures.get(r.id)! }))
    .sort(compareEfficiency)
    .map((r) => ({ id: r.id, cost: r.costPerKpiUnit }));
}

const line = fc.record({ before: fc.integer({ min: 0, max: 1000 }), during: fc.integer({ min: 0, max: 1000 }), spendPerDay: fc.integer({ min: 1, max: 10_000 }) });

describe('budget efficiency, like with like', () => {
  it('the windows: the period and the same number of days just before it', () => {
    expect(efficiencyWindows('2026-03-01', '2026-03-31')).toEqual({
      window: { start: '2026-03-01', end: '2026-03-31' },
      baseline: { start: '2026-01-29', end: '2026-02-28' },
      days: 31,
    });
    expect(efficiencyWindows('2028-01-01', '2028-03-31').baseline).toEqual({ start: '2027-10-02', end: '2027-12-31' });
  });

  it('the month’s length (28, 30 or 31 days) changes neither the ranking nor the cost per unit of steady series', () => {
    // February (28 days, after January), April (30, after March), March (31, after February).
    const months = ['2026-02-01', '2026-04-01', '2026-03-01'];
    fc.assert(
      fc.property(fc.array(line, { minLength: 2, maxLength: 5 }), fc.constantFrom(Grain.DAY, Grain.MONTH), (lines, grain) => {
        const [feb, apr, mar] = months.map((m) => rank(m, grain, lines));
        const ids = (r: typeof feb) => r.map((x) => x.id);
        expect(ids(apr)).toEqual(ids(feb));
        expect(ids(mar)).toEqual(ids(feb));
        // The cost per unit is spend per day ÷ (rate during − rate before), whatever the month.
        for (const r of [feb, apr, mar]) {
          for (const x of r) {
            const l = lines[Number(x.id.slice(1))];
            if (l.during > l.before) expect(x.cost!.toNumber()).toBeCloseTo(l.spendPerDay / (l.during - l.before), 5);
            else expect(x.cost).toBeNull();
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('a steady weekly series reads no change, whichever weekday the budget starts on and however long it is', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 500 }), (offset, length, rate) => {
        const start = addDays('2026-01-01', offset);
        const w = efficiencyWindows(start, addDays(start, length - 1));
        const kpi: EfficiencyKpi = { aggregation: 'SUM', grain: Grain.WEEK, points: series(Grain.WEEK, w, rate, rate) };
        const f = lineEfficiencies([{ id: 'l', kpiId: 'k', spent: d(100) }], new Map([['k', kpi]]), w).get('l')!;
        expect(f.kpiDelta!.toFixed()).toBe('0');
        expect(f.reason).toBe(EfficiencyReason.NO_GAIN);
      }),
    );
  });

  it('the attributed changes of the lines following one KPI add up to its change, by their shares of the spend', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -100_000, max: 100_000 }),
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 8 }).filter((s) => s.some((x) => x > 0)),
        (change, spends) => {
          const total = spends.reduce((a, b) => a + b, 0);
          const shared = attributeChange(d(change), new Map(spends.map((s, i) => [`l${i}`, d(s)])))!;
          const sum = [...shared.values()].reduce((a, s) => a.plus(s.attributed), d(0));
          expect(sum.minus(change).abs().toNumber()).toBeLessThan(1e-9);
          spends.forEach((s, i) => expect(shared.get(`l${i}`)!.share.toNumber()).toBeCloseTo(s / total, 12));
          // The same through lineEfficiencies: several lines on one AVERAGE KPI that moved from 10 to 10 + change.
          const kpi: EfficiencyKpi = { aggregation: 'AVERAGE', grain: Grain.DAY, points: [{ periodStart: '2026-01-01', value: d(10) }, { periodStart: '2026-02-01', value: d(10 + change) }] };
          const figures = lineEfficiencies(
            spends.map((s, i) => ({ id: `l${i}`, kpiId: 'k', spent: d(s) })),
            new Map([['k', kpi]]),
            JAN_FEB,
          );
          const attributed = [...figures.values()].reduce((a, f) => a.plus(f.attributedChange!), d(0));
          expect(attributed.minus(change).abs().toNumber()).toBeLessThan(1e-9);
          for (const f of figures.values()) expect(f.kpiDelta!.toFixed()).toBe(String(change));
        },
      ),
    );
  });

  it('zero spend: nothing is attributed when no line spent; a line that spent nothing gets a share of 0', () => {
    const kpi: EfficiencyKpi = { aggregation: 'LAST', grain: Grain.DAY, points: [{ periodStart: '2026-01-01', value: d(1) }, { periodStart: '2026-02-01', value: d(5) }] };
    const none = lineEfficiencies([{ id: 'a', kpiId: 'k', spent: d(0) }, { id: 'b', kpiId: 'k', spent: d(0) }], new Map([['k', kpi]]), JAN_FEB);
    expect(none.get('a')).toEqual({ kpiDelta: d(4), share: null, attributedChange: null, costPerKpiUnit: null, reason: EfficiencyReason.NO_SPEND });
    const some = lineEfficiencies([{ id: 'a', kpiId: 'k', spent: d(0) }, { id: 'b', kpiId: 'k', spent: d(300) }], new Map([['k', kpi]]), JAN_FEB);
    expect(some.get('a')).toMatchObject({ share: d(0), costPerKpiUnit: null, reason: EfficiencyReason.NO_SPEND });
    expect(some.get('a')!.attributedChange!.isZero()).toBe(true);
    expect(some.get('b')).toMatchObject({ share: d(1), attributedChange: d(4), costPerKpiUnit: d(75), reason: null });
    expect(attributeChange(d(4), new Map([['a', d(0)]]))).toBeNull();
  });

  it('the reasons: no KPI, no measurements, no gain', () => {
    const flat: EfficiencyKpi = { aggregation: 'SUM', grain: Grain.DAY, points: [{ periodStart: '2026-01-01', value: d(3) }, { periodStart: '2026-02-01', value: d(2) }] };
    const empty: EfficiencyKpi = { aggregation: 'SUM', grain: Grain.DAY, points: [{ periodStart: '2026-01-01', value: null }, { periodStart: '2026-02-01', value: d(2) }] };
    const f = lineEfficiencies(
      [
        { id: 'none', kpiId: null, spent: d(5) },
        { id: 'gone', kpiId: 'unknown', spent: d(5) },
        { id: 'empty', kpiId: 'e', spent: d(5) },
        { id: 'flat', kpiId: 'f', spent: d(5) },
      ],
      new Map([
        ['e', empty],
        ['f', flat],
      ]),
      JAN_FEB,
    );
    expect(f.get('none')!.reason).toBe(EfficiencyReason.NO_KPI_LINK);
    expect(f.get('gone')!.reason).toBe(EfficiencyReason.NO_KPI_LINK);
    expect(f.get('empty')).toEqual({ kpiDelta: null, share: null, attributedChange: null, costPerKpiUnit: null, reason: EfficiencyReason.NO_MEASUREMENTS });
    expect(f.get('flat')).toMatchObject({ kpiDelta: d(-1), share: d(1), costPerKpiUnit: null, reason: EfficiencyReason.NO_GAIN });
  });

  it('monotonic: for the same spend, more change ranks better', () => {
    fc.assert(
      // Changes up to 1,000 and spends from 1,000: the two costs differ by at least 0.0005, beyond the 6 places they are shown to.
      fc.property(fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 1_000, max: 1_000_000 }), (small, extra, spent) => {
        const kpi = (change: number): EfficiencyKpi => ({ aggregation: 'AVERAGE', grain: Grain.WEEK, points: [{ periodStart: '2026-01-05', value: d(0) }, { periodStart: '2026-02-02', value: d(change) }] });
        const lines = [
          { id: 'less', kpiId: 'a', spent: d(spent) },
          { id: 'more', kpiId: 'b', spent: d(spent) },
        ];
        const figures = lineEfficiencies(lines, new Map([['a', kpi(small)], ['b', kpi(small + extra)]]), JAN_FEB);
        const ranked = lines.map((l) => ({ ...l, name: l.id, ...figures.get(l.id)! })).sort(compareEfficiency);
        expect(ranked.map((r) => r.id)).toEqual(['more', 'less']);
        expect(ranked[0].costPerKpiUnit!.lt(ranked[1].costPerKpiUnit!)).toBe(true);
      }),
    );
  });
});
