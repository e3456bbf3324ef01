// The KPI state code it reuses loads decorated entity classes.
import 'reflect-metadata';
import Decimal from 'decimal.js';
import type { EntityManager } from 'typeorm';
import { systemContext } from '../src/db/system-context';
import { alertMessage, breachOf, KpiDirection, refreshKpiState } from '../src/modules/kpis';
import { DEMO } from './ids';

/** Fixed ids of the demo KPIs (keys are what other modules link to). */
export const DEMO_KPIS = {
  gmv: '00000000-0000-4000-8000-000000000301',
  visitors: '00000000-0000-4000-8000-000000000302',
  conversion_rate: '00000000-0000-4000-8000-000000000303',
  aov: '00000000-0000-4000-8000-000000000304',
  new_users: '00000000-0000-4000-8000-000000000305',
  dau_mau: '00000000-0000-4000-8000-000000000306',
  dau: '00000000-0000-4000-8000-000000000307',
  mau: '00000000-0000-4000-8000-000000000308',
  refund_rate: '00000000-0000-4000-8000-000000000309',
  creator_retention: '00000000-0000-4000-8000-000000000310',
} as const;

type Key = keyof typeof DEMO_KPIS;

interface DemoKpi {
  key: Key;
  name: string;
  definition: string;
  unit: string | null;
  layer: 'STRATEGIC' | 'TACTICAL' | 'OPERATIONAL';
  direction?: KpiDirection;
  aggregation: 'SUM' | 'AVERAGE' | 'LAST';
  parent: Key | null;
  formula?: string;
  owner: keyof typeof DEMO.users;
  limits?: Partial<Record<'normal_min' | 'normal_max' | 'warning_below' | 'critical_below' | 'warning_above' | 'critical_above', string>>;
}

/** The AARRR driver tree under the north star: GMV = visitors × conversion_rate × aov. */
const KPIS: DemoKpi[] = [
  { key: 'gmv', name: 'GMV 成交总额', definition: '已支付订单金额之和（含运费，不含退款）', unit: 'CNY', layer: 'STRATEGIC', aggregation: 'SUM', parent: null, formula: 'visitors * conversion_rate * aov', owner: 'owner' },
  { key: 'visitors', name: '访客数 (Acquisition)', definition: '周内去重访客数 UV', unit: '人', layer: 'TACTICAL', aggregation: 'SUM', parent: 'gmv', owner: 'lead' },
  { key: 'conversion_rate', name: '支付转化率 (Revenue)', definition: '支付买家数 / 访客数', unit: null, layer: 'TACTICAL', aggregation: 'AVERAGE', parent: 'gmv', owner: 'member',
    limits: { normal_min: '0.02', warning_below: '0.02', critical_below: '0.015' } },
  { key: 'aov', name: '客单价', definition: '成交金额 / 支付订单数', unit: 'CNY', layer: 'TACTICAL', aggregation: 'AVERAGE', parent: 'gmv', owner: 'finance' },
  { key: 'new_users', name: '新增注册用户', definition: '周内完成注册的新用户数', unit: '人', layer: 'OPERATIONAL', aggregation: 'SUM', parent: 'visitors', owner: 'lead' },
  { key: 'dau_mau', name: 'DAU/MAU 活跃度 (Activation)', definition: '日活 / 月活，衡量用户黏性', unit: null, layer: 'TACTICAL', aggregation: 'LAST', parent: 'gmv', formula: 'dau / mau', owner: 'lead',
    limits: { warning_below: '0.15' } },
  { key: 'dau', name: '日活跃用户 DAU', definition: '周内日均活跃用户数', unit: '人', layer: 'OPERATIONAL', aggregation: 'AVERAGE', parent: 'dau_mau', owner: 'lead' },
  { key: 'mau', name: '月活跃用户 MAU', definition: '截至周末的近30天活跃用户数', unit: '人', layer: 'OPERATIONAL', aggregation: 'LAST', parent: 'dau_mau', owner: 'lead' },
  { key: 'refund_rate', name: '退款率', definition: '退款订单数 / 支付订单数', unit: '%', layer: 'OPERATIONAL', direction: KpiDirection.LOWER_IS_BETTER, aggregation: 'AVERAGE', parent: 'gmv', owner: 'owner',
    limits: { normal_min: '0', normal_max: '5', warning_above: '6', critical_above: '8' } },
  { key: 'creator_retention', name: '创作者留存率 (Retention)', definition: '上月发布过作品的创作者中本月仍发布的比例', unit: '%', layer: 'TACTICAL', aggregation: 'AVERAGE', parent: 'gmv', owner: 'member' },
];

/** Twelve weeks (Mondays from 2026-03-02); refund_rate spikes in week 9 (the anomaly). */
const WEEKS = Array.from({ length: 12 }, (_, i) => new Date(Date.UTC(2026, 2, 2 + 7 * i)).toISOString().slice(0, 10));
const SERIES: Partial<Record<Key, string[]>> = {
  visitors: ['120000', '122500', '121800', '125000', '126400', '128000', '127500', '130200', '131000', '133500', '134800', '136000'],
  conversion_rate: ['0.025', '0.0255', '0.026', '0.0258', '0.0262', '0.0265', '0.027', '0.0268', '0.0272', '0.0275', '0.0278', '0.028'],
  aov: ['86.5', '87.2', '86.9', '88', '88.4', '89.1', '88.7', '89.5', '90.2', '90.8', '91.3', '92'],
  new_users: ['18000', '18600', '18200', '19100', '19500', '20100', '19800', '20600', '21000', '21500', '21900', '22400'],
  dau: ['52000', '52500', '53100', '53000', '53800', '54200', '54600', '55000', '55400', '55900', '56300', '56800'],
  mau: ['300000', '301500', '303000', '304000', '305500', '307000', '308000', '309500', '311000', '312000', '313500', '315000'],
  refund_rate: ['3.2', '3.1', '3.4', '3.3', '3', '3.2', '3.5', '3.3', '9.6', '3.6', '3.4', '3.2'],
  creator_retention: ['40', '40.1', '40.3', '40.4', '40.6', '40.7', '40.9', '41', '41.1', '41.2', '41.4', '41.5'],
};

/**
 * The demo KPIs, their measurements and the alert of the anomaly (the Q2 key result
 * "创作者留存率提升15%" follows creator_retention: seeds/okrs.ts, run after). Idempotent: fixed ids and (KPI, period) keys,
 * nothing overwritten. Runs inside the demo seed's transaction.
 */
export async function seedKpis(m: EntityManager): Promise<void> {
  const org = DEMO.organizationId;
  for (const k of KPIS) {
    await m.query(
      `INSERT INTO kpis (id, organization_id, key, name, definition, unit, layer, direction, aggregation, formula, parent_id, owner_id, is_north_star,
                         normal_min, normal_max, warning_below, critical_below, warning_above, critical_above)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) ON CONFLICT DO NOTHING`,
      [
        DEMO_KPIS[k.key], org, k.key, k.name, k.definition, k.unit, k.layer, k.direction ?? KpiDirection.HIGHER_IS_BETTER, k.aggregation,
        k.formula ?? null, k.parent ? DEMO_KPIS[k.parent] : null, DEMO.users[k.owner].id, k.key === 'gmv',
        k.limits?.normal_min ?? null, k.limits?.normal_max ?? null, k.limits?.warning_below ?? null, k.limits?.critical_below ?? null,
        k.limits?.warning_above ?? null, k.limits?.critical_above ?? null,
      ],
    );
  }
  const rows = Object.entries(SERIES).flatMap(([key, values]) => values!.map((v, i) => ({ key: key as Key, period: WEEKS[i], value: v })));
  const inserted: Array<{ id: string; kpi_id: string; period: string; value: string }> = await m.query(
    `INSERT INTO kpi_measurements (organization_id, kpi_id, period_start, value, source, recorded_by, recorded_at)
     SELECT $1, t.kpi_id, t.period_start, t.value, '数据仓库 weekly job', $5, t.period_start + interval '7 days 2 hours'
       FROM unnest($2::uuid[], $3::date[], $4::numeric[]) AS t(kpi_id, period_start, value)
     ON CONFLICT DO NOTHING
     RETURNING id, kpi_id, to_char(period_start, 'YYYY-MM-DD') AS period, value::text AS value`,
    [org, rows.map((r) => DEMO_KPIS[r.key]), rows.map((r) => r.period), rows.map((r) => r.value), DEMO.users.finance.id],
  );
  // Alerts from the same rules as recordMeasurements (the refund-rate spike).
  const byId = new Map<string, DemoKpi>(KPIS.map((k) => [DEMO_KPIS[k.key], k]));
  const dec = (v: string | undefined) => (v == null ? null : new Decimal(v));
  for (const row of inserted) {
    const k = byId.get(row.kpi_id)!;
    const limits = {
      direction: k.direction ?? KpiDirection.HIGHER_IS_BETTER,
      normalMin: dec(k.limits?.normal_min), normalMax: dec(k.limits?.normal_max),
      warningBelow: dec(k.limits?.warning_below), criticalBelow: dec(k.limits?.critical_below),
      warningAbove: dec(k.limits?.warning_above), criticalAbove: dec(k.limits?.critical_above),
    };
    const breach = breachOf(limits, new Decimal(row.value));
    if (!breach) continue;
    await m.query(
      `INSERT INTO kpi_alerts (organization_id, kpi_id, measurement_id, period_start, level, value, message, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $4::date + interval '7 days 2 hours') ON CONFLICT DO NOTHING`,
      [org, row.kpi_id, row.id, row.period, breach.level, row.value, alertMessage(k, row.period, new Decimal(row.value), breach)],
    );
  }
  // The stored latest values and statuses, computed by the module's own code.
  await refreshKpiState(systemContext(m, org), Object.values(DEMO_KPIS));
}
