import { Client } from 'pg';
import { addDays, bucketStart, Grain } from '../src/common/periods';
import { benchLeafKeys } from './kpi-generate';

/**
 * `recordMeasurements` of 10,000 rows through plangraph (HTTP, GraphQL, one transaction: checks,
 * upsert, stored latest values, alerts, audit) against a plain multi-row INSERT of the same rows
 * through `pg` on the same database: rows per second, best of `rounds` each, new periods each
 * round (all inserts; about 1 in 20 values raises an alert).
 */
export async function benchRecordMeasurements(opts: { url: string; token: string; dbUrl: string; organizationId: string; rounds?: number }) {
  const rounds = opts.rounds ?? 3;
  const keys = benchLeafKeys();
  const perKey = Math.ceil(10_000 / keys.length);
  const rowsFor = (round: number) => {
    const rows: Array<{ kpiKey: string; periodStart: string; value: string; source: string }> = [];
    for (let w = 0; w < perKey && rows.length < 10_000; w++) {
      // Weekly KPIs: periods start on Mondays; each round has weeks of its own (60 from the week of 2030-01-01 on).
      const periodStart = addDays(bucketStart('2030-01-01', Grain.WEEK), 7 * (60 * round + w));
      for (const kpiKey of keys) {
        if (rows.length === 10_000) break;
        rows.push({ kpiKey, periodStart, value: ((rows.length * 7919) % 20000 / 100).toFixed(2), source: 'bench' });
      }
    }
    return rows;
  };
  const query = `mutation BenchRecordMeasurements($i: RecordMeasurementsInput!) { recordMeasurements(input: $i) { inserted updated alertsRaised } }`;
  let best = Infinity;
  let last: any = null;
  for (let r = 0; r < rounds; r++) {
    const body = JSON.stringify({ query, variables: { i: { measurements: rowsFor(r) } } });
    const started = performance.now();
    const res = await fetch(opts.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.token}` }, body });
    const json = (await res.json()) as any;
    const ms = performance.now() - started;
    if (json.errors) throw new Error(`recordMeasurements: ${JSON.stringify(json.errors).slice(0, 400)}`);
    last = json.data.recordMeasurements;
    best = Math.min(best, ms);
  }
  const db = new Client({ connectionString: opts.dbUrl });
  await db.connect();
  let floorBest = Infinity;
  try {
    const ids = new Map<string, string>(
      (await db.query(`SELECT key, id FROM kpis WHERE organization_id = $1 AND key = ANY($2)`, [opts.organizationId, keys])).rows.map((x) => [x.key, x.id]),
    );
    for (let r = 0; r < rounds; r++) {
      const rows = rowsFor(10 + r); // weeks of their own, after the rounds above
      const values: unknown[] = [opts.organizationId];
      const tuples = rows.map((row, i) => {
        values.push(ids.get(row.kpiKey), row.periodStart, row.value, row.source);
        const b = 2 + i * 4;
        return `($1, $${b}, $${b + 1}, $${b + 2}, $${b + 3})`;
      });
      const started = performance.now();
      await db.query(`INSERT INTO kpi_measurements (organization_id, kpi_id, period_start, value, source) VALUES ${tuples.join(', ')}`, values);
      floorBest = Math.min(floorBest, performance.now() - started);
    }
  } finally {
    await db.end();
  }
  const plangraph = 10_000 / (best / 1000);
  const floor = 10_000 / (floorBest / 1000);
  console.log(
    `  recordMeasurements (10,000 rows): plangraph ${plangraph.toFixed(0)} rows/s (${best.toFixed(0)} ms; last ${JSON.stringify(last)}); ` +
      `plain INSERT ${floor.toFixed(0)} rows/s (${floorBest.toFixed(0)} ms); ${(plangraph / floor).toFixed(2)}× (target ≥ 0.5×)`,
  );
  return { plangraphRowsPerSecond: plangraph, floorRowsPerSecond: floor, ratio: plangraph / floor, last };
}
