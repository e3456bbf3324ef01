import type { SearchSource } from '../search';
import { SearchType } from '../search';
import { KeyResult, Objective } from './okr.entity';

/* What `search` finds of the OKRs (registered in src/modules/composition.ts); the documents are the trigram indexes' expressions. */

export const objectiveSearch: SearchSource<Objective> = {
  type: SearchType.OBJECTIVE,
  entity: Objective,
  document: `lower(t.title || ' ' || coalesce(t.description, ''))`,
  title: 't.title',
  where: 't.archived_at IS NULL',
  fields: [
    { name: 'title', value: (o) => o.title },
    { name: 'description', value: (o) => o.description },
  ],
};

export const keyResultSearch: SearchSource<KeyResult> = {
  type: SearchType.KEY_RESULT,
  entity: KeyResult,
  document: `lower(t.title)`,
  title: 't.title',
  where: 't.archived_at IS NULL',
  fields: [{ name: 'title', value: (k) => k.title }],
};
