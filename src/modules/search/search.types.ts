import { ArgsType, Field, Int, ObjectType } from 'type-graphql';
import { MAX_PAGE_SIZE, PageInfo } from '../../common/connection';
import { Node } from '../../common/node';
import { SearchType } from './search.registry';

export const MAX_QUERY_CHARS = 100;
export const MAX_QUERY_WORDS = 10;

@ArgsType()
export class SearchArgs {
  @Field({
    description: `What to find: 1 to ${MAX_QUERY_CHARS} characters, at most ${MAX_QUERY_WORDS} words (separated by spaces). Every word must occur (case-insensitive, anywhere in a word: \`retent\` finds "Retention", \`留存\` finds "创作者留存率提升15%").`,
  })
  query: string;

  @Field(() => [SearchType], { nullable: true, description: 'Only these kinds of objects; all when omitted or empty.' })
  types?: SearchType[] | null;

  @Field(() => Int, { nullable: true, description: `Hits after \`after\`; at most ${MAX_PAGE_SIZE} (20 when omitted).` })
  first?: number | null;

  @Field(() => String, { nullable: true }) after?: string | null;
}

@ObjectType('SearchResultEdge', { description: 'One object found, with why it ranks where it does.' })
export class SearchResultEdge {
  @Field({ description: 'Opaque cursor for `after`.' }) cursor: string;
  @Field(() => Node, { description: 'The object found: an Objective, KeyResult, Kpi, Campaign, Sop or Task.' }) node: Node;
  @Field(() => SearchType) type: SearchType;
  @Field(() => Int, {
    description:
      'Higher ranks first: 4000 + the title equals the query, 3000 + the title starts with it, 2000 + every word is in the title, 1000 + found in the rest of the text (description, definition...), plus up to 999 for the title’s trigram similarity to the query.',
  })
  score: number;
  @Field({ description: 'The field the first word was found in: title, name, key, description, definition, purpose or scope.' }) matchedField: string;
  @Field({ description: 'The text around the first word’s first occurrence in matchedField (at most about 120 characters, `…` where cut).' }) snippet: string;
}

@ObjectType('SearchResultConnection', { description: 'A page of search hits, best first.' })
export class SearchResultConnection {
  @Field(() => [SearchResultEdge]) edges: SearchResultEdge[];
  @Field(() => [Node], { description: 'The objects of `edges`, for clients that need no cursors or scores.' }) nodes: Node[];
  @Field(() => PageInfo) pageInfo: PageInfo;
  @Field(() => Int, { description: 'Hits in the whole list, ignoring pagination.' }) totalCount: number | Promise<number>;
}
