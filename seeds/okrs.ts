import type { EntityManager } from 'typeorm';
import { sqlOf, storeOrganizationProgress } from '../src/modules/okrs';
import { addDays } from '../src/common/periods';
import { at, type DemoCalendar } from './calendar';
import { DEMO, planRowId } from './ids';
import { DEMO_KPIS } from './kpis';
import { insertRow } from './rows';

const P = DEMO.plan;
const U = DEMO.users;

/**
 * The current quarter's content-platform plan from the product brief: objective 提升用户创作活跃度 with key
 * results 日均发布内容量提升30% and 创作者留存率提升15% (which follows the KPI creator_retention,
 * from the KPI seed, run first), its check-ins, and the checkout squad's objective. Idempotent:
 * rows with these ids are inserted once and never overwritten. The rows' stored progress and
 * status are then computed by the module's own code. The cycle is the quarter holding `today`;
 * the check-ins are spread over the part of it before today.
 */
export async function seedOkrs(m: EntityManager, cal: DemoCalendar): Promise<void> {
  const org = DEMO.organizationId;
  const { quarter } = cal;
  /** The day a fraction `f` (0…1) of the quarter so far had passed. */
  const sofar = (f: number) => at(addDays(quarter.start, Math.floor(cal.quarterElapsed * f)));
  await insertRow(m, 'okr_cycles', { id: P.cycleQ2, name: quarter.name, starts_on: quarter.start, ends_on: quarter.end });

  await insertRow(m, 'objectives', {
    id: P.objectiveCreators, cycle_id: P.cycleQ2, title: '提升用户创作活跃度', description: `Q${quarter.number} 内容平台核心目标`,
    owner_id: U.lead.id, squad_id: P.squadCreators, version: 1,
  });
  await insertRow(m, 'objectives', {
    id: P.objectiveCheckout, cycle_id: P.cycleQ2, title: 'Lift checkout conversion', description: 'Fewer steps, fewer drop-offs',
    owner_id: U.owner.id, squad_id: P.squadCheckout, version: 1,
  });

  // Current values, confidence and versions agree with the check-ins below.
  const krs: Array<Record<string, unknown>> = [
    { id: P.krPosts, objective_id: P.objectiveCreators, title: '日均发布内容量提升30%', kind: 'INCREASE_TO', unit: '篇/天',
      start_value: '10000', target_value: '13000', current_value: '11600', confidence: '0.7', owner_id: U.lead.id, version: 3 },
    { id: P.krRetention, objective_id: P.objectiveCreators, title: '创作者留存率提升15%', kind: 'INCREASE_TO', unit: '%',
      start_value: '40', target_value: '46', current_value: '41.5', confidence: '0.5', owner_id: U.member.id, version: 2,
      kpi_id: DEMO_KPIS.creator_retention },
    { id: P.krConversion, objective_id: P.objectiveCheckout, title: 'Checkout conversion from 2.5% to 3.0%', kind: 'INCREASE_TO', unit: '%',
      start_value: '2.5', target_value: '3.0', current_value: '2.95', confidence: '0.8', owner_id: U.member.id, version: 2 },
    { id: P.krRefunds, objective_id: P.objectiveCheckout, title: 'Refund rate stays below 5%', kind: 'STAY_BELOW', unit: '%',
      start_value: '5', target_value: '5', current_value: '5', confidence: null, owner_id: U.owner.id, version: 1 },
  ];
  for (const kr of krs) await insertRow(m, 'key_results', { ...kr, cycle_id: P.cycleQ2, last_check_in_at: kr.version === 1 ? null : sofar(0.75) });
  // A demo seeded before key results followed KPIs gets the link too.
  await m.query(`UPDATE key_results SET kpi_id = $2 WHERE id = $1 AND organization_id = $3 AND kpi_id IS NULL`, [
    P.krRetention,
    DEMO_KPIS.creator_retention,
    org,
  ]);

  const checkIns: Array<[number, string, string, string, string, string, string]> = [
    [11, P.krPosts, '10800', '0.6', '激励计划上线第一周，发布量开始回升', U.lead.id, sofar(0.25)],
    [12, P.krPosts, '11600', '0.7', '分发优化后新作品曝光提升', U.lead.id, sofar(0.75)],
    [13, P.krRetention, '41.5', '0.5', '留存提升慢于预期，需要更好的新人引导', U.member.id, sofar(0.75)],
    [14, P.krConversion, '2.95', '0.8', 'A/B test: +18% conversion on 300,000 users', U.member.id, sofar(0.75)],
  ];
  for (const [n, kr, value, confidence, note, author, at] of checkIns) {
    await insertRow(m, 'check_ins', { id: planRowId(n), key_result_id: kr, value, confidence, note, author_id: author, created_at: at });
  }
  // The plan is inserted as rows: its stored OKR progress and status are computed once here.
  await storeOrganizationProgress(sqlOf(m), org);
}
