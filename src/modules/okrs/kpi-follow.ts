/**
 * Key results that follow a KPI. KPIs are the ground: this module asks the KPI module (its
 * front door) whether a `kpiId` may be followed, and its `followKpiLatest` is the handler of the
 * KPI module's "latest value changed" hook, wired in src/modules/composition.ts.
 */
import type { Context } from '../../common/context';
import { notFound } from '../../common/errors';
import { toGlobalId } from '../../common/ids';
import { defineIdListLoader } from '../../common/loaders';
import { refuseArchived } from '../../common/rules';
import { kpiById, type KpiLatestChange } from '../kpis';
import { KeyResult } from './okr.entity';
import { recordSystemCheckIn } from './key-results.service';

/**
 * The `kpiId` of createKeyResult/updateKeyResult (a uuid): a KPI of the caller's organisation
 * (NOT_FOUND naming `kpiId` otherwise) that is not archived (ARCHIVED naming `kpiId`).
 */
export async function checkKeyResultKpi(ctx: Context, kpiId: string): Promise<string> {
  const kpi = await kpiById(ctx).load(kpiId);
  if (!kpi) throw notFound('Kpi', toGlobalId('Kpi', kpiId), 'kpiId');
  if (kpi.archivedAt) throw refuseArchived(`KPI ${kpi.key} is archived: a key result cannot follow it`, 'kpiId');
  return kpi.id;
}

/** The active key results following each KPI (uuid), oldest first. One statement per batch. */
export const keyResultsFollowingKpi = defineIdListLoader({
  name: 'okrs.keyResultsFollowingKpi',
  table: KeyResult,
  keyColumn: 'kpi_id',
  idColumn: 'id',
  orderBy: 'c.created_at, c.id',
  where: 'c.archived_at IS NULL',
});

/**
 * A system check-in on every key result following a KPI whose latest value changed, in the
 * KPI module's transaction (the handler of `onKpiLatestChanged`).
 */
export async function followKpiLatest(tx: Context, changes: readonly KpiLatestChange[]): Promise<void> {
  const following = await keyResultsFollowingKpi(tx).loadMany(changes.map((c) => c.kpiId));
  for (const [i, c] of changes.entries()) {
    const ids = following[i];
    if (ids instanceof Error) throw ids;
    for (const id of ids ?? []) {
      await recordSystemCheckIn(tx, id, c.value, `KPI ${c.key}: ${c.value.toFixed()} for the period from ${c.periodStart}`);
    }
  }
}
