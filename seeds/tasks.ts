import type { EntityManager } from 'typeorm';
import { addDays } from '../src/common/periods';
import { type DemoCalendar } from './calendar';
import { DEMO, planRowId } from './ids';
import { insertRow } from './rows';

const P = DEMO.plan;
const U = DEMO.users;

/** The action of the 超级品牌日 review (seeds/campaigns.ts links it to the campaign). */
export const CAMPAIGN_REVIEW_TASK = '00000000-0000-4000-8000-000000000542';

/**
 * The plan's weekly tasks (on its key results and sprints, from the OKR and squad seeds, run
 * first), the checkout squad's task, and the action of the 超级品牌日 review. Last month's
 * sprint is done; of the five open tasks two are overdue (due 3 days and 1 day before today), the
 * others due in the coming days. Idempotent: rows with these ids are inserted once and never
 * overwritten.
 */
export async function seedTasks(m: EntityManager, cal: DemoCalendar): Promise<void> {
  const done = (days: number) => addDays(cal.previousMonth.start, days);
  const due = (days: number) => addDays(cal.today, days);
  const tasks: Array<[number, string, string, string, string, boolean, boolean, string | null, string]> = [
    [21, '第1周：梳理创作者分层名单', U.member.id, 'DONE', done(6), true, false, P.krRetention, P.sprintApril],
    [22, '第2周：上线新人创作奖励', U.lead.id, 'DONE', done(13), true, true, P.krPosts, P.sprintApril],
    [23, '第4周：激励效果复盘', U.lead.id, 'DONE', done(27), false, false, null, P.sprintApril],
    [24, '第1周：冷启动曝光策略 A/B 实验方案', U.member.id, 'IN_PROGRESS', due(-3), true, true, P.krPosts, P.sprintMay],
    [25, '第2周：新人引导流程改版', U.member.id, 'TODO', due(4), true, false, P.krRetention, P.sprintMay],
    [26, '第3周：整理优质创作者案例', U.finance.id, 'BLOCKED', due(-1), false, true, null, P.sprintMay],
  ];
  for (const [n, title, assignee, status, due, important, urgent, kr, sprint] of tasks) {
    await insertRow(m, 'tasks', {
      id: planRowId(n), title, assignee_id: assignee, reporter_id: U.lead.id, status, due_on: due, important, urgent,
      key_result_id: kr, sprint_id: sprint, squad_id: P.squadCreators, completed_at: status === 'DONE' ? `${due}T18:00:00Z` : null,
    });
  }
  await insertRow(m, 'tasks', {
    id: planRowId(27), title: 'Analyse the checkout A/B test', assignee_id: U.member.id, reporter_id: U.owner.id, status: 'TODO',
    due_on: due(6), important: true, urgent: false, key_result_id: P.krConversion, sprint_id: P.sprintCheckout, squad_id: P.squadCheckout,
  });
  await insertRow(m, 'tasks', {
    id: CAMPAIGN_REVIEW_TASK, title: '重新设计新客会员权益', assignee_id: U.member.id, reporter_id: U.owner.id, status: 'TODO', due_on: due(12),
    important: true, urgent: false, squad_id: P.squadCheckout,
  });
}
