/**
 * What the impact lineage (src/modules/impact) reads of OKRs, each in one statement whatever the
 * amount of data: the alignment chain above objectives, and the key results following KPIs.
 */
import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { MAX_ALIGNMENT_DEPTH } from './rollup';

export interface AlignmentStep {
  /** The objective `childId` aligns to. */
  id: string;
  childId: string;
  /** 1 for the parent of a starting objective, 2 for its grandparent... */
  depth: number;
}

/**
 * The objectives above `objectiveIds` along `parent_id`, nearest first, each once: one recursive
 * statement that stops at `maxDepth` levels (`truncated` when a chain goes on) and never follows a
 * parent already on its path, so a loop in the data (which writes refuse, but data restored or
 * edited by hand can hold) ends the chain instead of hanging it.
 */
export async function alignmentAncestors(
  ctx: Context,
  objectiveIds: readonly string[],
  maxDepth = MAX_ALIGNMENT_DEPTH,
): Promise<{ steps: AlignmentStep[]; truncated: boolean }> {
  if (objectiveIds.length === 0) return { steps: [], truncated: false };
  const rows: Array<{ id: string; child_id: string; depth: number }> = await ctx.manager.query(
    `WITH RECURSIVE up(id, child_id, depth, path) AS (
       SELECT p.id, o.id, 1, ARRAY[o.id, p.id]
         FROM objectives o JOIN objectives p ON p.organization_id = o.organization_id AND p.id = o.parent_id
        WHERE o.organization_id = $1 AND o.id = ANY($2::uuid[]) AND o.parent_id <> o.id
       UNION ALL
       SELECT p.id, up.id, up.depth + 1, up.path || p.id
         FROM up JOIN objectives o ON o.organization_id = $1 AND o.id = up.id
                 JOIN objectives p ON p.organization_id = $1 AND p.id = o.parent_id
        WHERE up.depth <= $3 AND NOT p.id = ANY(up.path))
     SELECT id, child_id, depth FROM up ORDER BY depth, child_id, id`,
    [orgId(ctx), objectiveIds, maxDepth],
  );
  const seen = new Set<string>(objectiveIds);
  const steps: AlignmentStep[] = [];
  let truncated = false;
  for (const r of rows) {
    if (r.depth > maxDepth) {
      truncated = true;
      continue;
    }
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    steps.push({ id: r.id, childId: r.child_id, depth: r.depth });
  }
  return { steps, truncated };
}

/** Active key results following each of `kpiIds`, oldest first, at most `limit` in all. */
export async function keyResultsFollowingKpis(ctx: Context, kpiIds: readonly string[], limit: number): Promise<Array<{ id: string; kpiId: string }>> {
  if (kpiIds.length === 0) return [];
  const rows: Array<{ id: string; kpi_id: string }> = await ctx.manager.query(
    `SELECT id, kpi_id FROM key_results
      WHERE organization_id = $1 AND kpi_id = ANY($2::uuid[]) AND archived_at IS NULL
      ORDER BY created_at, id LIMIT $3`,
    [orgId(ctx), kpiIds, limit],
  );
  return rows.map((r) => ({ id: r.id, kpiId: r.kpi_id }));
}
