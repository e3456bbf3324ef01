import { ObjectType } from 'type-graphql';

/**
 * An overview of the organisation or of one squad, over one OKR cycle (or none). Its sections are
 * field resolvers (overviews.resolver.ts): a query pays only for the sections it selects, and a
 * section that fails is null on its own, with its error, instead of nulling the whole overview.
 */
@ObjectType({
  description:
    'Where the plan stands, in one query: OKRs of the cycle, KPIs by level, budgets, live campaigns and overdue tasks. Every section is nullable on its own: one that cannot be read is null (with its error in `errors`) and the others still answer.',
})
export class Overview {
  /** The squad whose things it covers; null for the organisation. */
  squadId: string | null;
  /** The cycle (uuid) of its OKRs; null when none was given and no cycle contains today. */
  cycleId: string | null;
  /** The cycle's dates, or today..today without a cycle: the period the budget section covers. */
  from: string;
  to: string;
}
