import type { SearchSource } from '../search';
import { SearchType } from '../search';
import { Task } from './task.entity';

/** What `search` finds of the tasks (registered in src/modules/composition.ts); the document is the trigram index's expression. */
export const taskSearch: SearchSource<Task> = {
  type: SearchType.TASK,
  entity: Task,
  document: `lower(t.title || ' ' || coalesce(t.description, ''))`,
  title: 't.title',
  fields: [
    { name: 'title', value: (t) => t.title },
    { name: 'description', value: (t) => t.description },
  ],
};
