import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stored OKR progress and status: key results and objectives keep their progress (0..1) and
 * the first day their status is AT_RISK and OFF_TRACK, so that status filters and counts are
 * index scans.
 *
 * The backfill is SQL written here, frozen with the migration (a migration never imports live
 * code, so a fresh database migrates the same way whatever the modules become). It computes what
 * the OKR rules computed when this migration was written, for every row that exists:
 * - a key result's progress: INCREASE_TO / DECREASE_TO (current − start) / (target − start)
 *   clamped to 0..1, STAY_ABOVE and MILESTONE 1 when current ≥ target, STAY_BELOW 1 when
 *   current ≤ target, else 0; an objective's progress: the weighted mean of its key results and
 *   aligned child objectives (not archived), 0 with none or all weights 0. The arithmetic is the
 *   rules' own: decimal steps rounded half-up to 20 significant digits (decimal.js defaults),
 *   the result a double stored in its shortest decimal form;
 * - status dates: from a key result's confidence when it has one (below 0.7 AT_RISK, below 0.4
 *   OFF_TRACK: from any day), else from pace, the first day of its cycle on which progress over
 *   the share of the cycle elapsed (double arithmetic) is below 0.7 (AT_RISK) or 0.5
 *   (OFF_TRACK); an objective's: the earliest of its contributors' dates (its weakest status),
 *   with no contributor its own pace (progress 0: its cycle's first day).
 * Archived key results and objectives keep 0 and no dates (they neither roll up nor are rolled
 * up into). An alignment loop stops the migration, as the rules refuse it.
 * tests/integration/okrs/progress-backfill.test.ts checks this against the live code.
 */
export class StoredOkrProgress1764300420000 implements MigrationInterface {
  name = 'StoredOkrProgress1764300420000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['key_results', 'objectives']) {
      await q.query(`
        ALTER TABLE ${table}
          ADD COLUMN progress numeric NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
          ADD COLUMN at_risk_from date,
          ADD COLUMN off_track_from date`);
    }
    await q.query(`CREATE INDEX objectives_org_status_idx ON objectives (organization_id, at_risk_from, off_track_from)`);
    await backfillStoredProgress((text, params) => q.query(text, params));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX objectives_org_status_idx`);
    for (const table of ['objectives', 'key_results']) {
      await q.query(`ALTER TABLE ${table} DROP COLUMN off_track_from, DROP COLUMN at_risk_from, DROP COLUMN progress`);
    }
  }
}

type Sql = (text: string, params?: unknown[]) => Promise<any>;

/** Deepest alignment followed before the backfill calls the rest a loop. */
const MAX_LEVELS = 1000;

/**
 * Computes and stores progress, at_risk_from and off_track_from of every key result and
 * objective not archived, as described above. Exported for the test that compares it with the
 * live code.
 */
export async function backfillStoredProgress(sql: Sql): Promise<void> {
  const [{ digits }] = await sql(`SELECT current_setting('extra_float_digits') AS digits`);
  // Shortest round-trip text for doubles (the form JavaScript's String(number) gives).
  await sql(`SELECT set_config('extra_float_digits', '1', false)`);
  try {
    // Rounds half away from zero to 20 significant digits (decimal.js: precision 20, ROUND_HALF_UP).
    await sql(`
      CREATE OR REPLACE FUNCTION pg_temp.okr_sig20(x numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE WHEN x = 0 THEN x ELSE round(x, 19 - CASE
          WHEN abs(x) >= 1 THEN length(trunc(abs(x))::text) - 1
          ELSE -1 - length(substring(abs(x)::text FROM '^0\\.(0*)')) END) END
      $$`);
    // A quotient to 20 significant digits (computed to 100 places first).
    await sql(`
      CREATE OR REPLACE FUNCTION pg_temp.okr_div20(a numeric, b numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
        SELECT pg_temp.okr_sig20(round(pg_temp.okr_sig20(a), 100) / pg_temp.okr_sig20(b))
      $$`);
    // A decimal 0..1 as the double it becomes, in shortest form.
    await sql(`
      CREATE OR REPLACE FUNCTION pg_temp.okr_double(x numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
        SELECT least(1, greatest(0, x))::float8::text::numeric
      $$`);
    // The first day of a cycle on which progress / elapsed share < threshold (null: none).
    await sql(`
      CREATE OR REPLACE FUNCTION pg_temp.okr_pace_from(p float8, starts_on date, ends_on date, threshold float8) RETURNS date LANGUAGE sql STABLE AS $$
        SELECT starts_on + (min(n) - 1)
          FROM generate_series(1, ends_on - starts_on + 1) AS n
         WHERE p < 1 AND p / (n::float8 / (ends_on - starts_on + 1)::float8) < threshold
      $$`);

    await sql(`
      WITH s AS (
        SELECT k.id, k.confidence::float8 AS confidence, c.starts_on, c.ends_on,
               pg_temp.okr_double(CASE
                 WHEN k.kind IN ('INCREASE_TO', 'DECREASE_TO')
                   THEN pg_temp.okr_div20(k.current_value - k.start_value, k.target_value - k.start_value)
                 WHEN k.kind = 'STAY_BELOW' THEN CASE WHEN k.current_value <= k.target_value THEN 1 ELSE 0 END
                 ELSE CASE WHEN k.current_value >= k.target_value THEN 1 ELSE 0 END
               END) AS progress
          FROM key_results k JOIN okr_cycles c ON c.id = k.cycle_id
         WHERE k.archived_at IS NULL)
      UPDATE key_results k
         SET progress = s.progress,
             at_risk_from = CASE WHEN s.confidence IS NOT NULL
               THEN CASE WHEN s.confidence < 0.7::float8 THEN '-infinity'::date END
               ELSE pg_temp.okr_pace_from(s.progress::float8, s.starts_on, s.ends_on, 0.7::float8) END,
             off_track_from = CASE WHEN s.confidence IS NOT NULL
               THEN CASE WHEN s.confidence < 0.4::float8 THEN '-infinity'::date END
               ELSE pg_temp.okr_pace_from(s.progress::float8, s.starts_on, s.ends_on, 0.5::float8) END
        FROM s
       WHERE k.id = s.id`);

    // Objectives bottom-up: each round stores those whose aligned children are all stored.
    await sql(`DROP TABLE IF EXISTS pg_temp.okr_pending`);
    await sql(`
      CREATE TEMPORARY TABLE okr_pending AS
        SELECT o.id, o.parent_id, c.starts_on FROM objectives o JOIN okr_cycles c ON c.id = o.cycle_id WHERE o.archived_at IS NULL`);
    await sql(`ALTER TABLE okr_pending ADD PRIMARY KEY (id)`);
    await sql(`CREATE INDEX ON okr_pending (parent_id)`);
    await sql(`ANALYZE okr_pending`);
    for (let level = 0; level < MAX_LEVELS; level++) {
      const stored: Array<{ id: string }> = await sql(`
        WITH ready AS (
          SELECT p.id, p.starts_on FROM okr_pending p
           WHERE NOT EXISTS (SELECT 1 FROM okr_pending ch WHERE ch.parent_id = p.id)),
        parts AS (
          SELECT k.objective_id AS owner, k.weight, k.progress, k.at_risk_from, k.off_track_from
            FROM key_results k JOIN ready r ON r.id = k.objective_id WHERE k.archived_at IS NULL
          UNION ALL
          SELECT o.parent_id, o.weight, o.progress, o.at_risk_from, o.off_track_from
            FROM objectives o JOIN ready r ON r.id = o.parent_id WHERE o.archived_at IS NULL),
        rolled AS (
          SELECT r.id, r.starts_on, count(p.owner) AS n,
                 pg_temp.okr_sig20(sum(p.weight)) AS total,
                 pg_temp.okr_sig20(sum(pg_temp.okr_sig20(p.weight * p.progress))) AS weighted,
                 min(least(p.at_risk_from, p.off_track_from)) AS at_risk_from,
                 min(p.off_track_from) AS off_track_from
            FROM ready r LEFT JOIN parts p ON p.owner = r.id
           GROUP BY r.id, r.starts_on),
        written AS (
          UPDATE objectives o
             SET progress = CASE WHEN r.n = 0 OR r.total = 0 THEN 0 ELSE pg_temp.okr_double(pg_temp.okr_div20(r.weighted, r.total)) END,
                 at_risk_from = CASE WHEN r.n = 0 THEN r.starts_on ELSE r.at_risk_from END,
                 off_track_from = CASE WHEN r.n = 0 THEN r.starts_on ELSE r.off_track_from END
            FROM rolled r
           WHERE o.id = r.id
          RETURNING o.id)
        DELETE FROM okr_pending p USING written w WHERE p.id = w.id RETURNING p.id`);
      if (stored.length === 0) break;
    }
    const [left] = await sql(`SELECT id FROM okr_pending LIMIT 1`);
    if (left) throw new Error(`alignment loop at objective ${left.id}`);
    await sql(`DROP TABLE okr_pending`);
    for (const fn of ['okr_pace_from(float8, date, date, float8)', 'okr_double(numeric)', 'okr_div20(numeric, numeric)', 'okr_sig20(numeric)']) {
      await sql(`DROP FUNCTION pg_temp.${fn}`);
    }
  } finally {
    await sql(`SELECT set_config('extra_float_digits', $1, false)`, [digits]);
  }
}
