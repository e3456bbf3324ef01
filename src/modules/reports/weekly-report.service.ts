/**
 * The squad weekly report (周报): what happened to one squad's plan in one ISO week. The module
 * owns no table: it composes the front doors (index.ts) of the modules that own the facts —
 * okrs (the week's check-ins, key results as of the week's start and end, the KPIs they follow),
 * tasks (done in the week, overdue at its end), kpis (latest values by the week's end, alerts of
 * the week), budgets (each line's spend in the week against its plan pro rata), squads (the squad,
 * its members) and identity (the names of authors and assignees, one batch). Each answers in one
 * statement, so the report's statement count does not depend on the squad's size. The rules it
 * applies are the modules' own: key result progress and status from okrs, days and weeks from the
 * kit's periods, amounts from its money module.
 */
import { ADMINS_AND_FINANCE, hasRole } from '../../common/access';
import type { Context } from '../../common/context';
import { badInput, forbidden, notFound } from '../../common/errors';
import { toGlobalId } from '../../common/ids';
import { addDays, bucketEnd, bucketStart, Grain, LAST_DAY } from '../../common/periods';
import { squadLineSpend } from '../budgets';
import { referencedUserById } from '../identity';
import { kpiAlertsInWindow, kpiLatestBy, type KpiSelection } from '../kpis';
import {
  elapsedShare,
  keyResultProgress,
  keyResultStatus,
  kpiIdsFollowedBySquadKeyResults,
  OkrStatus,
  squadCheckInsOfWeek,
  squadKeyResultsOfWeek,
  type SquadKeyResultOfWeek,
} from '../okrs';
import { squadById, squadMembersBySquadId, type Squad } from '../squads';
import { squadTasksOfWeek, type SquadTaskOfWeek } from '../tasks';
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
 * Who may read a squad's report: OWNER/ADMIN, FINANCE (who reads every budget anyway), an API
 * token of the organisation (READ or WRITE), the squad's lead and its members. Others: FORBIDDEN.
 */
async function assertMayRead(ctx: Context, squad: Squad): Promise<void> {
  if (hasRole(ctx, ADMINS_AND_FINANCE) || ctx.viewer?.kind === 'apiToken') return;
  const me = ctx.viewer?.userId;
  if (me && squad.leadId === me) return;
  const members = (await squadMembersBySquadId(ctx).load(squad.id)) ?? [];
  if (me && members.some((m) => m.userId === me)) return;
  throw forbidden('Only OWNER/ADMIN, FINANCE, an API token, or the squad’s lead or members may read its weekly report');
}

/**
 * Whether the caller may read the budget part. Budgets, their lines and expenses are readable by
 * every member of the organisation and every API token (budgets.resolver `budgets`/`budget`), so
 * everyone who may read the report may read it; the part stays nullable for a stricter rule.
 */
const mayReadBudgets = (ctx: Context) => ctx.role != null;

const SEVERITY: Record<OkrStatus, number> = { ON_TRACK: 0, AT_RISK: 1, OFF_TRACK: 2 };

/** A key result of the week with the OKR rules applied: kept when it moved or turned worse. */
function keyResultChange(kr: SquadKeyResultOfWeek, weekStart: string, weekEnd: string): WeeklyKeyResultChange | null {
  const measure = { kind: kr.kind, startValue: kr.startValue, targetValue: kr.targetValue };
  const valueAtStart = kr.valueAtStart ?? kr.startValue;
  const valueAtEnd = kr.valueAtEnd ?? kr.startValue;
  const progressAtStart = keyResultProgress(measure, valueAtStart);
  const progressAtEnd = keyResultProgress(measure, valueAtEnd);
  const statusAt = (day: string, confidence: number | null, progress: number) =>
    keyResultStatus({ confidence, progress, elapsed: elapsedShare(kr.cycleStartsOn, kr.cycleEndsOn, day) });
  const statusAtStart = statusAt(addDays(weekStart, -1), kr.confidenceAtStart, progressAtStart);
  const statusAtEnd = statusAt(weekEnd, kr.confidenceAtEnd, progressAtEnd);
  const moved = !valueAtStart.eq(valueAtEnd) || progressAtStart !== progressAtEnd;
  const turnedWorse = statusAtEnd !== OkrStatus.ON_TRACK && SEVERITY[statusAtEnd] > SEVERITY[statusAtStart];
  if (!moved && !turnedWorse) return null;
  return {
    keyResultId: toGlobalId('KeyResult', kr.id),
    title: kr.title,
    objectiveTitle: kr.objectiveTitle,
    unit: kr.unit,
    valueAtStart,
    valueAtEnd,
    progressAtStart,
    progressAtEnd,
    statusAtStart,
    statusAtEnd,
    moved,
    turnedWorse,
  };
}

/** The squad's KPIs: followed by its key results, or owned by its lead or a member. */
async function squadKpis(ctx: Context, squad: Squad): Promise<KpiSelection> {
  const [kpiIds, members] = await Promise.all([kpiIdsFollowedBySquadKeyResults(ctx, squad.id), squadMembersBySquadId(ctx).load(squad.id)]);
  return { kpiIds, ownerIds: [...new Set([squad.leadId, ...(members ?? []).map((m) => m.userId)])] };
}

/** The OKR, task and KPI parts, then the names of the check-ins' authors and tasks' assignees in one batch. */
async function parts(ctx: Context, squad: Squad, weekStart: string, weekEnd: string) {
  const kpisAndAlerts = squadKpis(ctx, squad).then((selection) =>
    Promise.all([kpiLatestBy(ctx, selection, weekEnd), kpiAlertsInWindow(ctx, selection, weekStart, weekEnd)]),
  );
  const [checkIns, keyResults, tasks, [kpis, alerts], spend] = await Promise.all([
    squadCheckInsOfWeek(ctx, squad.id, weekStart, weekEnd),
    squadKeyResultsOfWeek(ctx, squad.id, weekStart, weekEnd),
    squadTasksOfWeek(ctx, squad.id, weekStart, weekEnd),
    kpisAndAlerts,
    mayReadBudgets(ctx) ? squadLineSpend(ctx, squad.id, weekStart, weekEnd) : Promise.resolve(null),
  ]);
  const userIds = [...new Set([...checkIns.map((c) => c.authorId), ...[...tasks.done, ...tasks.overdue].map((t) => t.assigneeId)])].filter(
    (id): id is string => id != null,
  );
  const users = await referencedUserById(ctx).loadMany(userIds);
  const names = new Map<string, string>();
  users.forEach((u, i) => {
    if (u && !(u instanceof Error)) names.set(userIds[i], u.displayName);
  });
  const nameOf = (id: string | null) => (id ? (names.get(id) ?? null) : null);
  return { checkIns, keyResults, tasks, kpis, alerts, spend, nameOf };
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
  const p = await parts(ctx, squad, weekStart, weekEnd);
  const checkIns: WeeklyCheckIn[] = p.checkIns.map((c) => ({
    checkInId: toGlobalId('CheckIn', c.id),
    keyResultId: toGlobalId('KeyResult', c.keyResultId),
    keyResultTitle: c.keyResultTitle,
    unit: c.unit,
    createdAt: c.createdAt,
    authorName: p.nameOf(c.authorId),
    previousValue: c.previousValue,
    value: c.value,
    previousConfidence: c.previousConfidence,
    confidence: c.confidence,
    note: c.note,
  }));
  const keyResults = p.keyResults.map((kr) => keyResultChange(kr, weekStart, weekEnd)).filter((kr): kr is WeeklyKeyResultChange => kr !== null);
  const task = (t: SquadTaskOfWeek): WeeklyTask => ({
    taskId: toGlobalId('Task', t.id),
    title: t.title,
    assigneeName: p.nameOf(t.assigneeId),
    dueOn: t.dueOn,
    completedAt: t.completedAt,
  });
  const tasks = { done: p.tasks.done.map(task), overdue: p.tasks.overdue.map(task) };
  const kpis: WeeklyKpiMovement[] = p.kpis.map((k) => ({
    kpiId: toGlobalId('Kpi', k.kpiId),
    key: k.key,
    name: k.name,
    unit: k.unit,
    periodStart: k.periodStart,
    value: k.value,
    previousPeriodStart: k.previousPeriodStart,
    previousValue: k.previousValue,
    change: k.value && k.previousValue ? k.value.minus(k.previousValue) : null,
  }));
  const alerts: WeeklyKpiAlert[] = p.alerts.map((a) => ({
    alertId: toGlobalId('KpiAlert', a.alertId),
    kpiKey: a.kpiKey,
    kpiName: a.kpiName,
    level: a.level,
    status: a.status,
    message: a.message,
    raisedAt: a.raisedAt,
    resolvedAt: a.resolvedAt,
    raisedInWeek: a.raisedInWindow,
    resolvedInWeek: a.resolvedInWindow,
  })) as WeeklyKpiAlert[];
  const spend: WeeklySpendLine[] | null = p.spend && p.spend.map((l) => ({ ...l, budgetLineId: toGlobalId('BudgetLine', l.budgetLineId) }));
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
