/** The KPIs a budget line is meant to move, by key (the KPI module resolves and checks them). */
import type { Context } from '../../common/context';
import { badInput } from '../../common/errors';
import { requireKpisByKeys } from '../kpis';

/**
 * Trims KPI keys (order kept) and resolves them to the organisation's active KPIs; a key listed
 * twice, or an unknown or archived key, is BAD_USER_INPUT on `kpiKeys` naming it (`extensions.keys`).
 */
export async function validateKpiKeys(ctx: Context, raw: string[]): Promise<{ keys: string[]; ids: string[] }> {
  const keys: string[] = [];
  const twice: string[] = [];
  for (const k of raw) {
    const key = k.trim();
    if (!key) throw badInput('KPI keys must not be blank', 'kpiKeys');
    if (!keys.includes(key)) keys.push(key);
    else if (!twice.includes(key)) twice.push(key);
  }
  if (twice.length > 0) {
    throw badInput(`kpiKeys lists ${twice.map((k) => JSON.stringify(k)).join(', ')} twice: list each KPI once`, 'kpiKeys', { keys: twice });
  }
  const kpis = await requireKpisByKeys(ctx, keys, 'kpiKeys');
  return { keys, ids: kpis.map((k) => k.id) };
}
