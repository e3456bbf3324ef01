import Decimal from 'decimal.js';
import { KeyResultKind, OkrStatus, keyResultProgress, weightedMean } from './okr-rules';
import { keyResultStatusDates, objectiveStatusDates, type Period, type StatusDates } from './okr-status-dates';

/**
 * Stored OKR progress and status (columns `progress`, `at_risk_from`, `off_track_from` on
 * key_results and objectives), so that `objectives(filter: { status })` and its totalCount are
 * SQL over an index instead of a roll-up of every objective in JavaScript.
 *
 * The values are computed here, in JavaScript, with the rules of okr-rules.ts (the single source
 * of the formulas), inside the transaction of the change, and stored. Whatever changes an input
 * of the roll-up calls one of these in its transaction:
 * - a key result's value, confidence, kind, start/target or cycle → `storeKeyResultProgress`
 *   (a check-in, a key-result edit, a new key result);
 * - an objective's contributors (a key result added, removed, archived or re-weighted; an
 *   objective aligned, re-aligned, re-weighted, archived or removed) → `storeObjectiveProgress`
 *   with the objectives whose contributors changed (old and new parent on a re-alignment);
 * - a cycle's dates (pace) or a bulk load → `storeOrganizationProgress`.
 * Status dates (okr-status-dates.ts) keep a stored status right as days pass.
 *
 * `Sql` is any `(text, params) => rows` (a transaction's `manager.query`, or a `pg` client).
 */
export type Sql = (text: string, params: unknown[]) => Promise<Array<Record<string, any>>>;

/** The `Sql` of a TypeORM entity manager (inside a transaction: the transaction's). */
export const sqlOf =
  (manager: { query(text: string, params?: unknown[]): Promise<any> }): Sql =>
  (text, params) =>
    manager.query(text, params);

export interface StoredProgress extends StatusDates {
  progress: number;
}

/**
 * What a roll-up recomputed, nearest first: every objective of the chains it walked, with its
 * cycle (for the progress events the caller announces from it) and its new stored values.
 */
export type RolledUp = Map<string, { cycleId: string; stored: StoredProgress }>;

export interface KeyResultInputs {
  id: string;
  objectiveId: string;
  kind: KeyResultKind;
  startValue: Decimal;
  targetValue: Decimal;
  currentValue: Decimal;
  confidence: number | null;
  cycle: Period;
}

/** A key result's stored progress and status dates. */
export function computeKeyResult(kr: Omit<KeyResultInputs, 'id' | 'objectiveId'>): StoredProgress {
  const progress = keyResultProgress(kr, kr.currentValue);
  return { progress, ...keyResultStatusDates(kr.confidence, progress, kr.cycle) };
}

interface Contributor extends StoredProgress {
  weight: Decimal;
}

/** An objective's stored progress and status dates, from its contributors' stored values. */
export function computeObjective(contributors: Contributor[], cycle: Period): StoredProgress {
  const progress = weightedMean(contributors.map((c) => ({ weight: c.weight, value: c.progress })));
  return { progress, ...objectiveStatusDates(contributors, progress, cycle) };
}

const dateText = (col: string) => `CASE WHEN ${col} IS NULL THEN NULL WHEN ${col} = '-infinity' THEN '-infinity' ELSE to_char(${col}, 'YYYY-MM-DD') END`;

const rowToKeyResult = (r: Record<string, any>): KeyResultInputs => ({
  id: r.id,
  objectiveId: r.objective_id,
  kind: r.kind,
  startValue: new Decimal(r.start_value),
  targetValue: new Decimal(r.target_value),
  currentValue: new Decimal(r.current_value),
  confidence: r.confidence == null ? null : Number(r.confidence),
  cycle: { startsOn: r.starts_on, endsOn: r.ends_on },
});

async function writeKeyResults(sql: Sql, organizationId: string, values: Array<[string, StoredProgress]>): Promise<void> {
  for (let i = 0; i < values.length; i += 5000) {
    const chunk = values.slice(i, i + 5000);
    await sql(
      `UPDATE key_results k SET progress = s.progress, at_risk_from = s.at_risk_from, off_track_from = s.off_track_from
         FROM unnest($2::uuid[], $3::numeric[], $4::date[], $5::date[]) AS s(id, progress, at_risk_from, off_track_from)
        WHERE k.id = s.id AND k.organization_id = $1`,
      [organizationId, chunk.map(([id]) => id), chunk.map(([, v]) => String(v.progress)), chunk.map(([, v]) => v.atRiskFrom), chunk.map(([, v]) => v.offTrackFrom)],
    );
  }
}

async function writeObjectives(sql: Sql, organizationId: string, values: Array<[string, StoredProgress]>): Promise<void> {
  for (let i = 0; i < values.length; i += 5000) {
    await sql(objectivesWriteSql('$1', '$2', '$3', '$4', '$5'), [organizationId, ...objectivesWriteParams(values.slice(i, i + 5000))]);
  }
}

/**
 * Recomputes the key results (after their values, confidence, measure or cycle changed), then
 * their objectives and everything those roll up into. One statement to read them, then as
 * `storeKeyResultValues`.
 */
export async function storeKeyResultProgress(sql: Sql, organizationId: string, keyResultIds: string[]): Promise<RolledUp> {
  if (keyResultIds.length === 0) return new Map();
  const rows = await sql(
    `SELECT k.id, k.objective_id, k.kind, k.start_value, k.target_value, k.current_value, k.confidence,
            to_char(c.starts_on, 'YYYY-MM-DD') AS starts_on, to_char(c.ends_on, 'YYYY-MM-DD') AS ends_on
       FROM key_results k JOIN okr_cycles c ON c.id = k.cycle_id
      WHERE k.organization_id = $1 AND k.id = ANY($2::uuid[])`,
    [organizationId, keyResultIds],
  );
  return storeKeyResultValues(sql, organizationId, rows.map(rowToKeyResult));
}

/**
 * Stores key results whose inputs the caller holds (a check-in knows the new value, the
 * confidence, the measure and the cycle), then rolls up as `storeObjectiveProgress`: four
 * statements in all (the key results are written with the first).
 */
export async function storeKeyResultValues(sql: Sql, organizationId: string, keyResults: KeyResultInputs[]): Promise<RolledUp> {
  if (keyResults.length === 0) return new Map();
  return rollUp(
    sql,
    organizationId,
    [...new Set(keyResults.map((k) => k.objectiveId))],
    keyResults.map((k) => [k.id, computeKeyResult(k)]),
  );
}

/**
 * Recomputes these objectives and every objective they roll up into (nearest first), from their
 * key results' and aligned children's stored values. Four statements whatever the number of
 * objectives or the depth: find the chain, lock it (in id order, in a statement of its own, so
 * that concurrent roll-ups queue instead of losing each other's update or deadlocking), read
 * every contributor, write.
 */
export function storeObjectiveProgress(
  sql: Sql,
  organizationId: string,
  objectiveIds: Array<string | null | undefined>,
): Promise<RolledUp> {
  return rollUp(sql, organizationId, objectiveIds, []);
}

async function rollUp(
  sql: Sql,
  organizationId: string,
  objectiveIds: Array<string | null | undefined>,
  keyResults: Array<[string, StoredProgress]>,
): Promise<RolledUp> {
  const start = [...new Set(objectiveIds.filter((id): id is string => !!id))];
  if (start.length === 0) return new Map();
  // Key results first (a data-modifying CTE runs whether or not it is read), then the chain.
  const chain = await sql(
    `WITH RECURSIVE written AS (
       UPDATE key_results k SET progress = s.progress, at_risk_from = s.at_risk_from, off_track_from = s.off_track_from
         FROM unnest($3::uuid[], $4::numeric[], $5::date[], $6::date[]) AS s(id, progress, at_risk_from, off_track_from)
        WHERE k.id = s.id AND k.organization_id = $1
       RETURNING k.id),
     up(id, parent_id, depth) AS (
       SELECT id, parent_id, 0 FROM objectives WHERE organization_id = $1 AND id = ANY($2::uuid[])
       UNION ALL
       SELECT o.id, o.parent_id, up.depth + 1 FROM objectives o JOIN up ON o.id = up.parent_id
        WHERE o.organization_id = $1 AND up.depth < 100)
     SELECT o.id, o.cycle_id, u.depth, to_char(c.starts_on, 'YYYY-MM-DD') AS starts_on, to_char(c.ends_on, 'YYYY-MM-DD') AS ends_on
       FROM objectives o
       JOIN (SELECT id, max(depth) AS depth FROM up GROUP BY id) u ON u.id = o.id
       JOIN okr_cycles c ON c.id = o.cycle_id
      ORDER BY o.id`,
    [
      organizationId,
      start,
      keyResults.map(([id]) => id),
      keyResults.map(([, v]) => String(v.progress)),
      keyResults.map(([, v]) => v.atRiskFrom),
      keyResults.map(([, v]) => v.offTrackFrom),
    ],
  );
  const ids = chain.map((r) => r.id as string);
  // Hand-written rather than the kit's lockIds: this file runs on a bare `Sql` (a `pg` client in
  // bench and backfills), without a request context. Same statement: in id order, in the organisation.
  await sql(`SELECT 1 FROM objectives WHERE organization_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR NO KEY UPDATE`, [organizationId, ids]);
  const contributors = await sql(contributorsSql('$1', '$2'), [organizationId, ids]);
  const computed = rollUpChain(chain as ChainRow[], contributors as ContributorRow[]);
  await writeObjectives(sql, organizationId, [...computed].map(([id, r]) => [id, r.stored]));
  return computed;
}

/** An objective of a roll-up's chain: its cycle, its distance from where the roll-up started, its cycle's dates. */
export interface ChainRow {
  id: string;
  cycle_id: string;
  depth: number;
  starts_on: string;
  ends_on: string;
}

/** A contributor of an objective, as `contributorsSql` reads it: a key result (`key_result` set) or an aligned child (`child` set). */
export interface ContributorRow {
  owner: string;
  weight: string;
  progress: string;
  at_risk_from: string | null;
  off_track_from: string | null;
  child: string | null;
  key_result: string | null;
}

/**
 * The active key results and aligned children of the objectives in the uuid[] parameter `ids`
 * (organisation parameter `org`), with their stored values: what `rollUpChain` reads.
 */
export function contributorsSql(org: string, ids: string): string {
  return `SELECT objective_id AS owner, weight, progress, ${dateText('at_risk_from')} AS at_risk_from, ${dateText('off_track_from')} AS off_track_from, NULL::uuid AS child, id AS key_result
       FROM key_results WHERE organization_id = ${org} AND objective_id = ANY(${ids}::uuid[]) AND archived_at IS NULL
     UNION ALL
     SELECT parent_id, weight, progress, ${dateText('at_risk_from')}, ${dateText('off_track_from')}, id, NULL::uuid
       FROM objectives WHERE organization_id = ${org} AND parent_id = ANY(${ids}::uuid[]) AND archived_at IS NULL`;
}

/**
 * The chain's objectives recomputed (nearest first) from their contributors' stored values, with
 * the rules of okr-rules.ts. `keyResults` replaces the stored values of key results whose new
 * values are not stored yet (a check-in computes them and writes them with the chain).
 */
export function rollUpChain(chain: ChainRow[], contributors: ContributorRow[], keyResults: ReadonlyMap<string, StoredProgress> = new Map()): RolledUp {
  const byOwner = new Map<string, Array<Contributor & { child: string | null }>>();
  for (const r of contributors) {
    const list = byOwner.get(r.owner) ?? [];
    const fresh = r.key_result ? keyResults.get(r.key_result) : undefined;
    list.push({
      weight: new Decimal(r.weight),
      progress: fresh ? fresh.progress : Number(r.progress),
      atRiskFrom: fresh ? fresh.atRiskFrom : r.at_risk_from,
      offTrackFrom: fresh ? fresh.offTrackFrom : r.off_track_from,
      child: r.child,
    });
    byOwner.set(r.owner, list);
  }
  // Deepest first: a child in the chain is recomputed before its parent reads it.
  const computed: RolledUp = new Map();
  for (const o of [...chain].sort((a, b) => a.depth - b.depth)) {
    const parts = (byOwner.get(o.id) ?? []).map((c) => (c.child && computed.has(c.child) ? { ...c, ...computed.get(c.child)!.stored } : c));
    computed.set(o.id, { cycleId: o.cycle_id, stored: computeObjective(parts, { startsOn: o.starts_on, endsOn: o.ends_on }) });
  }
  return computed;
}

/**
 * The statement writing objectives' stored values: `ids` uuid[], `progress` numeric[], `atRisk`
 * and `offTrack` date[] parameters, in the organisation parameter `org`.
 */
export function objectivesWriteSql(org: string, ids: string, progress: string, atRisk: string, offTrack: string): string {
  return `UPDATE objectives o SET progress = s.progress, at_risk_from = s.at_risk_from, off_track_from = s.off_track_from
         FROM unnest(${ids}::uuid[], ${progress}::numeric[], ${atRisk}::date[], ${offTrack}::date[]) AS s(id, progress, at_risk_from, off_track_from)
        WHERE o.id = s.id AND o.organization_id = ${org}`;
}

/** The parameters of `objectivesWriteSql` for these values: ids, progress, atRisk, offTrack. */
export function objectivesWriteParams(values: Array<[string, StoredProgress]>): [string[], string[], Array<string | null>, Array<string | null>] {
  return [values.map(([id]) => id), values.map(([, v]) => String(v.progress)), values.map(([, v]) => v.atRiskFrom), values.map(([, v]) => v.offTrackFrom)];
}

/** Recomputes every key result and objective of an organisation (backfill, bulk loads, cycle dates). */
export async function storeOrganizationProgress(sql: Sql, organizationId: string): Promise<void> {
  const krRows = await sql(
    `SELECT k.id, k.objective_id, k.kind, k.start_value, k.target_value, k.current_value, k.confidence, k.weight,
            to_char(c.starts_on, 'YYYY-MM-DD') AS starts_on, to_char(c.ends_on, 'YYYY-MM-DD') AS ends_on
       FROM key_results k JOIN okr_cycles c ON c.id = k.cycle_id WHERE k.organization_id = $1 AND k.archived_at IS NULL`,
    [organizationId],
  );
  // Archived objectives keep the values they had; they neither roll up nor are rolled up into.
  const objectives = await sql(
    `SELECT o.id, o.parent_id, o.weight, to_char(c.starts_on, 'YYYY-MM-DD') AS starts_on, to_char(c.ends_on, 'YYYY-MM-DD') AS ends_on
       FROM objectives o JOIN okr_cycles c ON c.id = o.cycle_id WHERE o.organization_id = $1 AND o.archived_at IS NULL`,
    [organizationId],
  );
  const parts = new Map<string, Contributor[]>();
  const add = (owner: string, c: Contributor) => {
    const list = parts.get(owner) ?? [];
    list.push(c);
    parts.set(owner, list);
  };
  const krValues: Array<[string, StoredProgress]> = [];
  for (const r of krRows) {
    const kr = rowToKeyResult(r);
    const v = computeKeyResult(kr);
    krValues.push([kr.id, v]);
    add(kr.objectiveId, { ...v, weight: new Decimal(r.weight) });
  }
  const children = new Map<string, Array<Record<string, any>>>();
  for (const o of objectives) {
    if (!o.parent_id) continue;
    const list = children.get(o.parent_id) ?? [];
    list.push(o);
    children.set(o.parent_id, list);
  }
  const computed = new Map<string, StoredProgress>();
  const visiting = new Set<string>();
  const visit = (o: Record<string, any>): StoredProgress => {
    const done = computed.get(o.id);
    if (done) return done;
    if (visiting.has(o.id)) throw new Error(`alignment loop at objective ${o.id}`);
    visiting.add(o.id);
    const own = [...(parts.get(o.id) ?? []), ...(children.get(o.id) ?? []).map((c) => ({ ...visit(c), weight: new Decimal(c.weight) }))];
    const v = computeObjective(own, { startsOn: o.starts_on, endsOn: o.ends_on });
    computed.set(o.id, v);
    return v;
  };
  for (const o of objectives) visit(o);
  await writeKeyResults(sql, organizationId, krValues);
  await writeObjectives(sql, organizationId, [...computed]);
}

/**
 * The SQL condition selecting objectives (alias `o`) whose stored status is `status` on the day
 * bound to `:today` (YYYY-MM-DD, the same day `statusOn` is given). OFF_TRACK implies AT_RISK's
 * date has passed too, which lets the (organization_id, at_risk_from, off_track_from) index serve
 * every status.
 */
export function statusCondition(alias: string, status: OkrStatus): string {
  const a = `${alias}.at_risk_from`;
  const f = `${alias}.off_track_from`;
  switch (status) {
    case OkrStatus.ON_TRACK:
      return `(${a} IS NULL OR ${a} > :today)`;
    case OkrStatus.AT_RISK:
      return `(${a} <= :today AND (${f} IS NULL OR ${f} > :today))`;
    case OkrStatus.OFF_TRACK:
      return `(${a} <= :today AND ${f} <= :today)`;
  }
}
