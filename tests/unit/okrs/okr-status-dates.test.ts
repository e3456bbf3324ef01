import fc from 'fast-check';
import { addDays } from '../../../src/common/dates';
import { OkrStatus as S, elapsedShare, keyResultStatus, objectiveStatus } from '../../../src/modules/okrs/okr-rules';
import { ALWAYS, keyResultStatusDates, objectiveStatusDates, statusOn, type StatusDates } from '../../../src/modules/okrs/okr-status-dates';

/** Every day from well before the cycle to well after it. */
function days(startsOn: string, endsOn: string): string[] {
  const out: string[] = [];
  for (let d = addDays(startsOn, -5); d <= addDays(endsOn, 5); d = addDays(d, 1)) out.push(d);
  return out;
}

const cycleArb = fc
  .record({ offset: fc.integer({ min: 0, max: 200 }), length: fc.integer({ min: 0, max: 120 }) })
  .map(({ offset, length }) => {
    const startsOn = addDays('2025-01-01', offset);
    return { startsOn, endsOn: addDays(startsOn, length) };
  });
const progressArb = fc.oneof(fc.constantFrom(0, 1, 0.5, 0.35, 0.7), fc.double({ min: 0, max: 1, noNaN: true }));
const confidenceArb = fc.option(fc.constantFrom(0, 0.39, 0.4, 0.69, 0.7, 1), { nil: null });

describe('stored status dates', () => {
  it('read back on any day, give the status the rules give that day (key results)', () => {
    fc.assert(
      fc.property(cycleArb, progressArb, confidenceArb, (cycle, progress, confidence) => {
        const dates = keyResultStatusDates(confidence, progress, cycle);
        const wrong = days(cycle.startsOn, cycle.endsOn).filter(
          (day) => statusOn(dates, day) !== keyResultStatus({ confidence, progress, elapsed: elapsedShare(cycle.startsOn, cycle.endsOn, day) }),
        );
        expect(wrong).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('read back on any day, give the status the rules give that day (objectives, contributors of other cycles too)', () => {
    const contributor = fc.record({ cycle: cycleArb, progress: progressArb, confidence: confidenceArb });
    fc.assert(
      fc.property(cycleArb, progressArb, fc.array(contributor, { maxLength: 4 }), (cycle, progress, parts) => {
        const stored: StatusDates[] = parts.map((p) => keyResultStatusDates(p.confidence, p.progress, p.cycle));
        const dates = objectiveStatusDates(stored, progress, cycle);
        const all = [cycle, ...parts.map((p) => p.cycle)];
        const from = all.map((c) => c.startsOn).sort()[0];
        const to = all.map((c) => c.endsOn).sort().reverse()[0];
        const wrong = days(from, to).filter((day) => {
          const contributors = parts.map((p) =>
            keyResultStatus({ confidence: p.confidence, progress: p.progress, elapsed: elapsedShare(p.cycle.startsOn, p.cycle.endsOn, day) }),
          );
          return statusOn(dates, day) !== objectiveStatus(contributors, progress, elapsedShare(cycle.startsOn, cycle.endsOn, day));
        });
        expect(wrong).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('say ALWAYS for a status from confidence and null for a status never reached', () => {
    expect(keyResultStatusDates(0.2, 0, { startsOn: '2026-04-01', endsOn: '2026-06-30' })).toEqual({ atRiskFrom: ALWAYS, offTrackFrom: ALWAYS });
    expect(keyResultStatusDates(0.5, 0, { startsOn: '2026-04-01', endsOn: '2026-06-30' })).toEqual({ atRiskFrom: ALWAYS, offTrackFrom: null });
    expect(keyResultStatusDates(null, 1, { startsOn: '2026-04-01', endsOn: '2026-06-30' })).toEqual({ atRiskFrom: null, offTrackFrom: null });
    // No progress: OFF_TRACK from the first day of the cycle.
    expect(keyResultStatusDates(null, 0, { startsOn: '2026-04-01', endsOn: '2026-06-30' })).toEqual({ atRiskFrom: '2026-04-01', offTrackFrom: '2026-04-01' });
    expect(statusOn({ atRiskFrom: '2026-05-01', offTrackFrom: '2026-06-01' }, '2026-05-31')).toBe(S.AT_RISK);
  });
});
