/**
 * Key results that follow a KPI. The KPI module sits above this one (it records check-ins
 * here), so it registers how a `kpiId` is checked instead of this module importing it.
 */
import type { Context } from '../../common/context';
import { badInput } from '../../common/errors';

/** Checks that `kpiId` (a uuid) names an active KPI the caller's organisation owns; throws BAD_USER_INPUT or NOT_FOUND otherwise. */
export type KeyResultKpiCheck = (ctx: Context, kpiId: string) => Promise<void>;

let check: KeyResultKpiCheck | null = null;

/** Registers the check of `createKeyResult`/`updateKeyResult`'s `kpiId` (called once by the KPI module). */
export function registerKeyResultKpiCheck(fn: KeyResultKpiCheck): void {
  check = fn;
}

export async function checkKeyResultKpi(ctx: Context, kpiId: string): Promise<string> {
  if (!check) throw badInput('Key results cannot follow KPIs in this deployment', 'kpiId');
  await check(ctx, kpiId);
  return kpiId;
}

/** The active key results following these KPIs (uuids), oldest first. One statement. */
export async function keyResultsFollowingKpis(ctx: Context, kpiIds: readonly string[]): Promise<Array<{ id: string; kpiId: string }>> {
  if (kpiIds.length === 0 || !ctx.organizationId) return [];
  const rows: Array<{ id: string; kpi_id: string }> = await ctx.manager.query(
    `SELECT id, kpi_id FROM key_results
      WHERE organization_id = $1 AND kpi_id = ANY($2::uuid[]) AND archived_at IS NULL
      ORDER BY created_at, id`,
    [ctx.organizationId, kpiIds],
  );
  return rows.map((r) => ({ id: r.id, kpiId: r.kpi_id }));
}
