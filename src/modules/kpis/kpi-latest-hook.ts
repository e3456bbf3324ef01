/**
 * "A KPI's latest value changed": announced by this module, in the transaction that changed it
 * (after the upsert of measurements, or after a new formula), to whoever follows KPIs (the OKR
 * module's key results). KPIs are the ground the plan stands on: this module imports none of
 * its followers; the handler is filled in at composition (src/modules/composition.ts).
 */
import type Decimal from 'decimal.js';
import type { Context } from '../../common/context';
import type { LatestChange } from './kpi-state';

/** A KPI whose latest value moved to `value` (never null), for the period starting on `periodStart`. */
export interface KpiLatestChange {
  kpiId: string;
  key: string;
  value: Decimal;
  periodStart: string;
}

/** Runs in the changing transaction (`tx`), before it commits; a throw rolls the change back. */
export type KpiLatestChangedHandler = (tx: Context, changes: readonly KpiLatestChange[]) => Promise<void>;

let handler: KpiLatestChangedHandler | null = null;

/** Fills the hook (once, at composition); another handler afterwards is a programming error. */
export function onKpiLatestChanged(fn: KpiLatestChangedHandler): void {
  if (handler && handler !== fn) throw new Error('A handler of "KPI latest value changed" is already registered');
  handler = fn;
}

/**
 * Announces the KPIs whose latest value moved (a new value, not only a new status or period
 * with the same value; a value that disappeared is not announced). Nothing without a handler.
 */
export async function announceLatestChanged(tx: Context, changes: readonly LatestChange[]): Promise<void> {
  const moved: KpiLatestChange[] = [];
  for (const c of changes) {
    const after = c.after.value;
    if (after == null || !c.after.period || (c.before.value != null && c.before.value.eq(after))) continue;
    moved.push({ kpiId: c.kpi.id, key: c.kpi.key, value: after, periodStart: c.after.period });
  }
  if (moved.length === 0 || !handler) return;
  await handler(tx, moved);
}
