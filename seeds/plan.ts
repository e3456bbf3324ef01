import type { EntityManager } from 'typeorm';
import { DEMO } from './ids';

const P = DEMO.plan;
const U = DEMO.users;

/** Fixed ids for rows nobody refers to (check-ins, tasks, squad members): 0000…03xx. */
const rowId = (n: number) => `00000000-0000-4000-8000-${String(300 + n).padStart(12, '0')}`;

/**
 * The Q2 content-platform plan from the product brief: objective 提升用户创作活跃度 with key
 * results 日均发布内容量提升30% and 创作者留存率提升15%, the monthly projects 创作者激励计划 and
 * 内容分发算法优化 as sprints, and weekly tasks; plus an English checkout squad. Idempotent:
 * rows with these ids are inserted once and never overwritten.
 */
export async function seedPlan(m: EntityManager): Promise<void> {
  const org = DEMO.organizationId;
  const insert = (table: string, row: Record<string, unknown>) => {
    const cols = Object.keys(row);
    return m.query(
      `INSERT INTO ${table} (organization_id, ${cols.join(', ')}) VALUES ($1, ${cols.map((_, i) => `$${i + 2}`).join(', ')}) ON CONFLICT DO NOTHING`,
      [org, ...Object.values(row)],
    );
  };

  await insert('okr_cycles', { id: P.cycleQ2, name: '2026-Q2', starts_on: '2026-04-01', ends_on: '2026-06-30' });

  await insert('squads', { id: P.squadCreators, name: '创作者增长小组', mission: '让更多用户愿意创作、持续创作', lead_id: U.lead.id });
  await insert('squads', { id: P.squadCheckout, name: 'Checkout Conversion Squad', mission: 'Make paying effortless', lead_id: U.owner.id });
  const members: Array<[number, string, string, string]> = [
    [1, P.squadCreators, U.lead.id, 'PRODUCT'],
    [2, P.squadCreators, U.member.id, 'CONTENT'],
    [3, P.squadCreators, U.finance.id, 'DATA'],
    [4, P.squadCheckout, U.owner.id, 'PRODUCT'],
    [5, P.squadCheckout, U.member.id, 'DATA'],
  ];
  for (const [n, squad, user, fn] of members) await insert('squad_members', { id: rowId(n), squad_id: squad, user_id: user, function: fn });

  await insert('sprints', {
    id: P.sprintApril, squad_id: P.squadCreators, name: '4月：创作者激励计划', goal: '上线新人创作激励，首月创作者留存提升',
    starts_on: '2026-04-01', ends_on: '2026-04-30', closed_at: '2026-05-01T10:00:00Z',
    retrospective: '做得好：激励规则简单易懂。待改进：素材模板不足，下月补齐。',
  });
  await insert('sprints', {
    id: P.sprintMay, squad_id: P.squadCreators, name: '5月：内容分发算法优化', goal: '新作品冷启动曝光翻倍',
    starts_on: '2026-05-01', ends_on: '2026-05-31',
  });
  await insert('sprints', {
    id: P.sprintCheckout, squad_id: P.squadCheckout, name: 'May: one-page checkout', goal: 'Ship the one-page checkout A/B test',
    starts_on: '2026-05-01', ends_on: '2026-05-31',
  });

  await insert('objectives', {
    id: P.objectiveCreators, cycle_id: P.cycleQ2, title: '提升用户创作活跃度', description: 'Q2 内容平台核心目标',
    owner_id: U.lead.id, squad_id: P.squadCreators, version: 1,
  });
  await insert('objectives', {
    id: P.objectiveCheckout, cycle_id: P.cycleQ2, title: 'Lift checkout conversion', description: 'Fewer steps, fewer drop-offs',
    owner_id: U.owner.id, squad_id: P.squadCheckout, version: 1,
  });

  // Current values, confidence and versions agree with the check-ins below.
  const krs: Array<Record<string, unknown>> = [
    { id: P.krPosts, objective_id: P.objectiveCreators, title: '日均发布内容量提升30%', kind: 'INCREASE_TO', unit: '篇/天',
      start_value: '10000', target_value: '13000', current_value: '11600', confidence: '0.7', owner_id: U.lead.id, version: 3 },
    { id: P.krRetention, objective_id: P.objectiveCreators, title: '创作者留存率提升15%', kind: 'INCREASE_TO', unit: '%',
      start_value: '40', target_value: '46', current_value: '41.5', confidence: '0.5', owner_id: U.member.id, version: 2 },
    { id: P.krConversion, objective_id: P.objectiveCheckout, title: 'Checkout conversion from 2.5% to 3.0%', kind: 'INCREASE_TO', unit: '%',
      start_value: '2.5', target_value: '3.0', current_value: '2.95', confidence: '0.8', owner_id: U.member.id, version: 2 },
    { id: P.krRefunds, objective_id: P.objectiveCheckout, title: 'Refund rate stays below 5%', kind: 'STAY_BELOW', unit: '%',
      start_value: '5', target_value: '5', current_value: '5', confidence: null, owner_id: U.owner.id, version: 1 },
  ];
  for (const kr of krs) await insert('key_results', { ...kr, cycle_id: P.cycleQ2, last_check_in_at: kr.version === 1 ? null : '2026-05-15T09:00:00Z' });

  const checkIns: Array<[number, string, string, string, string, string, string]> = [
    [11, P.krPosts, '10800', '0.6', '激励计划上线第一周，发布量开始回升', U.lead.id, '2026-04-20T09:00:00Z'],
    [12, P.krPosts, '11600', '0.7', '分发优化后新作品曝光提升', U.lead.id, '2026-05-15T09:00:00Z'],
    [13, P.krRetention, '41.5', '0.5', '留存提升慢于预期，需要更好的新人引导', U.member.id, '2026-05-15T09:00:00Z'],
    [14, P.krConversion, '2.95', '0.8', 'A/B test: +18% conversion on 300,000 users', U.member.id, '2026-05-15T09:00:00Z'],
  ];
  for (const [n, kr, value, confidence, note, author, at] of checkIns) {
    await insert('check_ins', { id: rowId(n), key_result_id: kr, value, confidence, note, author_id: author, created_at: at });
  }

  const tasks: Array<[number, string, string, string, string, boolean, boolean, string | null, string]> = [
    [21, '第1周：梳理创作者分层名单', U.member.id, 'DONE', '2026-04-07', true, false, P.krRetention, P.sprintApril],
    [22, '第2周：上线新人创作奖励', U.lead.id, 'DONE', '2026-04-14', true, true, P.krPosts, P.sprintApril],
    [23, '第4周：激励效果复盘', U.lead.id, 'DONE', '2026-04-28', false, false, null, P.sprintApril],
    [24, '第1周：冷启动曝光策略 A/B 实验方案', U.member.id, 'IN_PROGRESS', '2026-05-08', true, true, P.krPosts, P.sprintMay],
    [25, '第2周：新人引导流程改版', U.member.id, 'TODO', '2026-05-15', true, false, P.krRetention, P.sprintMay],
    [26, '第3周：整理优质创作者案例', U.finance.id, 'BLOCKED', '2026-05-22', false, true, null, P.sprintMay],
  ];
  for (const [n, title, assignee, status, due, important, urgent, kr, sprint] of tasks) {
    await insert('tasks', {
      id: rowId(n), title, assignee_id: assignee, reporter_id: U.lead.id, status, due_on: due, important, urgent,
      key_result_id: kr, sprint_id: sprint, squad_id: P.squadCreators, completed_at: status === 'DONE' ? `${due}T18:00:00Z` : null,
    });
  }
  await insert('tasks', {
    id: rowId(27), title: 'Analyse the checkout A/B test', assignee_id: U.member.id, reporter_id: U.owner.id, status: 'TODO',
    due_on: '2026-05-20', important: true, urgent: false, key_result_id: P.krConversion, sprint_id: P.sprintCheckout, squad_id: P.squadCheckout,
  });
}
