import { Grain } from '../../../src/common/periods';
import { RuleViolation } from '../../../src/common/rules';
import {
  lookupKeys,
  periodStartError,
  MAX_LISTED_ROW_ERRORS,
  measurementErrors,
  refuseMeasurements,
  type MeasurementRow,
  type RecordedKpi,
} from '../../../src/modules/kpis/kpi-measurement-rules';

const kpi = (key: string, extra: Partial<RecordedKpi> = {}): RecordedKpi => ({ id: `id-${key}`, key, archivedAt: null, formula: null, grain: Grain.WEEK, ...extra });
const kpis = new Map([
  ['gmv', kpi('gmv', { formula: 'visitors * aov' })],
  ['visitors', kpi('visitors')],
  ['aov', kpi('aov')],
  ['old', kpi('old', { archivedAt: new Date('2026-01-01') })],
  ['secret', kpi('secret')],
  ['mau', kpi('mau', { grain: Grain.MONTH })],
  ['dau', kpi('dau', { grain: Grain.DAY })],
]);
const row = (kpiKey: string, periodStart = '2026-03-02', extra: Partial<MeasurementRow> = {}): MeasurementRow => ({ kpiKey, periodStart, value: '1', ...extra });
const check = (rows: MeasurementRow[], valueErrors = new Map<number, string>()) =>
  measurementErrors(rows, { kpis, valueErrors, mayRecord: (k) => k.key !== 'secret' });

describe('recordMeasurements rules', () => {
  it('takes only the first day of a period of the KPI grain, naming the expected day', () => {
    expect(periodStartError({ key: 'aov', grain: Grain.WEEK }, '2026-12-09')).toBe(
      'aov is measured weekly: periods start on Mondays; 2026-12-09 is a Wednesday, its week starts 2026-12-07',
    );
    expect(periodStartError({ key: 'mau', grain: Grain.MONTH }, '2026-12-07')).toBe(
      'mau is measured monthly: periods start on the 1st of a month; 2026-12-07 is the 7th, its month starts 2026-12-01',
    );
    expect(periodStartError({ key: 'aov', grain: Grain.WEEK }, '2026-12-07')).toBeNull();
    expect(periodStartError({ key: 'mau', grain: Grain.MONTH }, '2026-12-01')).toBeNull();
    expect(periodStartError({ key: 'dau', grain: Grain.DAY }, '2026-12-09')).toBeNull();
    const errors = check([row('aov', '2026-12-09'), row('mau', '2026-12-01'), row('dau', '2026-12-09'), row('mau', '2026-03-02')]);
    expect(errors.map((e) => [e.index, e.kpiKey])).toEqual([
      [0, 'aov'],
      [3, 'mau'],
    ]);
  });

  it('accepts good rows', () => {
    expect(check([row('visitors'), row('aov'), row('visitors', '2026-03-09')])).toEqual([]);
  });

  it('names every bad row, in row order, with the first problem of each', () => {
    const rows = [
      row('visitors'),
      row('nope'),
      row('old'),
      row('gmv'),
      row('secret'),
      row('aov', '2026-03-02', { source: 'x'.repeat(201) }),
      row('visitors'),
      row('aov', '2026-03-09'),
    ];
    const errors = check(rows, new Map([[7, 'Decimal must be a decimal number']]));
    expect(errors.map((e) => [e.index, e.kpiKey])).toEqual([
      [1, 'nope'],
      [2, 'old'],
      [3, 'gmv'],
      [4, 'secret'],
      [5, 'aov'],
      [6, 'visitors'],
      [7, 'aov'],
    ]);
    expect(errors.map((e) => e.message)).toEqual([
      'Unknown KPI key "nope"',
      'KPI old is archived',
      'KPI gmv is computed by its formula (visitors * aov): record its inputs instead',
      'You may not record measurements of secret: it needs OWNER, ADMIN, FINANCE, SQUAD_LEAD or its owner',
      'source has at most 200 characters',
      'Row 0 already records visitors for 2026-03-02',
      'Decimal must be a decimal number',
    ]);
  });

  it('looks up only keys that can be KPI keys, once each', () => {
    expect(lookupKeys([row('aov'), row('aov'), row('Not A Key'), row('x'.repeat(65))])).toEqual(['aov']);
  });

  it('refuses the call as BAD_USER_INPUT naming measurements, listing at most MAX_LISTED_ROW_ERRORS rows', () => {
    const many = Array.from({ length: MAX_LISTED_ROW_ERRORS + 10 }, () => row('nope'));
    const errors = check(many);
    const violation = refuseMeasurements(errors, many.length);
    expect(violation).toBeInstanceOf(RuleViolation);
    expect([violation.code, violation.field, violation.extensions.invalidRows]).toEqual(['BAD_USER_INPUT', 'measurements', MAX_LISTED_ROW_ERRORS + 10]);
    expect(violation.extensions.rows).toHaveLength(MAX_LISTED_ROW_ERRORS);
    expect(violation.message).toBe(`510 of 510 measurements are invalid (first: row 0, Unknown KPI key "nope"); nothing was recorded`);
    expect(refuseMeasurements([{ index: 0, kpiKey: 'a', message: 'm' }], 1).message).toBe('1 of 1 measurement is invalid (first: row 0, m); nothing was recorded');
  });
});
