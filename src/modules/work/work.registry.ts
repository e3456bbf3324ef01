import type { Context } from '../../common/context';
import type { Node } from '../../common/node';
import { isWorkKindName, WORK_KIND_RANKS } from './work-ranks';

/**
 * `myWork` as a registry: each module contributes its kind of work item (tasks due, check-ins
 * due; later SOP acknowledgements, approvals, alerts) by registering a source in its index.ts.
 * This module knows no other module; the subject of an item is any Node.
 *
 * Items are ordered by (dueOn, kind rank, subject id): most overdue first; on the same day the
 * kind with the lower rank first (one table of ranks, `work-ranks.ts`). A source returns its
 * items in that order, strictly after a cursor, so that the merged list pages with keyset
 * cursors. Sources are built with `defineWorkSource` / `defineSqlWorkSource` (work-sources.ts).
 */
export interface WorkKind {
  /** The WorkItemKind enum value, e.g. TASK_OVERDUE. */
  name: string;
  description: string;
  /** Order among kinds due the same day (lower first). */
  rank: number;
}

export interface WorkItemData {
  kind: string;
  reason: string;
  /** YYYY-MM-DD. */
  dueOn: string;
  subject: Node & { id: string };
}

/** Where the previous page ended. */
export interface WorkCursor {
  dueOn: string;
  rank: number;
  id: string;
}

export interface WorkSource {
  kinds: WorkKind[];
  /** The caller's items after `after` (all when null), in order, at most `limit`. */
  fetch(ctx: Context, userId: string, after: WorkCursor | null, limit: number): Promise<WorkItemData[]>;
  /** How many items the caller has from this source. */
  count(ctx: Context, userId: string): Promise<number>;
}

const sources: WorkSource[] = [];
const kinds = new Map<string, WorkKind>();

/** The WorkItemKind enum: filled by registrations, read when the schema is built. */
export const WorkItemKind: Record<string, string> = {};
/** Each kind's description, for the enum's values in the schema. */
export const WorkItemKindDescriptions: Record<string, { description: string }> = {};

export function registerWorkSource(source: WorkSource): void {
  for (const k of source.kinds) {
    if (!isWorkKindName(k.name)) throw new Error(`work item kind ${k.name} is not in the table of ranks (work-ranks.ts)`);
    if (k.rank !== WORK_KIND_RANKS[k.name]) throw new Error(`work item kind ${k.name} must have rank ${WORK_KIND_RANKS[k.name]} (work-ranks.ts), not ${k.rank}`);
    if (kinds.has(k.name)) throw new Error(`work item kind ${k.name} registered twice`);
    kinds.set(k.name, k);
    WorkItemKind[k.name] = k.name;
    WorkItemKindDescriptions[k.name] = { description: `${k.description} (rank ${k.rank})` };
  }
  sources.push(source);
}

export function workSources(): readonly WorkSource[] {
  return sources;
}

export function rankOf(kind: string): number {
  const k = kinds.get(kind);
  if (!k) throw new Error(`unknown work item kind ${kind}`);
  return k.rank;
}

/**
 * The keyset condition a source applies for a cursor, when its rank is a function of the
 * due date (`rankOnDay`): rows due later; on the cursor's day, rows of a later rank, or of the
 * same rank with a greater id. Returns SQL on `dueExpr`/`idExpr` with named parameters.
 */
export function afterCondition(
  after: WorkCursor | null,
  rankOnDay: (dueOn: string) => number,
  dueExpr: string,
  idExpr: string,
): { sql: string; params: Record<string, unknown> } | null {
  if (!after) return null;
  const mine = rankOnDay(after.dueOn);
  const params = { afterDue: after.dueOn, afterId: after.id };
  if (mine > after.rank) return { sql: `${dueExpr} >= :afterDue`, params };
  if (mine < after.rank) return { sql: `${dueExpr} > :afterDue`, params };
  return { sql: `(${dueExpr}, ${idExpr}) > (:afterDue, :afterId)`, params };
}

/** Total order of items: due date, kind rank, subject id. */
export function compareWork(a: WorkItemData, b: WorkItemData): number {
  return a.dueOn.localeCompare(b.dueOn) || rankOf(a.kind) - rankOf(b.kind) || (a.subject.id < b.subject.id ? -1 : a.subject.id > b.subject.id ? 1 : 0);
}
