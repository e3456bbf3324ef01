/** Lookups and checks the KPI services share. */
import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { badInput } from '../../common/errors';
import { primeById } from '../../common/loaders';
import { queryRows, rowShape } from '../../common/rows';
import { Kpi } from './kpi.entity';

/**
 * The active KPIs of the caller's organisation with these keys, in the order of `keys`
 * (duplicates allowed). Unknown or archived keys: BAD_USER_INPUT naming every bad key, in the
 * message and in `extensions.keys`, on `field` (the caller's input field). One statement.
 */
export async function requireKpisByKeys(ctx: Context, keys: readonly string[], field = 'kpiKey'): Promise<Kpi[]> {
  const unique = [...new Set(keys)];
  const found = await kpisByKeys(ctx, unique);
  const bad = unique.filter((k) => !found.get(k) || found.get(k)!.archivedAt);
  if (bad.length > 0) {
    const shown = bad.map((k) => (k.length > 64 ? `${k.slice(0, 64)}…` : k));
    throw badInput(`Unknown or archived KPI key${bad.length > 1 ? 's' : ''}: ${shown.map((k) => JSON.stringify(k)).join(', ')}`, field, { keys: shown });
  }
  return keys.map((k) => found.get(k)!);
}

/** The caller's organisation's KPIs (archived included) by key; one statement; primes `kpiById`. */
export async function kpisByKeys(ctx: Context, keys: readonly string[]): Promise<Map<string, Kpi>> {
  if (keys.length === 0) return new Map();
  const shape = rowShape(ctx.manager.connection, Kpi);
  const rows = await queryRows(
    ctx.manager,
    Kpi,
    `SELECT ${shape.columns('k')} FROM kpis k WHERE k.organization_id = $1 AND k.key = ANY($2::text[])`,
    [orgId(ctx), keys],
  );
  primeById(ctx, Kpi, rows);
  return new Map(rows.map((k) => [k.key, k]));
}
