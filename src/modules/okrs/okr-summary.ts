/**
 * OKR roll-ups for dashboards: objectives by status, their weighted average progress and the key
 * results not on track, per squad (`Squad.okrSummary`) or for a whole organisation (the
 * overviews). Read from the stored progress and status dates (okr-progress-store.ts), so a page of
 * squads costs two statements whatever the number of objectives.
 */
import Decimal from 'decimal.js';
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { isoToday } from '../../common/dates';
import { defineLoader, primeById } from '../../common/loaders';
import { rowShape } from '../../common/rows';
import { Cycle, KeyResult } from './okr.entity';
import { OkrStatus } from './okr-rules';
import { statusCondition } from './okr-progress-store';

/** How many key results not on track a summary lists (the count has them all). */
export const SUMMARY_KEY_RESULTS = 5;

@ObjectType({ description: 'How many objectives have this status today.' })
export class OkrStatusCount {
  @Field(() => OkrStatus) status: OkrStatus;
  @Field(() => Int) count: number;
}

@ObjectType({ description: 'The active (not archived) objectives of a cycle, and their key results, summed up.' })
export class OkrSummary {
  @Field(() => Int, { description: 'Active objectives counted.' }) objectiveCount: number;
  @Field(() => [OkrStatusCount], { description: 'One entry per status (ON_TRACK, AT_RISK, OFF_TRACK, in that order), zeros included.' })
  byStatus: OkrStatusCount[];
  @Field(() => Float, {
    nullable: true,
    description:
      'Average progress (0..1) of the objectives counted, weighted by each objective’s own `weight` (the weight it has in its parent’s roll-up, default 1); equal weights when all weights are 0. Null without objectives.',
  })
  averageProgress: number | null;
  @Field(() => Int, { description: 'Active key results of those objectives whose status today is AT_RISK or OFF_TRACK.' })
  atRiskKeyResultCount: number;
  @Field(() => [KeyResult], { description: `The first ${SUMMARY_KEY_RESULTS} of them: OFF_TRACK first, then by lowest progress.` })
  atRiskKeyResults: KeyResult[];
}

const emptySummary = (): OkrSummary => ({
  objectiveCount: 0,
  byStatus: Object.values(OkrStatus).map((status) => ({ status, count: 0 })),
  averageProgress: null,
  atRiskKeyResultCount: 0,
  atRiskKeyResults: [],
});

/** The statement's `:today` as a positional parameter. */
const onDay = (alias: string, status: OkrStatus, param: string) => statusCondition(alias, status).replace(/:today/g, param);

/** Scope of a summary: one cycle, and a squad or (null) the whole organisation. */
export interface OkrScope {
  cycleId: string;
  squadId: string | null;
}

const scopeKey = (s: OkrScope) => `${s.squadId ?? '*'}|${s.cycleId}`;

/**
 * Summaries of these scopes, in their order. Two statements whatever the number of scopes and
 * objectives: the objectives' counts and sums grouped by squad and cycle, then the key results
 * not on track with their count (window functions), at most SUMMARY_KEY_RESULTS rows per scope.
 * Primes `keyResultById`.
 */
export async function okrSummaries(ctx: Context, scopes: readonly OkrScope[]): Promise<OkrSummary[]> {
  if (scopes.length === 0) return [];
  const today = isoToday();
  const whole = scopes.some((s) => s.squadId === null);
  // One grouping per call: squads, or the organisation.
  if (whole && scopes.some((s) => s.squadId !== null)) throw new Error('okrSummaries takes squad scopes or organisation scopes, not both');
  const cycles = [...new Set(scopes.map((s) => s.cycleId))];
  const squads = [...new Set(scopes.map((s) => s.squadId).filter((s): s is string => s !== null))];
  // Grouped by squad (or, for an organisation scope, by nothing: the squad column is then null).
  const group = whole ? `NULL::uuid` : `o.squad_id`;
  const squadFilter = whole ? '' : 'AND o.squad_id = ANY($4::uuid[])';
  const params = whole ? [orgId(ctx), cycles, today] : [orgId(ctx), cycles, today, squads];
  const counts: Array<Record<string, string | null>> = await ctx.manager.query(
    `SELECT ${group} AS squad_id, o.cycle_id, count(*)::int AS objectives,
            count(*) FILTER (WHERE ${onDay('o', OkrStatus.ON_TRACK, '$3::date')})::int AS on_track,
            count(*) FILTER (WHERE ${onDay('o', OkrStatus.AT_RISK, '$3::date')})::int AS at_risk,
            count(*) FILTER (WHERE ${onDay('o', OkrStatus.OFF_TRACK, '$3::date')})::int AS off_track,
            sum(o.weight * o.progress)::text AS weighted, sum(o.weight)::text AS weights, avg(o.progress)::text AS mean
       FROM objectives o
      WHERE o.organization_id = $1 AND o.cycle_id = ANY($2::uuid[]) AND o.archived_at IS NULL ${squadFilter}
      GROUP BY 1, 2`,
    params,
  );
  const shape = rowShape(ctx.manager.connection, KeyResult);
  const krs: Array<Record<string, unknown>> = await ctx.manager.query(
    `SELECT * FROM (
       SELECT ${shape.columns('k')}, ${group} AS scope_squad,
              count(*) OVER w AS total,
              row_number() OVER (w ORDER BY coalesce(k.off_track_from <= $3::date, false) DESC, k.progress, k.created_at, k.id) AS n
         FROM key_results k JOIN objectives o ON o.id = k.objective_id AND o.organization_id = $1
        WHERE k.organization_id = $1 AND k.cycle_id = ANY($2::uuid[]) AND k.archived_at IS NULL AND o.archived_at IS NULL
          AND k.at_risk_from <= $3::date ${squadFilter}
       WINDOW w AS (PARTITION BY ${group}, k.cycle_id)) r
      WHERE r.n <= ${SUMMARY_KEY_RESULTS}
      ORDER BY r.n`,
    params,
  );
  const out = new Map<string, OkrSummary>();
  const summaryOf = (key: string) => {
    let s = out.get(key);
    if (!s) out.set(key, (s = emptySummary()));
    return s;
  };
  for (const r of counts) {
    const s = summaryOf(`${r.squad_id ?? '*'}|${r.cycle_id}`);
    const n = (v: string | null) => Number(v ?? 0);
    s.objectiveCount = n(r.objectives);
    s.byStatus = [
      { status: OkrStatus.ON_TRACK, count: n(r.on_track) },
      { status: OkrStatus.AT_RISK, count: n(r.at_risk) },
      { status: OkrStatus.OFF_TRACK, count: n(r.off_track) },
    ];
    const weights = new Decimal(r.weights ?? 0);
    s.averageProgress = weights.isZero() ? Number(r.mean) : new Decimal(r.weighted ?? 0).div(weights).toNumber();
  }
  const rows: KeyResult[] = [];
  for (const r of krs) {
    const kr = shape.map(r);
    rows.push(kr);
    const s = summaryOf(`${(r.scope_squad as string | null) ?? '*'}|${kr.cycleId}`);
    s.atRiskKeyResultCount = Number(r.total);
    s.atRiskKeyResults.push(kr);
  }
  primeById(ctx, KeyResult, rows);
  return scopes.map((scope) => out.get(scopeKey(scope)) ?? emptySummary());
}

/** `Squad.okrSummary(cycleId)`, batched across the squads of a page: key `<squad uuid>|<cycle uuid>`. */
export const okrSummaryOfSquad = defineLoader<string, OkrSummary>('okrs.okrSummaryOfSquad', (ctx, keys) =>
  okrSummaries(
    ctx,
    keys.map((k) => {
      const [squadId, cycleId] = k.split('|');
      return { squadId, cycleId };
    }),
  ),
);

/** The ids of the KPIs followed by the active key results of a squad's active objectives in a cycle. One statement. */
export async function kpiIdsFollowedBySquad(ctx: Context, squadId: string, cycleId: string): Promise<string[]> {
  const rows: Array<{ kpi_id: string }> = await ctx.manager.query(
    `SELECT DISTINCT k.kpi_id FROM key_results k JOIN objectives o ON o.id = k.objective_id AND o.organization_id = $1
      WHERE k.organization_id = $1 AND k.cycle_id = $2 AND o.squad_id = $3 AND k.kpi_id IS NOT NULL
        AND k.archived_at IS NULL AND o.archived_at IS NULL`,
    [orgId(ctx), cycleId, squadId],
  );
  return rows.map((r) => r.kpi_id);
}

/**
 * The cycle an overview reads when none is given: the cycle whose dates contain today (the one
 * that started last when several do); null when none does. One statement; primes `cycleById`.
 */
export async function currentCycle(ctx: Context): Promise<Cycle | null> {
  const shape = rowShape(ctx.manager.connection, Cycle);
  const rows: Array<Record<string, unknown>> = await ctx.manager.query(
    `SELECT ${shape.columns('c')} FROM okr_cycles c WHERE c.organization_id = $1 AND c.starts_on <= $2::date AND c.ends_on >= $2::date
      ORDER BY c.starts_on DESC, c.id LIMIT 1`,
    [orgId(ctx), isoToday()],
  );
  const cycles = rows.map((r) => shape.map(r));
  primeById(ctx, Cycle, cycles);
  return cycles[0] ?? null;
}
