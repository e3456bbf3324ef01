/**
 * Deterministic bench data, written with set-based SQL (INSERT … SELECT generate_series): the
 * same parameters give the same rows (ids are md5 of a label, values follow the row number),
 * apart from dates, which follow today so that the OKR cycle is under way and pace matters.
 *
 * One organisation holds:
 * - the bench squad a squad lead looks at every week: `squad.objectives` objectives × `krs` key
 *   results with `weeks` weekly check-ins, members, three sprints (one current) and tasks;
 * - optionally a background of the rest of the organisation (other squads' objectives, key
 *   results, check-in history, tasks and audit events), for the scale run.
 */
import { generateBudgets } from './budgets-bench';

import { generateCampaigns } from './campaigns-bench';

export interface SquadShape {
  objectives: number;
  krsPerObjective: number;
  /** Weekly check-ins of each key result (its history; the answer shows the latest). */
  weeks: number;
  tasks: number;
  /** Tasks done in earlier sprints (history the dashboard's open-task list must not read). */
  doneTasks: number;
  members: number;
}

export interface Background {
  objectives: number;
  keyResults: number;
  checkIns: number;
  tasks: number;
  auditEvents: number;
}

export const SQUAD: SquadShape = { objectives: 20, krsPerObjective: 3, weeks: 8, tasks: 60, doneTasks: 0, members: 12 };
/** The same squad after a year: a year of weekly check-ins and 3,000 tasks done. */
export const SQUAD_AFTER_A_YEAR: SquadShape = { ...SQUAD, weeks: 52, doneTasks: 3000 };

/** The organisation of the scale measurement, and its 1/1000 copy. */
export const LARGE: Background = { objectives: 5000, keyResults: 20000, checkIns: 1_000_000, tasks: 200_000, auditEvents: 1_000_000 };
export const SMALL: Background = { objectives: 5, keyResults: 20, checkIns: 1000, tasks: 200, auditEvents: 1000 };

export interface BenchIds {
  organizationId: string;
  /** SQUAD_LEAD of the bench squad: the caller of every workload. */
  leadId: string;
  squadId: string;
  cycleId: string;
  /** Key results of the bench squad (its lead may check in on each), for check-ins (one per load connection). */
  leadKeyResults: string[];
}

type Sql = (text: string, params?: unknown[]) => Promise<Array<Record<string, any>>>;

/** A deterministic uuid for `label`. */
const ID = (label: string) => `md5($1 || ':${label}:' || g)::uuid`;

/** Every statement gets the seed as $1 and the organisation as $2, used or not. */
const typed = (sql: Sql): Sql => (text, params) =>
  text.startsWith('INSERT') ? sql(`WITH _params AS (SELECT $1::text, $2::uuid) ${text}`, params) : sql(text, params);

export async function generate(rawSql: Sql, seed: string, squad: SquadShape = SQUAD, background: Background | null = null): Promise<BenchIds> {
  const sql = typed(rawSql);
  const one = async (label: string, n = 0) => (await sql(`SELECT md5($1 || ':${label}:' || $2::int)::uuid AS id`, [seed, n]))[0].id as string;
  const org = await one('org');
  const cycle = await one('cycle');
  const squadId = await one('squad');
  const lead = await one('user', 0);
  const usersTotal = squad.members + (background ? 200 : 0);
  const p = [seed, org];

  await sql(`INSERT INTO organizations (id, name, slug) VALUES ($2, '基准组织 Bench', 'bench-' || $1)`, p);
  // Users 0..n: 0 leads the bench squad, 1 is the OWNER, the rest are members.
  await sql(
    `INSERT INTO users (id, email, display_name)
     SELECT ${ID('user')}, 'bench-' || $1 || '-' || g || '@example.test',
            CASE g WHEN 0 THEN '张伟 (负责人)' WHEN 1 THEN 'Owner' ELSE (ARRAY['李娜','王芳','刘洋','陈静','Emily','杨磊','赵敏','黄婷'])[1 + g % 8] || ' ' || g END
       FROM generate_series(0, $3) g`,
    [...p, usersTotal],
  );
  await sql(
    `INSERT INTO members (organization_id, user_id, role, created_at)
     SELECT $2, ${ID('user')}, CASE g WHEN 0 THEN 'SQUAD_LEAD' WHEN 1 THEN 'OWNER' ELSE 'MEMBER' END,
            timestamp '2026-01-01' + g * interval '1 minute'
       FROM generate_series(0, $3) g`,
    [...p, usersTotal],
  );
  await sql(
    `INSERT INTO okr_cycles (id, organization_id, name, starts_on, ends_on)
     VALUES ($3, $2, '本季度 ' || $1, current_date - 45, current_date + 44)`,
    [...p, cycle],
  );
  await sql(
    `INSERT INTO squads (id, organization_id, name, mission, lead_id)
     VALUES ($3, $2, '创作者增长小组', '让更多用户愿意创作、持续创作', $4)`,
    [...p, squadId, lead],
  );
  await sql(
    `INSERT INTO squad_members (organization_id, squad_id, user_id, function, created_at)
     SELECT $2, $3, ${ID('user')}, (ARRAY['DATA','CONTENT','CHANNEL','PRODUCT','SERVICE','OPERATIONS'])[1 + g % 6],
            timestamp '2026-01-01' + g * interval '1 hour'
       FROM generate_series(0, $4 - 1) g`,
    [...p, squadId, squad.members],
  );
  await sql(
    `INSERT INTO sprints (id, organization_id, squad_id, name, goal, starts_on, ends_on, closed_at)
     SELECT ${ID('sprint')}, $2, $3, '冲刺 ' || g, '本月目标 ' || g,
            current_date - 40 + (g - 1) * 30, current_date - 40 + g * 30 - 1,
            CASE WHEN g = 1 THEN now() - interval '10 days' END
       FROM generate_series(1, 3) g`,
    [...p, squadId],
  );
  const currentSprint = await one('sprint', 2);

  // Two company objectives the squad's objectives align to, then the squad's objectives.
  await sql(
    `INSERT INTO objectives (id, organization_id, cycle_id, title, owner_id, squad_id, parent_id, weight, created_at)
     SELECT ${ID('company')}, $2, $3, '公司目标 ' || g, md5($1 || ':user:1')::uuid, NULL, NULL, 1, timestamp '2026-01-02' + g * interval '1 second'
       FROM generate_series(1, 2) g`,
    [...p, cycle],
  );
  await sql(
    `INSERT INTO objectives (id, organization_id, cycle_id, title, description, owner_id, squad_id, parent_id, weight, created_at)
     SELECT ${ID('objective')}, $2, $3, '提升用户创作活跃度 ' || g, '第 ' || g || ' 个目标', md5($1 || ':user:' || (g % $6))::uuid,
            $4, md5($1 || ':company:' || (1 + g % 2))::uuid, 1, timestamp '2026-01-03' + g * interval '1 second'
       FROM generate_series(1, $5) g`,
    [...p, cycle, squadId, squad.objectives, squad.members],
  );
  // Key results: mostly INCREASE_TO, some DECREASE_TO and MILESTONE; one in seven never checked in.
  await sql(
    `INSERT INTO key_results (id, organization_id, objective_id, cycle_id, title, kind, unit, start_value, target_value,
                              current_value, confidence, weight, owner_id, last_check_in_at, created_at)
     SELECT ${ID('kr')}, $2, md5($1 || ':objective:' || o)::uuid, $3, '日均发布内容量提升 ' || g || '%',
            k.kind, CASE k.kind WHEN 'MILESTONE' THEN NULL ELSE '篇/天' END, k.s, k.t,
            CASE WHEN g % 7 = 0 THEN k.s WHEN k.kind = 'MILESTONE' THEN (g % 2)::numeric
                 ELSE k.s + (k.t - k.s) * ((g * 37) % 100) / 100.0 END,
            CASE WHEN g % 7 = 0 THEN NULL ELSE (ARRAY[0.9, 0.75, 0.55, 0.45, 0.3, 0.8])[1 + g % 6] END,
            1 + g % 2, CASE WHEN g % 3 = 0 THEN md5($1 || ':user:0')::uuid ELSE md5($1 || ':user:' || (2 + g % ($5 - 2)))::uuid END,
            CASE WHEN g % 7 = 0 THEN NULL ELSE date_trunc('day', now()) - interval '1 day' + (g % 600) * interval '1 second' END,
            timestamp '2026-01-04' + g * interval '1 second'
       FROM generate_series(1, $4::int * $6::int) g,
            LATERAL (SELECT 1 + (g - 1) / $6 AS o) oo,
            LATERAL (SELECT CASE WHEN g % 5 = 0 THEN 'DECREASE_TO' WHEN g % 11 = 0 THEN 'MILESTONE' ELSE 'INCREASE_TO' END AS kind) kk,
            LATERAL (SELECT kk.kind, CASE kk.kind WHEN 'DECREASE_TO' THEN 100::numeric WHEN 'MILESTONE' THEN 0 ELSE 200 END AS s,
                            CASE kk.kind WHEN 'DECREASE_TO' THEN 50::numeric WHEN 'MILESTONE' THEN 1 ELSE 500 END AS t) k`,
    [...p, cycle, squad.objectives, squad.members, squad.krsPerObjective],
  );
  // Weekly check-ins; the last one (the day before) carries the key result's current value.
  await sql(
    `INSERT INTO check_ins (id, organization_id, key_result_id, value, confidence, note, author_id, created_at)
     SELECT md5($1 || ':checkin:' || k.n || ':' || w)::uuid, $2, k.id,
            CASE WHEN w = $3 OR k.kind = 'MILESTONE' THEN k.current_value ELSE k.start_value + (k.current_value - k.start_value) * w / $3 END,
            k.confidence, '第 ' || w || ' 周：按计划推进', k.owner_id,
            k.last_check_in_at - ($3 - w) * interval '7 days'
       FROM (SELECT kr.*, row_number() OVER (ORDER BY created_at) AS n FROM key_results kr WHERE organization_id = $2 AND confidence IS NOT NULL) k,
            generate_series(1, $3) w`,
    [...p, squad.weeks],
  );
  // The squad's tasks: a fifth assigned to the lead; some done, some without a due date.
  await sql(
    `INSERT INTO tasks (id, organization_id, title, description, assignee_id, reporter_id, status, due_on, important, urgent,
                        key_result_id, sprint_id, squad_id, completed_at, created_at)
     SELECT ${ID('task')}, $2, '任务 ' || g || '：整理创作者激励名单', NULL,
            CASE WHEN g % 5 = 0 THEN md5($1 || ':user:0')::uuid ELSE md5($1 || ':user:' || (1 + g % ($4 - 1)))::uuid END,
            md5($1 || ':user:0')::uuid,
            (ARRAY['TODO','IN_PROGRESS','BLOCKED','DONE','TODO'])[1 + g % 5],
            CASE WHEN g % 9 = 0 THEN NULL ELSE current_date + (g % 30) - 10 END,
            g % 2 = 0, g % 3 = 0,
            CASE WHEN g % 4 = 0 THEN NULL ELSE md5($1 || ':kr:' || (1 + g % $5))::uuid END,
            CASE WHEN g % 3 = 0 THEN $6::uuid END, $7,
            CASE WHEN g % 5 = 3 THEN now() - interval '1 day' END,
            timestamp '2026-01-05' + g * interval '1 second'
       FROM generate_series(1, $3) g`,
    [...p, squad.tasks, squad.members, squad.objectives * squad.krsPerObjective, currentSprint, squadId],
  );

  if (squad.doneTasks > 0) {
    await sql(
      `INSERT INTO tasks (organization_id, title, assignee_id, reporter_id, status, due_on, key_result_id, squad_id, completed_at, created_at)
       SELECT $2, '已完成 ' || g, md5($1 || ':user:' || (g % $4))::uuid, md5($1 || ':user:0')::uuid, 'DONE', current_date - 400 + g % 390,
              md5($1 || ':kr:' || (1 + g % $5))::uuid, $6, now() - (g % 390) * interval '1 day', timestamp '2025-01-01' + g * interval '1 minute'
         FROM generate_series(1, $3) g`,
      [...p, squad.doneTasks, squad.members, squad.objectives * squad.krsPerObjective, squadId],
    );
  }
  if (background) await generateBackground(sql, seed, org, cycle, squad, background);
  await generateCampaigns(sql, seed, org, squadId, lead);

  const krs = await sql(
    `SELECT id FROM key_results WHERE organization_id = $1 AND kind <> 'MILESTONE' AND objective_id IN
       (SELECT id FROM objectives WHERE squad_id = $2) ORDER BY created_at, id`,
    [org, squadId],
  );
  await generateBudgets(rawSql, seed, org, squadId, lead);
  return { organizationId: org, leadId: lead, squadId, cycleId: cycle, leadKeyResults: krs.map((r) => r.id as string) };
}

/**
 * The rest of the organisation: objectives in other squads (20 each), their key results with a
 * check-in history, tasks spread over 200 more members (one in fifty assigned to the bench
 * squad's lead) and audit events.
 */
async function generateBackground(rawSql: Sql, seed: string, org: string, cycle: string, squad: SquadShape, bg: Background): Promise<void> {
  const sql = typed(rawSql);
  const p = [seed, org];
  const users = squad.members + 200;
  const squads = Math.max(1, Math.ceil(bg.objectives / 20));
  await sql(
    `INSERT INTO squads (id, organization_id, name, lead_id, created_at)
     SELECT ${ID('bgsquad')}, $2, '小组 ' || g, md5($1 || ':user:' || (2 + g % ($3 - 2)))::uuid, timestamp '2026-01-01' + g * interval '1 second'
       FROM generate_series(1, $4) g`,
    [...p, users, squads],
  );
  await sql(
    `INSERT INTO objectives (id, organization_id, cycle_id, title, owner_id, squad_id, weight, created_at)
     SELECT ${ID('bgobjective')}, $2, $3, '目标 ' || g, md5($1 || ':user:' || (2 + g % ($4 - 2)))::uuid,
            md5($1 || ':bgsquad:' || (1 + (g - 1) / 20))::uuid, 1, timestamp '2026-02-01' + g * interval '1 second'
       FROM generate_series(1, $5) g`,
    [...p, cycle, users, bg.objectives],
  );
  const perKr = Math.max(1, Math.floor(bg.checkIns / bg.keyResults));
  await sql(
    `INSERT INTO key_results (id, organization_id, objective_id, cycle_id, title, kind, unit, start_value, target_value,
                              current_value, confidence, weight, owner_id, last_check_in_at, created_at)
     SELECT ${ID('bgkr')}, $2, md5($1 || ':bgobjective:' || (1 + (g - 1) % $5))::uuid, $3, '关键结果 ' || g,
            'INCREASE_TO', '%', 0, 100, (g * 37) % 100, (ARRAY[0.9, 0.75, 0.55, 0.45, 0.3, 0.8])[1 + g % 6], 1,
            md5($1 || ':user:' || (2 + g % ($4 - 2)))::uuid, date_trunc('day', now()) - interval '1 day',
            timestamp '2026-02-02' + g * interval '1 second'
       FROM generate_series(1, $6) g`,
    [...p, cycle, users, bg.objectives, bg.keyResults],
  );
  await sql(
    `INSERT INTO check_ins (organization_id, key_result_id, value, confidence, note, author_id, created_at)
     SELECT $2, md5($1 || ':bgkr:' || k)::uuid, (k * 37) % 100 * w / $4, (ARRAY[0.9, 0.75, 0.55, 0.45, 0.3, 0.8])[1 + k % 6],
            '周报', md5($1 || ':user:' || (2 + k % ($5 - 2)))::uuid,
            date_trunc('day', now()) - interval '1 day' - ($4 - w) * interval '1 day'
       FROM generate_series(1, $3) k, generate_series(1, $4) w`,
    [...p, bg.keyResults, perKr, users],
  );
  await sql(
    `INSERT INTO tasks (organization_id, title, assignee_id, reporter_id, status, due_on, important, urgent, squad_id, key_result_id, created_at)
     SELECT $2, '任务 ' || g,
            CASE WHEN g % 50 = 0 THEN md5($1 || ':user:0')::uuid ELSE md5($1 || ':user:' || (1 + g % ($3 - 1)))::uuid END,
            md5($1 || ':user:1')::uuid, (ARRAY['TODO','IN_PROGRESS','BLOCKED','DONE','DONE'])[1 + g % 5],
            CASE WHEN g % 9 = 0 THEN NULL ELSE current_date + (g % 120) - 60 END, g % 2 = 0, g % 3 = 0,
            md5($1 || ':bgsquad:' || (1 + g % $5))::uuid,
            CASE WHEN g % 7 = 0 THEN NULL ELSE md5($1 || ':bgkr:' || (1 + g % $6))::uuid END, timestamp '2026-01-10' + g * interval '1 second'
       FROM generate_series(1, $4) g`,
    [...p, users, bg.tasks, squads, bg.keyResults],
  );
  await sql(
    `INSERT INTO audit_events (organization_id, at, actor_id, action, entity_type, entity_id, before, after)
     SELECT $2, now() - g * interval '10 seconds', md5($1 || ':user:' || (1 + g % ($3 - 1)))::uuid,
            'key_result.checked_in', 'KeyResult', md5($1 || ':bgkr:' || (1 + g % $4))::uuid,
            jsonb_build_object('currentValue', (g % 100)::text), jsonb_build_object('currentValue', ((g + 1) % 100)::text)
       FROM generate_series(1, $5) g`,
    [...p, users, bg.keyResults, bg.auditEvents],
  );
}
