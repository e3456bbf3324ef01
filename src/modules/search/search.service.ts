import { orgId } from '../../common/auth';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../common/connection';
import type { Context } from '../../common/context';
import { isCursorUuid, listCursors } from '../../common/cursors';
import { badInput } from '../../common/errors';
import { primeById } from '../../common/loaders';
import { positional, rowShape } from '../../common/rows';
import type { Node } from '../../common/node';
import { searchSources, type SearchSource, type SearchType } from './search.registry';
import { MAX_QUERY_CHARS, MAX_QUERY_WORDS, type SearchArgs, type SearchResultConnection, type SearchResultEdge } from './search.types';

/** The query as searched: lower-cased words, in order, without repeats. */
export function queryWords(query: string): { text: string; words: string[] } {
  const trimmed = query.trim();
  const chars = [...trimmed].length;
  if (chars < 1 || chars > MAX_QUERY_CHARS) {
    throw badInput(`query must be 1 to ${MAX_QUERY_CHARS} characters besides leading and trailing spaces (got ${chars})`, 'query');
  }
  const words = [...new Set(trimmed.toLowerCase().split(/\s+/u))];
  if (words.length > MAX_QUERY_WORDS) throw badInput(`query may have at most ${MAX_QUERY_WORDS} words (got ${words.length})`, 'query');
  return { text: words.join(' '), words };
}

/** A LIKE pattern matching `s` literally (backslash is LIKE's default escape). */
const literal = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

const SNIPPET_BEFORE = 40;
const SNIPPET_AFTER = 80;

/** The field holding `word` first, and the text around it. */
function snippetOf(source: SearchSource, row: { id: string }, word: string): { matchedField: string; snippet: string } {
  let first: { name: string; text: string } | null = null;
  for (const f of source.fields) {
    const text = f.value(row);
    if (!text) continue;
    first ??= { name: f.name, text };
    const chars = [...text];
    const lower = chars.map((c) => c.toLowerCase());
    const target = [...word];
    let at = -1;
    for (let i = 0; i + target.length <= lower.length && at < 0; i++) {
      if (target.every((c, j) => lower[i + j] === c)) at = i;
    }
    if (at < 0) continue;
    const from = Math.max(0, at - SNIPPET_BEFORE);
    const to = Math.min(chars.length, at + target.length + SNIPPET_AFTER);
    const snippet = `${from > 0 ? '…' : ''}${chars.slice(from, to).join('')}${to < chars.length ? '…' : ''}`;
    return { matchedField: f.name, snippet: snippet.replace(/\s+/gu, ' ') };
  }
  // The word spans two fields (never with words split on spaces) or lower-casing differs in SQL: the title.
  return { matchedField: first?.name ?? 'title', snippet: (first?.text ?? '').slice(0, SNIPPET_BEFORE + SNIPPET_AFTER) };
}

interface Ranked {
  src: number;
  id: string;
  rank: number;
  total: string;
  [column: string]: unknown;
}

/**
 * One statement: every source's rows of the organisation whose document holds every word
 * (`LIKE '%word%'`, answered by the trigram index for words of 3 characters or more), ranked,
 * counted (a window over all hits), cut to the page after the cursor, and joined back to each
 * source's table for the whole rows, which prime the by-id loaders.
 */
export async function search(ctx: Context, args: SearchArgs): Promise<SearchResultConnection> {
  const { text, words } = queryWords(args.query);
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (first < 0 || first > MAX_PAGE_SIZE) throw badInput(`first must be between 0 and ${MAX_PAGE_SIZE} (got ${first}); page with after for more`, 'first');
  const wanted = new Set<SearchType>(args.types ?? []);
  const sources = searchSources().filter((s) => wanted.size === 0 || wanted.has(s.type));
  const cursors = listCursors(ctx, 'Query.search');
  const after = args.after
    ? cursors.decode(args.after, 'after', (v) => v.length === 2 && typeof v[0] === 'number' && isCursorUuid(v[1]))
    : null;

  const params: unknown[] = [];
  const bind = positional(params);
  const org = bind(orgId(ctx));
  const q = bind(text);
  const prefix = bind(`${literal(text)}%`);
  const patterns = words.map((w) => bind(`%${literal(w)}%`));
  const hits = sources.map((s, i) => {
    const title = `lower(${s.title})`;
    const inTitle = patterns.map((p) => `${title} LIKE ${p}`).join(' AND ');
    const rank = `(CASE WHEN ${title} = ${q} THEN 4000 WHEN ${title} LIKE ${prefix} THEN 3000 WHEN ${inTitle} THEN 2000 ELSE 1000 END + floor(similarity(${title}, ${q}) * 999)::int)`;
    const found = patterns.map((p) => `${s.document} LIKE ${p}`).join(' AND ');
    return `SELECT ${i} AS src, t.id, ${rank} AS rank FROM ${rowShape(ctx.manager.connection, s.entity).table} t
      WHERE t.organization_id = ${org}${s.where ? ` AND ${s.where}` : ''} AND ${found}`;
  });
  const cursor = after ? `WHERE (rank, id) < (${bind(after[0])}, ${bind(after[1])}::uuid)` : '';
  const limit = bind(first + 1);
  const joins = sources.map((s, i) => {
    const shape = rowShape(ctx.manager.connection, s.entity);
    return {
      columns: shape.columns(`s${i}`, `s${i}_`),
      join: `LEFT JOIN ${shape.table} s${i} ON p.src = ${i} AND s${i}.id = p.id AND s${i}.organization_id = ${org}`,
    };
  });

  let rows: Ranked[] = [];
  if (sources.length > 0) {
    rows = await ctx.manager.query(
      `WITH hits AS (${hits.join('\n UNION ALL ')}),
       counted AS (SELECT h.*, count(*) OVER () AS total FROM hits h),
       page AS (SELECT * FROM counted ${cursor} ORDER BY rank DESC, id DESC LIMIT ${limit})
       SELECT p.src, p.id, p.rank, p.total, ${joins.map((j) => j.columns).join(', ')}
         FROM page p ${joins.map((j) => j.join).join(' ')}
        ORDER BY p.rank DESC, p.id DESC`,
      params,
    );
  }

  const hasMore = rows.length > first;
  const edges: SearchResultEdge[] = rows.slice(0, first).map((r) => {
    const source = sources[r.src];
    const node = rowShape(ctx.manager.connection, source.entity).map(r, `s${r.src}_`) as { id: string } & Node;
    primeById(ctx, source.entity as never, [node]);
    return {
      cursor: cursors.encode([r.rank, r.id]),
      node,
      type: source.type,
      score: r.rank,
      ...snippetOf(source, node, words[0]),
    };
  });
  // The window counted every hit; a page past the end (or of none) holds no row to read it from.
  const total = rows.length > 0 ? Number(rows[0].total) : after && sources.length > 0 ? null : 0;
  return {
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: {
      hasNextPage: hasMore,
      hasPreviousPage: Boolean(args.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    get totalCount() {
      return total ?? search(ctx, { ...args, after: null, first: 0 }).then((c) => c.totalCount);
    },
  };
}
