/**
 * The squad weekly report (周报): what happened to one squad's plan in one ISO week, read in a
 * fixed number of SQL statements whatever the squad's size (the squad, its members for the access
 * check, then one statement per part: check-ins, key results, tasks, KPIs, alerts, spend).
 *
 * A report reads across modules (OKRs, tasks, KPIs, budgets) as a read model: plain SELECTs,
 * never a write, each filtered by the organisation. The rules it applies are the modules' own:
 * key result progress and status from src/modules/okrs, days and weeks from the kit's periods,
 * amounts from its money module.
 */
import Decimal from 'decimal.js';
import { isAdmin } from '../../common/access';
import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { badInput, forbidden, notFound } from '../../common/errors';
import { toGlobalId } from '../../common/ids';
import { roundAmount } from '../../common/money';
import { addDays, bucketEnd, bucketStart, daysCovered, Grain, LAST_DAY, periodSql } from '../../common/periods';
import { elapsedShare, keyResultProgress, keyResultStatus, OkrStatus, type KeyResultKind } from '../okrs';
import { squadById, squadMembersBySquadId, type Squad } from '../squads';
import { weeklyReportMarkdown } from './weekly-markdown';
import {
  ReportLanguage,
  SquadWeeklyReport,
  type WeeklyCheckIn,
  type WeeklyKeyResultChange,
  type WeeklyKpiAlert,
  type WeeklyKpiMovement,
  type WeeklySpendLine,
  type WeeklyTask,
} from './weekly-report.types';

type Row = Record<string, any>;

/**
 * The ISO week (Monday to Sunday, UTC calendar days like every period of the kit) holding `day`;
 * a week that would end after 9999-12-31 is BAD_USER_INPUT naming `weekOf`.
 */
export function isoWeekOf(day: string): { weekStart: string; weekEnd: string } {
  try {
    return { weekStart: bucketStart(day, Grain.WEEK), weekEnd: bucketEnd(day, Grain.WEEK) };
  } catch (err) {
    if (err instanceof RangeError) throw badInput(`weekOf must be a day whose ISO week ends by ${LAST_DAY}`, 'weekOf');
    throw err;
  }
}

/**
 * Who may read a squad's report: OWNER/ADMIN, an API token of the organisation (READ or WRITE),
 * the squad's lead and its members. Others: FORBIDDEN.
 */
async function assertMayRead(ctx: Context, squad: Squad): Promise<void> {
  if (isAdmin(ctx) || ctx.viewer?.kind === 'apiToken') return;
  const me = ctx.viewer?.userId;
  if (me && squad.leadId === me) return;
  const members = (await squadMembersBySquadId(ctx).load(squad.id)) ?? [];
  if (me && members.some((m) => m.userId === me)) return;
  throw forbidden('Only OWNER/ADMIN, an API token, or the squad’s lead or members may read its weekly report');
}

/**
 * Whether the caller may read the budget part. Budgets, their lines and expenses are readable by
 * every member of the organisation and every API token (budgets.resolver `budgets`/`budget`), so
 * everyone who may read the report may read it; the part stays nullable for a stricter rule.
 */
const mayReadBudgets = (ctx: Context) => ctx.role != null;

/** Instants of the week: from Monday 00:00 UTC (inclusive) to the next Monday 00:00 UTC (exclusive). */
const FROM = `(($3::date)::timestamp AT TIME ZONE 'UTC')`;
const UNTIL = `((($4::date) + 1)::timestamp AT TIME ZONE 'UTC')`;

/** The squad's key results (live ones, of its live objectives). Parameters $1 organisation, $2 squad. */
const SQUAD_KEY_RESULTS = `
  SELECT kr.id, kr.title, kr.unit, kr.kind, kr.start_value, kr.target_value, kr.kpi_id, kr.created_at, kr.cycle_id,
         o.title AS objective_title
  FROM key_results kr
  JOIN objectives o ON o.id = kr.objective_id AND o.organization_id = $1
  WHERE kr.organization_id = $1 AND o.squad_id = $2 AND kr.archived_at IS NULL AND o.archived_at IS NULL`;

/** The squad's KPIs: linked to its key results, or owned by its lead or a member. */
const SQUAD_KPIS = `
  SELECT k.id, k.key, k.name, k.unit, k.grain
  FROM kpis k
  WHERE k.organization_id = $1 AND k.archived_at IS NULL AND (
    k.id IN (SELECT kr.kpi_id FROM (${SQUAD_KEY_RESULTS}) kr WHERE kr.kpi_id IS NOT NULL)
    OR k.owner_id IN (
      SELECT m.user_id FROM squad_members m WHERE m.organization_id = $1 AND m.squad_id = $2
      UNION ALL SELECT s.lead_id FROM squads s WHERE s.organization_id = $1 AND s.id = $2))`;

const dec = (v: unknown) => new Decimal(String(v));
const decOrNull = (v: unknown) => (v == null ? null : dec(v));
const numOrNull = (v: unknown) => (v == null ? null : Number(v));
const SEVERITY: Record<OkrStatus, number> = { ON_TRACK: 0, AT_RISK: 1, OFF_TRACK: 2 };

async function checkInsOfWeek(ctx: Context, params: unknown[]): Promise<WeeklyCheckIn[]> {
  const rows: Row[] = await ctx.manager.query(
    `SELECT x.* FROM (
       SELECT ci.id, ci.key_result_id, kr.title, kr.unit, kr.start_value, ci.created_at, ci.value, ci.confidence, ci.note,
              u.display_name AS author_name,
              lag(ci.value) OVER w AS previous_value, lag(ci.confidence) OVER w AS previous_confidence
       FROM check_ins ci
       JOIN (${SQUAD_KEY_RESULTS}) kr ON kr.id = ci.key_result_id
       LEFT JOIN users u ON u.id = ci.author_id
       WHERE ci.organization_id = $1 AND ci.created_at < ${UNTIL}
       WINDOW w AS (PARTITION BY ci.key_result_id ORDER BY ci.created_at, ci.id)
     ) x
     WHERE x.created_at >= ${FROM}
     ORDER BY x.created_at, x.id`,
    params,
  );
  return rows.map((r) => ({
    checkInId: toGlobalId('CheckIn', r.id),
    keyResultId: toGlobalId('KeyResult', r.key_result_id),
    keyResultTitle: r.title,
    unit: r.unit,
    createdAt: new Date(r.created_at),
    authorName: r.author_name ?? null,
    previousValue: decOrNull(r.previous_value ?? r.start_value),
    value: dec(r.value),
    previousConfidence: numOrNull(r.previous_confidence),
    confidence: Number(r.confidence),
    note: r.note,
  }));
}

async function keyResultsOfWeek(ctx: Context, params: unknown[], weekStart: string, weekEnd: string): Promise<WeeklyKeyResultChange[]> {
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
    params,
  );
  const dayBefore = addDays(weekStart, -1);
  const out: WeeklyKeyResultChange[] = [];
  for (const r of rows) {
    const measure = { kind: r.kind as KeyResultKind, startValue: dec(r.start_value), targetValue: dec(r.target_value) };
    const valueAtStart = r.start_value_now == null ? measure.startValue : dec(r.start_value_now);
    const valueAtEnd = r.end_value_now == null ? measure.startValue : dec(r.end_value_now);
    const progressAtStart = keyResultProgress(measure, valueAtStart);
    const progressAtEnd = keyResultProgress(measure, valueAtEnd);
    const statusAt = (day: string, confidence: unknown, progress: number) =>
      keyResultStatus({ confidence: numOrNull(confidence), progress, elapsed: elapsedShare(r.starts_on, r.ends_on, day) });
    const statusAtStart = statusAt(dayBefore, r.start_confidence, progressAtStart);
    const statusAtEnd = statusAt(weekEnd, r.end_confidence, progressAtEnd);
    const moved = !valueAtStart.eq(valueAtEnd) || progressAtStart !== progressAtEnd;
    const turnedWorse = statusAtEnd !== OkrStatus.ON_TRACK && SEVERITY[statusAtEnd] > SEVERITY[statusAtStart];
    if (!moved && !turnedWorse) continue;
    out.push({
      keyResultId: toGlobalId('KeyResult', r.id),
      title: r.title,
      objectiveTitle: r.objective_title,
      unit: r.unit,
      valueAtStart,
      valueAtEnd,
      progressAtStart,
      progressAtEnd,
      statusAtStart,
      statusAtEnd,
      moved,
      turnedWorse,
    });
  }
  return out;
}

async function tasksOfWeek(ctx: Context, params: unknown[]): Promise<{ done: WeeklyTask[]; overdue: WeeklyTask[] }> {
  const rows: Row[] = await ctx.manager.query(
    `SELECT t.id, t.title, u.display_name AS assignee_name, ${periodSql.dayText('t.due_on')} AS due_on, t.completed_at,
            (t.status = 'DONE' AND t.completed_at >= ${FROM} AND t.completed_at < ${UNTIL}) AS done_in_week
     FROM tasks t
     LEFT JOIN users u ON u.id = t.assignee_id
     WHERE t.organization_id = $1 AND t.squad_id = $2 AND (
       (t.status = 'DONE' AND t.completed_at >= ${FROM} AND t.completed_at < ${UNTIL})
       OR (t.due_on <= $4::date AND t.created_at < ${UNTIL} AND NOT (t.status = 'DONE' AND t.completed_at < ${UNTIL})))
     ORDER BY t.completed_at NULLS LAST, t.due_on, t.title, t.id`,
    params,
  );
  const task = (r: Row): WeeklyTask => ({
    taskId: toGlobalId('Task', r.id),
    title: r.title,
    assigneeName: r.assignee_name ?? null,
    dueOn: r.due_on ?? null,
    completedAt: r.done_in_week ? new Date(r.completed_at) : null,
  });
  const done = rows.filter((r) => r.done_in_week).map(task);
  const overdue = rows
    .filter((r) => !r.done_in_week)
    .map(task)
    .sort((a, b) => (a.dueOn! < b.dueOn! ? -1 : a.dueOn! > b.dueOn! ? 1 : a.title < b.title ? -1 : a.title > b.title ? 1 : 0));
  return { done, overdue };
}

/** The start of the bucket before `start` (itself a bucket start) of the KPI's grain, in SQL. */
const PREVIOUS_BUCKET = `CASE k.grain
    WHEN 'DAY' THEN m.period_start - 1
    WHEN 'WEEK' THEN m.period_start - 7
    WHEN 'MONTH' THEN (m.period_start::timestamp - interval '1 month')::date
    ELSE (m.period_start::timestamp - interval '3 months')::date END`;

async function kpisOfWeek(ctx: Context, params: unknown[]): Promise<WeeklyKpiMovement[]> {
  const rows: Row[] = await ctx.manager.query(
    `SELECT k.id, k.key, k.name, k.unit,
            ${periodSql.dayText('m.period_start')} AS period_start, m.value,
            ${periodSql.dayText(PREVIOUS_BUCKET)} AS previous_period_start, p.value AS previous_value
     FROM (${SQUAD_KPIS}) k
     LEFT JOIN LATERAL (
       SELECT km.period_start, km.value FROM kpi_measurements km
       WHERE km.organization_id = $1 AND km.kpi_id = k.id AND km.period_start <= $4::date
       ORDER BY km.period_start DESC LIMIT 1) m ON true
     LEFT JOIN kpi_measurements p ON p.organization_id = $1 AND p.kpi_id = k.id AND p.period_start = ${PREVIOUS_BUCKET}
     WHERE $3::date <= $4::date -- every statement of the report takes the same four parameters
     ORDER BY k.key`,
    params,
  );
  return rows.map((r) => {
    const value = decOrNull(r.value);
    const previousValue = decOrNull(r.previous_value);
    return {
      kpiId: toGlobalId('Kpi', r.id),
      key: r.key,
      name: r.name,
      unit: r.unit,
      periodStart: r.period_start ?? null,
      value,
      previousPeriodStart: r.previous_period_start ?? null,
      previousValue,
      change: value && previousValue ? value.minus(previousValue) : null,
    };
  });
}

async function alertsOfWeek(ctx: Context, params: unknown[]): Promise<WeeklyKpiAlert[]> {
  const rows: Row[] = await ctx.manager.query(
    `SELECT a.id, k.key, k.name, a.level, a.status, a.message, a.created_at, a.resolved_at,
            (a.created_at >= ${FROM} AND a.created_at < ${UNTIL}) AS raised_in_week,
            (a.resolved_at IS NOT NULL AND a.resolved_at >= ${FROM} AND a.resolved_at < ${UNTIL}) AS resolved_in_week
     FROM kpi_alerts a
     JOIN (${SQUAD_KPIS}) k ON k.id = a.kpi_id
     WHERE a.organization_id = $1
       AND ((a.created_at >= ${FROM} AND a.created_at < ${UNTIL}) OR (a.resolved_at >= ${FROM} AND a.resolved_at < ${UNTIL}))
     ORDER BY a.created_at, a.id`,
    params,
  );
  return rows.map((r) => ({
    alertId: toGlobalId('KpiAlert', r.id),
    kpiKey: r.key,
    kpiName: r.name,
    level: r.level,
    status: r.status,
    message: r.message,
    raisedAt: new Date(r.created_at),
    resolvedAt: r.resolved_at ? new Date(r.resolved_at) : null,
    raisedInWeek: r.raised_in_week,
    resolvedInWeek: r.resolved_in_week,
  }));
}

async function spendOfWeek(ctx: Context, params: unknown[], weekStart: string, weekEnd: string): Promise<WeeklySpendLine[]> {
  const rows: Row[] = await ctx.manager.query(
    `SELECT l.id, b.name AS budget_name, l.name AS line_name, b.currency, l.planned,
            ${periodSql.dayText('b.period_start')} AS period_start, ${periodSql.dayText('b.period_end')} AS period_end,
            COALESCE((SELECT sum(e.amount) FROM expenses e
                      WHERE e.organization_id = $1 AND e.budget_line_id = l.id AND e.voided_at IS NULL
                        AND e.incurred_on >= $3::date AND e.incurred_on <= $4::date), 0) AS spent
     FROM budgets b
     JOIN budget_lines l ON l.budget_id = b.id AND l.organization_id = $1
     WHERE b.organization_id = $1 AND b.squad_id = $2 AND b.period_start <= $4::date AND b.period_end >= $3::date
     ORDER BY b.period_start, b.name, l.created_at, l.id`,
    params,
  );
  return rows.map((r) => {
    const from = r.period_start > weekStart ? r.period_start : weekStart;
    const to = r.period_end < weekEnd ? r.period_end : weekEnd;
    const planned = roundAmount(dec(r.planned).times(daysCovered(from, to)).div(daysCovered(r.period_start, r.period_end)), r.currency);
    const spent = roundAmount(dec(r.spent), r.currency);
    return {
      budgetLineId: toGlobalId('BudgetLine', r.id),
      budgetName: r.budget_name,
      lineName: r.line_name,
      currency: r.currency,
      spent,
      planned,
      difference: roundAmount(spent.minus(planned), r.currency),
    };
  });
}

/**
 * The report of `squadId` for the ISO week holding `weekOf`, with its Markdown in `language`.
 * NOT_FOUND for a squad of another organisation (or none); FORBIDDEN for a caller who may not read it.
 */
export async function squadWeeklyReport(ctx: Context, squadId: string, weekOf: string, language: ReportLanguage): Promise<SquadWeeklyReport> {
  const squad = await squadById(ctx).load(squadId);
  if (!squad) throw notFound('Squad', undefined, 'squadId');
  await assertMayRead(ctx, squad);
  const { weekStart, weekEnd } = isoWeekOf(weekOf);
  const params = [orgId(ctx), squad.id, weekStart, weekEnd];
  const [checkIns, keyResults, tasks, kpis, alerts, spend] = await Promise.all([
    checkInsOfWeek(ctx, params),
    keyResultsOfWeek(ctx, params, weekStart, weekEnd),
    tasksOfWeek(ctx, params),
    kpisOfWeek(ctx, params),
    alertsOfWeek(ctx, params),
    mayReadBudgets(ctx) ? spendOfWeek(ctx, params, weekStart, weekEnd) : Promise.resolve(null),
  ]);
  const report = {
    squadId: squad.id,
    weekStart,
    weekEnd,
    language,
    checkIns,
    keyResults,
    tasksDone: tasks.done,
    tasksOverdue: tasks.overdue,
    kpis,
    alerts,
    spend,
  };
  return Object.assign(new SquadWeeklyReport(), report, {
    squad,
    markdown: weeklyReportMarkdown({ ...report, squadName: squad.name }),
  });
}
