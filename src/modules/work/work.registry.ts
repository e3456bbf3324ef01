import type { Context } from '../../common/context';
import type { Node } from '../../common/node';
import { isWorkKindName, WORK_KIND_RANKS } from './work-ranks';

/**
 * `myWork` as a registry: each module contributes its kind of work item (tasks due, check-ins
 * due; later SOP acknowledgements, approvals, alerts) by registering a source in its index.ts.
 * This module knows no other module; the subject of an item is any Node.
 *
 * Items are ordered by (dueOn, kind rank, subject id): most overdue first; on the same day the
 * kind with the lower rank first (one table of ranks, `work-ranks.ts`), so that the list pages
 * with keyset cursors. Sources are built with `defineWorkSource` (work-sources.ts); the service
 * answers a page from all of them in one statement (work.service.ts).
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

/**
 * A module's part of `myWork`, made by `defineWorkSource` (work-sources.ts): its kinds, who sees
 * it, its items as an SQL fragment of (kind, due_on, id) rows and its subjects' entity.
 */
export interface WorkSource {
  kinds: WorkKind[];
  /** Whether the caller gets items from this source at all; false: none, counted 0. */
  visible(ctx: Context): boolean;
  /** The subjects' entity (its table is joined by id, in the caller's organisation). */
  entity: abstract new (...args: never[]) => { id: string };
  /** The caller's items: SQL of rows (kind, due_on, id), parameters bound through `param`. */
  items(sql: { ctx: Context; userId: string; today: string; organizationId: string; param: (value: unknown) => string }): string;
  /** Why the item needs the caller, in words. */
  reason(kind: string, dueOn: string, subject: { id: string }, today: string): string;
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
