import type { EntityManager } from 'typeorm';
import { addDays } from '../src/common/periods';
import { at, type DemoCalendar } from './calendar';
import { DEMO } from './ids';
import { insertRow } from './rows';

const S = DEMO.sops;
const U = DEMO.users;

/** Fixed ids for the other RACI/SOP rows (activities, versions, steps...): 0000…06xx. */
const rowId = (n: number) => `00000000-0000-4000-8000-${String(600 + n).padStart(12, '0')}`;

const STEP_COLUMNS = ['title', 'role', 'instructions', 'quality_standard', 'duration_minutes'] as const;
type Step = [title: string, role: string, instructions: string, qualityStandard: string, durationMinutes: number];

/** 用户投诉处理, version 1 (published 160 days before today). */
const COMPLAINTS_V1: Step[] = [
  ['受理投诉', '客服专员', '通过电话、在线客服、邮件受理投诉，登记工单（用户、订单号、问题类型、诉求）。', '24小时内首次响应；工单信息完整', 15],
  ['调查核实', '客服主管', '核实订单、物流与沟通记录，必要时联系商家或仓库。', '2个工作日内查明原因', 60],
  ['处理与答复', '客服专员', '按补偿标准给出方案并与用户确认；超出权限的上报客服主管。', '方案符合补偿标准；用户确认', 30],
  ['回访归档', '客服专员', '处理完成后3天内回访，记录满意度并归档。', '回访率100%；满意度≥90%', 10],
];

/** 用户投诉处理, version 2 (published 40 days before today): faster first response, escalation for repeat complaints. */
const COMPLAINTS_V2: Step[] = [
  ['受理投诉', '客服专员', '通过电话、在线客服、邮件受理投诉，登记工单（用户、订单号、问题类型、诉求）。', '12小时内首次响应；工单信息完整', 15],
  ['分级', '客服主管', '按影响分级：一般、重要、紧急（涉及安全或舆情）；紧急投诉立即上报运营负责人。', '分级准确；紧急投诉1小时内上报', 10],
  ['调查核实', '客服主管', '核实订单、物流与沟通记录，必要时联系商家或仓库。', '2个工作日内查明原因', 60],
  ['处理与答复', '客服专员', '按补偿标准给出方案并与用户确认；超出权限的上报客服主管。', '方案符合补偿标准；用户确认', 30],
  ['复盘改进', '运营负责人', '每月汇总投诉原因，重复出现的问题转为改进任务。', '每月一次复盘；改进任务有负责人', 60],
];

/** 活动执行, version 1 (published 50 days before today). */
const CAMPAIGN_V1: Step[] = [
  ['目标与预算确认', '活动负责人', '确认活动目标（GMV、新客、曝光）、预算与各渠道分配。', '目标可量化；预算经财务确认', 120],
  ['资源与排期', '项目经理', '锁定平台流量、KOL、用户激励与物料的排期，列出依赖。', '排期表覆盖全部资源；关键节点有负责人', 240],
  ['上线检查', '运营专员', '上线前检查链接、优惠券、库存与监控看板。', '检查清单全部通过', 60],
  ['执行监控', '数据分析师', '活动期间每2小时看板巡检，异常即时通报。', '异常15分钟内通报', 30],
  ['复盘', '活动负责人', '活动结束7天内复盘：ROI、目标达成、经验与问题，沉淀为SOP修订。', '复盘报告7天内完成', 180],
];

/**
 * The RACI matrix of the 超级品牌日 campaign (platform traffic, KOL partnerships, user rewards,
 * production) and two SOPs from the source material: 用户投诉处理 with two published versions
 * and 活动执行 with one, following 目的、适用范围、职责分工、操作步骤、质量标准、注意事项.
 * The matrix's subject is the campaign DEMO.campaigns.superBrandDay (its row comes with the
 * campaigns module). The matrix has one problem to learn from: 用户激励 has two people
 * accountable (MULTIPLE_ACCOUNTABLE); its other activities are sound. Dates are relative to
 * `today` (the SOPs' reviews fall due in the coming weeks). Idempotent: nothing is inserted when
 * the matrix already exists.
 */
export async function seedSops(m: EntityManager, cal: DemoCalendar): Promise<void> {
  const org = DEMO.organizationId;
  const ago = (days: number, time?: string) => at(addDays(cal.today, -days), time);
  const inserted = await m.query(
    `INSERT INTO raci_matrices (id, organization_id, name, subject_type, subject_id, version) VALUES ($1, $2, $3, 'Campaign', $4, 1)
     ON CONFLICT DO NOTHING RETURNING id`,
    [S.raciSuperBrandDay, org, '超级品牌日 RACI', DEMO.campaigns.superBrandDay],
  );
  if (!inserted.length) return;

  // Activities × people: the lead answers for the campaign, each activity has its doers; 用户激励
  // has two accountables (the owner and the lead), the one problem the RACI checks report.
  const activities: Array<[number, string, Array<[string, string]>]> = [
    [1, '平台流量', [[U.lead.id, 'ACCOUNTABLE'], [U.member.id, 'RESPONSIBLE'], [U.finance.id, 'CONSULTED'], [U.viewer.id, 'INFORMED']]],
    [2, 'KOL 合作', [[U.lead.id, 'ACCOUNTABLE'], [U.member.id, 'RESPONSIBLE'], [U.owner.id, 'CONSULTED']]],
    [3, '用户激励', [[U.owner.id, 'ACCOUNTABLE'], [U.lead.id, 'ACCOUNTABLE'], [U.member.id, 'RESPONSIBLE'], [U.finance.id, 'CONSULTED']]],
    [4, '物料制作', [[U.lead.id, 'ACCOUNTABLE'], [U.member.id, 'RESPONSIBLE'], [U.viewer.id, 'INFORMED']]],
  ];
  let cell = 0;
  for (const [n, name, roles] of activities) {
    await insertRow(m, 'raci_activities', { id: rowId(10 + n), matrix_id: S.raciSuperBrandDay, name, created_at: ago(60, `09:0${n}:00`) });
    for (const [user, role] of roles) {
      cell += 1;
      await insertRow(m, 'raci_assignments', {
        id: rowId(50 + cell), matrix_id: S.raciSuperBrandDay, activity_id: rowId(10 + n), user_id: user, role,
        created_at: ago(60, `10:${String(cell).padStart(2, '0')}:00`),
      });
    }
  }

  await insertRow(m, 'sops', {
    id: S.complaintHandling, title: '用户投诉处理', owner_id: U.member.id, review_every_days: 90, status: 'PUBLISHED',
    purpose: '及时、公正地处理用户投诉，降低流失与舆情风险，并把重复问题转为改进。',
    scope: '适用于APP、小程序、电话与邮件渠道的全部用户投诉；不含商家之间的纠纷。',
    review_due_on: addDays(cal.today, 50), version: 6, created_at: ago(170, '08:00:00'),
  });
  await insertRow(m, 'sops', {
    id: S.campaignExecution, title: '活动执行', owner_id: U.lead.id, review_every_days: 60, status: 'PUBLISHED',
    purpose: '让每一次营销活动按目标、预算与排期执行，并在结束后复盘沉淀经验。',
    scope: '适用于预算10万元以上的营销活动（如超级品牌日）。',
    raci_matrix_id: S.raciSuperBrandDay, review_due_on: addDays(cal.today, 10), version: 3, created_at: ago(60, '08:00:00'),
  });

  const versions: Array<[number, string, number, string, string | null, string, string, string, Step[]]> = [
    [31, S.complaintHandling, 1, '注意保护用户隐私，不在公开渠道讨论订单细节；涉及安全问题立即上报。', '初版', U.member.id, U.lead.id, ago(160, '10:00:00'), COMPLAINTS_V1],
    [32, S.complaintHandling, 2, '注意保护用户隐私；紧急投诉按分级立即上报；同一用户重复投诉视为重要。', '首次响应缩短到12小时；新增分级与月度复盘', U.member.id, U.lead.id, ago(40, '10:00:00'), COMPLAINTS_V2],
    [33, S.campaignExecution, 1, '预算调整走调整申请；活动期间不临时改规则；复盘不追责只找原因。', '初版', U.lead.id, U.owner.id, ago(50, '10:00:00'), CAMPAIGN_V1],
  ];
  let step = 0;
  for (const [n, sop, number, notes, changeNote, author, approver, publishedAt, steps] of versions) {
    await insertRow(m, 'sop_versions', {
      id: rowId(n), sop_id: sop, number, notes, change_note: changeNote, author_id: author, approved_by_id: approver,
      submitted_at: publishedAt, published_at: publishedAt, created_at: publishedAt,
    });
    for (const [i, s] of steps.entries()) {
      step += 1;
      const row: Record<string, unknown> = { id: rowId(100 + step), sop_id: sop, version_id: rowId(n), position: i + 1 };
      STEP_COLUMNS.forEach((c, k) => (row[c] = s[k]));
      await insertRow(m, 'sop_steps', row);
    }
  }
  await m.query(`UPDATE sops SET current_version_id = $1 WHERE id = $2`, [rowId(32), S.complaintHandling]);
  await m.query(`UPDATE sops SET current_version_id = $1 WHERE id = $2`, [rowId(33), S.campaignExecution]);

  // Who read what: version 1 of the complaints SOP was read by both; version 2 so far by the lead.
  const acks: Array<[number, string, string, number, string, string]> = [
    [81, S.complaintHandling, rowId(31), 1, U.lead.id, ago(159)],
    [82, S.complaintHandling, rowId(31), 1, U.member.id, ago(159, '11:00:00')],
    [83, S.complaintHandling, rowId(32), 2, U.lead.id, ago(39)],
    [84, S.campaignExecution, rowId(33), 1, U.member.id, ago(49)],
  ];
  for (const [n, sop, version, number, user, at] of acks) {
    await insertRow(m, 'sop_acknowledgements', { id: rowId(n), sop_id: sop, version_id: version, version_number: number, user_id: user, acknowledged_at: at });
  }

  // The plan's task 第4周：激励效果复盘 (seeds/tasks.ts) carries out the 复盘 step of 活动执行.
  const reviewTask = '00000000-0000-4000-8000-000000000323';
  const [reviewStep] = await m.query(`SELECT id FROM sop_steps WHERE version_id = $1 AND title = '复盘'`, [rowId(33)]);
  const [task] = await m.query(`SELECT id FROM tasks WHERE id = $1 AND organization_id = $2`, [reviewTask, org]);
  if (reviewStep && task) await insertRow(m, 'task_sop_steps', { task_id: reviewTask, sop_step_id: reviewStep.id });
}
