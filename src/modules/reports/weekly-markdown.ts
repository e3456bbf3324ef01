/**
 * The squad weekly report (周报) as Markdown for a chat group, in Chinese or English, and the
 * choice of that language from a request's Accept-Language. Pure: no ORM, no GraphQL.
 */
import type Decimal from 'decimal.js';
import { scaleOf } from '../../common/scalars';
import { ReportLanguage } from './weekly-report.types';
import type { SquadWeeklyReport } from './weekly-report.types';

/**
 * The report language an Accept-Language header asks for: the first of its tags, by q weight
 * (then order), whose primary language is `zh` or `en`; `fallback` when none is (or no header).
 * "en-US,en;q=0.9,zh-CN;q=0.8" → EN; "zh-CN,zh;q=0.9,en;q=0.8" → ZH; "fr, en;q=0.5" → EN.
 */
export function languageFromAcceptLanguage(header: string | null | undefined, fallback: ReportLanguage = ReportLanguage.ZH): ReportLanguage {
  if (!header) return fallback;
  const tags = header
    .slice(0, 1000)
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p)?.[1]).find((v) => v !== undefined);
      return { primary: tag.trim().toLowerCase().split('-')[0], q: q === undefined ? 1 : Number(q), index };
    })
    .filter((t) => t.q > 0 && !Number.isNaN(t.q))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const t of tags) {
    if (t.primary === 'zh') return ReportLanguage.ZH;
    if (t.primary === 'en') return ReportLanguage.EN;
  }
  return fallback;
}

type Report = Omit<SquadWeeklyReport, 'markdown' | 'squad'> & { squadName: string };

const TEXT = {
  [ReportLanguage.ZH]: {
    title: (squad: string, start: string, end: string) => `## ${squad} 周报(${start} ~ ${end})`,
    checkIns: '### OKR 签到',
    keyResults: '### 关键结果变化',
    tasksDone: '### 本周完成的任务',
    tasksOverdue: '### 逾期任务(截至周末)',
    kpis: '### 指标变化',
    alerts: '### 指标告警',
    spend: '### 本周花费与计划',
    none: '- 无',
    confidence: '信心',
    due: '截止',
    raised: '触发',
    resolved: '已解除',
    noValue: '无数据',
    previous: '上期',
    spent: '花费',
    planned: '计划',
    status: { ON_TRACK: '正常', AT_RISK: '有风险', OFF_TRACK: '偏离' } as Record<string, string>,
    sep: ':',
    unassigned: '未分配',
  },
  [ReportLanguage.EN]: {
    title: (squad: string, start: string, end: string) => `## ${squad} weekly report (${start} – ${end})`,
    checkIns: '### Check-ins',
    keyResults: '### Key results that changed',
    tasksDone: '### Tasks done this week',
    tasksOverdue: '### Tasks overdue at week end',
    kpis: '### KPI movements',
    alerts: '### KPI alerts',
    spend: '### Spend this week against plan',
    none: '- None',
    confidence: 'confidence',
    due: 'due',
    raised: 'raised',
    resolved: 'resolved',
    noValue: 'no data',
    previous: 'previous',
    spent: 'spent',
    planned: 'planned',
    status: { ON_TRACK: 'on track', AT_RISK: 'at risk', OFF_TRACK: 'off track' } as Record<string, string>,
    sep: ': ',
    unassigned: 'unassigned',
  },
} as const;

/** A Decimal as plain text ("1200", "0.35"); "—" for null. */
const num = (d: Decimal | null | undefined) => (d == null ? '—' : d.toFixed());
/** An amount at its currency's scale ("1200.00", JPY "300"). */
const money = (d: Decimal) => {
  const places = scaleOf(d);
  return places === undefined ? d.toFixed() : d.toFixed(places);
};
const pct = (r: number) => `${Math.round(r * 100)}%`;
const signed = (d: Decimal, show: (d: Decimal) => string = num) => (d.isNegative() ? show(d) : `+${show(d)}`);
/** Markdown-safe single line: newlines folded, the characters chat clients read as markup escaped. */
const text = (s: string) => s.replace(/\s+/g, ' ').replace(/([\\`*_[\]<>|])/g, '\\$1').trim();
const unitOf = (u: string | null) => (u ? ` ${text(u)}` : '');

/** The report as Markdown in `report.language`: a title, then one section per part, "None"/"无" when empty. */
export function weeklyReportMarkdown(report: Report): string {
  const t = TEXT[report.language];
  const out: string[] = [t.title(text(report.squadName), report.weekStart, report.weekEnd), ''];
  const section = (heading: string, lines: string[]) => {
    out.push(heading, ...(lines.length ? lines : [t.none]), '');
  };
  section(
    t.checkIns,
    report.checkIns.map((c) => {
      const conf =
        c.previousConfidence == null ? `${t.confidence} ${c.confidence}` : `${t.confidence} ${c.previousConfidence} → ${c.confidence}`;
      const who = c.authorName ? ` (${text(c.authorName)})` : '';
      const note = c.note ? ` — ${text(c.note)}` : '';
      return `- ${text(c.keyResultTitle)}${t.sep}${num(c.previousValue)} → ${num(c.value)}${unitOf(c.unit)}, ${conf}${who}${note}`;
    }),
  );
  section(
    t.keyResults,
    report.keyResults.map((k) => {
      const status = k.statusAtStart === k.statusAtEnd ? t.status[k.statusAtEnd] : `${t.status[k.statusAtStart]} → ${t.status[k.statusAtEnd]}`;
      const flag = k.turnedWorse ? '⚠️ ' : '';
      return `- ${flag}${text(k.title)}${t.sep}${num(k.valueAtStart)} → ${num(k.valueAtEnd)}${unitOf(k.unit)} (${pct(k.progressAtStart)} → ${pct(k.progressAtEnd)}, ${status})`;
    }),
  );
  section(
    t.tasksDone,
    report.tasksDone.map((task) => `- ${text(task.title)} (${task.assigneeName ? text(task.assigneeName) : t.unassigned})`),
  );
  section(
    t.tasksOverdue,
    report.tasksOverdue.map(
      (task) => `- ${text(task.title)} (${task.assigneeName ? text(task.assigneeName) : t.unassigned}, ${t.due} ${task.dueOn})`,
    ),
  );
  section(
    t.kpis,
    report.kpis.map((k) => {
      if (k.value == null) return `- ${text(k.name)}${t.sep}${t.noValue}`;
      const change = k.change == null ? '' : ` (${signed(k.change)})`;
      return `- ${text(k.name)}${t.sep}${num(k.value)}${unitOf(k.unit)}, ${t.previous} ${num(k.previousValue)}${change}`;
    }),
  );
  section(
    t.alerts,
    report.alerts.map((a) => {
      const what = [a.raisedInWeek ? t.raised : null, a.resolvedInWeek ? t.resolved : null].filter(Boolean).join(', ');
      return `- ${a.level === 'CRITICAL' ? '🔴' : '🟠'} ${text(a.kpiName)}${t.sep}${text(a.message)} (${what})`;
    }),
  );
  if (report.spend) {
    section(
      t.spend,
      report.spend.map(
        (s) =>
          `- ${text(s.budgetName)} / ${text(s.lineName)}${t.sep}${t.spent} ${money(s.spent)} ${s.currency}, ${t.planned} ${money(s.planned)} ${s.currency} (${signed(s.difference, money)})`,
      ),
    );
  }
  return out.join('\n').trimEnd() + '\n';
}
