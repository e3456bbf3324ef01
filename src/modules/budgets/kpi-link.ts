/** The KPIs a budget line is meant to move, by key (the KPI module resolves and checks them). */
import type { Context } from '../../common/context';
import { orgId } from '../../common/auth';
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

/** The budget lines meant to move each of `kpiIds` (one row per line and KPI), oldest first, at most `limit` rows in all: one statement. */
export async function budgetLinesServingKpis(ctx: Context, kpiIds: readonly string[], limit: number): Promise<Array<{ id: string; kpiId: string }>> {
  if (kpiIds.length === 0) return [];
  const rows: Array<{ id: string; kpi_id: string }> = await ctx.manager.query(
    `SELECT l.id, k.kpi_id FROM budget_lines l CROSS JOIN LATERAL unnest(l.kpi_ids) AS k(kpi_id)
      WHERE l.organization_id = $1 AND l.kpi_ids && $2::uuid[] AND k.kpi_id = ANY($2::uuid[])
      ORDER BY l.created_at, l.id, k.kpi_id LIMIT $3`,
    [orgId(ctx), kpiIds, limit],
  );
  return rows.map((r) => ({ id: r.id, kpiId: r.kpi_id }));
}
