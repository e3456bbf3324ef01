import type { ConnectionArgs, ConnectionResult } from '../../common/connection';
import { MAX_PAGE_SIZE } from '../../common/connection';
import type { Context } from '../../common/context';
import { isCursorUuid, listCursors } from '../../common/cursors';
import { badInput } from '../../common/errors';
import { orgId } from '../../common/auth';
import { isoToday } from '../../common/dates';
import { primeById } from '../../common/loaders';
import { positional, rowShape } from '../../common/rows';
import { workSources, type WorkCursor, type WorkItemData, type WorkSource } from './work.registry';
import { WORK_KIND_RANKS, workRank, type WorkKindName } from './work-ranks';
import { queryStatement } from '../../common/statements';

export const DEFAULT_WORK_ITEMS = 50;

/** myWork's cursors: where an item stands in the order (due day, kind rank, subject id). */
const toWorkCursor = ([dueOn, rank, id]: unknown[]): WorkCursor => ({ dueOn: dueOn as string, rank: rank as number, id: id as string });
const cursorsOf = (ctx: Context) => listCursors(ctx, 'Query.myWork');
const fitsWork = ([dueOn, rank, id, ...rest]: unknown[]) =>
  rest.length === 0 && typeof dueOn === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(dueOn) && Number.isInteger(rank) && isCursorUuid(id);

/** The kit's table of ranks as SQL rows (kind, rank): the one order among kinds due the same day. */
const RANKS_SQL = `VALUES ${Object.entries(WORK_KIND_RANKS)
  .map(([kind, rank]) => `('${kind}', ${rank})`)
  .join(', ')}`;

/**
 * The caller's work items from every registered source in one statement: the UNION ALL of the
 * visible sources' fragments (each row tagged with its source), ranked by joining the table of
 * ranks, keyset-paged after the cursor in (due day, rank, id) order with `first + 1` rows, the
 * count of all items beside the page, and each item joined to its subject's table (the columns
 * of every source's entity side by side, mapped without hydration and primed into the by-id
 * loaders). One statement whatever the number of sources, items or the page size.
 */
export async function myWork(ctx: Context, page: ConnectionArgs): Promise<ConnectionResult<WorkItemData>> {
  if (page.last != null || page.before != null) throw badInput('myWork pages forward only: use first/after', 'last');
  const first = page.first ?? DEFAULT_WORK_ITEMS;
  if (first < 0 || first > MAX_PAGE_SIZE) throw badInput(`first must be between 0 and ${MAX_PAGE_SIZE}`, 'first');
  const userId = ctx.viewer!.userId;
  const cursors = cursorsOf(ctx);
  const after = page.after ? toWorkCursor(cursors.decode(page.after, 'after', fitsWork)) : null;
  const sources = workSources().filter((s) => s.visible(ctx));
  const today = isoToday();
  const { items, totalCount } = sources.length === 0 ? { items: [], totalCount: 0 } : await readPage(ctx, sources, userId, today, after, first + 1);
  const shown = items.slice(0, first);
  const edges = shown.map((node) => ({ node, cursor: cursors.encode([node.dueOn, workRank(node.kind as WorkKindName), node.subject.id]) }));
  return {
    edges,
    nodes: shown,
    pageInfo: {
      hasNextPage: items.length > first,
      hasPreviousPage: after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    totalCount,
  };
}

async function readPage(
  ctx: Context,
  sources: readonly WorkSource[],
  userId: string,
  today: string,
  after: WorkCursor | null,
  limit: number,
): Promise<{ items: WorkItemData[]; totalCount: number }> {
  const params: unknown[] = [];
  const param = positional(params);
  const organizationId = orgId(ctx);
  const fragments = sources.map(
    (s, i) => `SELECT ${i} AS src, f.kind::text AS kind, f.due_on::date AS due_on, f.id::uuid AS id FROM (${s.items({ ctx, userId, today, organizationId, param })}) f`,
  );
  const shapes = sources.map((s) => rowShape(ctx.manager.connection, s.entity));
  const org = param(organizationId);
  const cursor = after ? `WHERE (r.due_on, r.rank, r.id) > (${param(after.dueOn)}::date, ${param(after.rank)}::int, ${param(after.id)}::uuid)` : '';
  // A handful of texts (which sources the caller sees, with or without a cursor), every value
  // bound: a named prepared statement, planned once per connection.
  const raw = await queryStatement(
    ctx.manager,
    `WITH ranked AS (
       SELECT i.src, i.kind, k.rank, i.due_on, i.id
         FROM (${fragments.join('\n UNION ALL\n')}) i
         JOIN (${RANKS_SQL}) k(kind, rank) ON k.kind = i.kind)
     SELECT t.total AS "__total", p.src AS "__src", p.kind AS "__kind", to_char(p.due_on, 'YYYY-MM-DD') AS "__due",
            ${shapes.map((shape, i) => shape.columns(`s${i}`, `s${i}_`)).join(',\n            ')}
       FROM (SELECT count(*)::int AS total FROM ranked) t
       LEFT JOIN LATERAL (SELECT r.* FROM ranked r ${cursor} ORDER BY r.due_on, r.rank, r.id LIMIT ${param(limit)}) p ON true
       ${shapes.map((shape, i) => `LEFT JOIN ${shape.table} s${i} ON p.src = ${i} AND s${i}.id = p.id AND s${i}.organization_id = ${org}`).join('\n       ')}
      ORDER BY p.due_on, p.rank, p.id`,
    params,
  );
  const totalCount = Number(raw[0]?.__total ?? 0);
  const subjects: Array<Array<{ id: string }>> = sources.map(() => []);
  const items: WorkItemData[] = [];
  for (const r of raw) {
    if (r.__src == null) continue; // the count's row when the page is empty
    const i = Number(r.__src);
    const subject = shapes[i].map(r, `s${i}_`);
    subjects[i].push(subject);
    const kind = r.__kind as string;
    const dueOn = r.__due as string;
    items.push({ kind, reason: sources[i].reason(kind, dueOn, subject, today), dueOn, subject: subject as WorkItemData['subject'] });
  }
  sources.forEach((s, i) => primeById(ctx, s.entity, subjects[i]));
  return { items, totalCount };
}
