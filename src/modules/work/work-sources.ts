import type { Context } from '../../common/context';
import type { WorkKind, WorkSource } from './work.registry';
import { workRank, type WorkKindName } from './work-ranks';

type Ctor<E> = abstract new (...args: never[]) => E;

/** A source's kinds and what each means (the description of the WorkItemKind value). */
export type WorkKinds = Partial<Record<WorkKindName, string>>;

/** What a source's SQL is written with. */
export interface WorkSql {
  ctx: Context;
  /** The caller. */
  userId: string;
  /** Today (UTC), YYYY-MM-DD: the day the statement compares due days with. */
  today: string;
  /** The caller's organisation. */
  organizationId: string;
  /** Binds a value and answers its placeholder (`$n`); values are never written into the text. */
  param: (value: unknown) => string;
  /** The SQL literal of one of the source's own kinds (`'TASK_OVERDUE'`); any other kind is refused. */
  kind: (name: WorkKindName) => string;
}

export interface WorkSourceSpec<E extends { id: string }> {
  kinds: WorkKinds;
  /** Whether the caller gets items from this source at all (default: every member); false: none, counted 0. */
  visible?: (ctx: Context) => boolean;
  /** The subjects' entity: items are joined to its table by id, in the caller's organisation. */
  entity: Ctor<E>;
  /**
   * The caller's items as one SQL fragment (no order, no cursor, no limit): rows of `kind` (one of
   * the source's kinds, `sql.kind('…')`), `due_on` (a date) and `id` (the subject's), with every
   * tenancy and permission condition of the source. Several kinds may come from one fragment (a
   * `CASE`, or a `UNION ALL`).
   */
  items: (sql: WorkSql) => string;
  /** Why the item needs the caller, in words. */
  reason: (kind: WorkKindName, dueOn: string, subject: E, today: string) => string;
}

function kindsOf(kinds: WorkKinds): WorkKind[] {
  return (Object.entries(kinds) as Array<[WorkKindName, string]>).map(([name, description]) => ({ name, description, rank: workRank(name) }));
}

/**
 * A `myWork` source: the module's items as an SQL fragment of (kind, due_on, id) rows over its
 * own tables. The work module puts the fragments of every visible source into one statement
 * (work.service.ts): their UNION ALL, ranked from the one table of ranks (work-ranks.ts), paged
 * after the cursor in (due day, rank, id) order, counted, and joined to each source's subjects.
 */
export function defineWorkSource<E extends { id: string }>(spec: WorkSourceSpec<E>): WorkSource {
  const kinds = kindsOf(spec.kinds);
  if (kinds.length === 0) throw new Error('a work source needs at least one kind');
  const own = new Set(kinds.map((k) => k.name));
  const kind = (name: WorkKindName) => {
    if (!own.has(name)) throw new Error(`a work source of ${[...own].join(', ')} gave kind ${name}`);
    return `'${name}'`;
  };
  return {
    kinds,
    visible: spec.visible ?? (() => true),
    entity: spec.entity,
    items: (sql) => spec.items({ ...sql, kind }),
    reason: (kindName, dueOn, subject, today) => spec.reason(kindName as WorkKindName, dueOn, subject as E, today),
  };
}
