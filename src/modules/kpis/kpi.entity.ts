import Decimal from 'decimal.js';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Grain } from '../../common/graphql-enums';
import { Node } from '../../common/node';
import { DateScalar, DecimalScalar, decimalTransformer } from '../../common/scalars';
import { KpiAggregation, KpiAlertLevel, KpiAlertStatus, KpiDirection, KpiLayer, KpiStatus } from './kpi-rules';
import { auditIdKeys } from '../audit';

registerEnumType(KpiLayer, { name: 'KpiLayer', description: 'Where the KPI sits: STRATEGIC (north star), TACTICAL (drivers), OPERATIONAL (levers).' });
registerEnumType(KpiDirection, { name: 'KpiDirection', description: 'Which way is good: decides which side of a threshold raises an alert.' });
registerEnumType(KpiAggregation, {
  name: 'KpiAggregation',
  description: 'How measurements within a longer period combine: SUM (visitors), AVERAGE (rates), LAST (stocks such as MAU).',
});
registerEnumType(KpiStatus, {
  name: 'KpiStatus',
  description: 'From the latest value: CRITICAL past a critical threshold, WARNING past a warning threshold or outside the normal range, NORMAL otherwise; NO_DATA without a value.',
});
registerEnumType(KpiAlertLevel, { name: 'KpiAlertLevel' });
registerEnumType(KpiAlertStatus, {
  name: 'KpiAlertStatus',
  description: 'OPEN when raised; ACKNOWLEDGED by its KPI owner or an admin; RESOLVED when its period was recorded again inside the thresholds, or its measurement deleted.',
});

/** date column <-> YYYY-MM-DD. */
export const dayTransformer = {
  to: (v: string | null | undefined) => v,
  from: (v: unknown) => (v == null ? null : v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10)),
};

@ObjectType({ description: 'The normal range of a KPI: a value outside it raises a WARNING alert.' })
export class KpiRange {
  @Field(() => DecimalScalar, { nullable: true }) min: Decimal | null;
  @Field(() => DecimalScalar, { nullable: true }) max: Decimal | null;
}

@ObjectType({ description: 'Alert thresholds of a KPI; a value strictly past one raises an alert of its level.' })
export class KpiThresholds {
  @Field(() => DecimalScalar, { nullable: true }) warningBelow: Decimal | null;
  @Field(() => DecimalScalar, { nullable: true }) criticalBelow: Decimal | null;
  @Field(() => DecimalScalar, { nullable: true }) warningAbove: Decimal | null;
  @Field(() => DecimalScalar, { nullable: true }) criticalAbove: Decimal | null;
}

/** A metric with one agreed definition in the organisation (统一指标口径), a node of the driver tree. */
@Entity('kpis')
@ObjectType({ implements: Node, description: 'A metric with one agreed definition in the organisation, a node of the KPI driver tree.' })
export class Kpi extends Node {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Field({ description: 'Stable slug unique in the organisation (gmv, conversion_rate); formulas refer to KPIs by it.' })
  @Column({ type: 'varchar' })
  key: string;
  @Field() @Column() name: string;
  @Field({ description: 'How the metric is computed and counted (口径).' }) @Column({ type: 'text' }) definition: string;
  @Field(() => String, { nullable: true, description: 'e.g. CNY, %, users.' }) @Column({ type: 'text', nullable: true }) unit: string | null;
  @Field(() => KpiLayer) @Column({ type: 'varchar' }) layer: KpiLayer;
  @Field(() => KpiDirection) @Column({ type: 'varchar' }) direction: KpiDirection;
  @Field(() => KpiAggregation) @Column({ type: 'varchar' }) aggregation: KpiAggregation;
  @Field(() => Grain, {
    description: 'How often it is measured: DAY, WEEK (periods start on Mondays) or MONTH (on the 1st); every measurement starts a period of it.',
  })
  @Column({ type: 'varchar' })
  grain: Grain;
  @Field(() => String, {
    nullable: true,
    description: "Driver formula over the keys of the KPI's own children (+ - * / and parentheses), e.g. `visitors * conversion_rate * aov`; null for a measured KPI.",
  })
  @Column({ type: 'text', nullable: true })
  formula: string | null;
  @Column({ name: 'parent_id', type: 'uuid', nullable: true }) parentId: string | null;
  @Column({ name: 'owner_id', type: 'uuid', nullable: true }) ownerId: string | null;
  @Field({ description: 'The organisation has at most one active north-star KPI.' })
  @Column({ name: 'is_north_star', type: 'boolean' })
  isNorthStar: boolean;
  @Column({ name: 'normal_min', type: 'numeric', nullable: true, transformer: decimalTransformer }) normalMin: Decimal | null;
  @Column({ name: 'normal_max', type: 'numeric', nullable: true, transformer: decimalTransformer }) normalMax: Decimal | null;
  @Column({ name: 'warning_below', type: 'numeric', nullable: true, transformer: decimalTransformer }) warningBelow: Decimal | null;
  @Column({ name: 'critical_below', type: 'numeric', nullable: true, transformer: decimalTransformer }) criticalBelow: Decimal | null;
  @Column({ name: 'warning_above', type: 'numeric', nullable: true, transformer: decimalTransformer }) warningAbove: Decimal | null;
  @Column({ name: 'critical_above', type: 'numeric', nullable: true, transformer: decimalTransformer }) criticalAbove: Decimal | null;
  /** Stored by kpi-state.ts: the latest period with a value, that value, and the status it gives. */
  @Column({ name: 'latest_period', type: 'date', nullable: true, transformer: dayTransformer }) latestPeriod: string | null;
  @Column({ name: 'latest_value', type: 'numeric', nullable: true, transformer: decimalTransformer }) latestValue: Decimal | null;
  @Field(() => KpiStatus, { description: 'From the latest value against the normal range and thresholds (NO_DATA without one).' })
  @Column({ type: 'varchar' })
  status: KpiStatus;
  @Field(() => Int, { description: 'Increases with every change; send it back as expectedVersion.' })
  @Column({ type: 'int' })
  version: number;
  @Field(() => Date, { nullable: true, description: 'When it was archived; archived KPIs leave lists and trees and take no measurements.' })
  @Column({ name: 'archived_at', type: 'timestamptz', nullable: true })
  archivedAt: Date | null;
  @Field() @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Field() @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;

  @Field(() => KpiRange, { nullable: true, description: 'Null when neither bound is set.' })
  get normalRange(): KpiRange | null {
    if (this.normalMin == null && this.normalMax == null) return null;
    return Object.assign(new KpiRange(), { min: this.normalMin, max: this.normalMax });
  }

  @Field(() => KpiThresholds, { nullable: true, description: 'Null when no threshold is set.' })
  get thresholds(): KpiThresholds | null {
    const { warningBelow, criticalBelow, warningAbove, criticalAbove } = this;
    if (warningBelow == null && criticalBelow == null && warningAbove == null && criticalAbove == null) return null;
    return Object.assign(new KpiThresholds(), { warningBelow, criticalBelow, warningAbove, criticalAbove });
  }
}

/** One value of a KPI for a period (upserted by KPI and period start). */
@Entity('kpi_measurements')
@ObjectType('Measurement', { description: 'The value of a KPI for the period starting on periodStart.' })
export class KpiMeasurement {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ name: 'kpi_id', type: 'uuid' }) kpiId: string;
  @Field(() => DateScalar) @Column({ name: 'period_start', type: 'date', transformer: dayTransformer }) periodStart: string;
  @Field(() => DecimalScalar) @Column({ type: 'numeric', transformer: decimalTransformer }) value: Decimal;
  @Field(() => String, { nullable: true, description: 'Where the value came from (a pipeline, a report).' })
  @Column({ type: 'text', nullable: true })
  source: string | null;
  @Column({ name: 'recorded_by', type: 'uuid', nullable: true }) recordedBy: string | null;
  @Field({ description: 'When the value was last recorded.' }) @Column({ name: 'recorded_at', type: 'timestamptz' }) recordedAt: Date;
}

/** A threshold alert: at most one per KPI, period and level. */
@Entity('kpi_alerts')
@ObjectType({ implements: Node, description: 'Raised when a measurement is outside the normal range or past a threshold (at most one per KPI, period and level).' })
export class KpiAlert extends Node {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ name: 'kpi_id', type: 'uuid' }) kpiId: string;
  @Column({ name: 'measurement_id', type: 'uuid', nullable: true }) measurementId: string | null;
  @Field(() => DateScalar) @Column({ name: 'period_start', type: 'date', transformer: dayTransformer }) periodStart: string;
  @Field(() => KpiAlertLevel) @Column({ type: 'varchar' }) level: KpiAlertLevel;
  @Field(() => DecimalScalar, { description: 'The value that raised it.' }) @Column({ type: 'numeric', transformer: decimalTransformer }) value: Decimal;
  @Field() @Column({ type: 'text' }) message: string;
  @Field(() => KpiAlertStatus) @Column({ type: 'varchar' }) status: KpiAlertStatus;
  @Column({ name: 'acknowledged_by', type: 'uuid', nullable: true }) acknowledgedBy: string | null;
  @Field(() => Date, { nullable: true }) @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true }) acknowledgedAt: Date | null;
  @Field(() => String, { nullable: true, description: 'The note left when acknowledging.' }) @Column({ type: 'text', nullable: true }) note: string | null;
  @Field(() => Date, { nullable: true, description: 'When it was resolved (its period recorded again inside the thresholds, or deleted).' })
  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;
  @Column({ name: 'resolved_by', type: 'uuid', nullable: true }) resolvedBy: string | null;
  @Field(() => Int) @Column({ type: 'int' }) version: number;
  @Field() @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

/** Which keys of these types' audit snapshots are ids, and of which type (AuditEvent.before/after show global ids). */
auditIdKeys('Kpi', { parentId: 'Kpi', ownerId: 'User' });
auditIdKeys('KpiMeasurement', { kpiId: 'Kpi', recordedBy: 'User' });
auditIdKeys('KpiAlert', { kpiId: 'Kpi', measurementId: 'Measurement', acknowledgedBy: 'User', resolvedBy: 'User' });
