import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../../common/context';
import { Grain } from '../../common/graphql-enums';
import { DateScalar } from '../../common/scalars';
import { KeyResult, Objective } from './okr.entity';
import { KeyResultProgressPoint, keyResultProgressHistory, MAX_HISTORY_POINTS, ObjectiveProgressPoint, objectiveProgressHistory } from './okr-history';

const RANGE = `One point per bucket of grain from the bucket holding from to the bucket holding to (both any day; left out, the cycle’s startsOn and endsOn), oldest first, read from the check-ins as of each bucket’s last day, not from today’s values. At most ${MAX_HISTORY_POINTS} points (more is BAD_USER_INPUT naming to, extensions.max); to before from is BAD_USER_INPUT naming to. Every field of the request asking for the same grain is read together: a page costs a fixed number of SQL statements whatever its size and the length of history.`;

@Resolver(() => Objective)
export class ObjectiveHistoryResolver {
  @FieldResolver(() => [ObjectiveProgressPoint], {
    description: `${RANGE} The roll-up uses today’s key results, aligned objectives and weights, each key result at its value as of the bucket’s end.`,
  })
  progressHistory(
    @Root() o: Objective,
    @Arg('grain', () => Grain) grain: Grain,
    @Arg('from', () => DateScalar, { nullable: true }) from: string | null,
    @Arg('to', () => DateScalar, { nullable: true }) to: string | null,
    @Ctx() ctx: Context,
  ): Promise<ObjectiveProgressPoint[]> {
    return objectiveProgressHistory(ctx, o.id, grain, from ?? null, to ?? null);
  }
}

@Resolver(() => KeyResult)
export class KeyResultHistoryResolver {
  @FieldResolver(() => [KeyResultProgressPoint], { description: RANGE })
  progressHistory(
    @Root() kr: KeyResult,
    @Arg('grain', () => Grain) grain: Grain,
    @Arg('from', () => DateScalar, { nullable: true }) from: string | null,
    @Arg('to', () => DateScalar, { nullable: true }) to: string | null,
    @Ctx() ctx: Context,
  ): Promise<KeyResultProgressPoint[]> {
    return keyResultProgressHistory(ctx, kr.id, grain, from ?? null, to ?? null);
  }
}
