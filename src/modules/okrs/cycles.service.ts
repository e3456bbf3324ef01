/** OKR cycles: listing, creation and closing (scoring and freezing). */
import { orgId } from '../../common/auth';
import { paginate, type ConnectionArgs } from '../../common/connection';
import type { Context } from '../../common/context';
import { badInput } from '../../common/errors';
import { checkDateRange } from '../../common/periods';
import { emitAfterCommit } from '../../common/events';
import { OKRS_EVENTS } from './okrs.events';
import { withIdempotency } from '../../db/idempotency';
import { withTransaction } from '../../db/transaction';
import { createRecorded, updateRecorded } from '../audit';
import { Cycle, KeyResult, Objective } from './okr.entity';
import { keyResultProgress, scoreOf } from './okr-rules';
import type { CloseCycleInput, CreateCycleInput, CyclesFilter, UpdateCycleInput } from './okrs.inputs';
import { cycleById } from './okrs.loaders';
import { cycleClosed, lockCycle } from './okr-access';
import { sqlOf, storeOrganizationProgress } from './okr-progress-store';

export async function listCycles(ctx: Context, filter: CyclesFilter, page: ConnectionArgs) {
  const qb = ctx.manager.createQueryBuilder(Cycle, 'c').where('c.organization_id = :org', { org: orgId(ctx) });
  if (filter.open === true) qb.andWhere('c.closed_at IS NULL');
  if (filter.open === false) qb.andWhere('c.closed_at IS NOT NULL');
  return paginate(ctx, qb, page, [
    { column: 'c.starts_on', direction: 'DESC', value: (c) => c.startsOn },
    { column: 'c.id', direction: 'DESC', value: (c) => c.id },
  ], 'Query.cycles');
}

export async function createCycle(ctx: Context, input: CreateCycleInput) {
  checkDateRange(input.startsOn, input.endsOn, { startField: 'startsOn', endField: 'endsOn' });
  return withIdempotency(ctx, 'createCycle', input, async (tx) => {
    const name = input.name.trim();
    if (await tx.manager.existsBy(Cycle, { organizationId: orgId(tx), name })) {
      throw badInput(`A cycle named ${name} already exists`, 'name');
    }
    const cycle = await createRecorded(
      tx,
      Cycle,
      { organizationId: orgId(tx), name, startsOn: input.startsOn, endsOn: input.endsOn, closedAt: null, version: 1 },
      { action: 'cycle.created', meta: (c) => ({ cycleId: c.id }), prime: cycleById },
    );
    return { cycle };
  });
}

/**
 * Scores every key result of the cycle (progress rounded to 0.1) and freezes the cycle. The
 * exclusive lock on the cycle waits for check-ins in flight (they hold a shared lock) and
 * makes later ones see the cycle closed.
 */
export async function closeCycle(ctx: Context, input: CloseCycleInput) {
  const id = input.cycleId;
  return withTransaction(ctx, async (tx) => {
    const cycle = await lockCycle(tx, id, 'UPDATE');
    if (cycle.closedAt) throw cycleClosed(cycle);
    const krs = await tx.manager.find(KeyResult, { where: { cycleId: cycle.id, organizationId: cycle.organizationId } });
    const scores = krs.map((kr) => scoreOf(keyResultProgress(kr, kr.currentValue)));
    if (krs.length > 0) {
      await tx.manager.query(
        `UPDATE key_results k SET score = s.score, version = k.version + 1, updated_at = now()
           FROM unnest($1::uuid[], $2::numeric[]) AS s(id, score)
          WHERE k.id = s.id AND k.organization_id = $3`,
        [krs.map((k) => k.id), scores.map(String), cycle.organizationId],
      );
    }
    const closed = await updateRecorded(tx, Cycle, cycle, null, { closedAt: new Date() }, {
      action: 'cycle.closed',
      meta: { cycleId: cycle.id },
      after: (c) => ({ ...c, scores: Object.fromEntries(krs.map((k, i) => [k.id, scores[i]])) }),
      prime: cycleById,
    });
    const objectives = await tx.manager.find(Objective, { where: { cycleId: cycle.id, organizationId: cycle.organizationId } });
    for (const o of objectives) {
      emitAfterCommit(tx, { type: OKRS_EVENTS.OBJECTIVE_PROGRESS_CHANGED, entityType: 'Objective', entityId: o.id, meta: { cycleId: cycle.id } });
    }
    return { cycle: closed };
  });
}

/** OWNER/ADMIN; open cycles only (CYCLE_CLOSED). New dates change every objective's pace, so progress events follow. */
export async function updateCycle(ctx: Context, input: UpdateCycleInput) {
  const id = input.id;
  return withTransaction(ctx, async (tx) => {
    const cycle = await lockCycle(tx, id, 'UPDATE');
    if (cycle.closedAt) throw cycleClosed(cycle);
    const set: Partial<Cycle> = {};
    if (input.name != null && input.name.trim() !== cycle.name) {
      const name = input.name.trim();
      if (await tx.manager.existsBy(Cycle, { organizationId: cycle.organizationId, name })) {
        throw badInput(`A cycle named ${name} already exists`, 'name');
      }
      set.name = name;
    }
    if (input.startsOn) set.startsOn = input.startsOn;
    if (input.endsOn) set.endsOn = input.endsOn;
    checkDateRange(set.startsOn ?? cycle.startsOn, set.endsOn ?? cycle.endsOn, { startField: 'startsOn', endField: 'endsOn' });
    const updated = await updateRecorded(tx, Cycle, cycle, input.expectedVersion, set, {
      action: 'cycle.updated',
      meta: { cycleId: cycle.id },
      prime: cycleById,
      what: 'This cycle',
    });
    if (set.startsOn || set.endsOn) {
      // Pace, and so every stored status, follows the cycle's dates (recomputed organisation-wide).
      await storeOrganizationProgress(sqlOf(tx.manager), cycle.organizationId);
      const objectives = await tx.manager.find(Objective, { where: { cycleId: cycle.id, organizationId: cycle.organizationId } });
      for (const o of objectives) {
        emitAfterCommit(tx, { type: OKRS_EVENTS.OBJECTIVE_PROGRESS_CHANGED, entityType: 'Objective', entityId: o.id, meta: { cycleId: cycle.id } });
      }
    }
    return { cycle: updated };
  });
}
