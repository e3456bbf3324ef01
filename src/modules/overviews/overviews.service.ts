import type { Context } from '../../common/context';
import { isoToday } from '../../common/dates';
import { fromGlobalId } from '../../common/ids';
import { currentCycle, requireCycle } from '../okrs';
import { requireSquad } from '../squads';
import type { Overview } from './overviews.types';

/**
 * The overview's scope: the squad (NOT_FOUND when it is not in the organisation) and the cycle,
 * given (NOT_FOUND likewise) or the one containing today (none: no OKR section).
 */
export async function overview(ctx: Context, args: { squadId?: string | null; cycleId?: string | null }): Promise<Overview> {
  const squadId = args.squadId ? (await requireSquad(ctx, fromGlobalId(args.squadId, 'Squad', 'squadId'))).id : null;
  const cycle = args.cycleId ? await requireCycle(ctx, fromGlobalId(args.cycleId, 'Cycle', 'cycleId')) : await currentCycle(ctx);
  const today = isoToday();
  return { squadId, cycleId: cycle?.id ?? null, from: cycle?.startsOn ?? today, to: cycle?.endsOn ?? today };
}
