/**
 * The statements of a check-in (`checkInKeyResult`): three in its transaction, whatever the depth
 * of the alignment chain above the key result.
 *
 * 1. `readForCheckIn`: the key result, its cycle (locked FOR SHARE: no closing meanwhile), the
 *    chain of objectives it rolls up into (locked FOR NO KEY UPDATE in id order, so that
 *    concurrent roll-ups of one objective queue instead of losing each other's update) with their
 *    cycles' dates, and the lead of the objective's squad (the permission check).
 * 2. `writeCheckIn`: the check-in row and the versioned update of the key result, and the
 *    contributors of every objective of the chain. Run after the locks are held, so it reads what
 *    the roll-ups before it committed.
 * 3. `storeCheckInRollUp`: the key result's and the chain's stored progress and status dates
 *    (computed in TypeScript from okr-rules.ts, as every roll-up: okr-progress-store.ts) and the
 *    audit row.
 *
 * With authentication, BEGIN and COMMIT that is six statements per check-in.
 */
import type Decimal from 'decimal.js';
import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { positional, rowShape } from '../../common/rows';
import { decimalTransformer } from '../../common/scalars';
import { recordChangeSql, type Change } from '../audit';
import { squadLeadSql } from '../squads';
import { CheckIn, Cycle, KeyResult, Objective } from './okr.entity';
import {
  contributorsSql,
  objectivesWriteParams,
  objectivesWriteSql,
  type ChainRow,
  type ContributorRow,
  type StoredProgress,
} from './okr-progress-store';

export interface CheckInReading {
  keyResult: KeyResult | null;
  /** The key result's objective (locked), or null. */
  objective: Objective | null;
  /** The key result's cycle (share-locked), or null. */
  cycle: Cycle | null;
  /** The lead of the objective's squad (null: no squad, or no such squad). */
  squadLead: { leadId: string } | null;
  /** The objective and every objective it rolls up into, with their cycles' dates. */
  chain: ChainRow[];
}

/** Statement 1: what a check-in checks and rolls up, with its locks (see the file's comment). */
export async function readForCheckIn(tx: Context, keyResultId: string): Promise<CheckInReading> {
  const ds = tx.manager.connection;
  const kr = rowShape(ds, KeyResult);
  const ob = rowShape(ds, Objective);
  const cy = rowShape(ds, Cycle);
  // The cycle is locked before the chain (a sub-select of the chain's statement runs first), in
  // the order of the other writers of a cycle's objectives: cycle, then objectives.
  const rows: Array<Record<string, unknown>> = await tx.manager.query(
    `WITH RECURSIVE k AS (
       SELECT c.* FROM key_results c WHERE c.id = $1 AND c.organization_id = $2),
     cy AS MATERIALIZED (
       SELECT c.* FROM okr_cycles c WHERE c.id = (SELECT cycle_id FROM k) AND c.organization_id = $2 FOR SHARE),
     up(id, parent_id, depth) AS (
       SELECT o.id, o.parent_id, 0 FROM objectives o WHERE o.organization_id = $2 AND o.id = (SELECT objective_id FROM k)
       UNION ALL
       SELECT o.id, o.parent_id, up.depth + 1 FROM objectives o JOIN up ON o.id = up.parent_id
        WHERE o.organization_id = $2 AND up.depth < 100),
     chain AS MATERIALIZED (
       SELECT o.* FROM objectives o
        WHERE o.organization_id = $2 AND o.id IN (SELECT up.id FROM up) AND (SELECT count(*) FROM cy) >= 0
        ORDER BY o.id FOR NO KEY UPDATE OF o)
     SELECT ${kr.columns('k', 'k_')}, ${cy.columns('cy', 'c_')}, ${ob.columns('ch', 'o_')},
            d.depth, to_char(oc.starts_on, 'YYYY-MM-DD') AS starts_on, to_char(oc.ends_on, 'YYYY-MM-DD') AS ends_on,
            ${squadLeadSql('ch.squad_id', '$2')} AS squad_lead_id
       FROM (SELECT 1) one
       LEFT JOIN k ON true
       LEFT JOIN cy ON true
       LEFT JOIN chain ch ON true
       LEFT JOIN (SELECT up.id, max(up.depth) AS depth FROM up GROUP BY up.id) d ON d.id = ch.id
       LEFT JOIN okr_cycles oc ON oc.id = ch.cycle_id AND oc.organization_id = $2
      ORDER BY d.depth NULLS FIRST, ch.id`,
    [keyResultId, orgId(tx)],
  );
  const first = rows[0];
  const keyResult = first.k_id ? kr.map(first, 'k_') : null;
  const cycle = first.c_id ? cy.map(first, 'c_') : null;
  const chain: ChainRow[] = [];
  let objective: Objective | null = null;
  let squadLead: { leadId: string } | null = null;
  for (const r of rows) {
    if (!r.o_id) continue;
    chain.push({ id: r.o_id as string, cycle_id: r.o_cycle_id as string, depth: Number(r.depth), starts_on: r.starts_on as string, ends_on: r.ends_on as string });
    if (keyResult && r.o_id === keyResult.objectiveId) {
      objective = ob.map(r, 'o_');
      squadLead = r.squad_lead_id ? { leadId: r.squad_lead_id as string } : null;
    }
  }
  return { keyResult, objective, cycle, squadLead, chain };
}

export interface CheckInWrite {
  /** The new check-in (as `manager.save` would have returned it: the input's values, id and creation time). */
  checkIn: CheckIn;
  /** The key result after the versioned update; null when it was not at `expectedVersion`. */
  keyResult: KeyResult | null;
  contributors: ContributorRow[];
}

/**
 * Statement 2: the check-in row, the key result's value and confidence at `expectedVersion`
 * (null: unchecked) with the check-in's time, and the contributors of `chainIds`.
 */
export async function writeCheckIn(
  tx: Context,
  kr: KeyResult,
  expectedVersion: number | null,
  input: { value: Decimal; confidence: number; note: string | null; authorId: string | null },
  chainIds: string[],
): Promise<CheckInWrite> {
  const shape = rowShape(tx.manager.connection, KeyResult);
  const params: unknown[] = [];
  const p = positional(params);
  const org = p(orgId(tx));
  const id = p(kr.id);
  const rows: Array<Record<string, unknown>> = await tx.manager.query(
    `WITH ci AS (
       INSERT INTO check_ins (organization_id, key_result_id, value, confidence, note, author_id)
       VALUES (${org}, ${id}, ${p(decimalTransformer.to(input.value))}, ${p(input.confidence)}, ${p(input.note)}, ${p(input.authorId)})
       RETURNING id, created_at),
     kr AS (
       UPDATE key_results k SET current_value = ${p(decimalTransformer.to(input.value))}, confidence = ${p(input.confidence)},
              last_check_in_at = ci.created_at, version = k.version + 1, updated_at = CURRENT_TIMESTAMP
         FROM ci
        WHERE k.id = ${id} AND k.organization_id = ${org}${expectedVersion == null ? '' : ` AND k.version = ${p(expectedVersion)}`}
       RETURNING k.*),
     contributors AS (${contributorsSql(org, p(chainIds))})
     SELECT ci.id AS ci_id, ci.created_at AS ci_created_at, ${shape.columns('kr', 'k_')}, contributors.*
       FROM ci LEFT JOIN kr ON true LEFT JOIN contributors ON true`,
    params,
  );
  const first = rows[0];
  const checkIn = tx.manager.create(CheckIn, {
    organizationId: orgId(tx),
    keyResultId: kr.id,
    value: input.value,
    confidence: input.confidence,
    note: input.note,
    authorId: input.authorId,
  });
  checkIn.id = first.ci_id as string;
  checkIn.createdAt = first.ci_created_at as Date;
  return {
    checkIn,
    keyResult: first.k_id ? shape.map(first, 'k_') : null,
    contributors: rows.filter((r) => r.owner).map((r) => r as unknown as ContributorRow),
  };
}

/**
 * Statement 3: the key result's stored progress and status dates, the chain's objectives' and
 * the audit row of the check-in (its change event queued for after commit).
 */
export async function storeCheckInRollUp(
  tx: Context,
  keyResult: { id: string; stored: StoredProgress },
  objectives: Array<[string, StoredProgress]>,
  change: Change,
): Promise<void> {
  const params: unknown[] = [];
  const p = positional(params);
  const org = p(orgId(tx));
  const [ids, progress, atRisk, offTrack] = objectivesWriteParams(objectives);
  const v = keyResult.stored;
  await tx.manager.query(
    `WITH kr AS (
       UPDATE key_results SET progress = ${p(String(v.progress))}::numeric, at_risk_from = ${p(v.atRiskFrom)}::date, off_track_from = ${p(v.offTrackFrom)}::date
        WHERE id = ${p(keyResult.id)} AND organization_id = ${org}),
     chain AS (${objectivesWriteSql(org, p(ids), p(progress), p(atRisk), p(offTrack))}),
     audit AS (${recordChangeSql(tx, change, p)})
     SELECT 1`,
    params,
  );
}
