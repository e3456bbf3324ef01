/**
 * The OKR part of a squad's week (the squad weekly report): the squad's check-ins of the week
 * with the value and confidence before each, its key results with their value and confidence as
 * of the week's start and end, and the KPIs its key results follow. One statement each; the
 * rules (progress, status) stay in okr-rules and are applied by the caller on these facts.
 */
import Decimal from 'decimal.js';
import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { periodSql } from '../../common/periods';
import type { KeyResultKind } from './okr-rules';

type Row = Record<string, any>;

/** Instants of a week: from its first day 00:00 UTC (inclusive) to the day after its last 00:00 UTC (exclusive). */
const FROM = `(($3::date)::timestamp AT TIME ZONE 'UTC')`;
const UNTIL = `((($4::date) + 1)::timestamp AT TIME ZONE 'UTC')`;

/** The squad's live key results (of its live objectives). Parameters $1 organisation, $2 squad. */
const SQUAD_KEY_RESULTS = `
  SELECT kr.id, kr.title, kr.unit, kr.kind, kr.start_value, kr.target_value, kr.kpi_id, kr.created_at, kr.cycle_id,
         o.title AS objective_title
  FROM key_results kr
  JOIN objectives o ON o.id = kr.objective_id AND o.organization_id = $1
  WHERE kr.organization_id = $1 AND o.squad_id = $2 AND kr.archived_at IS NULL AND o.archived_at IS NULL`;

const dec = (v: unknown) => new Decimal(String(v));
const decOrNull = (v: unknown) => (v == null ? null : dec(v));
const numOrNull = (v: unknown) => (v == null ? null : Number(v));

export interface SquadCheckInOfWeek {
  id: string;
  keyResultId: string;
  keyResultTitle: string;
  unit: string | null;
  createdAt: Date;
  authorId: string | null;
  /** The value before this check-in: the previous check-in's, else the key result's start value. */
  previousValue: Decimal;
  value: Decimal;
  previousConfidence: number | null;
  confidence: number;
  note: string | null;
}

/** The check-ins on the squad's key results made in the days `weekStart`..`weekEnd` (UTC), oldest first. One statement. */
export async function squadCheckInsOfWeek(ctx: Context, squadId: string, weekStart: string, weekEnd: string): Promise<SquadCheckInOfWeek[]> {
  const rows: Row[] = await ctx.manager.query(
    `SELECT x.* FROM (
       SELECT ci.id, ci.key_result_id, kr.title, kr.unit, kr.start_value, ci.created_at, ci.value, ci.confidence, ci.note, ci.author_id,
              lag(ci.value) OVER w AS previous_value, lag(ci.confidence) OVER w AS previous_confidence
       FROM check_ins ci
       JOIN (${SQUAD_KEY_RESULTS}) kr ON kr.id = ci.key_result_id
       WHERE ci.organization_id = $1 AND ci.created_at < ${UNTIL}
       WINDOW w AS (PARTITION BY ci.key_result_id ORDER BY ci.created_at, ci.id)
     ) x
     WHERE x.created_at >= ${FROM}
     ORDER BY x.created_at, x.id`,
    [orgId(ctx), squadId, weekStart, weekEnd],
  );
  return rows.map((r) => ({
    id: r.id,
    keyResultId: r.key_result_id,
    keyResultTitle: r.title,
    unit: r.unit,
    createdAt: new Date(r.created_at),
    authorId: r.author_id ?? null,
    previousValue: dec(r.previous_value ?? r.start_value),
    value: dec(r.value),
    previousConfidence: numOrNull(r.previous_confidence),
    confidence: Number(r.confidence),
    note: r.note,
  }));
}

export interface SquadKeyResultOfWeek {
  id: string;
  title: string;
  objectiveTitle: string;
  unit: string | null;
  kind: KeyResultKind;
  startValue: Decimal;
  targetValue: Decimal;
  cycleStartsOn: string;
  cycleEndsOn: string;
  /** The last check-in's value and confidence before the week (null: none). */
  valueAtStart: Decimal | null;
  confidenceAtStart: number | null;
  /** The last check-in's value and confidence by the week's end (null: none). */
  valueAtEnd: Decimal | null;
  confidenceAtEnd: number | null;
}

/**
 * The squad's key results that existed by the week's end, of cycles overlapping the week, with
 * their last check-in before the week and by its end. One statement.
 */
export async function squadKeyResultsOfWeek(ctx: Context, squadId: string, weekStart: string, weekEnd: string): Promise<SquadKeyResultOfWeek[]> {
  const last = (before: string) => `LEFT JOIN LATERAL (
       SELECT ci.value, ci.confidence FROM check_ins ci
       WHERE ci.organization_id = $1 AND ci.key_result_id = kr.id AND ci.created_at < ${before}
       ORDER BY ci.created_at DESC, ci.id DESC LIMIT 1)`;
  const rows: Row[] = await ctx.manager.query(
    `SELECT kr.id, kr.title, kr.unit, kr.kind, kr.start_value, kr.target_value, kr.objective_title,
            ${periodSql.dayText('c.starts_on')} AS starts_on, ${periodSql.dayText('c.ends_on')} AS ends_on,
            s.value AS start_value_now, s.confidence AS start_confidence, e.value AS end_value_now, e.confidence AS end_confidence
     FROM (${SQUAD_KEY_RESULTS}) kr
     JOIN okr_cycles c ON c.id = kr.cycle_id AND c.organization_id = $1
     ${last(FROM)} s ON true
     ${last(UNTIL)} e ON true
     WHERE kr.created_at < ${UNTIL} AND c.starts_on <= $4::date AND c.ends_on >= $3::date
     ORDER BY kr.objective_title, kr.title, kr.id`,
    [orgId(ctx), squadId, weekStart, weekEnd],
  );
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    objectiveTitle: r.objective_title,
    unit: r.unit,
    kind: r.kind as KeyResultKind,
    startValue: dec(r.start_value),
    targetValue: dec(r.target_value),
    cycleStartsOn: r.starts_on,
    cycleEndsOn: r.ends_on,
    valueAtStart: decOrNull(r.start_value_now),
    confidenceAtStart: numOrNull(r.start_confidence),
    valueAtEnd: decOrNull(r.end_value_now),
    confidenceAtEnd: numOrNull(r.end_confidence),
  }));
}

/** The KPIs the squad's live key results (of any cycle) follow. One statement. */
export async function kpiIdsFollowedBySquadKeyResults(ctx: Context, squadId: string): Promise<string[]> {
  const rows: Array<{ kpi_id: string }> = await ctx.manager.query(
    `SELECT DISTINCT kr.kpi_id FROM (${SQUAD_KEY_RESULTS}) kr WHERE kr.kpi_id IS NOT NULL`,
    [orgId(ctx), squadId],
  );
  return rows.map((r) => r.kpi_id);
}
