import type { EntityManager } from 'typeorm';
import { at, type DemoCalendar } from './calendar';
import { DEMO, planRowId } from './ids';
import { insertRow } from './rows';

const P = DEMO.plan;
const U = DEMO.users;

/**
 * The plan's squads: 创作者增长小组 with its monthly projects 创作者激励计划 (last month, closed)
 * and 内容分发算法优化 (this month, current) as sprints, and an English checkout squad with this
 * month's sprint. Idempotent: rows with these ids are inserted once and never overwritten.
 */
export async function seedSquads(m: EntityManager, cal: DemoCalendar): Promise<void> {
  const { month, previousMonth } = cal;
  await insertRow(m, 'squads', { id: P.squadCreators, name: '创作者增长小组', mission: '让更多用户愿意创作、持续创作', lead_id: U.lead.id });
  await insertRow(m, 'squads', { id: P.squadCheckout, name: 'Checkout Conversion Squad', mission: 'Make paying effortless', lead_id: U.owner.id });
  const members: Array<[number, string, string, string]> = [
    [1, P.squadCreators, U.lead.id, 'PRODUCT'],
    [2, P.squadCreators, U.member.id, 'CONTENT'],
    [3, P.squadCreators, U.finance.id, 'DATA'],
    [4, P.squadCheckout, U.owner.id, 'PRODUCT'],
    [5, P.squadCheckout, U.member.id, 'DATA'],
  ];
  for (const [n, squad, user, fn] of members) await insertRow(m, 'squad_members', { id: planRowId(n), squad_id: squad, user_id: user, function: fn });

  await insertRow(m, 'sprints', {
    id: P.sprintApril, squad_id: P.squadCreators, name: `${previousMonth.number}月：创作者激励计划`, goal: '上线新人创作激励，首月创作者留存提升',
    starts_on: previousMonth.start, ends_on: previousMonth.end, closed_at: at(month.start, '10:00:00'),
    retrospective: '做得好：激励规则简单易懂。待改进：素材模板不足，下月补齐。',
  });
  await insertRow(m, 'sprints', {
    id: P.sprintMay, squad_id: P.squadCreators, name: `${month.number}月：内容分发算法优化`, goal: '新作品冷启动曝光翻倍',
    starts_on: month.start, ends_on: month.end,
  });
  await insertRow(m, 'sprints', {
    id: P.sprintCheckout, squad_id: P.squadCheckout, name: `${month.english}: one-page checkout`, goal: 'Ship the one-page checkout A/B test',
    starts_on: month.start, ends_on: month.end,
  });
}
