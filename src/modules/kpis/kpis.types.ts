import Decimal from 'decimal.js';
import { Field, Int, ObjectType } from 'type-graphql';
import { Connection } from '../../common/connection';
import { DateScalar, DecimalScalar } from '../../common/scalars';
import { Kpi, KpiAlert, KpiMeasurement } from './kpi.entity';

export const KpiConnection = Connection(Kpi);
export const KpiAlertConnection = Connection(KpiAlert);
export const MeasurementConnection = Connection(KpiMeasurement, 'Measurement');

@ObjectType({ description: 'A KPI in a tree returned by kpiTree: depth-first order, siblings oldest first.' })
export class KpiTreeNode {
  @Field(() => Kpi) kpi: Kpi;
  @Field(() => Int, { description: '0 for the root, 1 for its children…' }) depth: number;
  @Field(() => String, { nullable: true, description: "The parent's key (null for the root of the tree)." }) parentKey: string | null;
}

@ObjectType({ description: "A KPI's value for the period under kpiWhatIf's changes, next to its value without them." })
export class KpiProjection {
  @Field(() => DateScalar, { description: 'The first day of the period projected (of the tree root’s grain).' }) periodStart: string;
  @Field(() => Kpi) kpi: Kpi;
  @Field(() => DecimalScalar, { nullable: true, description: 'The value for the period as measured or computed (null: see reason).' }) baseline: Decimal | null;
  @Field(() => DecimalScalar, { nullable: true, description: 'The value with the changes applied and propagated up the formulas.' }) projected: Decimal | null;
  @Field(() => DecimalScalar, {
    nullable: true,
    description: '(projected − baseline) / baseline × 100; null when either is null, the baseline is 0, or it is out of the Decimal range (see reason).',
  })
  deltaPercent: Decimal | null;
  @Field(() => String, {
    nullable: true,
    description: 'Why baseline, projected or deltaPercent is null (no measurement, a missing input, a division by zero, a value out of the Decimal range).',
  })
  reason: string | null;
}

@ObjectType()
export class CreateKpiPayload {
  @Field(() => Kpi) kpi: Kpi;
}

@ObjectType()
export class UpdateKpiPayload {
  @Field(() => Kpi) kpi: Kpi;
}

@ObjectType()
export class MoveKpiPayload {
  @Field(() => Kpi) kpi: Kpi;
}

@ObjectType()
export class ArchiveKpiPayload {
  @Field(() => Kpi) kpi: Kpi;
}

@ObjectType()
export class RecordMeasurementsPayload {
  @Field(() => Int, { description: 'Rows for a KPI and period that had no measurement.' }) inserted: number;
  @Field(() => Int, { description: 'Rows that replaced an existing measurement of the KPI and period.' }) updated: number;
  @Field(() => Int, { description: 'Alerts raised (at most one per KPI, period and level; a resolved one may open again).' }) alertsRaised: number;
  @Field(() => Int, { description: 'Open or acknowledged alerts resolved: their period was recorded again inside the thresholds.' }) alertsResolved: number;
}

@ObjectType()
export class DeleteMeasurementsPayload {
  @Field(() => Kpi, { description: 'The KPI, with its latest value and status recomputed.' }) kpi: Kpi;
  @Field(() => Int, { description: 'Measurements deleted (periods without one are skipped).' }) deleted: number;
  @Field(() => Int, { description: 'Open or acknowledged alerts of the deleted periods, now RESOLVED.' }) alertsResolved: number;
}

@ObjectType({
  description:
    'A recordMeasurements call raised more alerts than are announced one by one (KPI_ALERT_EVENTS_MAX, 100 by default): kpiAlertRaised announced none of them; refetch kpiAlerts(filter: { status: OPEN }).',
})
export class KpiAlertsRaisedInBulk {
  @Field(() => Int, { description: 'Alerts the call raised.' }) count: number;
  @Field(() => Int, { description: 'Of which CRITICAL.' }) critical: number;
  @Field(() => Int, { description: 'Of which WARNING.' }) warning: number;
  @Field(() => Int, { description: 'KPIs with a new alert.' }) kpis: number;
  @Field({ description: 'When the alerts were raised.' }) at: Date;
  actorId: string | null;
}

@ObjectType()
export class AcknowledgeKpiAlertPayload {
  @Field(() => KpiAlert) alert: KpiAlert;
}
