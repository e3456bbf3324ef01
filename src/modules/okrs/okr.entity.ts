import Decimal from 'decimal.js';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Node } from '../../common/node';
import { DateScalar, DecimalScalar, decimalTransformer } from '../../common/scalars';
import { KeyResultKind, OkrStatus } from './okr-rules';
import { auditIdKeys } from '../audit';

registerEnumType(KeyResultKind, {
  name: 'KeyResultKind',
  description:
    'How a key result is measured: INCREASE_TO / DECREASE_TO a target (progress = (current − start) / (target − start), clamped to 0..1), STAY_ABOVE / STAY_BELOW a threshold (1 or 0), MILESTONE (1 when done).',
});
registerEnumType(OkrStatus, {
  name: 'OkrStatus',
  description: 'From the latest check-in confidence (≥ 0.7 ON_TRACK, ≥ 0.4 AT_RISK), else from pace against the cycle.',
});

/** numeric column <-> JS number, for 0..1 ratios (confidence, score) exposed as Float. */
const ratioTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | null) => (v == null ? null : Number(v)),
};

/** date column <-> YYYY-MM-DD, or '-infinity' (stored status dates, see okr-status-dates.ts). */
const statusDateTransformer = {
  to: (v: string | null | undefined) => v,
  from: (v: unknown) => {
    if (v == null) return null;
    if (v === -Infinity || v === '-infinity') return '-infinity';
    if (v instanceof Date) return v.toISOString().slice(0, 10);
    return String(v).slice(0, 10);
  },
};

/** An OKR cycle, e.g. 2026-Q2. */
@Entity('okr_cycles')
@ObjectType({ implements: Node, description: 'An OKR cycle (e.g. 2026-Q2). Closing it scores and freezes its key results.' })
export class Cycle extends Node {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Field() @Column() name: string;
  @Field(() => DateScalar) @Column({ name: 'starts_on', type: 'date' }) startsOn: string;
  @Field(() => DateScalar) @Column({ name: 'ends_on', type: 'date' }) endsOn: string;
  @Field(() => Date, { nullable: true, description: 'When the cycle was closed; its key results are then scored and frozen.' })
  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;
  @Field(() => Int, { description: 'Increases with every change; send it back as expectedVersion.' })
  @Column({ type: 'int', default: 1 })
  version: number;
  @Field() @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

@Entity('objectives')
@ObjectType({ implements: Node, description: 'An objective: qualitative, measured by its key results and aligned child objectives.' })
export class Objective extends Node {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ name: 'cycle_id', type: 'uuid' }) cycleId: string;
  @Field() @Column() title: string;
  @Field(() => String, { nullable: true }) @Column({ type: 'text', nullable: true }) description: string | null;
  @Column({ name: 'owner_id', type: 'uuid' }) ownerId: string;
  @Column({ name: 'squad_id', type: 'uuid', nullable: true }) squadId: string | null;
  @Column({ name: 'parent_id', type: 'uuid', nullable: true }) parentId: string | null;
  @Field(() => DecimalScalar, { description: "Weight in the parent objective's roll-up (default 1; 0 allowed)." })
  @Column({ type: 'numeric', transformer: decimalTransformer })
  weight: Decimal;
  /** Stored roll-up, maintained by okr-progress-store.ts; exposed through the progress and status fields. */
  @Column({ type: 'numeric', transformer: ratioTransformer }) progress: number;
  @Column({ name: 'at_risk_from', type: 'date', nullable: true, transformer: statusDateTransformer }) atRiskFrom: string | null;
  @Column({ name: 'off_track_from', type: 'date', nullable: true, transformer: statusDateTransformer }) offTrackFrom: string | null;
  @Field(() => Int, { description: 'Increases with every change; send it back as expectedVersion.' })
  @Column({ type: 'int' })
  version: number;
  @Field(() => Date, { nullable: true, description: 'When it was archived; archived objectives leave the default lists and roll-ups.' })
  @Column({ name: 'archived_at', type: 'timestamptz', nullable: true })
  archivedAt: Date | null;
  @Field() @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Field() @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

@Entity('key_results')
@ObjectType({ implements: Node, description: 'A measurable key result of an objective.' })
export class KeyResult extends Node {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ name: 'objective_id', type: 'uuid' }) objectiveId: string;
  /** The objective's cycle, kept here for scoring and pace. */
  @Column({ name: 'cycle_id', type: 'uuid' }) cycleId: string;
  @Field() @Column() title: string;
  @Field(() => KeyResultKind) @Column({ type: 'varchar' }) kind: KeyResultKind;
  @Field(() => String, { nullable: true, description: 'e.g. %, 篇/天, CNY.' }) @Column({ type: 'text', nullable: true }) unit: string | null;
  @Field(() => DecimalScalar) @Column({ name: 'start_value', type: 'numeric', transformer: decimalTransformer }) startValue: Decimal;
  @Field(() => DecimalScalar) @Column({ name: 'target_value', type: 'numeric', transformer: decimalTransformer }) targetValue: Decimal;
  @Field(() => DecimalScalar, { description: 'The latest checked-in value (startValue until the first check-in).' })
  @Column({ name: 'current_value', type: 'numeric', transformer: decimalTransformer })
  currentValue: Decimal;
  @Field(() => Number, { nullable: true, description: 'The latest check-in confidence, 0..1; null before the first check-in.' })
  @Column({ type: 'numeric', nullable: true, transformer: ratioTransformer })
  confidence: number | null;
  @Field(() => DecimalScalar, { description: "Weight in the objective's roll-up (default 1; 0 allowed)." })
  @Column({ type: 'numeric', transformer: decimalTransformer })
  weight: Decimal;
  @Column({ name: 'owner_id', type: 'uuid' }) ownerId: string;
  /** The KPI it follows (checked by the hook of kpi-link.ts; the column and the `kpi` field belong to the KPI module). */
  @Column({ name: 'kpi_id', type: 'uuid', nullable: true }) kpiId: string | null;
  @Field(() => Number, { nullable: true, description: 'Set when the cycle closes: progress rounded to 0.1.' })
  @Column({ type: 'numeric', nullable: true, transformer: ratioTransformer })
  score: number | null;
  @Field(() => Date, { nullable: true }) @Column({ name: 'last_check_in_at', type: 'timestamptz', nullable: true }) lastCheckInAt: Date | null;
  /** Stored for the objective roll-up and its status filter (okr-progress-store.ts); the fields compute from the row. */
  @Column({ type: 'numeric', transformer: ratioTransformer }) progress: number;
  @Column({ name: 'at_risk_from', type: 'date', nullable: true, transformer: statusDateTransformer }) atRiskFrom: string | null;
  @Column({ name: 'off_track_from', type: 'date', nullable: true, transformer: statusDateTransformer }) offTrackFrom: string | null;
  @Field(() => Int, { description: 'Increases with every change; send it back as expectedVersion.' })
  @Column({ type: 'int' })
  version: number;
  @Field(() => Date, { nullable: true, description: 'When it was archived; archived key results leave the default lists and roll-ups.' })
  @Column({ name: 'archived_at', type: 'timestamptz', nullable: true })
  archivedAt: Date | null;
  @Field() @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Field() @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

@Entity('check_ins')
@ObjectType({ implements: Node, description: 'A check-in on a key result: value, confidence and note. Kept as history.' })
export class CheckIn extends Node {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ name: 'key_result_id', type: 'uuid' }) keyResultId: string;
  @Field(() => DecimalScalar) @Column({ type: 'numeric', transformer: decimalTransformer }) value: Decimal;
  @Field(() => Number, { description: '0..1' }) @Column({ type: 'numeric', transformer: ratioTransformer }) confidence: number;
  @Field(() => String, { nullable: true }) @Column({ type: 'text', nullable: true }) note: string | null;
  @Column({ name: 'author_id', type: 'uuid', nullable: true }) authorId: string | null;
  @Field() @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

/** Which keys of these types' audit snapshots are ids, and of which type (AuditEvent.before/after show global ids). */
auditIdKeys('Objective', { cycleId: 'Cycle', ownerId: 'User', squadId: 'Squad', parentId: 'Objective' });
// A check-in is audited on its key result, with the check-in in `after.checkIn`.
auditIdKeys('KeyResult', { objectiveId: 'Objective', cycleId: 'Cycle', ownerId: 'User', kpiId: 'Kpi', checkIn: 'CheckIn' });
auditIdKeys('CheckIn', { keyResultId: 'KeyResult', authorId: 'User' });
