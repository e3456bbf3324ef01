// The KPI state code it reuses loads decorated entity classes.
import 'reflect-metadata';
import Decimal from 'decimal.js';
import type { EntityManager } from 'typeorm';
import { systemContext } from '../src/db/system-context';
import { alertMessage, breachOf, KpiDirection, refreshKpiState } from '../src/modules/kpis';
import { seededRandom, type DemoCalendar } from './calendar';
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

/**
 * How each measured KPI moves over the demo's year of weeks: from `from` a year ago to `to`
 * last week (a straight trend), with noise of ±`noise` (a fraction of the value, from a seeded
 * generator), rounded to `digits` decimals (negative: to tens, hundreds…). `steady` KPIs never
 * go down from one week to the next (their noise only varies the size of the steps) and end
 * exactly on `to`.
 */
interface Trend {
  from: number;
  to: number;
  noise: number;
  digits: number;
  steady?: boolean;
}
const TRENDS: Partial<Record<Key, Trend>> = {
  visitors: { from: 108000, to: 136000, noise: 0.015, digits: -2 },
  conversion_rate: { from: 0.0245, to: 0.028, noise: 0.02, digits: 4 },
  aov: { from: 84, to: 92, noise: 0.01, digits: 1 },
  new_users: { from: 17000, to: 22400, noise: 0.03, digits: -1 },
  dau: { from: 47000, to: 56800, noise: 0.008, digits: -1 },
  mau: { from: 280000, to: 315000, noise: 0.004, digits: -2 },
  refund_rate: { from: 3.3, to: 3.3, noise: 0.08, digits: 1 },
  creator_retention: { from: 36, to: 41.5, noise: 0, digits: 1, steady: true },
};
/** The refund-rate spike (the anomaly that raised the demo's one alert): this many weeks before last week. */
export const DEMO_ANOMALY_WEEKS_AGO = 5;
const ANOMALY_VALUE = '9.6';

const round = (v: number, digits: number) => new Decimal(v).toDecimalPlaces(digits, Decimal.ROUND_HALF_EVEN).toString();
const roundTo = (v: number, digits: number) => (digits >= 0 ? round(v, digits) : new Decimal(v).div(10 ** -digits).round().mul(10 ** -digits).toString());

/** The weekly values of each measured KPI over `weeks`, the same for the same day. */
export function demoKpiSeries(cal: DemoCalendar): Partial<Record<Key, string[]>> {
  const n = cal.weeks.length;
  const series: Partial<Record<Key, string[]>> = {};
  for (const [key, t] of Object.entries(TRENDS) as Array<[Key, Trend]>) {
    const random = seededRandom(`${cal.today}|${key}`);
    if (t.steady) {
      const steps = Array.from({ length: n - 1 }, () => 0.5 + random());
      const total = steps.reduce((a, b) => a + b, 0);
      let reached = 0;
      series[key] = [t.from, ...steps.map((s) => t.from + ((t.to - t.from) * (reached += s)) / total)].map((v) => roundTo(v, t.digits));
      series[key]![n - 1] = roundTo(t.to, t.digits);
      continue;
    }
    series[key] = Array.from({ length: n }, (_, i) => {
      const trend = t.from + ((t.to - t.from) * i) / (n - 1);
      return roundTo(trend * (1 + t.noise * (2 * random() - 1)), t.digits);
    });
  }
  series.refund_rate![n - 1 - DEMO_ANOMALY_WEEKS_AGO] = ANOMALY_VALUE;
  return series;
}

/**
 * The demo KPIs, a year of weekly measurements up to last week (`demoKpiSeries`) and the alert
 * of the anomaly (the current quarter's key result
 * "创作者留存率提升15%" follows creator_retention: seeds/okrs.ts, run after). Idempotent: fixed ids and (KPI, period) keys,
 * nothing overwritten. Runs inside the demo seed's transaction.
 */
export async function seedKpis(m: EntityManager, cal: DemoCalendar): Promise<void> {
  const org = DEMO.organizationId;
  const WEEKS = cal.weeks;
  const SERIES = demoKpiSeries(cal);
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
