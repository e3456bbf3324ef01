import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { Context } from '../../common/context';
import { impactOf, MAX_IMPACT_NODES } from './impact.service';
import { Impact } from './impact.types';

@Resolver(() => Impact)
export class ImpactResolver {
  @Authorized()
  @Query(() => Impact, {
    nullable: true,
    description: `Why an object matters: from a Task, KeyResult, Objective, Kpi, BudgetLine or Campaign (its global id), the key results, objectives (up the alignment chain), KPIs, budget lines and campaigns linked to it, each once with the edge that reached it (at most ${MAX_IMPACT_NODES}). Null when the object does not exist or is not visible to you (as node(id:)); another type of object is BAD_USER_INPUT naming id. A fixed number of SQL statements per kind of subject, whatever the data; a loop in the alignment data ends the chain.`,
  })
  impact(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Impact | null> {
    return impactOf(ctx, id);
  }
}
