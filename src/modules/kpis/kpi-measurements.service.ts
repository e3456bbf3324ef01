/** Measurements (bulk upsert), the alerts they raise, and the announcement of new latest values. */
import Decimal from 'decimal.js';
import { hasRole, MANAGERS_AND_FINANCE } from '../../common/access';
import { orgId } from '../../common/auth';
import { badInput, forbidden } from '../../common/errors';
import { withTransaction } from '../../db/transaction';
import type { Context } from '../../common/context';
import { yieldToEventLoop } from '../../common/event-loop';
import { emitAfterCommit } from '../../common/events';
import { periodSql } from '../../common/periods';
import { parseDecimal } from '../../common/scalars';
import { withIdempotency } from '../../db/idempotency';
import { recordChange } from '../audit';
import { lookupKeys, measurementErrors, refuseMeasurements } from './kpi-measurement-rules';
import { alertMessage, breachOf, KpiAlertLevel } from './kpi-rules';
import { kpisByKeys } from './kpi-access';
import { lockIds } from '../../db/locks';
import { Kpi } from './kpi.entity';
import { ancestorsAndSelf, refreshKpiState } from './kpi-state';
import { KPIS_EVENTS } from './kpis.events';
import { alertSlotsJson, resolveAlerts, resolveAlertsSql } from './kpi-alerts.service';
import { requireKpi } from './kpi-reads.service';
import { kpiAlertById, kpiById, latestMeasurementOfKpi } from './kpis.loaders';
import { announceLatestChanged } from './kpi-latest-hook';
import type { DeleteMeasurementsInput, RecordMeasurementsInput } from './kpis.inputs';

/**
 * A decimal written plainly with at most 20 digits before the point and 18 after: within the
 * Decimal range (38 significant digits, exponent ±40) by its shape, so PostgreSQL reads the text
 * as it is. Anything else goes through the Decimal scalar's own check.
 */
const PLAIN_DECIMAL = /^-?\d{1,20}(\.\d{1,18})?$/;

/** Who may record measurements of a KPI: OWNER, ADMIN, FINANCE and SQUAD_LEAD any; a MEMBER those they own. */
function mayRecord(ctx: Context, kpi: Kpi): boolean {
  if (hasRole(ctx, MANAGERS_AND_FINANCE)) return true;
  // Every other role that reaches a mutation is a MEMBER (@Authorized(...WRITERS)).
  return kpi.ownerId != null && kpi.ownerId === ctx.viewer?.userId;
}

interface AlertCandidate {
  kpi: Kpi;
  measurementId: string | null;
  periodStart: string;
  /** A Decimal, or the numeric's text (read into a Decimal when checked). */
  value: Decimal | string;
}

/** Alert candidates checked between two turns of the event loop (10,000 take about 100 ms in all). */
const CANDIDATES_PER_TURN = 1000;

/**
 * Records up to 10,000 measurements in one transaction: every row is checked first
 * (kpi-measurement-rules.ts: unknown or archived key, formula KPI, value that is not a decimal, a period start off the KPI grain,
 * source too long, the same KPI and period twice, a KPI the caller may not record) and one bad row refuses the whole call with
 * BAD_USER_INPUT and `extensions.rows: [{ index, kpiKey, message }]`. Then: lock the KPIs and
 * the KPIs above them, upsert every row in one statement, refresh the stored latest values,
 * raise alerts in one statement, audit once; and announce the KPIs whose latest value changed
 * (`onKpiLatestChanged`: key results following them check in, in this transaction).
 */
export async function recordMeasurements(ctx: Context, input: RecordMeasurementsInput) {
  return withIdempotency(ctx, 'recordMeasurements', input, async (tx) => {
    const rows = input.measurements;
    const valueErrors = new Map<number, string>();
    const values: Array<string | null> = rows.map((r, i) => {
      if (PLAIN_DECIMAL.test(r.value)) return r.value;
      try {
        return parseDecimal(r.value).toFixed();
      } catch (e) {
        valueErrors.set(i, (e as Error).message);
        return null;
      }
    });
    const kpis = await kpisByKeys(tx, lookupKeys(rows));
    const errors = measurementErrors(rows, { kpis, valueErrors, mayRecord: (kpi) => mayRecord(tx, kpi) });
    if (errors.length > 0) throw refuseMeasurements(errors, rows.length);

    const kpiIds = [...new Set(rows.map((r) => kpis.get(r.kpiKey)!.id))];
    const chain = await ancestorsAndSelf(tx, kpiIds);
    // The KPIs and those above them, in id order (concurrent recordings queue, never deadlock).
    await lockIds(tx, Kpi, chain.map((k) => k.id), { required: false });
    const withLimits = [...kpis.values()].filter(hasLimits).map((k) => k.id);
    // The rows travel as one JSON parameter: serialising 10,000 rows as four text arrays took pg's
    // array escaping about 60 ms of uninterrupted work, JSON.stringify takes a few.
    const rowsJson = JSON.stringify(
      rows.map((r, i) => ({ kpi_id: kpis.get(r.kpiKey)!.id, period_start: r.periodStart, value: values[i], source: r.source?.trim() || null })),
    );
    const [result]: Array<{ inserted: number; total: number; changed: Array<[string, string, string, string]> }> = await tx.manager.query(
      `WITH input AS (
         SELECT * FROM json_to_recordset($2::json) AS t(kpi_id uuid, period_start date, value numeric, source text)
       ), old AS (
         -- The values replaced, for the alert check (only KPIs with limits can raise one).
         SELECT m.kpi_id, m.period_start, m.value FROM kpi_measurements m
           JOIN input i ON m.kpi_id = i.kpi_id AND m.period_start = i.period_start
          WHERE m.organization_id = $1 AND i.kpi_id = ANY($4::uuid[])
       ), up AS (
         INSERT INTO kpi_measurements (organization_id, kpi_id, period_start, value, source, recorded_by)
         SELECT $1, kpi_id, period_start, value, source, $3 FROM input
         ON CONFLICT (organization_id, kpi_id, period_start) DO UPDATE
           SET value = EXCLUDED.value, source = EXCLUDED.source, recorded_by = EXCLUDED.recorded_by, recorded_at = now()
         RETURNING id, kpi_id, period_start, value, (xmax = 0) AS inserted
       )
       SELECT (SELECT count(*) FROM up WHERE inserted)::int AS inserted, (SELECT count(*) FROM up)::int AS total,
              COALESCE((SELECT json_agg(json_build_array(up.id, up.kpi_id, to_char(up.period_start, 'YYYY-MM-DD'), up.value::text))
                          FROM up LEFT JOIN old ON old.kpi_id = up.kpi_id AND old.period_start = up.period_start
                         WHERE up.kpi_id = ANY($4::uuid[]) AND (up.inserted OR old.value <> up.value)), '[]'::json) AS changed`,
      [orgId(tx), rowsJson, tx.viewer?.userId ?? null, withLimits],
    );
    const changes = await refreshKpiState(tx, kpiIds);
    const byId = new Map([...chain, ...kpis.values()].map((k) => [k.id, k]));
    const candidates: AlertCandidate[] = result.changed.map(([id, kpiId, periodStart, value]) => ({ kpi: byId.get(kpiId)!, measurementId: id, periodStart, value }));
    // Formula KPIs above: their new latest value may cross a threshold too.
    for (const c of changes) {
      if (c.kpi.formula != null && c.after.value != null && c.after.period && hasLimits(c.kpi)) {
        candidates.push({ kpi: c.kpi, measurementId: null, periodStart: c.after.period, value: c.after.value });
      }
    }
    const { raised: alerts, resolved } = await raiseAlerts(tx, candidates);
    const updated = result.total - result.inserted;
    const first = kpis.get(rows[0].kpiKey)!;
    // One audit event summarising the call (no row of its own: the kit's row writes do not fit).
    await recordChange(tx, {
      action: 'kpi.measurements_recorded',
      entityType: 'Kpi',
      entityId: first.id,
      after: {
        rows: result.total,
        inserted: result.inserted,
        updated,
        kpis: [...new Set(rows.map((r) => r.kpiKey))].slice(0, 100),
        sources: [...new Set(rows.map((r) => r.source?.trim()).filter(Boolean))].slice(0, 20),
        alerts,
        resolvedAlerts: resolved,
      },
      meta: { kpiId: first.id },
    });
    await announceLatestChanged(tx, changes);
    return { inserted: result.inserted, updated, alertsRaised: alerts.length, alertsResolved: resolved.length };
  });
}

/**
 * Deletes a measured KPI's measurements of up to 1,000 periods in one transaction (the roles that
 * record it: OWNER, ADMIN, FINANCE, SQUAD_LEAD, or a MEMBER who owns it; a formula KPI has none:
 * BAD_USER_INPUT naming `kpiId`). A period without a measurement is skipped, so the same call
 * twice deletes nothing the second time. Then, as recording does: lock the KPI and those above
 * it, refresh the stored latest values, resolve the deleted periods' open and acknowledged
 * alerts (by the caller), audit once (`kpi.measurements_deleted`, announced after commit) and
 * announce the KPIs whose latest value moved (`onKpiLatestChanged`: key results following them
 * check in). A call that deletes nothing writes nothing.
 */
export async function deleteMeasurements(ctx: Context, input: DeleteMeasurementsInput) {
  return withTransaction(ctx, async (tx) => {
    const kpi = await requireKpi(tx, input.kpiId, { active: true, field: 'kpiId' });
    if (!mayRecord(tx, kpi)) throw forbidden(`You may not delete measurements of ${kpi.key}: it needs OWNER, ADMIN, FINANCE, SQUAD_LEAD or its owner`);
    if (kpi.formula != null) throw badInput(`KPI ${kpi.key} is computed by its formula (${kpi.formula}): it has no measurements of its own`, 'kpiId');
    const chain = await ancestorsAndSelf(tx, [kpi.id]);
    await lockIds(tx, Kpi, chain.map((k) => k.id), { required: false });
    // An UPDATE or DELETE answers [rows, count].
    const [deleted]: [Array<{ period: string; value: string; source: string | null }>, number] = await tx.manager.query(
      `DELETE FROM kpi_measurements m
        WHERE m.organization_id = $1 AND m.kpi_id = $2 AND m.period_start = ANY($3::date[])
        RETURNING ${periodSql.dayText('m.period_start')} AS period, m.value::text AS value, m.source`,
      [orgId(tx), kpi.id, [...new Set(input.periodStarts)]],
    );
    if (deleted.length === 0) return { kpi, deleted: 0, alertsResolved: 0 };
    deleted.sort((a, b) => (a.period < b.period ? -1 : 1));
    latestMeasurementOfKpi(tx).clear(kpi.id);
    const changes = await refreshKpiState(tx, [kpi.id]);
    const resolved = await resolveAlerts(tx, deleted.map((d) => ({ kpiId: kpi.id, periodStart: d.period })));
    await recordChange(tx, {
      action: 'kpi.measurements_deleted',
      entityType: 'Kpi',
      entityId: kpi.id,
      before: { measurements: deleted },
      after: { deleted: deleted.length, resolvedAlerts: resolved },
      meta: { kpiId: kpi.id },
    });
    await announceLatestChanged(tx, changes);
    return { kpi: (await kpiById(tx).load(kpi.id))!, deleted: deleted.length, alertsResolved: resolved.length };
  });
}

const hasLimits = (k: Kpi) =>
  k.normalMin != null || k.normalMax != null || k.warningBelow != null || k.criticalBelow != null || k.warningAbove != null || k.criticalAbove != null;

/**
 * Checks each candidate value against its KPI's limits, then, in one statement: a value inside
 * them resolves its period's OPEN and ACKNOWLEDGED alerts (by the caller); a value past them
 * inserts the alerts it raises, at most one per KPI, period and level ever (an existing one, open
 * or acknowledged, is kept: re-recording raises none; a RESOLVED one opens again, with the new
 * value, as if raised now). Announces each new one (KPI_ALERT_RAISED) after commit, or, when
 * there are more than KPI_ALERT_EVENTS_MAX, the call's summary (KPI_ALERTS_RAISED_IN_BULK: how
 * many, of which level, on how many KPIs): a bulk import announces itself once, not once per
 * alert to every subscriber. Returns the ids of the alerts raised and resolved.
 */
async function raiseAlerts(tx: Context, candidates: readonly AlertCandidate[]): Promise<{ raised: string[]; resolved: string[] }> {
  const inside: Array<{ kpiId: string; periodStart: string }> = [];
  const rows: Array<{ kpiId: string; measurementId: string | null; periodStart: string; level: KpiAlertLevel; value: string; message: string }> = [];
  for (let i = 0; i < candidates.length; i++) {
    if (i > 0 && i % CANDIDATES_PER_TURN === 0) await yieldToEventLoop();
    const c = candidates[i];
    const value = typeof c.value === 'string' ? new Decimal(c.value) : c.value;
    const breach = breachOf(c.kpi, value);
    if (!breach) {
      inside.push({ kpiId: c.kpi.id, periodStart: c.periodStart });
      continue;
    }
    rows.push({
      kpiId: c.kpi.id,
      measurementId: c.measurementId,
      periodStart: c.periodStart,
      level: breach.level,
      value: value.toFixed(),
      message: alertMessage(c.kpi, c.periodStart, value, breach),
    });
  }
  if (rows.length === 0 && inside.length === 0) return { raised: [], resolved: [] };
  const out: Array<{ resolved: boolean; id: string; kpi_id: string; level: string }> = await tx.manager.query(
    `WITH resolved AS (${resolveAlertsSql({ org: '$1', slots: '$3', by: '$4' })}), raised AS (
     INSERT INTO kpi_alerts (organization_id, kpi_id, measurement_id, period_start, level, value, message)
     SELECT $1, t.* FROM json_to_recordset($2::json)
                      AS t(kpi_id uuid, measurement_id uuid, period_start date, level text, value numeric, message text)
     ON CONFLICT (organization_id, kpi_id, period_start, level) DO UPDATE
       SET status = 'OPEN', measurement_id = EXCLUDED.measurement_id, value = EXCLUDED.value, message = EXCLUDED.message,
           resolved_at = NULL, resolved_by = NULL, acknowledged_at = NULL, acknowledged_by = NULL, note = NULL,
           version = kpi_alerts.version + 1, created_at = now(), updated_at = now()
       WHERE kpi_alerts.status = 'RESOLVED'
     RETURNING id, kpi_id, level)
     SELECT false AS resolved, id, kpi_id, level FROM raised UNION ALL SELECT true, id, NULL, NULL FROM resolved`,
    [
      orgId(tx),
      JSON.stringify(
        rows.map((r) => ({ kpi_id: r.kpiId, measurement_id: r.measurementId, period_start: r.periodStart, level: r.level, value: r.value, message: r.message })),
      ),
      alertSlotsJson(inside),
      tx.viewer?.userId ?? null,
    ],
  );
  const raised = out.filter((r) => !r.resolved);
  const resolved = out.filter((r) => r.resolved).map((r) => r.id);
  for (const id of resolved) kpiAlertById(tx).clear(id);
  if (raised.length > tx.config.kpiAlertEventsMax) {
    const critical = raised.filter((a) => a.level === KpiAlertLevel.CRITICAL).length;
    emitAfterCommit(tx, {
      type: KPIS_EVENTS.KPI_ALERTS_RAISED_IN_BULK,
      entityType: 'Kpi',
      entityId: raised[0].kpi_id,
      meta: { count: String(raised.length), critical: String(critical), warning: String(raised.length - critical), kpis: String(new Set(raised.map((a) => a.kpi_id)).size) },
    });
  } else {
    for (const a of raised) {
      emitAfterCommit(tx, { type: KPIS_EVENTS.KPI_ALERT_RAISED, entityType: 'KpiAlert', entityId: a.id, meta: { kpiId: a.kpi_id, level: a.level } });
    }
  }
  return { raised: raised.map((a) => a.id), resolved };
}
