import { Client } from 'pg';
import { addDays, bucketEnd, bucketStart, dayNumber, dayOf, Grain, nextBucket, periodSql } from '../../../src/common/periods';

/**
 * The SQL twins of the period functions against the TypeScript ones on the real PostgreSQL:
 * every day of several spans of years (around 1900, 1970, 2000, 2019 to 2031 with its two ISO
 * weeks 53, and 2100), every grain, with the session in time zones from UTC−11 to UTC+14 (and
 * Santiago, whose clocks change at midnight) and a non-ISO DateStyle. PostgreSQL's own
 * date_trunc over `timestamp` is the independent check that the one definition is the ISO /
 * calendar one.
 */
const ZONES = ['UTC', 'Pacific/Kiritimati', 'America/Los_Angeles', 'Pacific/Pago_Pago', 'America/Santiago'];
const SPANS: Array<[string, string]> = [
  ['1899-11-01', '1901-03-31'],
  ['1968-01-01', '1972-12-31'],
  ['1999-10-01', '2000-04-30'],
  ['2019-01-01', '2031-12-31'],
  ['2099-10-01', '2100-04-30'],
];
const GRAINS = Object.values(Grain);
const TRUNC: Partial<Record<Grain, string>> = { [Grain.WEEK]: 'week', [Grain.MONTH]: 'month', [Grain.QUARTER]: 'quarter' };

let client: Client;
beforeAll(async () => {
  client = new Client({ connectionString: process.env.PLANGRAPH_TEST_SERVER_URL });
  await client.connect();
});
afterAll(() => client.end());

/** One row per day of the spans: the day, and per grain the SQL start, end, next start and PostgreSQL's own truncation. */
async function sqlBuckets(): Promise<Array<Record<string, string>>> {
  const text = periodSql.dayText;
  const columns = GRAINS.flatMap((g) => [
    `${text(periodSql.bucketStart('d', g))} AS "${g}_start"`,
    `${text(periodSql.bucketEnd('d', g))} AS "${g}_end"`,
    `${text(periodSql.nextBucket('d', g))} AS "${g}_next"`,
    TRUNC[g] ? `to_char(date_trunc('${TRUNC[g]}', d::timestamp), 'YYYY-MM-DD') AS "${g}_trunc"` : `${text('d')} AS "${g}_trunc"`,
  ]);
  const { rows } = await client.query(
    `SELECT ${text('d')} AS day, to_char(d::timestamp, 'IYYY-IW') AS iso_week, ${columns.join(', ')}
       FROM unnest($1::date[], $2::int[]) AS span(first, days), generate_series(0, span.days - 1) AS i, LATERAL (SELECT span.first + i AS d) x
      ORDER BY d`,
    [SPANS.map(([from]) => from), SPANS.map(([from, to]) => dayNumber(to) - dayNumber(from) + 1)],
  );
  return rows;
}

describe('periods: TypeScript and SQL agree', () => {
  it.each(ZONES)('for every day of the spans and every grain, with TimeZone %s', async (zone) => {
    await client.query(`SELECT set_config('TimeZone', $1, false), set_config('DateStyle', $2, false)`, [zone, zone === 'UTC' ? 'ISO, MDY' : 'SQL, DMY']);
    const rows = await sqlBuckets();
    const expectedDays = SPANS.reduce((n, [from, to]) => n + dayNumber(to) - dayNumber(from) + 1, 0);
    expect(rows).toHaveLength(expectedDays);
    const mismatches: string[] = [];
    for (const r of rows) {
      for (const g of GRAINS) {
        const ts = { start: bucketStart(r.day, g), end: bucketEnd(r.day, g), next: nextBucket(r.day, g) };
        const sql = { start: r[`${g}_start`], end: r[`${g}_end`], next: r[`${g}_next`] };
        if (ts.start !== sql.start || ts.end !== sql.end || ts.next !== sql.next || ts.start !== r[`${g}_trunc`]) {
          mismatches.push(`${r.day} ${g}: TS ${JSON.stringify(ts)}, SQL ${JSON.stringify(sql)}, date_trunc ${r[`${g}_trunc`]}`);
        }
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    // The spans hold both ISO weeks 53 of 2020 and 2026; their days were compared above.
    const week53 = rows.filter((r) => r.iso_week === '2020-53' || r.iso_week === '2026-53').map((r) => r.day);
    expect(week53).toEqual([...Array(7).keys()].map((i) => addDays('2020-12-28', i)).concat([...Array(7).keys()].map((i) => addDays('2026-12-28', i))));
  });

  it.each(ZONES)('for the UTC day of instants around midnight, years and clock changes, with TimeZone %s', async (zone) => {
    await client.query(`SELECT set_config('TimeZone', $1, false)`, [zone]);
    const edges = [
      '1969-12-31T23:59:59.999Z',
      '1970-01-01T00:00:00Z',
      '2020-12-31T23:59:59.999999Z',
      '2024-03-10T09:59:59Z',
      '2024-03-10T10:00:00Z',
      '2024-09-08T03:59:59Z',
      '2024-09-08T04:00:00Z',
    ];
    // Every 29 minutes 59 seconds over days where zones change their clocks or the year turns.
    const from = ['2020-12-30', '2024-03-09', '2024-09-06', '2024-11-02', '1969-12-30'];
    const { rows } = await client.query(
      `SELECT floor(extract(epoch FROM t) * 1000)::bigint::text AS ms, ${periodSql.dayText(periodSql.dayOf('t'))} AS day
         FROM (SELECT unnest($1::timestamptz[]) AS t
               UNION ALL
               SELECT to_timestamp(extract(epoch FROM f::timestamp AT TIME ZONE 'UTC') + s)
                 FROM unnest($2::date[]) AS f, generate_series(0, 4 * 86400, 1799) AS s) x`,
      [edges, from],
    );
    expect(rows.length).toBe(edges.length + from.length * (Math.floor((4 * 86400) / 1799) + 1));
    const mismatches = rows
      .map((r: { ms: string; day: string }) => ({ at: new Date(Number(r.ms)), sql: r.day }))
      .filter(({ at, sql }) => dayOf(at) !== sql)
      .map(({ at, sql }) => `${at.toISOString()}: TS ${dayOf(at)}, SQL ${sql}`);
    expect(mismatches.slice(0, 5)).toEqual([]);
  });
});
