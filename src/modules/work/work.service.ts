import type { ConnectionArgs, ConnectionResult } from '../../common/connection';
import { MAX_PAGE_SIZE } from '../../common/connection';
import type { Context } from '../../common/context';
import { isCursorUuid, listCursors } from '../../common/cursors';
import { badInput } from '../../common/errors';
import { compareWork, rankOf, workSources, type WorkCursor, type WorkItemData } from './work.registry';

export const DEFAULT_WORK_ITEMS = 50;

/** myWork's cursors: where an item stands in the order (due day, kind rank, subject id). */
const toWorkCursor = ([dueOn, rank, id]: unknown[]): WorkCursor => ({ dueOn: dueOn as string, rank: rank as number, id: id as string });
const cursorsOf = (ctx: Context) => listCursors(ctx, 'Query.myWork');
const fitsWork = ([dueOn, rank, id, ...rest]: unknown[]) =>
  rest.length === 0 && typeof dueOn === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(dueOn) && Number.isInteger(rank) && isCursorUuid(id);

/**
 * The caller's work items from every registered source, merged in order: each source gives
 * at most `first + 1` items after the cursor, so a page costs one statement per source;
 * `totalCount` adds one count statement per source that has more items than the first page shows.
 */
export async function myWork(ctx: Context, page: ConnectionArgs): Promise<ConnectionResult<WorkItemData>> {
  if (page.last != null || page.before != null) throw badInput('myWork pages forward only: use first/after', 'last');
  const first = page.first ?? DEFAULT_WORK_ITEMS;
  if (first < 0 || first > MAX_PAGE_SIZE) throw badInput(`first must be between 0 and ${MAX_PAGE_SIZE}`, 'first');
  const userId = ctx.viewer!.userId;
  const cursors = cursorsOf(ctx);
  const after = page.after ? toWorkCursor(cursors.decode(page.after, 'after', fitsWork)) : null;
  const lists = await Promise.all(workSources().map((s) => s.fetch(ctx, userId, after, first + 1)));
  const merged = lists.flat().sort(compareWork);
  const items = merged.slice(0, first);
  const edges = items.map((node) => ({ node, cursor: cursors.encode([node.dueOn, rankOf(node.kind), node.subject.id]) }));
  let total: Promise<number> | null = null;
  return {
    edges,
    nodes: items,
    pageInfo: {
      hasNextPage: merged.length > first,
      hasPreviousPage: after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    get totalCount() {
      // On the first page, a source that gave fewer than `first + 1` items gave them all: its
      // count is their number, without a count statement. Only sources with more are counted.
      total ??= Promise.all(
        workSources().map((s, i) => (after === null && lists[i].length <= first ? lists[i].length : s.count(ctx, userId))),
      ).then((ns) => ns.reduce((a, b) => a + b, 0));
      return total;
    },
  };
}
