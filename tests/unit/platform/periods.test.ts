import fc from 'fast-check';
import { ErrorCode } from '../../../src/common/errors';
import {
  addDays,
  addMonths,
  bucketEnd,
  bucketStart,
  bucketStarts,
  checkDateRange,
  dayNumber,
  dayOf,
  daysBetween,
  daysCovered,
  fromDayNumber,
  Grain,
  isDay,
  MAX_BUCKETS,
  nextBucket,
  periodSql,
  today,
} from '../../../src/common/periods';
import { RuleViolation } from '../../../src/common/rules';

/** Oracles written with Date's own calendar (setUTC*), independent of the kit's day numbers. */
const utc = (day: string) => new Date(`${day}T00:00:00Z`);
const iso = (d: Date) => d.toISOString().slice(0, 10);
const GRAINS = Object.values(Grain);
const FIRST = dayNumber('1900-01-01');
const LAST = dayNumber('2100-12-31');
const anyDay = fc.integer({ min: FIRST, max: LAST }).map(fromDayNumber);

function refusal(fn: () => unknown): RuleViolation {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RuleViolation);
    return e as RuleViolation;
  }
  throw new Error('expected a RuleViolation');
}

describe('days', () => {
  it('reads only real calendar days from 0001-01-01 to 9999-12-31', () => {
    for (const d of ['2024-02-29', '2000-02-29', '0001-01-01', '9999-12-31', '1969-12-31']) expect(isDay(d)).toBe(true);
    for (const d of ['2023-02-29', '1900-02-29', '2024-02-30', '2024-04-31', '2024-13-01', '2024-1-01', '0000-12-31', '', 20240101, null]) {
      expect(isDay(d)).toBe(false);
    }
    expect(() => dayNumber('2024-02-30')).toThrow(RangeError);
    expect(dayNumber('1970-01-01')).toBe(0);
    expect(dayNumber('1969-12-31')).toBe(-1);
    expect(fromDayNumber(dayNumber('9999-12-31'))).toBe('9999-12-31');
    expect(() => fromDayNumber(dayNumber('9999-12-31') + 1)).toThrow(RangeError);
    expect(() => fromDayNumber(dayNumber('0001-01-01') - 1)).toThrow(RangeError);
    expect(() => fromDayNumber(0.5)).toThrow(RangeError);
  });

  it('adds days as the calendar does, across months, years and leap days', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addDays('2024-01-01', -1)).toBe('2023-12-31');
    expect(() => addDays('2024-01-01', 1.5)).toThrow(RangeError);
    fc.assert(
      fc.property(anyDay, fc.integer({ min: -3000, max: 3000 }), (day, n) => {
        const d = utc(day);
        d.setUTCDate(d.getUTCDate() + n);
        expect(addDays(day, n)).toBe(iso(d));
      }),
      { numRuns: 2000 },
    );
  });

  it('adds months on the same day of the month, clamped to the month end', () => {
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2023-01-31', 1)).toBe('2023-02-28');
    expect(addMonths('2024-03-31', -1)).toBe('2024-02-29');
    expect(addMonths('2024-05-31', 1)).toBe('2024-06-30');
    expect(addMonths('2024-11-15', 3)).toBe('2025-02-15');
    expect(addMonths('2100-01-29', 1)).toBe('2100-02-28');
    expect(addMonths('9999-11-30', 1)).toBe('9999-12-30');
    fc.assert(
      fc.property(anyDay, fc.integer({ min: -240, max: 240 }), (day, n) => {
        const d = utc(day);
        const lastOfTarget = new Date(Date.UTC(2000, 0, 1));
        lastOfTarget.setUTCFullYear(d.getUTCFullYear(), d.getUTCMonth() + n + 1, 0);
        const expected = new Date(lastOfTarget);
        expected.setUTCDate(Math.min(d.getUTCDate(), lastOfTarget.getUTCDate()));
        expect(addMonths(day, n)).toBe(iso(expected));
      }),
      { numRuns: 2000 },
    );
  });

  it('counts days between two days, and days covered counting both ends', () => {
    expect(daysBetween('2024-03-01', '2024-03-01')).toBe(0);
    expect(daysCovered('2024-03-01', '2024-03-01')).toBe(1);
    expect(daysBetween('2024-03-02', '2024-03-01')).toBe(-1);
    expect(daysCovered('2024-01-01', '2024-12-31')).toBe(366);
    expect(daysCovered('2023-01-01', '2023-12-31')).toBe(365);
    expect(daysBetween('1969-12-25', '1970-01-05')).toBe(11);
  });

  it('gives the UTC calendar day of an instant, also before 1970', () => {
    expect(dayOf(new Date('2024-03-10T23:59:59.999Z'))).toBe('2024-03-10');
    expect(dayOf(new Date('2024-03-11T00:00:00.000Z'))).toBe('2024-03-11');
    expect(dayOf(new Date('2024-03-11T00:30:00+01:00'))).toBe('2024-03-10');
    expect(dayOf(new Date('1969-12-31T23:59:59.999Z'))).toBe('1969-12-31');
    expect(today(new Date('2026-01-01T13:00:00+14:00'))).toBe('2025-12-31');
    fc.assert(
      fc.property(fc.integer({ min: FIRST * 86_400_000, max: LAST * 86_400_000 + 86_399_999 }), (ms) => {
        expect(dayOf(new Date(ms))).toBe(new Date(ms).toISOString().slice(0, 10));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('buckets', () => {
  it('starts an ISO week on its Monday, week 53 included', () => {
    // 2020 and 2026 have an ISO week 53: Monday 28 December to Sunday 3 January.
    expect(bucketStart('2020-12-31', Grain.WEEK)).toBe('2020-12-28');
    expect(bucketStart('2021-01-03', Grain.WEEK)).toBe('2020-12-28');
    expect(bucketEnd('2020-12-28', Grain.WEEK)).toBe('2021-01-03');
    expect(nextBucket('2021-01-03', Grain.WEEK)).toBe('2021-01-04');
    expect(bucketStart('2027-01-03', Grain.WEEK)).toBe('2026-12-28');
    expect(bucketStart('1970-01-04', Grain.WEEK)).toBe('1969-12-29');
    expect(bucketStart('0001-01-07', Grain.WEEK)).toBe('0001-01-01');
  });

  it('starts months and quarters on their first day and ends them on their last', () => {
    expect(bucketStart('2024-05-15', Grain.MONTH)).toBe('2024-05-01');
    expect(bucketEnd('2024-02-10', Grain.MONTH)).toBe('2024-02-29');
    expect(bucketEnd('2100-02-10', Grain.MONTH)).toBe('2100-02-28');
    expect(bucketStart('2024-05-15', Grain.QUARTER)).toBe('2024-04-01');
    expect(bucketEnd('2024-05-15', Grain.QUARTER)).toBe('2024-06-30');
    expect(nextBucket('2024-11-30', Grain.QUARTER)).toBe('2025-01-01');
    expect(bucketEnd('9999-12-31', Grain.QUARTER)).toBe('9999-12-31');
    expect(bucketStart('2024-05-15', Grain.DAY)).toBe('2024-05-15');
    expect(bucketEnd('2024-05-15', Grain.DAY)).toBe('2024-05-15');
  });

  it('puts every day in the one bucket its grain says, and buckets follow each other without gap', () => {
    fc.assert(
      fc.property(anyDay, fc.constantFrom(...GRAINS), (day, grain) => {
        const start = bucketStart(day, grain);
        const end = bucketEnd(day, grain);
        expect(start <= day && day <= end).toBe(true);
        expect(bucketStart(start, grain)).toBe(start);
        expect(bucketStart(end, grain)).toBe(start);
        expect(nextBucket(day, grain)).toBe(addDays(end, 1));
        expect(bucketStart(addDays(end, 1), grain)).toBe(addDays(end, 1));
        const s = utc(start);
        const e = utc(end);
        if (grain === Grain.DAY) expect(start).toBe(day);
        if (grain === Grain.WEEK) {
          expect(s.getUTCDay()).toBe(1);
          expect(daysCovered(start, end)).toBe(7);
        }
        if (grain === Grain.MONTH || grain === Grain.QUARTER) {
          expect(s.getUTCDate()).toBe(1);
          expect(new Date(e.getTime() + 86_400_000).getUTCDate()).toBe(1);
          const months = (e.getUTCFullYear() - s.getUTCFullYear()) * 12 + e.getUTCMonth() - s.getUTCMonth() + 1;
          expect(months).toBe(grain === Grain.MONTH ? 1 : 3);
          if (grain === Grain.QUARTER) expect(s.getUTCMonth() % 3).toBe(0);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('enumerates the buckets from the bucket of `from` to the bucket of `to`', () => {
    expect(bucketStarts('2024-01-31', '2024-04-01', Grain.MONTH)).toEqual(['2024-01-01', '2024-02-01', '2024-03-01', '2024-04-01']);
    expect(bucketStarts('2020-12-30', '2021-01-05', Grain.WEEK)).toEqual(['2020-12-28', '2021-01-04']);
    expect(bucketStarts('2024-02-01', '2025-01-01', Grain.QUARTER)).toEqual(['2024-01-01', '2024-04-01', '2024-07-01', '2024-10-01', '2025-01-01']);
    expect(bucketStarts('2024-02-28', '2024-03-01', Grain.DAY)).toEqual(['2024-02-28', '2024-02-29', '2024-03-01']);
    expect(bucketStarts('2024-03-02', '2024-03-01', Grain.DAY)).toEqual([]);
    expect(bucketStarts('9999-01-15', '9999-12-31', Grain.MONTH)).toHaveLength(12);
    expect(bucketStarts('0001-01-01', '0001-01-07', Grain.WEEK)).toEqual(['0001-01-01']);
    fc.assert(
      fc.property(anyDay, fc.integer({ min: 0, max: 800 }), fc.constantFrom(...GRAINS), (from, span, grain) => {
        const to = addDays(from, span);
        const starts = bucketStarts(from, to, grain);
        expect(starts[0]).toBe(bucketStart(from, grain));
        expect(starts[starts.length - 1]).toBe(bucketStart(to, grain));
        for (let i = 1; i < starts.length; i++) expect(starts[i]).toBe(nextBucket(starts[i - 1], grain));
      }),
      { numRuns: 100 },
    );
  });

  it('refuses more than MAX_BUCKETS (or the given max) as the caller’s input, naming the field', () => {
    const from = '2000-01-01';
    expect(bucketStarts(from, addDays(from, MAX_BUCKETS - 1), Grain.DAY)).toHaveLength(MAX_BUCKETS);
    const e = refusal(() => bucketStarts(from, addDays(from, MAX_BUCKETS), Grain.DAY, { field: 'to' }));
    expect(e.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(e.field).toBe('to');
    expect(e.extensions).toEqual({ max: MAX_BUCKETS });
    expect(e.message).toBe(`From 2000-01-01 to ${addDays(from, MAX_BUCKETS)} there are 1101 DAY periods, more than 1100: ask for a shorter range or a larger grain`);
    expect(bucketStarts('2024-01-01', '2024-12-31', Grain.MONTH, { max: 12 })).toHaveLength(12);
    expect(refusal(() => bucketStarts('2024-01-01', '2025-01-01', Grain.MONTH, { max: 12 })).field).toBeUndefined();
  });
});

describe('date ranges', () => {
  const opts = { startField: 'periodStart', endField: 'periodEnd', maxDays: 31, what: 'A period' };
  it('takes a range of at most maxDays counting both ends', () => {
    expect(() => checkDateRange('2024-01-01', '2024-01-01', opts)).not.toThrow();
    expect(() => checkDateRange('2024-01-01', '2024-01-31', opts)).not.toThrow();
    expect(() => checkDateRange('2024-01-01', '2099-01-31', { startField: 'a', endField: 'b' })).not.toThrow();
  });
  it('refuses an end before the start, naming the end field', () => {
    const e = refusal(() => checkDateRange('2024-01-02', '2024-01-01', opts));
    expect([e.code, e.field, e.message]).toEqual([ErrorCode.BAD_USER_INPUT, 'periodEnd', 'periodEnd must be on or after periodStart']);
  });
  it('refuses one day more than maxDays, saying how it counts', () => {
    const e = refusal(() => checkDateRange('2024-01-01', '2024-02-01', opts));
    expect([e.code, e.field, e.extensions]).toEqual([ErrorCode.BAD_USER_INPUT, 'periodEnd', { maxDays: 31 }]);
    expect(e.message).toBe('A period is at most 31 days long, counting both periodStart and periodEnd; 2024-01-01 to 2024-02-01 is 32');
  });
});

describe('SQL expressions', () => {
  it('take whole numbers of days only (the SQL is checked against PostgreSQL in the integration tests)', () => {
    expect(periodSql.addDays('s.day', -3)).toBe('((s.day) + -3)');
    expect(periodSql.addDays('s.day', 'k.every_days')).toBe('((s.day) + (k.every_days))');
    expect(() => periodSql.addDays('s.day', 1.5)).toThrow(RangeError);
    expect(() => periodSql.bucketStart('s.day', 'YEAR' as Grain)).toThrow(RangeError);
  });
});
