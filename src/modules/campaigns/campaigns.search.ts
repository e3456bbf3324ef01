import type { SearchSource } from '../search';
import { SearchType } from '../search';
import { Campaign } from './campaign.entity';

/** What `search` finds of the campaigns (registered in src/modules/composition.ts); the document is the trigram index's expression. */
export const campaignSearch: SearchSource<Campaign> = {
  type: SearchType.CAMPAIGN,
  entity: Campaign,
  document: `lower(t.name)`,
  title: 't.name',
  fields: [{ name: 'name', value: (c) => c.name }],
};
