/** The KPIs a budget line is meant to move, by key. */
import type { Context } from '../../common/context';
import { badInput } from '../../common/errors';

/** Trims and de-duplicates KPI keys (order kept). */
export async function validateKpiKeys(_ctx: Context, keys: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const raw of keys) {
    const key = raw.trim();
    if (!key) throw badInput('KPI keys must not be blank', 'kpiKeys');
    if (!out.includes(key)) out.push(key);
  }
  return out;
}
