import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../../common/context';
import { Grain } from '../../common/graphql-enums';
import { DateScalar } from '../../common/scalars';
import { Kpi } from './kpi.entity';
import { kpiSeries, KpiSeriesPoint, MAX_SERIES_POINTS } from './kpi-series';

@Resolver(() => Kpi)
export class KpiSeriesResolver {
  @FieldResolver(() => [KpiSeriesPoint], {
    description: `One point per bucket of grain from the bucket holding from to the bucket holding to (both any day), oldest first, for measured and formula KPIs alike: at most ${MAX_SERIES_POINTS} points (more is BAD_USER_INPUT naming to, extensions.max). to before from is BAD_USER_INPUT naming to. Every KPI of the request asking for the same grain, from and to is read together: a page of KPIs costs a fixed number of SQL statements.`,
  })
  series(
    @Root() kpi: Kpi,
    @Arg('grain', () => Grain) grain: Grain,
    @Arg('from', () => DateScalar) from: string,
    @Arg('to', () => DateScalar) to: string,
    @Ctx() ctx: Context,
  ): Promise<KpiSeriesPoint[]> {
    return kpiSeries(ctx, kpi.id, grain, from, to);
  }
}
