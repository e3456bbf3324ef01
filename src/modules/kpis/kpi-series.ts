/**
 * `Kpi.series(grain, from, to)`: a KPI's value per bucket, for charts. Every KPI of a request
 * asking for the same (grain, from, to) is answered by one `kpiValuesByPeriod` call (one
 * statement), whatever the number of KPIs, the depth of their formula trees or the length of
 * their history.
 */
import type Decimal from 'decimal.js';
import { Field, ObjectType } from 'type-graphql';
import type { Context } from '../../common/context';
import { defineLoader } from '../../common/loaders';
import { bucketEnd, Grain, MAX_BUCKETS, requestedBuckets, type Day } from '../../common/periods';
import { DateScalar, DecimalScalar } from '../../common/scalars';
import { kpiValuesByPeriod } from './kpi-values';

/** A series has at most this many points (the kit's MAX_BUCKETS: about 3 years of days, 21 of weeks). */
export const MAX_SERIES_POINTS = MAX_BUCKETS;

@ObjectType({ description: 'One bucket of Kpi.series: its first and last day, and the KPI’s value for it (null with the reason).' })
export class KpiSeriesPoint {
  @Field(() => DateScalar, { description: 'The first day of the bucket (a Monday for WEEK, the 1st for MONTH and QUARTER).' })
  periodStart: Day;

  @Field(() => DateScalar, { description: 'The last day of the bucket, inclusive (a Sunday for WEEK).' })
  periodEnd: Day;

  @Field(() => DecimalScalar, {
    nullable: true,
    description:
      'Measured KPIs: the measurements whose period starts in the bucket, combined by the KPI’s aggregation (SUM, AVERAGE, LAST). Formula KPIs: the formula over the inputs’ values for the bucket. Null: see reason.',
  })
  value: Decimal | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Why value is null, as Kpi.valueReason says it: no measurement in the bucket, an input without a value, a division by zero, a value out of the Decimal range. Null when there is a value.',
  })
  reason: string | null;
}

/**
 * The bucket starts of a series from the bucket of `from` to the bucket of `to`, checked as the
 * client's input: `to` before `from`, more than MAX_SERIES_POINTS buckets, or a last bucket that
 * ends after the calendar's last day are BAD_USER_INPUT naming `to` (`extensions.max` for the
 * count).
 */
export function seriesBuckets(from: Day, to: Day, grain: Grain): Day[] {
  return requestedBuckets(from, to, grain, MAX_SERIES_POINTS);
}

/** Key of the series loader: the arguments first, so that one batch groups KPIs by them. */
const keyOf = (kpiId: string, grain: Grain, from: Day, to: Day) => `${grain}|${from}|${to}|${kpiId}`;

const seriesLoader = defineLoader<string, KpiSeriesPoint[]>('kpis.series', async (ctx, keys) => {
  const groups = new Map<string, string[]>();
  for (const key of keys) {
    const cut = key.lastIndexOf('|');
    const args = key.slice(0, cut);
    const ids = groups.get(args);
    if (ids) ids.push(key.slice(cut + 1));
    else groups.set(args, [key.slice(cut + 1)]);
  }
  const answers = new Map<string, KpiSeriesPoint[]>();
  await Promise.all(
    [...groups].map(async ([args, ids]) => {
      const [grain, from, to] = args.split('|') as [Grain, Day, Day];
      const byKpi = await kpiValuesByPeriod(ctx, ids, from, to, grain);
      // Every KPI of the group has the same buckets: each end is computed once, not once per KPI.
      const ends = new Map<Day, Day>();
      const endOf = (start: Day) => ends.get(start) ?? ends.set(start, bucketEnd(start, grain)).get(start)!;
      for (const id of ids) {
        const points = (byKpi.get(id) ?? []).map(({ periodStart, value, reason }) =>
          Object.assign(new KpiSeriesPoint(), { periodStart, periodEnd: endOf(periodStart), value, reason }),
        );
        answers.set(keyOf(id, grain, from, to), points);
      }
    }),
  );
  return keys.map((key) => answers.get(key) ?? []);
});

/** The argument sets a request has already checked (by its context): a page of 50 KPIs enumerates its buckets once, not 50 times. */
const checkedArgs = new WeakMap<Context, Set<string>>();

/** `Kpi.series`: the arguments checked for this field, the values batched with every other KPI's series. */
export async function kpiSeries(ctx: Context, kpiId: string, grain: Grain, from: Day, to: Day): Promise<KpiSeriesPoint[]> {
  const args = `${grain}|${from}|${to}`;
  let checked = checkedArgs.get(ctx);
  if (!checked) checkedArgs.set(ctx, (checked = new Set()));
  if (!checked.has(args)) {
    seriesBuckets(from, to, grain); // throws for bad arguments, which are then checked again for each field
    checked.add(args);
  }
  return (await seriesLoader(ctx).load(keyOf(kpiId, grain, from, to))) ?? [];
}
