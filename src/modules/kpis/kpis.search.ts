import type { SearchSource } from '../search';
import { SearchType } from '../search';
import { Kpi } from './kpi.entity';

/** What `search` finds of the KPIs (registered in src/modules/composition.ts); the document is the trigram index's expression. */
export const kpiSearch: SearchSource<Kpi> = {
  type: SearchType.KPI,
  entity: Kpi,
  document: `lower(t.name || ' ' || t.key || ' ' || t.definition)`,
  title: 't.name',
  where: 't.archived_at IS NULL',
  fields: [
    { name: 'name', value: (k) => k.name },
    { name: 'key', value: (k) => k.key },
    { name: 'definition', value: (k) => k.definition },
  ],
};
