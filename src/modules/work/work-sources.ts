import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { orgId } from '../../common/auth';
import { mapRaw } from '../../common/connection';
import type { Context } from '../../common/context';
import { isoToday } from '../../common/dates';
import { primeById } from '../../common/loaders';
import { rowShape } from '../../common/rows';
import { afterCondition, type WorkCursor, type WorkItemData, type WorkKind, type WorkSource } from './work.registry';
import { workRank, type WorkKindName } from './work-ranks';

type Ctor<E> = abstract new (...args: never[]) => E;

/** A source's kinds and what each means (the description of the WorkItemKind value). */
export type WorkKinds = Partial<Record<WorkKindName, string>>;

function kindsOf(kinds: WorkKinds): WorkKind[] {
  return (Object.entries(kinds) as Array<[WorkKindName, string]>).map(([name, description]) => ({ name, description, rank: workRank(name) }));
}

export interface WorkSourceSpec<R extends ObjectLiteral & { id: string }> {
  kinds: WorkKinds;
  /** Whether the caller gets items from this source at all (default: every member); false: none, counted 0. */
  visible?: (ctx: Context) => boolean;
  /**
   * The caller's candidate rows: a query builder of the subject's entity with the tenancy and
   * ownership conditions (no order, no cursor, no limit).
   */
  query: (ctx: Context, userId: string, today: string) => SelectQueryBuilder<R>;
  /** SQL of the day an item is due, over the query's alias (e.g. `(c.ends_on + 7)`). */
  dueOn: string;
  /**
   * The kind of an item due on `dueOn` (default: the source's only kind). Only the day decides,
   * so that a cursor's rank can be compared in SQL.
   */
  kindOn?: (dueOn: string, today: string) => WorkKindName;
  /** Why the item needs the caller, in words. */
  reason: (row: R, dueOn: string, today: string) => string;
}

/**
 * A `myWork` source over one entity: the caller's rows after the cursor in (due day, rank, id)
 * order, at most `limit`, in one statement (rows mapped without hydration and primed into the
 * entity's by-id loader), and their count in one more. The due day is read from SQL, so the
 * day shown is the day the order used. Ranks come from the table in work-ranks.ts.
 */
export function defineWorkSource<R extends ObjectLiteral & { id: string }>(spec: WorkSourceSpec<R>): WorkSource {
  const kinds = kindsOf(spec.kinds);
  if (kinds.length === 0) throw new Error('a work source needs at least one kind');
  if (kinds.length > 1 && !spec.kindOn) throw new Error(`a work source of several kinds (${kinds.map((k) => k.name).join(', ')}) needs kindOn`);
  const kindOn = spec.kindOn ?? (() => kinds[0].name as WorkKindName);
  const visible = spec.visible ?? (() => true);
  return {
    kinds,
    async fetch(ctx: Context, userId: string, after: WorkCursor | null, limit: number): Promise<WorkItemData[]> {
      if (!visible(ctx)) return [];
      const today = isoToday();
      const qb = spec.query(ctx, userId, today);
      const alias = qb.expressionMap.mainAlias!.name;
      const cond = afterCondition(after, (day) => workRank(kindOn(day, today)), spec.dueOn, `${alias}.id`);
      if (cond) qb.andWhere(cond.sql, cond.params);
      const raw: Array<Record<string, unknown>> = await qb
        .addSelect(`to_char((${spec.dueOn})::date, 'YYYY-MM-DD')`, '__due')
        .orderBy(spec.dueOn, 'ASC')
        .addOrderBy(`${alias}.id`, 'ASC')
        .limit(limit)
        .getRawMany();
      const rows = mapRaw(qb, raw);
      primeById(ctx, qb.expressionMap.mainAlias!.target as Ctor<R>, rows);
      return rows.map((row, i) => {
        const dueOn = raw[i].__due as string;
        return { kind: kindOn(dueOn, today), reason: spec.reason(row, dueOn, today), dueOn, subject: row as WorkItemData['subject'] & R };
      });
    },
    async count(ctx: Context, userId: string): Promise<number> {
      if (!visible(ctx)) return 0;
      return spec.query(ctx, userId, isoToday()).getCount();
    },
  };
}

export interface SqlWorkSourceSpec<E extends { id: string }> {
  kinds: WorkKinds;
  visible?: (ctx: Context) => boolean;
  /** The subjects' entity: items are joined to its table by id, in the caller's organisation. */
  entity: Ctor<E>;
  /**
   * The caller's items as SQL with its parameters (`$1`…): rows of `rank` (a kind's `workRank`),
   * `due_on` (a date) and `id` (the subject's), several kinds in one statement (a UNION).
   */
  items: (ctx: Context, userId: string, today: string) => Promise<{ sql: string; params: unknown[] }>;
  reason: (kind: WorkKindName, dueOn: string, subject: E) => string;
}

/**
 * A `myWork` source whose items come from one hand-written statement over several kinds (the
 * SOP module's acknowledgements, reviews and approvals): the page is that statement after the
 * cursor, `(due_on, rank, id) > (…)`, in order, joined to the subjects (primed into their by-id
 * loader); the count is its `count(*)`.
 */
export function defineSqlWorkSource<E extends { id: string }>(spec: SqlWorkSourceSpec<E>): WorkSource {
  const kinds = kindsOf(spec.kinds);
  const kindByRank = new Map(kinds.map((k) => [k.rank, k.name as WorkKindName]));
  const visible = spec.visible ?? (() => true);
  return {
    kinds,
    async fetch(ctx: Context, userId: string, after: WorkCursor | null, limit: number): Promise<WorkItemData[]> {
      if (!visible(ctx)) return [];
      const { sql, params } = await spec.items(ctx, userId, isoToday());
      const p = [...params];
      const param = (value: unknown) => {
        p.push(value);
        return `$${p.length}`;
      };
      const shape = rowShape(ctx.manager.connection, spec.entity);
      const where = after ? `WHERE (i.due_on, i.rank, i.id) > (${param(after.dueOn)}::date, ${param(after.rank)}::int, ${param(after.id)}::uuid)` : '';
      const raw: Array<Record<string, unknown>> = await ctx.manager.query(
        `SELECT i.rank AS "__rank", to_char(i.due_on, 'YYYY-MM-DD') AS "__due", ${shape.columns('s')}
           FROM (${sql}) i JOIN ${shape.table} s ON s.id = i.id AND s.organization_id = ${param(orgId(ctx))}
          ${where}
          ORDER BY i.due_on, i.rank, i.id
          LIMIT ${param(limit)}`,
        p,
      );
      const subjects = raw.map((r) => shape.map(r));
      primeById(ctx, spec.entity, subjects);
      return raw.map((r, i) => {
        const kind = kindByRank.get(Number(r.__rank));
        if (!kind) throw new Error(`work source of ${[...kindByRank.values()].join(', ')} gave rank ${String(r.__rank)}`);
        const dueOn = r.__due as string;
        return { kind, reason: spec.reason(kind, dueOn, subjects[i]), dueOn, subject: subjects[i] as WorkItemData['subject'] & E };
      });
    },
    async count(ctx: Context, userId: string): Promise<number> {
      if (!visible(ctx)) return 0;
      const { sql, params } = await spec.items(ctx, userId, isoToday());
      const [{ n }] = await ctx.manager.query(`SELECT count(*)::int AS n FROM (${sql}) i`, params);
      return n;
    },
  };
}
