import { createLogger } from '../../../src/common/logger';
import { createDataSource } from '../../../src/db/data-source';
import { migrate } from '../../../src/db/database';
import { sqlOf, storeOrganizationProgress } from '../../../src/modules/okrs/okr-progress-store';
import { migrations } from '../../../migrations';
import { StoredOkrProgress1764300420000, backfillStoredProgress } from '../../../migrations/1764300420000-StoredOkrProgress';
import { createEmptyDatabase, dropDatabase } from '../../support/test-db';

/**
 * The StoredOkrProgress migration backfills with its own frozen SQL. Varied OKR data written
 * before it (every key-result kind, with and without confidence, check-ins, odd weights, deep and
 * archived alignments, past, running and future cycles) must come out of the migration exactly as
 * the live code (storeOrganizationProgress) stores it.
 */

/** A small deterministic generator, so that a failure can be replayed. */
function random(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)],
  };
}

const KINDS = ['INCREASE_TO', 'DECREASE_TO', 'STAY_ABOVE', 'STAY_BELOW', 'MILESTONE'] as const;
const WEIGHTS = ['1', '0', '2.5', '0.333', '3', '1.2345', '7', '0.1'];
const CONFIDENCES = [null, null, null, '0.7', '0.69', '0.4', '0.39', '0', '1', '0.55'];
const day = (base: string, offset: number) => new Date(Date.parse(`${base}T00:00:00Z`) + offset * 86400000).toISOString().slice(0, 10);
const today = new Date().toISOString().slice(0, 10);

type Query = (text: string, params?: unknown[]) => Promise<any[]>;

async function insertData(q: Query, seed: number): Promise<string[]> {
  const r = random(seed);
  const orgs: string[] = [];
  for (let n = 0; n < 2; n++) {
    const [org] = await q(`INSERT INTO organizations (name, slug) VALUES ($1, $2) RETURNING id`, [`Org ${n}`, `backfill-${seed}-${n}`]);
    const [user] = await q(`INSERT INTO users (email, display_name) VALUES ($1, 'U') RETURNING id`, [`u${seed}-${n}@example.test`]);
    orgs.push(org.id);
    const cycles: string[] = [];
    const periods: Array<[number, number]> = [[-50, 49], [-400, -310], [30, 120], [0, 0], [-3, 3], [-1, 365]];
    for (const [i, [from, to]] of periods.entries()) {
      const [c] = await q(`INSERT INTO okr_cycles (organization_id, name, starts_on, ends_on) VALUES ($1, $2, $3, $4) RETURNING id`, [
        org.id,
        `C${i}`,
        day(today, from),
        day(today, to),
      ]);
      cycles.push(c.id);
    }
    const objectives: string[] = [];
    for (let i = 0; i < 60; i++) {
      // Parents among the earlier objectives: chains several levels deep, some roots.
      const parent = i > 0 && r.next() < 0.7 ? objectives[r.int(Math.max(0, i - 12), i - 1)] : null;
      const [o] = await q(
        `INSERT INTO objectives (organization_id, cycle_id, title, owner_id, parent_id, weight, archived_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [org.id, r.pick(cycles), `O${i}`, user.id, parent, r.pick(WEIGHTS), r.next() < 0.1 ? new Date() : null],
      );
      objectives.push(o.id);
    }
    for (let i = 0; i < 220; i++) {
      const kind = r.pick(KINDS);
      let start = String(r.int(-50, 200));
      let target = String(r.int(-50, 400) + (r.next() < 0.3 ? 0.125 : 0));
      if (kind === 'MILESTONE') [start, target] = ['0', '1'];
      if ((kind === 'INCREASE_TO' || kind === 'DECREASE_TO') && start === target) target = String(Number(target) + 7);
      const current =
        kind === 'MILESTONE'
          ? String(r.int(0, 1))
          : r.next() < 0.15
            ? start
            : r.next() < 0.1
              ? target
              : (Number(start) + (Number(target) - Number(start)) * (r.next() * 1.4 - 0.2)).toFixed(r.int(0, 6));
      const confidence = r.pick(CONFIDENCES);
      const objective = r.next() < 0.1 ? objectives[0] : r.pick(objectives);
      const [kr] = await q(
        `INSERT INTO key_results (organization_id, objective_id, cycle_id, title, kind, start_value, target_value, current_value,
                                  confidence, weight, owner_id, archived_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
        [org.id, objective, r.pick(cycles), `KR${i}`, kind, start, target, current, confidence, r.pick(WEIGHTS), user.id, r.next() < 0.08 ? new Date() : null],
      );
      if (confidence !== null) {
        await q(`INSERT INTO check_ins (organization_id, key_result_id, value, confidence, author_id) VALUES ($1, $2, $3, $4, $5)`, [
          org.id,
          kr.id,
          current,
          confidence,
          user.id,
        ]);
      }
    }
    // Thirds, sevenths, tiny and huge spans, and a value whose 20-digit rounding decides its double.
    const [o] = await q(`INSERT INTO objectives (organization_id, cycle_id, title, owner_id, weight) VALUES ($1, $2, 'Thirds', $3, '0.7') RETURNING id`, [
      org.id,
      cycles[0],
      user.id,
    ]);
    for (const [start, target, current, weight] of [
      ['0', '3', '1', '1'],
      ['0', '7', '1', '1.3'],
      ['10', '0', '3.3333333333333333333333', '2'],
      ['0.0000001', '0.0000004', '0.0000002', '0.01'],
      ['1', '1000000000000', '2', '5'],
      // Just below the midpoint of two doubles, but above it once rounded to 20 digits.
      ['0', '1', '0.3000000000000001276756478318930021487176418294443359375', '1'],
    ]) {
      await q(
        `INSERT INTO key_results (organization_id, objective_id, cycle_id, title, kind, start_value, target_value, current_value, weight, owner_id)
         VALUES ($1, $2, $3, 'Edge', 'INCREASE_TO', $4, $5, $6, $7, $8)`,
        [org.id, o.id, cycles[0], start, target, current, weight, user.id],
      );
    }
  }
  return orgs;
}

const snapshot = (q: Query) =>
  Promise.all(
    ['key_results', 'objectives'].map((table) =>
      q(`SELECT id, title, trim_scale(progress)::text AS progress, at_risk_from::text AS at_risk_from, off_track_from::text AS off_track_from
           FROM ${table} ORDER BY id`),
    ),
  );

describe('StoredOkrProgress backfill (frozen SQL)', () => {
  it('stores what the live OKR code stores, for data written before the migration', async () => {
    const serverUrl = process.env.PLANGRAPH_TEST_SERVER_URL!;
    const db = await createEmptyDatabase(serverUrl, 'pg_backfill');
    const ds = createDataSource(db.url, createLogger('silent'));
    await ds.initialize();
    const q: Query = (text, params) => ds.query(text, params);
    try {
      await migrate(ds);
      const index = migrations.indexOf(StoredOkrProgress1764300420000);
      for (let i = index; i < migrations.length; i++) await ds.undoLastMigration({ transaction: 'each' });
      const orgs = await insertData(q, 17);
      expect(await migrate(ds)).toContain('StoredOkrProgress1764300420000');
      const migrated = await snapshot(q);

      for (const table of ['key_results', 'objectives']) await q(`UPDATE ${table} SET progress = 0, at_risk_from = NULL, off_track_from = NULL`);
      for (const org of orgs) await storeOrganizationProgress(sqlOf(ds.manager), org);
      const live = await snapshot(q);

      expect(migrated[0].length).toBeGreaterThan(400);
      // Every kind of outcome is represented (so that the comparison means something).
      const values = new Set(migrated.flat().map((row) => `${row.at_risk_from === '-infinity'}/${row.at_risk_from === null}/${row.off_track_from === null}`));
      expect(values.size).toBeGreaterThanOrEqual(4);
      expect(new Set(migrated.flat().map((row) => row.progress)).size).toBeGreaterThan(100);
      expect(migrated).toEqual(live);

      // An alignment loop stops the backfill, as it stops the live code.
      const [a, b] = (await q(`SELECT id FROM objectives WHERE archived_at IS NULL AND organization_id = $1 ORDER BY id LIMIT 2`, [orgs[0]])).map((o) => o.id);
      await q(`UPDATE objectives SET parent_id = $2 WHERE id = $1`, [a, b]);
      await q(`UPDATE objectives SET parent_id = $1 WHERE id = $2`, [a, b]);
      await expect(ds.transaction((m) => backfillStoredProgress((text, params) => m.query(text, params)))).rejects.toThrow(/alignment loop/);
    } finally {
      await ds.destroy();
      await dropDatabase(serverUrl, db.name);
    }
  });
});
