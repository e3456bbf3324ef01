import { registerEnumType } from 'type-graphql';

/**
 * `search` as a registry: each module that owns searchable objects describes them as a
 * `SearchSource` (its table, the text searched, its title) and src/modules/composition.ts
 * registers it here. This module knows no other module's tables: it composes the sources'
 * SQL into one statement.
 */
export enum SearchType {
  OBJECTIVE = 'OBJECTIVE',
  KEY_RESULT = 'KEY_RESULT',
  KPI = 'KPI',
  CAMPAIGN = 'CAMPAIGN',
  SOP = 'SOP',
  TASK = 'TASK',
}

registerEnumType(SearchType, {
  name: 'SearchType',
  description: 'The kinds of objects `search` finds.',
  valuesConfig: {
    OBJECTIVE: { description: 'Objectives, by title and description (not archived).' },
    KEY_RESULT: { description: 'Key results, by title (not archived).' },
    KPI: { description: 'KPIs, by name, key and definition (not archived).' },
    CAMPAIGN: { description: 'Campaigns, by name.' },
    SOP: { description: 'SOPs, by title, purpose and scope (not archived).' },
    TASK: { description: 'Tasks, by title and description.' },
  },
});

type Ctor<E> = abstract new (...args: never[]) => E;

export interface SearchSource<E extends { id: string } = { id: string }> {
  type: SearchType;
  /** The entity class of the rows (a Node type: the hit's `node`). */
  entity: Ctor<E>;
  /**
   * SQL over the alias `t`: the lower-cased text searched. It must be exactly the expression
   * of the table's trigram index (migrations/*-Search.ts), or the index is not used.
   */
  document: string;
  /** SQL over `t`: the object's title (its name), ranked above the rest of the document. */
  title: string;
  /** Which rows are found, SQL over `t` (e.g. `t.archived_at IS NULL`); the organisation is always required. */
  where?: string;
  /** The text fields of the entity, in the order a snippet is looked for, with the name the hit reports. */
  fields: Array<{ name: string; value: (row: E) => string | null }>;
}

const sources = new Map<SearchType, SearchSource>();

export function registerSearchSource<E extends { id: string }>(source: SearchSource<E>): void {
  if (sources.has(source.type)) throw new Error(`search source ${source.type} registered twice`);
  sources.set(source.type, source as unknown as SearchSource);
}

/** The registered sources, in the order of the SearchType enum. */
export function searchSources(): SearchSource[] {
  return Object.values(SearchType)
    .map((t) => sources.get(t))
    .filter((s): s is SearchSource => s !== undefined);
}
