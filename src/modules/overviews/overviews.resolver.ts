import { Arg, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../common/context';
import { BudgetTotals, budgetTotals } from '../budgets';
import { LiveCampaigns, liveCampaigns } from '../campaigns';
import { KpiOverview, kpiOverview } from '../kpis';
import { Cycle, OkrSummary, cycleById, kpiIdsFollowedBySquad, okrSummaries } from '../okrs';
import { Squad, squadById } from '../squads';
import { OverdueTasks, overdueTasks } from '../tasks';
import { overview } from './overviews.service';
import { Overview } from './overviews.types';

const NO_CYCLE =
  'cycleId defaults to the cycle whose dates contain today (the one that started last if several do). When there is none, `cycle` and `okrs` are null, the squad’s KPIs (squadOverview) are none, and budgets are those whose period contains today; the other sections answer as usual.';

@Resolver(() => Overview)
export class OverviewResolver {
  @Authorized()
  @Query(() => Overview, {
    description: `The whole organisation in one query (every role and API token, as the lists it sums up). ${NO_CYCLE} NOT_FOUND for a cycle not in this organisation.`,
  })
  organizationOverview(@Arg('cycleId', () => ID, { nullable: true }) cycleId: string | null, @Ctx() ctx: Context) {
    return overview(ctx, { cycleId });
  }

  @Authorized()
  @Query(() => Overview, {
    description: `One squad in one query: its objectives (and their key results), the KPIs those key results follow, its budgets, its campaigns and its tasks. ${NO_CYCLE} NOT_FOUND for a squad or cycle not in this organisation.`,
  })
  squadOverview(
    @Arg('squadId', () => ID) squadId: string,
    @Arg('cycleId', () => ID, { nullable: true }) cycleId: string | null,
    @Ctx() ctx: Context,
  ) {
    return overview(ctx, { squadId, cycleId });
  }

  @FieldResolver(() => Squad, { nullable: true, description: 'The squad (squadOverview); null for the organisation.' })
  squad(@Root() o: Overview, @Ctx() ctx: Context) {
    return o.squadId ? squadById(ctx).load(o.squadId) : null;
  }

  @FieldResolver(() => Cycle, { nullable: true, description: 'The cycle read; null when none was given and none contains today.' })
  cycle(@Root() o: Overview, @Ctx() ctx: Context) {
    return o.cycleId ? cycleById(ctx).load(o.cycleId) : null;
  }

  @FieldResolver(() => OkrSummary, {
    nullable: true,
    description: 'The active objectives of the cycle (the squad’s, for squadOverview) by status, their weighted average progress and the key results not on track. Null without a cycle.',
  })
  async okrs(@Root() o: Overview, @Ctx() ctx: Context): Promise<OkrSummary | null> {
    if (!o.cycleId) return null;
    const [summary] = await okrSummaries(ctx, [{ cycleId: o.cycleId, squadId: o.squadId }]);
    return summary;
  }

  @FieldResolver(() => KpiOverview, {
    nullable: true,
    description:
      'Active KPIs by level with their open alerts: every KPI of the organisation; for squadOverview, the KPIs that the key results of the squad’s objectives in the cycle follow (KPIs belong to no squad).',
  })
  async kpis(@Root() o: Overview, @Ctx() ctx: Context): Promise<KpiOverview> {
    if (!o.squadId) return kpiOverview(ctx, null);
    const ids = o.cycleId ? await kpiIdsFollowedBySquad(ctx, o.squadId, o.cycleId) : [];
    return kpiOverview(ctx, ids);
  }

  @FieldResolver(() => [BudgetTotals], {
    nullable: true,
    description:
      'Budgets (the squad’s, for squadOverview) whose period overlaps the cycle (or contains today without a cycle), summed per currency, ordered by currency code.',
  })
  budgets(@Root() o: Overview, @Ctx() ctx: Context): Promise<BudgetTotals[]> {
    return budgetTotals(ctx, { squadId: o.squadId, from: o.from, to: o.to });
  }

  @FieldResolver(() => LiveCampaigns, { nullable: true, description: 'LIVE campaigns (the squad’s, for squadOverview), with the best and worst ROI.' })
  liveCampaigns(@Root() o: Overview, @Ctx() ctx: Context): Promise<LiveCampaigns> {
    return liveCampaigns(ctx, o.squadId);
  }

  @FieldResolver(() => OverdueTasks, { nullable: true, description: 'Open tasks past their due date (the squad’s, for squadOverview).' })
  overdueTasks(@Root() o: Overview, @Ctx() ctx: Context): Promise<OverdueTasks> {
    return overdueTasks(ctx, o.squadId);
  }
}
