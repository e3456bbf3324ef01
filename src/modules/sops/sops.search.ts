import type { SearchSource } from '../search';
import { SearchType } from '../search';
import { Sop } from './sops.entity';

/** What `search` finds of the SOPs (registered in src/modules/composition.ts); the document is the trigram index's expression. */
export const sopSearch: SearchSource<Sop> = {
  type: SearchType.SOP,
  entity: Sop,
  document: `lower(t.title || ' ' || t.purpose || ' ' || t.scope)`,
  title: 't.title',
  where: 't.archived_at IS NULL',
  fields: [
    { name: 'title', value: (s) => s.title },
    { name: 'purpose', value: (s) => s.purpose },
    { name: 'scope', value: (s) => s.scope },
  ],
};
