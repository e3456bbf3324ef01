import { Args, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../../common/context';
import { search } from './search.service';
import { SearchArgs, SearchResultConnection } from './search.types';

@Resolver()
export class SearchResolver {
  @Authorized()
  @Query(() => SearchResultConnection, {
    description:
      'Objectives, key results, KPIs, campaigns, SOPs and tasks of the organisation whose text holds every word of `query`, best first (see SearchResultEdge.score); archived objects are not found. One SQL statement per call. Chinese works without spaces: `留存` finds "创作者留存率提升15%". A query of no or more than 100 characters: BAD_USER_INPUT.',
  })
  search(@Args() args: SearchArgs, @Ctx() ctx: Context): Promise<SearchResultConnection> {
    return search(ctx, args);
  }
}
