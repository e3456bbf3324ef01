/**
 * `impact(id)`: the planning graph around one object, walked in a fixed order of steps, each one
 * batched statement (a by-id loader, or a link read of the module that owns it), so the number of
 * statements depends on the kind of the subject only, never on the amount of data:
 *
 * - Task → its KeyResult → up;
 * - KeyResult → up: its Objective and the Objectives above it (one recursive statement that stops at
 *   MAX_ALIGNMENT_DEPTH levels and never revisits an objective of its path), and the Kpi it follows
 *   → the BudgetLines and Campaigns meant to move that Kpi;
 * - Objective → the Objectives above it;
 * - Kpi → its parent and children in the KPI tree, the BudgetLines and Campaigns meant to move it,
 *   the KeyResults following it → up (without their KPI, the subject);
 * - BudgetLine / Campaign → the Kpis it serves (a campaign: also its budget line) → the KeyResults
 *   following them → up.
 *
 * Every object is read through its type's by-id loader, so it is visible exactly as `node(id:)`
 * shows it (the organisation's own rows); each appears once, reached by its shortest walk, and the
 * list stops at MAX_IMPACT_NODES (`truncated`).
 */
import type { Context } from '../../common/context';
import { badInput } from '../../common/errors';
import { decodeGlobalId, toGlobalId } from '../../common/ids';
import type { Node } from '../../common/node';
import { budgetLineById, budgetLinesServingKpis } from '../budgets';
import { campaignById, campaignsTargetingKpis, targetsByCampaignId } from '../campaigns';
import { childrenOfKpi, kpiById } from '../kpis';
import { alignmentAncestors, keyResultById, keyResultsFollowingKpis, objectiveById } from '../okrs';
import { taskById } from '../tasks';
import { Impact, ImpactNode, ImpactRelation as R } from './impact.types';

/** At most this many nodes in an impact lineage. */
export const MAX_IMPACT_NODES = 200;

type Row = Node & { id: string };
type Loader = (ctx: Context) => { loadMany(ids: readonly string[]): Promise<Array<unknown>> };

const LOADERS: Record<string, Loader> = {
  Task: taskById as Loader,
  KeyResult: keyResultById as Loader,
  Objective: objectiveById as Loader,
  Kpi: kpiById as Loader,
  BudgetLine: budgetLineById as Loader,
  Campaign: campaignById as Loader,
};

const usable = (v: unknown): v is Row => v != null && !(v instanceof Error);

/** The lineage being built: each node once, in the order reached. */
class Lineage {
  readonly nodes: ImpactNode[] = [];
  truncated = false;
  private readonly seen = new Set<string>();

  constructor(
    private readonly ctx: Context,
    readonly subject: { type: string; row: Row },
  ) {
    this.seen.add(toGlobalId(subject.type, subject.row.id));
  }

  ctxOf(): Context {
    return this.ctx;
  }

  /**
   * Loads `edges` targets of `type` (one batch) and adds the ones not yet listed, in order.
   * Returns the rows added (visible, new), with the edge that added each.
   */
  async add<E extends { to: string; via: string; viaType: string; depth: number }>(type: string, relation: R, edges: E[]): Promise<Array<{ row: Row; edge: E }>> {
    const fresh = edges.filter((e) => !this.seen.has(toGlobalId(type, e.to)));
    if (fresh.length === 0) return [];
    const ids = [...new Set(fresh.map((e) => e.to))];
    const rows = await LOADERS[type](this.ctx).loadMany(ids);
    const byId = new Map<string, Row>();
    rows.forEach((r, i) => usable(r) && byId.set(ids[i], r));
    const added: Array<{ row: Row; edge: E }> = [];
    for (const edge of fresh) {
      const row = byId.get(edge.to);
      const key = toGlobalId(type, edge.to);
      if (!row || this.seen.has(key)) continue;
      if (this.nodes.length >= MAX_IMPACT_NODES) {
        this.truncated = true;
        break;
      }
      this.seen.add(key);
      this.nodes.push(Object.assign(new ImpactNode(), { node: row, relation, depth: edge.depth, via: toGlobalId(edge.viaType, edge.via) }));
      added.push({ row, edge });
    }
    return added;
  }

  /** Reads stop once the list is full: one more than fits tells that there were more. */
  get room(): number {
    return MAX_IMPACT_NODES - this.nodes.length + 1;
  }
}

type KeyResultRow = Row & { objectiveId: string; kpiId: string | null };
type KpiRow = Row & { parentId: string | null };

/** Objectives above `objectives` (rows already listed, or the subject) along the alignment chain. */
async function upAlignment(g: Lineage, objectives: Array<{ id: string; depth: number }>) {
  if (objectives.length === 0) return;
  const depthOf = new Map(objectives.map((o) => [o.id, o.depth]));
  const { steps, truncated } = await alignmentAncestors(g.ctxOf(), objectives.map((o) => o.id));
  if (truncated) g.truncated = true;
  // A chain's depth counts from its starting objective; steps come nearest first, so each child is placed before its parent.
  const base = new Map<string, number>();
  const edges = steps.map((s) => {
    const childDepth = depthOf.get(s.childId) ?? base.get(s.childId) ?? 0;
    base.set(s.id, childDepth + 1);
    return { to: s.id, via: s.childId, viaType: 'Objective', depth: childDepth + 1 };
  });
  await g.add('Objective', R.ALIGNS_TO, edges);
}

/** From key results (listed, or the subject) up: their objectives and the chain above, and (unless `kpis` is false) the KPIs they follow and what funds and serves those. */
async function upFromKeyResults(g: Lineage, krs: Array<{ row: KeyResultRow; depth: number }>, kpis: boolean) {
  const objectives = await g.add(
    'Objective',
    R.OBJECTIVE_OF,
    krs.map((k) => ({ to: k.row.objectiveId, via: k.row.id, viaType: 'KeyResult', depth: k.depth + 1 })),
  );
  // Objectives already listed (a shared objective) still lead up once: the first one listed did it.
  await upAlignment(g, objectives.map((o) => ({ id: o.row.id, depth: o.edge.depth })));
  if (!kpis) return;
  const followed = await g.add(
    'Kpi',
    R.FOLLOWS_KPI,
    krs.filter((k) => k.row.kpiId).map((k) => ({ to: k.row.kpiId!, via: k.row.id, viaType: 'KeyResult', depth: k.depth + 1 })),
  );
  await fundersOf(g, followed.map((f) => ({ id: f.row.id, depth: f.edge.depth })));
}

/** The budget lines and campaigns meant to move `kpis`. */
async function fundersOf(g: Lineage, kpis: Array<{ id: string; depth: number }>) {
  if (kpis.length === 0) return;
  const depthOf = new Map(kpis.map((k) => [k.id, k.depth]));
  const ids = kpis.map((k) => k.id);
  const [lines, campaigns] = await Promise.all([budgetLinesServingKpis(g.ctxOf(), ids, g.room), campaignsTargetingKpis(g.ctxOf(), ids, g.room)]);
  await g.add('BudgetLine', R.FUNDED_BY, lines.map((l) => ({ to: l.id, via: l.kpiId, viaType: 'Kpi', depth: depthOf.get(l.kpiId)! + 1 })));
  await g.add('Campaign', R.SERVED_BY_CAMPAIGN, campaigns.map((c) => ({ to: c.campaignId, via: c.kpiId, viaType: 'Kpi', depth: depthOf.get(c.kpiId)! + 1 })));
}

/** The key results following `kpis`, then up from them (without their KPIs: already listed). */
async function followersOf(g: Lineage, kpis: Array<{ id: string; depth: number }>) {
  if (kpis.length === 0) return;
  const depthOf = new Map(kpis.map((k) => [k.id, k.depth]));
  const links = await keyResultsFollowingKpis(g.ctxOf(), kpis.map((k) => k.id), g.room);
  const krs = await g.add('KeyResult', R.FOLLOWED_BY, links.map((l) => ({ to: l.id, via: l.kpiId, viaType: 'Kpi', depth: depthOf.get(l.kpiId)! + 1 })));
  await upFromKeyResults(g, krs.map((k) => ({ row: k.row as KeyResultRow, depth: k.edge.depth })), false);
}

const STARTS = ['Task', 'KeyResult', 'Objective', 'Kpi', 'BudgetLine', 'Campaign'];

/**
 * The lineage of the object `globalId`: null when it does not exist or is not visible (as
 * `node(id:)`); an object of another type is BAD_USER_INPUT naming `id`.
 */
export async function impactOf(ctx: Context, globalId: string): Promise<Impact | null> {
  const decoded = decodeGlobalId(globalId);
  if (!decoded) return null;
  if (!STARTS.includes(decoded.type)) {
    throw badInput(`impact starts from a ${STARTS.join(', ')}; ${decoded.type} has no lineage`, 'id');
  }
  const [subject] = await LOADERS[decoded.type](ctx).loadMany([decoded.id]);
  if (!usable(subject)) return null;
  const g = new Lineage(ctx, { type: decoded.type, row: subject });
  const self = { id: subject.id, depth: 0 };
  switch (decoded.type) {
    case 'Task': {
      const task = subject as Row & { keyResultId: string | null };
      const krs = await g.add('KeyResult', R.TASK_KEY_RESULT, task.keyResultId ? [{ to: task.keyResultId, via: task.id, viaType: 'Task', depth: 1 }] : []);
      await upFromKeyResults(g, krs.map((k) => ({ row: k.row as KeyResultRow, depth: 1 })), true);
      break;
    }
    case 'KeyResult':
      await upFromKeyResults(g, [{ row: subject as KeyResultRow, depth: 0 }], true);
      break;
    case 'Objective':
      await upAlignment(g, [self]);
      break;
    case 'Kpi': {
      const kpi = subject as KpiRow;
      await g.add('Kpi', R.PARENT_KPI, kpi.parentId ? [{ to: kpi.parentId, via: kpi.id, viaType: 'Kpi', depth: 1 }] : []);
      const children = ((await childrenOfKpi(ctx).load(kpi.id)) ?? []) as Row[];
      await g.add('Kpi', R.CHILD_KPI, children.map((c) => ({ to: c.id, via: kpi.id, viaType: 'Kpi', depth: 1 })));
      await fundersOf(g, [self]);
      await followersOf(g, [self]);
      break;
    }
    case 'BudgetLine': {
      const line = subject as Row & { kpiIds: string[] };
      const kpis = await g.add('Kpi', R.SERVES_KPI, line.kpiIds.map((k) => ({ to: k, via: line.id, viaType: 'BudgetLine', depth: 1 })));
      await followersOf(g, kpis.map((k) => ({ id: k.row.id, depth: 1 })));
      break;
    }
    case 'Campaign': {
      const campaign = subject as Row & { budgetLineId: string | null };
      const targets = ((await targetsByCampaignId(ctx).load(campaign.id)) ?? []) as Array<{ kpiId: string }>;
      const kpis = await g.add('Kpi', R.SERVES_KPI, targets.map((t) => ({ to: t.kpiId, via: campaign.id, viaType: 'Campaign', depth: 1 })));
      await g.add('BudgetLine', R.FUNDED_BY, campaign.budgetLineId ? [{ to: campaign.budgetLineId, via: campaign.id, viaType: 'Campaign', depth: 1 }] : []);
      await followersOf(g, kpis.map((k) => ({ id: k.row.id, depth: 1 })));
      break;
    }
  }
  return Object.assign(new Impact(), { subject, nodes: g.nodes, truncated: g.truncated });
}
